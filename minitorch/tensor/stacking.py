"""Joining and gridding, as PyTorch: ``hstack vstack dstack column_stack atleast_1d/2d/3d
broadcast_tensors broadcast_shapes meshgrid cartesian_prod diff`` (functions of several tensors;
``cat`` and ``stack`` live in functions.py).

All are compositions of ``cat``, ``stack``, ``reshape``, ``expand`` and slicing: their backward is
those ops'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .helpers import _dim

if TYPE_CHECKING:
    from .tensor import Tensor


def broadcast_tensors(*tensors: "Tensor") -> tuple["Tensor", ...]:
    """The tensors expanded to their common broadcast shape (views)."""
    from .tensor import broadcast_error

    try:
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
    except ValueError:
        raise RuntimeError(broadcast_error("broadcast_tensors", *(t.shape for t in tensors))) from None
    return tuple(t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """The shape that tensors of these shapes broadcast to. RuntimeError if there is none."""
    from .tensor import broadcast_error

    try:
        return tuple(np.broadcast_shapes(*(tuple(s) if not isinstance(s, int) else (s,) for s in shapes)))
    except ValueError:
        raise RuntimeError(broadcast_error("broadcast_shapes", *shapes)) from None


def _each(tensors: tuple[Any, ...], fn: Any) -> Any:
    """``fn`` of one tensor, or a tuple of ``fn`` of each (given as several arguments or one sequence)."""
    if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
        return fn(tensors[0])
    items = tensors[0] if len(tensors) == 1 else tensors
    return tuple(fn(t) for t in items)


def atleast_1d(*tensors: Any) -> Any:
    """A 0-d tensor as 1-D (shape ``(1,)``); others unchanged. Several tensors: a tuple."""
    return _each(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors: Any) -> Any:
    """0-d and 1-D tensors as one row ``(1, n)``; others unchanged."""
    return _each(tensors, lambda t: t.reshape(1, -1) if t.ndim < 2 else t)


def atleast_3d(*tensors: Any) -> Any:
    """0-d -> ``(1, 1, 1)``, 1-D ``(n,)`` -> ``(1, n, 1)``, 2-D ``(m, n)`` -> ``(m, n, 1)``."""
    return _each(tensors, lambda t: t.reshape(1, -1, 1) if t.ndim < 2 else t.unsqueeze(-1) if t.ndim == 2 else t)


def dstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Concatenate along dim 2 (depth), after ``atleast_3d``."""
    from .functions import cat

    return cat([atleast_3d(t) for t in tensors], 2)


def hstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Concatenate along dim 1 (dim 0 for 1-D tensors), as ``torch.hstack``."""
    from .functions import cat

    parts = [atleast_1d(t) for t in tensors]
    return cat(parts, 0 if parts and parts[0].ndim == 1 else 1)


def vstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Stack rows: 1-D tensors become rows, then concatenate along dim 0."""
    from .functions import cat

    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def column_stack(tensors: Sequence["Tensor"]) -> "Tensor":
    """1-D (and 0-D) tensors become columns, then concatenate along dim 1."""
    from .functions import cat

    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in tensors], 1)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple["Tensor", ...]:
    """Coordinate grids from 1-D tensors: with ``indexing="ij"`` output k varies along dim k;
    ``"xy"`` swaps the first two dims (as numpy / MATLAB). Views made by reshape + expand."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expects all tensors to be 0-D or 1-D, got shape {t.shape}")
    vecs = [atleast_1d(t) for t in tensors]
    swap = indexing == "xy" and len(vecs) >= 2
    if swap:
        vecs[0], vecs[1] = vecs[1], vecs[0]
    shape = tuple(v.shape[0] for v in vecs)
    grids = [v.reshape([-1 if i == k else 1 for i in range(len(vecs))]).expand(shape) for k, v in enumerate(vecs)]
    if swap:  # "xy": the grids of (y, x, ...) in "ij", handed back in the order given
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors: "Tensor") -> "Tensor":
    """Every combination of one element from each 1-D tensor, as rows ``(N1 * N2 * ..., k)``
    (a single tensor is returned as is). Composed from meshgrid, reshape and stack."""
    from .functions import stack

    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


def diff(input: "Tensor", n: int = 1, dim: int = -1, prepend: "Tensor | None" = None,
         append: "Tensor | None" = None) -> "Tensor":
    """``out[i] = x[i+1] - x[i]`` along ``dim``, ``n`` times (after joining ``prepend`` and
    ``append``). Bool tensors give ``!=`` of neighbours. Composed from slicing and ``-``."""
    from .functions import cat

    axis = _dim(dim, input.ndim, "diff")
    if input.ndim == 0:
        raise RuntimeError("diff: expected at least one dimension")
    x = cat([t for t in (prepend, input, append) if t is not None], axis) if prepend is not None or append is not None \
        else input
    for _ in range(n):
        hi = x[(slice(None),) * axis + (slice(1, None),)]
        lo = x[(slice(None),) * axis + (slice(None, -1),)]
        x = hi != lo if x.dtype == np.bool_ else hi - lo
    return x


def block_diag(*tensors: "Tensor") -> "Tensor":
    """The tensors (0-D, 1-D or 2-D; 1-D is a row) as blocks along the diagonal of a matrix of
    zeros, in their common dtype. Composed from cat with zero blocks: the backward is cat's."""
    from .functions import cat

    if not tensors:
        raise RuntimeError("block_diag: expected at least one tensor")
    blocks = [t.reshape(1, 1) if t.ndim == 0 else t.reshape(1, -1) if t.ndim == 1 else t for t in tensors]
    for t in blocks:
        if t.ndim != 2:
            raise RuntimeError(f"block_diag: input tensors must have 2 or fewer dimensions, got shape {t.shape}")
    width = sum(t.shape[1] for t in blocks)
    rows, left = [], 0
    for t in blocks:
        r, c = t.shape
        zeros_left = t._constant(np.zeros((r, left), t.dtype))
        zeros_right = t._constant(np.zeros((r, width - left - c), t.dtype))
        rows.append(cat([zeros_left, t, zeros_right], 1))
        left += c
    return cat(rows, 0)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None) -> "Tensor":
    """The ``(2, N)`` row and column indices of the lower triangle of a ``row x col`` matrix
    (``j - i <= offset``), row by row. int64."""
    from .tensor import Tensor

    r, c = np.tril_indices(row, offset, col)
    return Tensor._constant(np.stack([r, c]).astype(dtype or np.int64))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None) -> "Tensor":
    """The ``(2, N)`` indices of the upper triangle (``j - i >= offset``), row by row. int64."""
    from .tensor import Tensor

    r, c = np.triu_indices(row, offset, col)
    return Tensor._constant(np.stack([r, c]).astype(dtype or np.int64))
