"""Small checks and conversions shared by the tensor ops: dims, shapes, indices, error messages.

They need no Tensor, so every file of the engine (and ``nn``) can use them.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def broadcast_error(op: str, *shapes: tuple[int, ...]) -> str:
    """Say which dimension stops ``shapes`` from broadcasting (they are aligned from the right)."""
    ndim = max(len(s) for s in shapes)
    for axis in range(-1, -ndim - 1, -1):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            return (f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together: dimension "
                    f"{axis} has sizes {' vs '.join(map(str, sorted(sizes)))} (aligned from the right, sizes must "
                    "be equal or 1)")
    return f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together"


def _check_matmul(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    if not sa or not sb:
        raise RuntimeError(f"matmul: {sa} @ {sb}: both operands need at least 1 dimension (use * for scalars)")
    k_a, k_b = sa[-1], (sb[0] if len(sb) == 1 else sb[-2])
    if k_a != k_b:
        raise RuntimeError(f"matmul: {sa} @ {sb}: inner dimensions {k_a} and {k_b} differ")
    batch_a, batch_b = sa[:-2], sb[:-2]
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise RuntimeError(f"matmul: {sa} @ {sb}: batch dimensions {batch_a} and {batch_b} cannot be broadcast "
                         "together") from None


def _dim(dim: int, ndim: int, op: str) -> int:
    """``dim`` as a non-negative axis, or an error naming the op and the valid range."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    lo = -max(ndim, 1)
    if not lo <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimension(s) "
                         f"(expected {lo} to {max(ndim, 1) - 1})")
    return int(dim) % max(ndim, 1) if ndim else 0


def _dims(dim: int | Sequence[int] | None, ndim: int, op: str) -> tuple[int, ...] | None:
    if dim is None:
        return None
    dims = tuple(_dim(d, ndim, op) for d in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: dim {dim} names the same dimension twice")
    return dims if ndim else None


def _restore_dims(g: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    """Give a reduction's gradient back the reduced axes (as size 1), ready to broadcast."""
    return g if keepdim or axes is None else np.expand_dims(g, axes)


def _reduction_label(name: str, dim: Any) -> str:
    return name if dim is None else f"{name}(dim={dim})"


def _shape_args(args: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"{op}: expected ints, got {shape}")
    return tuple(int(n) for n in shape)
