"""Operations on several tensors at once: ``cat stack where maximum minimum``, and the
module-level spellings of tensor methods (``minitorch.exp(x)`` is ``x.exp()``), as in PyTorch.

Same pattern as in tensor.py: forward and backward side by side, gradients returned in the
output's shape, and the engine un-broadcasts them.
"""

from __future__ import annotations

import builtins
from typing import Any, Sequence

import numpy as np

from .dtypes import common_dtype
from .tensor import Number, Tensor, _dim, _operand, _promoted, broadcast_error


def _tensors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:  # PyTorch: ValueError from cat, RuntimeError from stack
        raise (ValueError if op == "cat" else RuntimeError)(f"{op}: expected a non-empty list of Tensors")
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
        if t.ndim != len(first) or builtins.any(a != b for j, (a, b) in enumerate(zip(t.shape, first)) if j != axis):
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


def _pairwise_extreme(name: str, input: Any, other: Any, pick: Any, loses: Any) -> Tensor:
    a, b = _pair(input, other, name)
    x, y = _promoted(a, b)
    try:
        out = pick(x, y)  # np.maximum / np.minimum: NaN on either side gives NaN
    except ValueError:
        raise RuntimeError(broadcast_error(name, x.shape, y.shape)) from None

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # PyTorch's rule: ties split the gradient half and half; a side gets nothing where it
        # lost outright, so with a NaN (no comparison holds) both sides get all of it.
        shared = np.where(x == y, g / 2, g)
        return np.where(loses(x, y), 0, shared), np.where(loses(y, x), 0, shared)

    return Tensor._from_op(out, (a, b), name, backward)


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise larger of two tensors (broadcasting); NaN propagates. Ties split the gradient in half."""
    return _pairwise_extreme("maximum", input, other, np.maximum, np.less)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise smaller of two tensors (broadcasting); NaN propagates. Ties split the gradient in half."""
    return _pairwise_extreme("minimum", input, other, np.minimum, np.greater)


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
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


def sum(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    return input.mean(dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------------- function forms of tensor methods
def neg(input: Tensor) -> Tensor:
    return -input


def pow(input: Any, exponent: Any) -> Tensor:
    return input**exponent if isinstance(input, Tensor) else _pair(input, exponent, "pow")[0] ** exponent


def add(input: Any, other: Any, *, alpha: Number = 1) -> Tensor:
    a, b = _pair(input, other, "add")
    return a.add(b, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: Number = 1) -> Tensor:
    a, b = _pair(input, other, "sub")
    return a.sub(b, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    a, b = _pair(input, other, "mul")
    return a * b


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    a, b = _pair(input, other, "div")
    return a.div(b, rounding_mode=rounding_mode)


subtract, multiply, divide, true_divide = sub, mul, div, div


def square(input: Tensor) -> Tensor:
    return input.square()


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``input.max()``, ``input.max(dim)`` -> (values, indices), or ``maximum(input, other)``."""
    return input.max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return input.min(dim, keepdim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return input.amax(dim, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return input.amin(dim, keepdim)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return input.argmax(dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return input.argmin(dim, keepdim)


def all(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return input.all(dim, keepdim)


def any(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return input.any(dim, keepdim)


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    return input.reshape(shape)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    return input.t()


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    return input.permute(dims)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return input.squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return input.unsqueeze(dim)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


def softmax(input: Tensor, dim: int) -> Tensor:
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    return input.log_softmax(dim)


def clone(input: Tensor) -> Tensor:
    return input.clone()


def numel(input: Tensor) -> int:
    return input.numel()


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and values."""
    return input.equal(other)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def logical_not(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    result = input.logical_not()
    return result if out is None else out.copy_(result)


def bitwise_not(input: Tensor) -> Tensor:
    return ~input
