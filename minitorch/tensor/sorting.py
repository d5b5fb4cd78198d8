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
