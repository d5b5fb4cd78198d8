"""Masks: ``triu`` / ``tril`` (keep the upper / lower triangle of the last two dimensions) and
``masked_fill`` (write a value wherever a boolean mask is True), as in PyTorch (lesson 16).

They are what a causal mask is made of: position ``i`` of a sequence may look at positions
``j <= i`` only, i.e. the scores above the diagonal are overwritten before the softmax::

    >>> scores = minitorch.zeros(3, 3)
    >>> future = minitorch.ones(3, 3).triu(diagonal=1).bool()   # True where j > i
    >>> scores.masked_fill(future, float("-inf"))
    tensor([[  0., -inf, -inf],
            [  0.,   0., -inf],
            [  0.,   0.,   0.]])

Backward: an element that was zeroed (``triu``/``tril``) or overwritten (``masked_fill``) no
longer depends on the input, so its gradient is 0; every other element passes its gradient
through unchanged. ``masked_fill``'s ``value`` may be a 0-d tensor that requires grad: it was
used once per filled element, so its gradient is the sum of the output gradient there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor, broadcast_error

__all__ = ["triu", "tril", "masked_fill"]


def _triangle(input: Tensor, diagonal: int, op: str, keep: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {input.shape}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{op}: diagonal must be an int, got {type(diagonal).__name__} {diagonal!r}")
    rows, cols = input.shape[-2:]
    kept = keep(np.ones((rows, cols), dtype=bool), k=int(diagonal))  # (rows, cols), broadcast over batch dims

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(kept, g, 0),)

    return Tensor._from_op(np.where(kept, input.data, np.zeros((), input.dtype)), (input,),
                           f"{op}(diagonal={diagonal})", backward)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions of ``input`` ``(*, m, n)``; the rest set to 0.

    Element ``[i, j]`` is kept when ``j - i >= diagonal``: ``diagonal=0`` keeps the main diagonal,
    ``1`` starts just above it, ``-1`` just below. Any dtype; same shape out. Raises RuntimeError
    for fewer than 2 dimensions (as ``torch.triu``).
    """
    return _triangle(input, diagonal, "triu", np.triu)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (``j - i <= diagonal`` kept, the rest 0).
    See ``triu``."""
    return _triangle(input, diagonal, "tril", np.tril)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``input`` with ``value`` written wherever ``mask`` is True (``torch.masked_fill``).

    Args:
        input: a tensor of any shape.
        mask: a bool tensor (or array) that broadcasts with ``input``; the output has the
            broadcast shape (usually the input's: a ``(L, L)`` causal mask fills every
            ``(N, H, L, L)`` score matrix).
        value: a Python number, or a 0-d tensor (which may require grad). It is converted to the
            input's dtype.

    Raises:
        RuntimeError: ``mask`` is not boolean; ``value`` is a tensor with dimensions or does not fit
            the input's integer dtype (e.g. -inf); ``mask`` and ``input`` do not broadcast.
        TypeError: ``value`` is neither a number nor a Tensor.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"masked_fill: expected a Tensor input, got {type(input).__name__}")
    m = np.asarray(getattr(mask, "data", mask))
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill: only supports boolean masks, but got mask with dtype {m.dtype} "
                           "(compare first, e.g. x > 0)")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, but got a tensor with "
                               f"{value.ndim} dimension(s) (shape {value.shape})")
        fill = value
    elif isinstance(value, (bool, int, float, np.number)):
        fill = Tensor._constant(np.asarray(value))
    else:
        raise TypeError(f"masked_fill: value must be a number or a 0-d Tensor, got {type(value).__name__}")
    try:
        out_shape = np.broadcast_shapes(input.shape, m.shape)
    except ValueError:
        raise RuntimeError(broadcast_error("masked_fill", input.shape, m.shape)) from None
    if input.dtype.kind in "iub" and fill.dtype.kind == "f" and not np.isfinite(fill.data):
        raise RuntimeError(f"masked_fill: value {fill.data.item()} cannot be converted to {input.dtype} without "
                           "overflow")
    filler = fill.data.astype(input.dtype)
    out = np.where(m, filler, input.data)
    if out.shape != out_shape:  # a 0-d input with a 0-d mask: np.where already gives the right shape
        out = np.broadcast_to(out, out_shape).copy()

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        g_value = np.where(m, g, 0).sum() if fill._requires_grad else None
        return np.where(m, 0, g), g_value

    return Tensor._from_op(out, (input, fill), "masked_fill", backward)
