"""Weight initialisation, as ``torch.nn.init``: fill a tensor in place with well-scaled random numbers.

Why scale matters: a layer ``y = W x`` with ``fan_in`` inputs adds up ``fan_in`` products, so the
variance of ``y`` is ``fan_in * Var(W) * Var(x)``. Choose ``Var(W) = 1 / fan_in`` and the signal
keeps its size from layer to layer instead of exploding or vanishing.

* **Xavier / Glorot** (for tanh/sigmoid/linear): ``Var(W) = gain² * 2 / (fan_in + fan_out)``, a
  compromise between keeping the forward signal (fan_in) and the backward gradient (fan_out).
* **Kaiming / He** (for ReLU, which zeroes half its inputs): ``Var(W) = gain² / fan``, with
  ``gain = sqrt(2)`` for ReLU making up for the lost half.

A uniform distribution on ``[-b, b]`` has variance ``b² / 3``, so the uniform variants use
``b = sqrt(3) * std``. Fans follow PyTorch: for a weight of shape ``(out, in, *kernel)``,
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)`` -- for ``Linear`` (weight
``(out, in)``) simply ``in`` and ``out``.

Every function draws from minitorch's global generator (``minitorch.manual_seed``) unless given
its own ``generator`` (a ``numpy.random.Generator``), fills ``tensor.data`` in place without
recording a graph, and returns the tensor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor.random import get_generator
from ..tensor.tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale the standard deviation of the weights feeding ``nonlinearity``.

    ============  =====================================
    linear, conv  1
    sigmoid       1
    tanh          5/3
    relu          sqrt(2)
    leaky_relu    sqrt(2 / (1 + slope²)), slope = ``param`` (default 0.01)
    selu          3/4
    ============  =====================================
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
                     f"{', '.join(_LINEAR_LIKE + ('tanh', 'relu', 'leaky_relu', 'selu'))}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``."""
    shape = _floating(tensor, "fan computation").shape
    if len(shape) < 2:
        raise ValueError(f"init: fan in and fan out need a tensor with at least 2 dimensions (out, in, ...), "
                         f"got shape {shape}")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _floating(tensor: Any, op: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point tensor, got dtype {tensor.data.dtype}")
    return tensor


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    tensor.data[...] = values  # in place, cast to the tensor's dtype; no graph is recorded
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: np.random.Generator | None = None) -> Tensor:
    """Fill with values drawn uniformly from ``[a, b)``."""
    if not a <= b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    t = _floating(tensor, "uniform_")
    return _fill(t, (generator or get_generator()).uniform(a, b, t.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """Fill with values drawn from the normal distribution ``N(mean, std²)``."""
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    t = _floating(tensor, "normal_")
    return _fill(t, (generator or get_generator()).normal(mean, std, t.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    return _fill(_floating(tensor, "constant_"), val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Glorot & Bengio (2010): ``U(-b, b)`` with ``b = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Glorot & Bengio (2010): ``N(0, std²)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan = _calculate_correct_fan(tensor, mode)
    if fan == 0:
        raise ValueError(f"init: cannot initialise a tensor of shape {tensor.shape}: its {mode} is 0")
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """He et al. (2015): ``U(-b, b)`` with ``b = gain * sqrt(3 / fan)``, ``gain =
    calculate_gain(nonlinearity, a)`` (``a`` is the leaky-ReLU slope; 0 gives ReLU's sqrt(2)) and
    ``fan`` the fan-in (keeps the forward signal's variance) or fan-out (the gradients')."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """He et al. (2015): ``N(0, std²)`` with ``std = gain / sqrt(fan)``; see ``kaiming_uniform_``."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)
