"""``Linear`` (a fully connected layer), ``Identity`` and ``Flatten``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Linear", "Identity", "Flatten", "Unflatten"]


class Linear(Module):
    """``y = x Wᵀ + b``: input ``(*, in_features)`` -> output ``(*, out_features)``.

    Attributes:
        weight: Parameter of shape ``(out_features, in_features)`` -- PyTorch's layout, one row per
            output unit, so a trained weight loads straight into ``torch.nn.Linear``.
        bias: Parameter of shape ``(out_features,)``, or None when ``bias=False``.

    Initialised as PyTorch does: ``weight`` by ``kaiming_uniform_(a=sqrt(5))``, which works out to
    ``U(-1/sqrt(in), 1/sqrt(in))``, and ``bias`` from that same range.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None):
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {n!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh initial values (from minitorch's global generator)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None and self.in_features > 0:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        # Speed: F.linear checks the same things; this layer's own message (naming in_features) is
        # built only when it fails (saves ~0.3 µs per call, measured: ENGINE_PLAN.md §7).
        try:
            return F.linear(input, self.weight, self.bias)
        except (TypeError, RuntimeError):
            if not isinstance(input, Tensor):
                raise TypeError(f"{self!r}: expected a Tensor input, got {type(input).__name__}") from None
            if input.ndim == 0 or input.shape[-1] != self.in_features:
                raise RuntimeError(f"{self!r}: input has shape {input.shape}, expected the last dimension to "
                                   f"be in_features={self.in_features}, i.e. shape (*, {self.in_features})") from None
            raise

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to switch a layer off). Accepts and
    ignores any constructor arguments, as PyTorch's does."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Flatten(Module):
    """Merge dimensions ``start_dim..end_dim`` into one: ``(N, C, H, W)`` -> ``(N, C*H*W)``.
    The default ``start_dim=1`` keeps the batch dimension."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: ``Unflatten(1, (2, 5))`` turns ``(N, 10)``
    into ``(N, 2, 5)`` (the inverse of ``Flatten``; as ``torch.nn.Unflatten``). One size may be -1.

    Raises TypeError if ``unflattened_size`` is not a tuple or list of ints, RuntimeError in forward
    if the sizes do not multiply to the length of ``dim``.
    """

    def __init__(self, dim: int, unflattened_size: Any):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"Unflatten: dim must be an int (named dimensions are not supported), got "
                            f"{type(dim).__name__}")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for i, n in enumerate(unflattened_size):
            if not isinstance(n, int) or isinstance(n, bool):
                raise TypeError(f"unflattened_size must be tuple of ints, but found element of type "
                                f"{type(n).__name__} at pos {i}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        sizes = list(self.unflattened_size)
        length = input.shape[self.dim] if -input.ndim <= self.dim < input.ndim else None
        known = int(np.prod([n for n in sizes if n != -1]))
        if length is not None and (length != known if -1 not in sizes else known == 0 or length % known):
            raise RuntimeError(f"unflatten: provided sizes {sizes} don't multiply up to the size of dim "
                               f"{self.dim} ({length}) in the input tensor of shape {tuple(input.shape)}")
        return input.unflatten(self.dim, tuple(sizes))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={tuple(self.unflattened_size)}"
