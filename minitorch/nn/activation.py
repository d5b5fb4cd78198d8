"""Activation functions as modules, so they can sit in a ``Sequential``: ``ReLU Tanh Sigmoid
GELU Softmax LogSoftmax``. Each one calls its ``nn.functional`` namesake; they have no parameters.
``gelu`` itself is defined here (and offered as ``F.gelu``)."""

from __future__ import annotations

import math

import numpy as np

from ..tensor.dtypes import to_float
from ..tensor.special import erfc_array
from ..tensor.tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "LogSoftmax", "gelu"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """The Gaussian Error Linear Unit (Hendrycks & Gimpel, 2016), ``torch.nn.functional.gelu``:

        GELU(x) = x Φ(x),   Φ(x) = (1 + erf(x / sqrt(2))) / 2   (the standard normal's CDF)

    a smooth ReLU: ~x for large x, ~0 for very negative x, slightly negative in between. With
    ``approximate='tanh'``: ``0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))``.

    Any shape, same out; computed in the input's float dtype (integers become float32).
    Backward: ``Φ(x) + x φ(x)`` with ``φ(x) = e^(-x²/2) / sqrt(2π)`` (for 'tanh', the derivative
    of the formula above). Raises RuntimeError for another ``approximate`` (as PyTorch).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"gelu: expected a Tensor input, got {type(input).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate argument must be either 'none' or 'tanh', got {approximate!r}")
    x = to_float(input.data)  # computed in the input's float dtype, as PyTorch does
    if approximate == "none":
        cdf = 0.5 * erfc_array(x * -(1 / math.sqrt(2)))  # Φ(x), accurate even where it is tiny

        def derivative() -> np.ndarray:
            return cdf + x * np.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
    else:
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x ** 3))
        cdf = 0.5 * (1 + t)

        def derivative() -> np.ndarray:
            return cdf + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * x * x)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * derivative(),)

    return Tensor._from_op(x * cdf, (input,), "gelu", backward)


class ReLU(Module):
    """``max(0, x)`` elementwise. ``inplace=True`` (PyTorch's option) writes the result into the
    input, as ``input.relu_()``: fine for an intermediate tensor (``x = relu(x)``), a RuntimeError
    for a leaf that requires grad."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return input.relu_() if self.inplace else F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """``tanh(x)`` elementwise, in (-1, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Sigmoid(Module):
    """``1 / (1 + e^-x)`` elementwise, in (0, 1); never overflows."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class GELU(Module):
    """``x Φ(x)`` elementwise (``approximate='none'``, the default) or its tanh approximation
    (``'tanh'``); see ``nn.functional.gelu``."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise RuntimeError(f"GELU: approximate argument must be either 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """``e^x_i / sum_j e^x_j`` along ``dim`` (required: for a batch of logits ``(N, C)`` it is 1
    or -1). Stable for any logits."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """``log(softmax(x))`` along ``dim``, computed stably; pairs with ``NLLLoss``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)
