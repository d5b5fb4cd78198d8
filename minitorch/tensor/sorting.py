"""Sorting and selecting: ``sort argsort topk kthvalue unique``, as PyTorch.

``sort`` and ``topk`` return ``(values, indices)`` named tuples, like ``max(dim)``. NaN counts as
larger than every number (last in an ascending sort, first in a descending one), as in PyTorch.

Backward: the values are the input's elements moved around, so each gradient goes back to the
element it came from — scattered by ``indices`` (a gather's backward).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .helpers import _dim

if TYPE_CHECKING:
    from .tensor import Tensor, ValuesIndices


def _order(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The stable sorting permutation along ``axis`` (NaN largest). Descending: sort the reversed
    array ascending, then reverse — equal elements keep their original order, as a stable sort."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    flipped = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - flipped, axis)


def _pick(x: "Tensor", index: np.ndarray, axis: int, name: str) -> "Tensor":
    """``x``'s elements at ``index`` along ``axis`` (as take_along_axis); backward scatters
    the gradient back to where each came from (the indices are distinct)."""
    shape = x.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(shape, dtype=g.dtype)
        if grad.ndim == 0:
            return (g,)
        np.put_along_axis(grad, index, g, axis=axis)
        return (grad,)

    values = np.take_along_axis(x.data, index, axis=axis) if x.ndim else x.data.copy()
    return x._from_op(values, (x,), name, backward)


class SortingOps:
    """Sorting methods of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> "ValuesIndices":
        """The elements sorted along ``dim``, and where each came from: ``(values, indices)``.
        The sort is always stable here (equal elements keep their order), which ``stable=True``
        asks for in PyTorch. NaN sorts as the largest value."""
        from .tensor import ValuesIndices

        axis = _dim(dim, self.ndim, "sort")
        if self.ndim == 0:
            return ValuesIndices(_pick(self, np.zeros((), np.int64), 0, "sort"), self._constant(np.zeros((), np.int64)))
        index = _order(self.data, axis, descending)
        return ValuesIndices(_pick(self, index, axis, f"sort(dim={dim})"), self._constant(index.astype(np.int64)))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> "Tensor":
        """The indices that sort ``dim`` (``sort(...).indices``), int64."""
        return self.sort(dim, descending, stable).indices

    def msort(self) -> "Tensor":
        """``sort(dim=0).values``."""
        return self.sort(0).values

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> "ValuesIndices":
        """The ``k`` largest (or, ``largest=False``, smallest) elements along ``dim`` and their
        indices, largest first. NaN counts as the largest.

        Raises:
            RuntimeError: ``k`` is negative or larger than the size of ``dim``, or a bool tensor.
        """
        from .tensor import ValuesIndices

        axis = _dim(dim, self.ndim, "topk")
        if self.data.dtype.kind == "b":
            raise RuntimeError("topk: does not support bool dtypes (convert with .int() first)")
        n = self.shape[axis] if self.ndim else 1
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"topk: k must be an int, got {type(k).__name__}")
        if not 0 <= k <= n:
            raise RuntimeError(f"topk: selected index k={k} out of range for dim {dim} of size {n} (tensor shape "
                               f"{self.shape})")
        if self.ndim == 0:  # k is 0 or 1: the element itself
            return self.sort()
        index = np.take(_order(self.data, axis, largest), np.arange(k), axis=axis)
        return ValuesIndices(_pick(self, index, axis, f"topk(k={k})"), self._constant(index.astype(np.int64)))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> "ValuesIndices":
        """The ``k``-th smallest element (1-based) along ``dim`` and its index.

        Raises:
            RuntimeError: ``k`` not in ``1..size``; IndexError: ``dim`` is empty; TypeError: bool.
        """
        from .tensor import ValuesIndices

        axis = _dim(dim, self.ndim, "kthvalue")
        if self.data.dtype.kind == "b":
            raise TypeError("kthvalue: not implemented for a bool tensor (convert with .int() first)")
        n = self.shape[axis] if self.ndim else 1
        if n == 0:
            raise IndexError(f"kthvalue: Expected reduction dim {dim} to have non-zero size (tensor shape "
                             f"{self.shape})")
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue: selected number k={k} out of range for dim {dim} of size {n}")
        if self.ndim == 0:
            return self.sort()
        index = np.take(_order(self.data, axis, False), [k - 1], axis=axis)
        values = _pick(self, index, axis, f"kthvalue(k={k})")
        if not keepdim:
            values, index = values.squeeze(axis), index.squeeze(axis)
        return ValuesIndices(values, self._constant(index.astype(np.int64)))

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> "Tensor | ValuesIndices":
        """``median`` of the non-NaN elements (NaN only where all are NaN). Same returns and
        backward as ``median``: the NaNs are moved past every number before choosing."""
        from .tensor import ValuesIndices

        if self.data.dtype.kind != "f" or not np.isnan(self.data).any():
            return self.median(dim, keepdim)
        flat = dim is None
        x = self.data.reshape(-1) if flat else self.data
        axis = 0 if flat else _dim(dim, self.ndim, "nanmedian")
        if x.ndim == 0:
            x = x.reshape(1)
        order = np.argsort(x, axis=axis, kind="stable")  # NaN last
        count = (~np.isnan(x)).sum(axis=axis, keepdims=True)
        index = np.take_along_axis(order, np.maximum(count - 1, 0) // 2, axis=axis)
        picked = _pick(self.reshape(x.shape), index, axis, "nanmedian")  # keeps the reduced dim
        if flat:
            return picked.reshape(())
        if keepdim and self.ndim:
            return ValuesIndices(picked, self._constant(index.astype(np.int64)))
        dropped = index.shape[:axis] + index.shape[axis + 1:]
        return ValuesIndices(picked.reshape(dropped), self._constant(index.reshape(dropped).astype(np.int64)))

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> "Tensor":
        """Counts of the elements in ``bins`` equal bins between ``min`` and ``max`` (both 0: the
        data's min and max); elements outside are ignored. Floating point; no gradient."""
        if self.data.dtype.kind != "f":
            raise TypeError(f"histc: not implemented for {self.dtype} (floating-point tensors only)")
        lo, hi = (float(np.min(self.data)), float(np.max(self.data))) if min == max == 0 and self.data.size else (min, max)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"histc: range of [{lo}, {hi}] is not finite")
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        if lo > hi:
            raise RuntimeError(f"histc: max must be larger than min, got min={min} max={max}")
        counts, _ = np.histogram(self.data, bins=bins, range=(lo, hi))
        return self._constant(counts.astype(self.dtype))

    def bincount(self, weights: "Tensor | None" = None, minlength: int = 0) -> "Tensor":
        """How often each value 0, 1, 2, ... occurs in a 1-D tensor of non-negative integers (or
        the sum of ``weights`` at each); at least ``minlength`` bins. No gradient.

        Raises:
            RuntimeError: not 1-D, or a negative value; TypeError: not an integer tensor."""
        if self.data.dtype.kind not in "iu":
            raise TypeError(f"bincount: not implemented for {self.dtype} (integer tensors only)")
        if self.ndim != 1:
            raise RuntimeError(f"bincount: only supports 1-d non-negative integral inputs, got shape {self.shape} "
                               f"and dtype {self.dtype}")
        if self.data.size and self.data.min() < 0:
            raise RuntimeError("bincount: only supports 1-d non-negative integral inputs (found a negative value)")
        w = None if weights is None else weights.data
        out = np.bincount(self.data.astype(np.int64), weights=w, minlength=minlength)
        if w is None:
            return self._constant(out.astype(np.int64))
        return self._constant(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
               dim: int | None = None) -> Any:
        """The distinct elements, sorted (a flat tensor; with ``dim``, the distinct slices).
        ``return_inverse`` adds where each input element went, ``return_counts`` how often each
        value occurs. No gradient (as PyTorch)."""
        axis = None if dim is None else _dim(dim, self.ndim, "unique")
        values, inverse, counts = np.unique(self.data, return_inverse=True, return_counts=True, axis=axis)
        out: list[Tensor] = [self._constant(values)]
        if return_inverse:
            out.append(self._constant(np.asarray(inverse, np.int64).reshape(self.shape if axis is None else -1)))
        if return_counts:
            out.append(self._constant(np.asarray(counts, np.int64)))
        return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence: "Tensor", input: Any, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: "Tensor | None" = None) -> "Tensor":
    """Where each value of ``input`` would go in ``sorted_sequence`` (its last dimension, sorted
    ascending) to keep it sorted: the first such place (``right=True`` / ``side="right"``: the
    last). A 1-D sequence serves every value; an N-D one is matched row by row. int64 (int32 with
    ``out_int32``); no gradient."""
    side = side or ("right" if right else "left")
    seq = sorted_sequence.data
    if seq.ndim == 0:
        raise RuntimeError("searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                           "boundaries tensor and input value tensor must match, got a 0-d boundaries tensor")
    if seq.dtype.kind == "b":
        raise TypeError("searchsorted: not implemented for bool tensors")
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter.data, axis=-1)
    values = np.asarray(getattr(input, "data", input))
    if seq.ndim <= 1:
        out = np.searchsorted(seq, values, side=side)
    else:
        if seq.shape[:-1] != values.shape[:-1]:
            raise RuntimeError(f"searchsorted: boundaries {seq.shape} and input {values.shape} must have the same "
                               "leading dimensions")
        rows = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        out = np.stack([np.searchsorted(r, v, side=side) for r, v in zip(*rows)]).reshape(values.shape)
    if values.dtype.kind == "f":  # NaN is past everything, as in PyTorch's binary search
        out = np.where(np.isnan(values), seq.shape[-1], out)
    return sorted_sequence._constant(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: "Tensor", *, out_int32: bool = False, right: bool = False) -> "Tensor":
    """The bucket index of each value given 1-D sorted ``boundaries``: ``boundaries[i-1] < x <=
    boundaries[i]`` (``right=True``: ``boundaries[i-1] <= x < boundaries[i]``). int64; no gradient.

    Raises:
        RuntimeError: ``boundaries`` is not 1-D."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
