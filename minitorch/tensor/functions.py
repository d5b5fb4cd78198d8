"""Operations on several tensors at once: ``cat stack where maximum minimum``, and the
module-level spellings of tensor methods (``minitorch.exp(x)`` is ``x.exp()``), as in PyTorch.

Same pattern as in tensor.py: forward and backward side by side, gradients returned in the
output's shape, and the engine un-broadcasts them.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .dtypes import common_dtype
from .tensor import Number, Tensor, _dim, _operand, _promoted, broadcast_error


def _tensors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors, got {type(tensors).__name__}")
    bad = [i for i, t in enumerate(tensors) if not isinstance(t, Tensor)]
    if bad:
        raise TypeError(f"{op}: element {bad[0]} is a {type(tensors[bad[0]]).__name__}, expected a Tensor")
    return list(tensors)


def _common_arrays(tensors: list[Tensor]) -> list[np.ndarray]:
    dtype = common_dtype([t.data.dtype for t in tensors])
    return [t.data.astype(dtype, copy=False) for t in tensors]


def _pair(input: Any, other: Any, op: str) -> tuple[Tensor, Tensor]:
    """Two operands as Tensors; a Python number or array takes the dtype of the Tensor it meets."""
    if isinstance(input, Tensor):
        return input, _operand(other, input, op)
    if isinstance(other, Tensor):
        return _operand(input, other, op), other
    first = Tensor(input)
    return first, _operand(other, first, op)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``; all other dimensions must match.

    Backward: each input gets its own slice of the gradient back.
    """
    tensors = _tensors(tensors, "cat")
    first = tensors[0].shape
    axis = _dim(dim, len(first), "cat")
    for i, t in enumerate(tensors):
        if t.ndim != len(first) or any(a != b for j, (a, b) in enumerate(zip(t.shape, first)) if j != axis):
            raise RuntimeError(f"cat: tensor {i} has shape {t.shape} but tensor 0 has shape {first}; all "
                             f"dimensions except dim {dim} must match")
    if not first:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated (use stack)")
    splits = np.cumsum([t.shape[axis] for t in tensors])[:-1]

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(g, splits, axis=axis))

    return Tensor._from_op(np.concatenate(_common_arrays(tensors), axis=axis), tuple(tensors), f"cat(dim={dim})",
                           backward)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of equal shape along a new dimension ``dim``."""
    tensors = _tensors(tensors, "stack")
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != first:
            raise RuntimeError(f"stack: expects tensors of equal shape, got {first} at position 0 and {t.shape} "
                             f"at position {i}")
    axis = _dim(dim, len(first) + 1, "stack")

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(g, axis, 0))  # slice k of the new axis belongs to input k

    return Tensor._from_op(np.stack(_common_arrays(tensors), axis=axis), tuple(tensors), f"stack(dim={dim})",
                           backward)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (all three broadcast together).

    Backward: the gradient goes to whichever side was chosen, element by element.
    """
    cond = np.asarray(getattr(condition, "data", condition))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where: condition must be a bool tensor, got dtype {cond.dtype} (compare first, e.g. x > 0)")
    a, b = _pair(input, other, "where")
    x, y = _promoted(a, b)
    try:
        out = np.where(cond, x, y)
    except ValueError:
        raise RuntimeError(broadcast_error("where", cond.shape, x.shape, y.shape)) from None

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.where(cond, g, 0), np.where(cond, 0, g)

    return Tensor._from_op(out, (a, b), "where", backward)


def _pairwise_extreme(name: str, input: Any, other: Any, pick_first: Any) -> Tensor:
    a, b = _pair(input, other, name)
    x, y = _promoted(a, b)
    try:
        first = pick_first(x, y)  # where input wins outright
    except ValueError:
        raise RuntimeError(broadcast_error(name, x.shape, y.shape)) from None
    out = np.where(first, x, y)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Ties share the gradient half and half (PyTorch's rule).
        share = np.where(x == y, 0.5, first.astype(g.dtype))
        return g * share, g * (1 - share)

    return Tensor._from_op(out, (a, b), name, backward)


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise larger of two tensors (broadcasting). Ties split the gradient in half."""
    return _pairwise_extreme("maximum", input, other, np.greater)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise smaller of two tensors (broadcasting). Ties split the gradient in half."""
    return _pairwise_extreme("minimum", input, other, np.less)


def clip(input: Tensor, min: Number | None = None, max: Number | None = None) -> Tensor:
    """See ``Tensor.clip``."""
    return input.clip(min, max)


clamp = clip


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """``input @ other``; see ``Tensor.__matmul__``."""
    return input @ other


def exp(input: Tensor) -> Tensor:
    return input.exp()


def log(input: Tensor) -> Tensor:
    return input.log()


def sqrt(input: Tensor) -> Tensor:
    return input.sqrt()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def relu(input: Tensor) -> Tensor:
    return input.relu()


def abs(input: Tensor) -> Tensor:
    return input.abs()


def sum(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
    return input.sum(dim, keepdim)


def mean(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
    return input.mean(dim, keepdim)
