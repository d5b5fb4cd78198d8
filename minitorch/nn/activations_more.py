"""More activation functions, as ``torch.nn`` and ``torch.nn.functional`` name them, each a
composition of existing tensor ops (``where``, ``clamp``, ``exp``, ``expm1``, ``log1p``, ``sigmoid``,
``tanh``, ...), so autograd differentiates them for free.

    ReLU-like      leaky_relu / LeakyReLU, prelu / PReLU, threshold / Threshold, relu6 / ReLU6,
                   hardtanh / Hardtanh
    exponential    elu / ELU, selu / SELU, celu / CELU
    smooth         softplus / Softplus, logsigmoid / LogSigmoid, silu / SiLU, mish / Mish,
                   softsign / Softsign, tanhshrink / Tanhshrink
    piecewise      hardsigmoid / Hardsigmoid, hardswish / Hardswish
    gated / dim    glu / GLU, softmin / Softmin

Numerical stability: an exponential is only ever taken of a non-positive number (``clamp`` first),
so nothing overflows for large ``|x|``; ``log(1 + e^z)`` is computed as
``max(z, 0) + log1p(e^-|z|)`` (on two ``where`` branches, so that the gradient at ``z = 0`` is
exactly ``sigmoid(0) = 1/2``). Gradients at the kinks are PyTorch's: ``leaky_relu`` and ``prelu``
take the negative slope at 0, ``hardtanh``/``relu6``/``hardsigmoid`` pass no gradient at their
bounds, ``threshold`` none at its threshold, ``elu``/``selu`` take the left-hand slope at 0.

``inplace=True`` (where PyTorch offers it) writes the result into the input with minitorch's
in-place machinery (``Tensor._inplace``, as ``x.relu_()`` does): the op is recorded from the
input's former value, so ``x = layer(x)`` on an intermediate tensor backpropagates correctly, and a
leaf that requires grad is refused with a RuntimeError, as in PyTorch.

All take float tensors of any shape and return the same shape and dtype (TypeError for an integer
or bool tensor, except ``threshold``/``hardtanh``/``relu6``, which PyTorch also runs on integers).
Sources: the PyTorch documentation of each function (``torch.nn.<Name>``), and the papers cited.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.functions import where
from ..tensor.tensor import Tensor, _dim
from . import init as nn_init
from .module import Module
from .parameter import Parameter

__all__ = ["relu", "leaky_relu", "elu", "selu", "celu", "softplus", "silu", "mish", "hardtanh", "relu6",
           "hardsigmoid", "hardswish", "softsign", "tanhshrink", "logsigmoid", "glu", "threshold", "prelu",
           "softmin",
           "LeakyReLU", "ELU", "SELU", "CELU", "Softplus", "SiLU", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid",
           "Hardswish", "Softsign", "Tanhshrink", "LogSigmoid", "GLU", "Threshold", "PReLU", "Softmin"]

# SELU's constants (Klambauer et al., 2017), to the digits PyTorch's documentation gives.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------------------------------------- helpers
def _check(input: Any, op: str, integers: bool = False) -> Tensor:
    """``input`` itself, after the checks every activation makes (a Tensor; float unless ``integers``)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    kind = input.data.dtype.kind
    if kind == "b" or (kind in "iu" and not integers):
        raise TypeError(f"{op}: not implemented for a tensor of dtype {input.data.dtype} (needs a floating-point "
                        "tensor: convert with .float() first)")
    return input


def _apply(input: Tensor, inplace: bool, op: str, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """``compute(input)``, or with ``inplace`` the same written into ``input`` (recorded as ``op_``)."""
    if inplace:
        return input._inplace(f"{op}_", compute)
    return compute(input)


def _log1p_exp(z: Tensor) -> Tensor:
    """``log(1 + e^z)`` without overflow: ``z + log1p(e^-z)`` for ``z > 0``, ``log1p(e^z)`` otherwise
    (each exponent clamped to be non-positive, so the branch not taken cannot overflow either).
    Gradient ``sigmoid(z)`` everywhere, ``1/2`` at 0."""
    return where(z > 0, z + (-z.clamp(min=0)).exp().log1p(), z.clamp(max=0).exp().log1p())


def _like(value: float, input: Tensor) -> Any:
    """A bound as a number of the input's kind (an integer tensor keeps integer bounds, as PyTorch)."""
    return int(value) if input.data.dtype.kind in "iu" else value


def _clip_open(x: Tensor, lo: float, hi: float, low_value: Any, high_value: Any, inside: Tensor | Any) -> Tensor:
    """``low_value`` where ``x <= lo``, ``high_value`` where ``x >= hi``, else ``inside``: the gradient
    is ``inside``'s strictly between the bounds and 0 on them (PyTorch's rule for hardtanh)."""
    return where(x <= lo, low_value, where(x >= hi, high_value, inside))


# ---------------------------------------------------------------------------------------------- functions
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)`` elementwise, ``torch.nn.functional.relu``: ``inplace=True`` is ``input.relu_()``.

    Any shape, same out. Gradient 1 where ``x > 0``, 0 elsewhere (also at 0, as PyTorch).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"relu: expected a Tensor input, got {type(input).__name__}")
    return input.relu_() if inplace else input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise (Maas et al., 2013; ``torch.nn.LeakyReLU``).

    Any shape, same out. Gradient 1 for ``x > 0``, ``negative_slope`` for ``x <= 0`` (0 included).
    """
    _check(input, "leaky_relu")
    return _apply(input, inplace, "leaky_relu", lambda x: where(x > 0, x, x * negative_slope))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential Linear Unit (Clevert et al., 2015, arXiv:1511.07289; ``torch.nn.ELU``):

        ELU(x) = x                     for x > 0
                 alpha * (e^x - 1)     for x <= 0

    Any shape, same out. ``e^x - 1`` is ``expm1`` of ``min(x, 0)``: exact near 0, no overflow for
    large x. Gradient ``alpha * e^x`` for ``x <= 0`` (so ``alpha`` at 0, as PyTorch), 1 above.
    """
    _check(input, "elu")
    return _apply(input, inplace, "elu", lambda x: where(x > 0, x, x.clamp(max=0).expm1() * alpha))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU (Klambauer et al., 2017, "Self-Normalizing Neural Networks"; ``torch.nn.SELU``):

        SELU(x) = scale * (max(0, x) + min(0, alpha * (e^x - 1)))

    with ``alpha = 1.6732632423543772848170429916717`` and ``scale = 1.0507009873554804934193349852946``.
    Any shape, same out. Gradient ``scale * alpha * e^x`` for ``x <= 0``, ``scale`` above.
    """
    _check(input, "selu")
    return _apply(input, inplace, "selu",
                  lambda x: where(x > 0, x, x.clamp(max=0).expm1() * _SELU_ALPHA) * _SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Continuously differentiable ELU (Barron, 2017, arXiv:1704.07483; ``torch.nn.CELU``):

        CELU(x) = max(0, x) + min(0, alpha * (e^(x / alpha) - 1))

    Any shape, same out. Gradient ``e^(x / alpha)`` for ``x <= 0`` (1 at 0), 1 above.
    Raises RuntimeError for ``alpha == 0`` (PyTorch's message).
    """
    _check(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _apply(input, inplace, "celu",
                  lambda x: where(x > 0, x, (x.clamp(max=0) * (1.0 / alpha)).expm1() * alpha))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``(1 / beta) * log(1 + e^(beta * x))``, a smooth ReLU that is always positive (``torch.nn.Softplus``).

    As PyTorch, it reverts to the identity ``x`` where ``beta * x > threshold`` (gradient 1 there);
    below, ``log(1 + e^z)`` is computed without overflow. Any shape, same out. Gradient
    ``sigmoid(beta * x)``.
    """
    _check(input, "softplus")
    z = input * beta
    return where(z > threshold, input, _log1p_exp(z) * (1.0 / beta))


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for any ``|x|`` (``torch.nn.LogSigmoid``): about
    ``x`` for very negative ``x`` (never ``log(0)``), about ``-e^-x`` for large ``x``.

    Any shape, same out. Gradient ``1 - sigmoid(x)`` (1/2 at 0).
    """
    _check(input, "logsigmoid")
    return -_log1p_exp(-input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """Sigmoid Linear Unit, ``x * sigmoid(x)`` (``torch.nn.SiLU``): the GELU paper's SiLU (Hendrycks
    & Gimpel, 2016) and Swish with beta = 1 (Ramachandran et al., 2017, "Searching for Activation
    Functions"; Elfwing et al., 2017). Any shape, same out. Gradient ``s (1 + x (1 - s))``, ``s = sigmoid(x)``.
    """
    _check(input, "silu")
    return _apply(input, inplace, "silu", lambda x: x * x.sigmoid())


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))`` (Misra, 2019, "Mish: A Self Regularized Non-Monotonic Activation
    Function"; ``torch.nn.Mish``), with the overflow-free ``log(1 + e^x)``, no threshold (as PyTorch).
    Any shape, same out.
    """
    _check(input, "mish")
    return _apply(input, inplace, "mish", lambda x: x * _log1p_exp(x).tanh())


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` clipped to ``[min_val, max_val]`` (``torch.nn.Hardtanh``).

    Any shape, same out (integer tensors too, as PyTorch). Gradient 1 strictly inside the interval,
    0 outside and on the bounds themselves (PyTorch's rule; ``clamp`` would pass it on the bounds).
    Raises ValueError when ``min_val > max_val``.
    """
    _check(input, "hardtanh", integers=True)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    lo, hi = _like(min_val, input), _like(max_val, input)
    return _apply(input, inplace, "hardtanh", lambda x: _clip_open(x, min_val, max_val, lo, hi, x))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)`` = ``hardtanh(x, 0, 6)`` (Krizhevsky, 2010; ``torch.nn.ReLU6``).
    Any shape, same out. Gradient 1 for ``0 < x < 6``, 0 elsewhere (also at 0 and at 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """A piecewise-linear sigmoid (Howard et al., 2019, "Searching for MobileNetV3"; ``torch.nn.Hardsigmoid``):

        Hardsigmoid(x) = 0 for x <= -3,   1 for x >= 3,   x / 6 + 1/2 otherwise

    Any shape, same out. Gradient 1/6 strictly between -3 and 3, 0 elsewhere (also at +-3).
    """
    _check(input, "hardsigmoid")
    return _apply(input, inplace, "hardsigmoid", lambda x: _clip_open(x, -3.0, 3.0, 0.0, 1.0, x * (1 / 6) + 0.5))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * hardsigmoid(x)`` (Howard et al., 2019, "Searching for MobileNetV3"; ``torch.nn.Hardswish``):
    0 for ``x <= -3``, ``x`` for ``x >= 3``, ``x (x + 3) / 6`` between. Any shape, same out.
    Gradient ``x / 3 + 1/2`` strictly between -3 and 3, 0 at and below -3, 1 at and above 3 (as PyTorch).
    """
    _check(input, "hardswish")
    return _apply(input, inplace, "hardswish", lambda x: x * hardsigmoid(x))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``, in (-1, 1) (``torch.nn.Softsign``). Any shape, same out. Gradient ``1 / (1 + |x|)^2``."""
    _check(input, "softsign")
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)`` (``torch.nn.Tanhshrink``). Any shape, same out. Gradient ``tanh(x)^2``."""
    _check(input, "tanhshrink")
    return input - input.tanh()


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated Linear Unit (Dauphin et al., 2016, "Language Modeling with Gated Convolutional Networks";
    ``torch.nn.GLU``): split ``input`` in halves ``a, b`` along ``dim`` and return ``a * sigmoid(b)``.

    Shape ``(*, 2N, *)`` -> ``(*, N, *)``. Raises RuntimeError for a 0-d input or an odd size along
    ``dim``, IndexError for a ``dim`` out of range (PyTorch's classes and messages).
    """
    _check(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = _dim(dim, input.ndim, "glu")
    if input.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {input.shape[axis]}")
    a, b = input.chunk(2, axis)
    return a * b.sigmoid()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value`` (``torch.nn.Threshold``).

    Any shape, same out (integer tensors too). Gradient 1 where ``x > threshold``, 0 elsewhere.
    """
    _check(input, "threshold", integers=True)
    fill = _like(value, input)
    return _apply(input, inplace, "threshold", lambda x: where(x > threshold, x, fill))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Parametric ReLU (He et al., 2015, "Delving Deep into Rectifiers"; ``torch.nn.PReLU``):
    ``x`` for ``x > 0``, ``a * x`` otherwise, with ``a`` learned.

    ``weight`` holds 1 value (shared) or one per channel, the channel being dimension 1 of
    ``input`` (an input of fewer than 2 dims has one channel). Any shape, same out. Gradient to
    ``x``: 1 for ``x > 0``, ``a`` for ``x <= 0``; to ``a``: ``x`` where ``x <= 0``, summed.
    Raises RuntimeError for a weight that is not 0-d/1-d or whose size is neither 1 nor the
    number of channels (PyTorch's messages).
    """
    _check(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu: expected a Tensor weight, got {type(weight).__name__}")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    count = weight.numel()
    if count != 1 and count != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{count} and channel size = {channels}.")
    a = weight.reshape(()) if count == 1 else weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, input * a)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim`` (``torch.nn.Softmin``): non-negative, sums to 1, the largest
    weight on the smallest value. Stable for any input. Any shape, same out; ``dtype`` converts the
    input first. Without ``dim``, PyTorch's deprecated implicit choice, with its warning.
    """
    from .functional import softmax  # functional.py re-exports this module's functions: imported late

    if not isinstance(input, Tensor):
        raise TypeError(f"softmin: expected a Tensor input, got {type(input).__name__}")
    if dim is None:
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the call to include "
                      "dim=X as an argument.", UserWarning, stacklevel=_stacklevel)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


# ---------------------------------------------------------------------------------------------- modules
class _Inplace(Module):
    """An activation with only PyTorch's ``inplace`` option; repr ``Name()`` or ``Name(inplace=True)``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise; see ``nn.functional.leaky_relu``.
    Input ``(*)``, output the same shape."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` for ``x > 0``, ``alpha (e^x - 1)`` otherwise (Clevert et al., 2015); see
    ``nn.functional.elu``. Input ``(*)``, output the same shape."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """``max(0, x) + min(0, alpha (e^(x/alpha) - 1))`` (Barron, 2017); see ``nn.functional.celu``.
    Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    """``scale * ELU(x, alpha)`` with the self-normalising constants (Klambauer et al., 2017); see
    ``nn.functional.selu``. Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return selu(input, self.inplace)


class SiLU(_Inplace):
    """``x * sigmoid(x)`` (SiLU / Swish); see ``nn.functional.silu``. Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return silu(input, self.inplace)


class Mish(_Inplace):
    """``x * tanh(softplus(x))`` (Misra, 2019); see ``nn.functional.mish``. Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return mish(input, self.inplace)


class Hardsigmoid(_Inplace):
    """``clip(x / 6 + 1/2, 0, 1)`` (MobileNetV3); see ``nn.functional.hardsigmoid``. Input ``(*)``, same out."""

    def forward(self, input: Tensor) -> Tensor:
        return hardsigmoid(input, self.inplace)


class Hardswish(_Inplace):
    """``x * hardsigmoid(x)`` (MobileNetV3); see ``nn.functional.hardswish``. Input ``(*)``, same out."""

    def forward(self, input: Tensor) -> Tensor:
        return hardswish(input, self.inplace)


class Softplus(Module):
    """``log(1 + e^(beta x)) / beta``, linear where ``beta x > threshold``; see
    ``nn.functional.softplus``. Input ``(*)``, output the same shape."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """``x`` clipped to ``[min_val, max_val]``; see ``nn.functional.hardtanh``. Input ``(*)``, same out.

    Raises ValueError when ``max_val < min_val`` (PyTorch asserts it, an AssertionError).
    ``min_value``/``max_value`` are PyTorch's deprecated spellings of the two bounds.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        if max_val < min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``min(max(0, x), 6)``; see ``nn.functional.relu6``. Input ``(*)``, output the same shape."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softsign(Module):
    """``x / (1 + |x|)``; see ``nn.functional.softsign``. Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)``; see ``nn.functional.tanhshrink``. Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return tanhshrink(input)


class LogSigmoid(Module):
    """``log(sigmoid(x))``, stable; see ``nn.functional.logsigmoid``. Input ``(*)``, output the same shape."""

    def forward(self, input: Tensor) -> Tensor:
        return logsigmoid(input)


class GLU(Module):
    """``a * sigmoid(b)`` for the two halves of the input along ``dim`` (Dauphin et al., 2016);
    see ``nn.functional.glu``. Input ``(*, 2N, *)``, output ``(*, N, *)``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``; see ``nn.functional.threshold``. Input ``(*)``, same out."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """``x`` for ``x > 0``, ``a x`` otherwise, with ``a`` learned (He et al., 2015); see ``nn.functional.prelu``.

    Attributes:
        weight: Parameter of shape ``(num_parameters,)``, every entry ``init`` at first (PyTorch's
            name and layout: a state_dict loads into ``torch.nn.PReLU``). ``num_parameters`` is 1
            (one slope shared by all channels) or the number of channels, dimension 1 of the input.

    Input ``(*)`` (channels at dimension 1), output the same shape. Weight decay on ``a`` is best
    avoided (PyTorch's note).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        self.num_parameters = int(num_parameters)
        self.init = init
        self.weight = Parameter(np.empty(self.num_parameters, dtype=np.dtype(dtype or DEFAULT_FLOAT)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope back to ``init``."""
        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmin(Module):
    """``softmax(-x)`` along ``dim``; see ``nn.functional.softmin``. Input ``(*)``, output the same shape."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

