"""More reductions, as PyTorch: ``prod var std logsumexp norm nansum nanmean count_nonzero``,
the scans ``cumsum cumprod``, and ``median``.

``sum``, ``mean``, ``max``/``min`` and ``amax``/``amin`` live in tensor.py. Here, composition
first: ``var`` is ``((x - mean)²).sum / (N - correction)``, ``std`` is ``var.sqrt()``,
``logsumexp`` is ``m + log(sum(exp(x - m)))`` with ``m`` the (detached) max, ``nansum`` is a
``where`` and a ``sum`` — their backward comes from the ops they are made of. ``prod``,
``cumsum``, ``cumprod``, ``norm`` and ``median`` have a hand-written backward, each saying why.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

import numpy as np

from .dtypes import is_floating, to_float
from .helpers import _dim, _dims, _reduction_label, _restore_dims

if TYPE_CHECKING:
    from .tensor import Tensor, ValuesIndices

Dims = int | Sequence[int] | None


def _floating_only(x: "Tensor", op: str) -> None:
    if not is_floating(x.data.dtype):
        raise RuntimeError(f"{op}: only supports floating-point dtypes, got {x.dtype} (call .float() first)")


class ReductionOps:
    """Reductions and scans of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """The product of all elements, or along ``dim`` (one int). Integer and bool tensors give
        int64, as in PyTorch.

        Backward (hand-written: dividing the product by each element breaks at zeros): the
        gradient of element i is the product of all the *others* — ``prod / x_i`` when there
        is no zero (PyTorch's formula, NaN and inf included), else computed exactly as the
        product of the exclusive cumulative products from the left and from the right.
        """
        if dtype is not None:
            return self.to(dtype).prod(dim, keepdim)
        x = self.data
        if x.dtype.kind in "biu":
            x = x.astype(np.int64)
        if dim is None:
            axis, flat = 0, x.reshape(-1)
        else:
            axis, flat = _dim(dim, self.ndim, "prod"), x
            if x.ndim == 0:
                flat = x.reshape(1)
        out = np.prod(flat, axis=axis, keepdims=keepdim and dim is not None and x.ndim > 0)
        if dim is None and keepdim:
            out = out.reshape((1,) * x.ndim)

        kept_shape = np.prod(flat, axis=axis, keepdims=True).shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if (flat == 0).any():
                others = _product_of_others(flat, axis)
            else:  # PyTorch's formula without zeros, with its NaN at NaN and inf inputs
                with np.errstate(all="ignore"):
                    others = np.prod(flat, axis=axis, keepdims=True) / flat
            return ((np.reshape(g, kept_shape) * others).reshape(x.shape),)

        return self._from_op(np.asarray(out), (self,), _reduction_label("prod", dim), backward)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> "Tensor":
        """The variance ``sum((x - mean)²) / max(0, N - correction)`` over ``dim`` (an int, a
        tuple, or None for all). ``correction=1`` (the default, Bessel's) gives the unbiased
        estimate, ``0`` the population variance; the older ``unbiased=True/False`` means 1/0
        (``x.var(0, False)``, or ``x.var(False)`` for all elements). With N <= correction the
        result is NaN or inf, as PyTorch's. Composed from mean, subtraction, square and sum.

        Raises:
            RuntimeError: an integer or bool tensor (floating point only). TypeError: both
                ``unbiased`` and ``correction`` given.
        """
        axes, keepdim, corr = _var_args(self, dim, unbiased, keepdim, correction, "var")
        n = self.data.size if axes is None else math.prod(self.shape[a] for a in axes)
        centred = self - self.mean(axes, keepdim=True)
        return (centred * centred).sum(axes, keepdim) / max(0.0, n - corr)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> "Tensor":
        """The standard deviation, the square root of ``var`` (same arguments). Its gradient
        where all values are equal (std 0) is 0, as PyTorch's: a plain ``sqrt`` would give NaN,
        so the last step has its own backward."""
        variance = self.var(dim, unbiased, keepdim, correction=correction)
        out = np.sqrt(variance.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:  # sqrt's, but 0 where std is 0 (PyTorch's rule)
            with np.errstate(all="ignore"):
                return (np.where(out == 0, 0, g / (2 * out)),)

        return self._from_op(out, (variance,), "sqrt", backward)

    def logsumexp(self, dim: Dims, keepdim: bool = False) -> "Tensor":
        """``log(sum(exp(x)))`` over ``dim`` (an int or a tuple), computed stably as
        ``m + log(sum(exp(x - m)))`` with ``m`` the max (treated as a constant: the result does
        not depend on it, so its gradient is ``softmax(x)``). An empty reduction gives -inf;
        integer input becomes float32. Composed from amax, exp, sum and log."""
        x = self if is_floating(self.data.dtype) else self.float()
        axes = _dims(dim, self.ndim, "logsumexp")
        if x.data.size == 0:
            m = np.zeros(np.sum(x.data, axis=axes, keepdims=True).shape, x.dtype)
        else:
            m = np.max(x.data, axis=axes, keepdims=True)
            m = np.where(np.isfinite(m), m, 0).astype(x.dtype)  # an infinite max: shift by 0 instead
        shift = self._constant(m)
        with np.errstate(divide="ignore"):
            out = (x - shift).exp().sum(axes, keepdim=True).log() + shift
        return out if keepdim or axes is None and self.ndim == 0 else out.squeeze(axes if axes is not None else None)

    def nansum(self, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """``sum`` with NaN counted as 0 (their gradient is 0). Composed from where and sum."""
        from .functions import where

        kept = where(self._constant(np.isnan(self.data)), 0, self) if is_floating(self.data.dtype) else self
        return kept.sum(dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """The mean of the non-NaN elements (NaN where there are none). Floating point only."""
        x = self if dtype is None else self.to(dtype)
        _floating_only(x, "nanmean")
        count = (~np.isnan(x.data)).sum(axis=_dims(dim, x.ndim, "nanmean"), keepdims=keepdim)
        return x.nansum(dim, keepdim) / self._constant(np.asarray(count, dtype=x.dtype))

    def count_nonzero(self, dim: Dims = None) -> "Tensor":
        """How many elements are not zero (over ``dim``, an int or tuple, or all), as int64."""
        return self._constant(np.asarray(np.count_nonzero(self.data, axis=_dims(dim, self.ndim, "count_nonzero")),
                                         dtype=np.int64))

    def norm(self, p: Any = "fro", dim: Dims = None, keepdim: bool = False, dtype: Any = None) -> "Tensor":
        """The vector p-norm ``(sum |x|^p)^(1/p)`` over ``dim`` (or all elements), as
        ``torch.norm``: ``p`` a number, ``inf``/``-inf`` (max/min of ``|x|``) or ``"fro"`` (2).
        Floating point only (PyTorch's rule).

        Backward (hand-written, because the composition ``sqrt(sum(x²))`` gives NaN at a zero
        vector): ``g * x |x|^(p-2) / norm^(p-1)``, and 0 where the norm is 0, as PyTorch's; for
        ``p = ±inf`` the gradient is shared by the elements whose ``|x|`` is the norm (none when
        it is NaN); ``p = 1`` and ``0`` are compositions.
        """
        x = self if dtype is None else self.to(dtype)
        _floating_only(x, "norm")
        if p == "fro" or p is None:
            p = 2
        if isinstance(p, str):
            raise RuntimeError(f"norm: p={p!r} is not supported (a number, inf, -inf or 'fro')")
        axes = _dims(dim, x.ndim, "norm")
        if p in (math.inf, -math.inf):
            return _inf_norm(x, axes, keepdim, p > 0, dim)
        if p == 1:
            return x.abs().sum(axes, keepdim)
        if p == 0:
            return (x != 0).to(x.dtype).sum(axes, keepdim)
        a = x.data
        with np.errstate(all="ignore"):
            kept = np.sum(np.abs(a) ** p, axis=axes, keepdims=True) ** (1.0 / p)
        out = kept if keepdim else (np.squeeze(kept, axes) if axes is not None else kept.reshape(()))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            gk = _restore_dims(g, axes, keepdim) if axes is not None else np.reshape(g, (1,) * a.ndim)
            with np.errstate(all="ignore"):
                scale = a * np.abs(a) ** (p - 2) / kept ** (p - 1)
            return (gk * np.where((kept == 0) | ((a == 0) & (p < 2)), 0, scale),)

        return x._from_op(np.asarray(out, dtype=a.dtype), (x,), _reduction_label(f"norm(p={p})", dim), backward,
                          saves_output=True)  # its backward reads the norm

    def dist(self, other: Any, p: float = 2) -> "Tensor":
        """The p-norm of ``self - other`` (broadcasting), ``torch.dist``."""
        return (self - other).norm(p)

    def cumsum(self, dim: int, *, dtype: Any = None) -> "Tensor":
        """Running sums along ``dim``: ``out[i] = x[0] + ... + x[i]``. Integer and bool give int64.

        Backward (hand-written: one reversed cumulative sum, where a composition would need a
        loop): element i feeds every ``out[j]`` with ``j >= i``, so its gradient is
        ``g[i] + ... + g[n-1]``.
        """
        if dtype is not None:
            return self.to(dtype).cumsum(dim)
        axis, x, out = _scan(self, dim, "cumsum", np.cumsum)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g if g.ndim == 0 else _reverse_cumsum(g, axis),)

        return self._from_op(out, (self,), f"cumsum(dim={dim})", backward)

    def cumprod(self, dim: int, *, dtype: Any = None) -> "Tensor":
        """Running products along ``dim``. Integer and bool give int64.

        Backward (hand-written: there is no composition of a scan): without zeros, PyTorch's
        ``dL/dx_i = (sum_{j >= i} g_j out_j) / x_i``; with zeros (where that divides by 0), exactly
        ``L_i * S_i`` with ``L_i = x_0 ... x_{i-1}`` and ``S_i = g_i + x_{i+1} S_{i+1}``, one
        backward scan along ``dim``.
        """
        if dtype is not None:
            return self.to(dtype).cumprod(dim)
        axis, x, out = _scan(self, dim, "cumprod", np.cumprod)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if g.ndim == 0:
                return (g,)
            if not (x == 0).any():  # PyTorch's formula without zeros: sum_{j >= i} g_j out_j / x_i
                with np.errstate(all="ignore"):
                    return (_reverse_cumsum(g * out, axis) / x,)
            xs, gs = np.moveaxis(x, axis, 0), np.moveaxis(g, axis, 0)
            left = np.concatenate([np.ones_like(xs[:1]), np.cumprod(xs[:-1], axis=0)]) if len(xs) else xs
            s = np.zeros_like(gs)
            acc = np.zeros(gs.shape[1:], gs.dtype)
            for i in range(len(xs) - 1, -1, -1):
                acc = gs[i] + (xs[i + 1] * acc if i + 1 < len(xs) else 0)
                s[i] = acc
            return (np.moveaxis(left * s, 0, axis),)

        return self._from_op(out, (self,), f"cumprod(dim={dim})", backward, saves_output=True)  # reads out

    def median(self, dim: int | None = None, keepdim: bool = False) -> "Tensor | ValuesIndices":
        """The lower median (of an even count, the smaller of the two middle values), of all
        elements or along ``dim``, where it returns ``(values, indices)``. NaN wins (the result
        is NaN where there is one), as in PyTorch.

        Backward (hand-written, a choice like max's): with ``dim`` the gradient goes to the one
        element chosen (``indices``); without, it is shared by the elements equal to the median.

        Raises:
            IndexError: ``dim`` out of range or of size 0.
        """
        from .tensor import ValuesIndices

        if self.data.dtype.kind == "b":
            raise TypeError("median: not implemented for a bool tensor (convert with .int() first)")
        flat = dim is None
        x = self.data.reshape(-1) if flat else self.data
        axis = 0 if flat else _dim(dim, self.ndim, "median")
        if x.ndim == 0:
            x = x.reshape(1)
        if x.shape[axis] == 0:
            if flat:
                return self._from_op(np.asarray(np.nan, dtype=to_float(self.data).dtype), (self,), "median",
                                     lambda g: (np.zeros(self.shape, g.dtype),))
            raise IndexError(f"median: Expected reduction dim {dim} to have non-zero size (tensor shape {self.shape})")
        order = np.argsort(x, axis=axis, kind="stable")  # NaN sort last
        k = (x.shape[axis] - 1) // 2
        index = np.take(order, [k], axis=axis)
        if x.dtype.kind == "f":
            nans = np.isnan(x)
            first_nan = np.argmax(nans, axis=axis, keepdims=True)
            index = np.where(nans.any(axis=axis, keepdims=True), first_nan, index)
        values = np.take_along_axis(x, index, axis=axis)
        shape = self.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            grad = np.zeros(x.shape, dtype=g.dtype)
            gk = g.reshape(index.shape)
            np.put_along_axis(grad, index, gk, axis=axis)
            return (grad.reshape(shape),)

        if flat:  # without dim, equal values share the gradient (PyTorch's rule, as max()'s)
            value = values.reshape(())
            winners = x == value if value == value else np.arange(x.size) == index.item()

            def backward_all(g: np.ndarray) -> tuple[np.ndarray]:
                return ((winners * (g / winners.sum())).reshape(shape),)

            return self._from_op(value, (self,), "median", backward_all)
        keep = keepdim and self.ndim > 0
        dropped = values.shape[:axis] + values.shape[axis + 1:]
        out_values, out_index = (values, index) if keep else (values.reshape(dropped), index.reshape(dropped))
        out = self._from_op(out_values, (self,), f"median(dim={dim})", backward)
        return ValuesIndices(out, self._constant(out_index.astype(np.int64)))

    def cummax(self, dim: int) -> "ValuesIndices":
        """Running maxima along ``dim`` and where each was found (the latest of equal values;
        NaN, once met, stays). Backward: each gradient goes to the element at ``indices``."""
        return _cumulative_extreme(self, dim, "cummax", np.greater_equal)

    def cummin(self, dim: int) -> "ValuesIndices":
        """Running minima along ``dim`` and their indices (see ``cummax``)."""
        return _cumulative_extreme(self, dim, "cummin", np.less_equal)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> "MinMax":
        """``(min, max)`` over ``dim`` (or all), a named tuple; composed from amin and amax."""
        d = () if dim is None else dim
        return MinMax(self.amin(d, keepdim), self.amax(d, keepdim))

    def var_mean(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
                 correction: float | None = None) -> tuple["Tensor", "Tensor"]:
        """``(var, mean)`` over the same dims (see ``var``)."""
        axes, kd, _ = _var_args(self, dim, unbiased, keepdim, correction, "var_mean")
        return self.var(dim, unbiased, keepdim, correction=correction), self.mean(axes, kd)

    def std_mean(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
                 correction: float | None = None) -> tuple["Tensor", "Tensor"]:
        """``(std, mean)`` over the same dims (see ``var``)."""
        axes, kd, _ = _var_args(self, dim, unbiased, keepdim, correction, "std_mean")
        return self.std(dim, unbiased, keepdim, correction=correction), self.mean(axes, kd)


def _var_args(x: "Tensor", dim: Any, unbiased: Any, keepdim: bool, correction: Any,
              op: str) -> tuple[tuple[int, ...] | None, bool, float]:
    """PyTorch's two spellings of var/std: ``(dim, *, correction, keepdim)`` and the older
    ``(dim, unbiased, keepdim)`` / ``(unbiased)``."""
    if isinstance(dim, bool):  # x.var(False): unbiased given first, over all elements
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}: cannot specify both unbiased and correction")
    _floating_only(x, op)
    corr = float(correction) if correction is not None else (0.0 if unbiased is False else 1.0)
    return _dims(dim, x.ndim, op), keepdim, corr


def _product_of_others(x: np.ndarray, axis: int) -> np.ndarray:
    """For each element along ``axis``: the product of all the other elements (exact, even with zeros)."""
    if x.ndim == 0:
        return np.ones_like(x)
    xs = np.moveaxis(x, axis, 0)
    ones = np.ones_like(xs[:1])
    left = np.concatenate([ones, np.cumprod(xs[:-1], axis=0)])
    right = np.flip(np.concatenate([ones, np.cumprod(np.flip(xs, 0)[:-1], axis=0)]), 0)
    return np.moveaxis(left * right, 0, axis)


def _inf_norm(x: "Tensor", axes: tuple[int, ...] | None, keepdim: bool, largest: bool, dim: Any) -> "Tensor":
    """``max |x|`` (``min |x|`` unless ``largest``). Backward (hand-written, PyTorch's rule): the
    gradient is shared by the elements whose ``|x|`` equals the result, times their sign; a NaN
    result equals nothing, so its gradient is 0 (``amax``'s would be NaN)."""
    a = np.abs(x.data)
    if any(a.shape[i] == 0 for i in (range(a.ndim) if axes is None else axes)):
        raise RuntimeError(f"norm: the {'max' if largest else 'min'} of |x| over an empty dimension is undefined "
                           f"(tensor shape {x.shape})")
    kept = (np.max if largest else np.min)(a, axis=axes, keepdims=True)
    out = kept if keepdim else (np.squeeze(kept, axes) if axes is not None else kept.reshape(()))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        gk = _restore_dims(g, axes, keepdim) if axes is not None else np.reshape(g, (1,) * a.ndim)
        hit = a == kept
        count = np.maximum(hit.sum(axis=axes, keepdims=True), 1)
        return (np.where(hit, np.sign(x.data) * gk / count, 0),)

    return x._from_op(np.asarray(out), (x,), _reduction_label("norm(p=inf)", dim), backward, saves_output=True)


class MinMax(NamedTuple):
    """What ``aminmax`` returns, as in PyTorch."""

    min: Any
    max: Any


def _cumulative_extreme(x: "Tensor", dim: int, name: str, wins: Any) -> "ValuesIndices":
    """cummax / cummin: one pass along ``dim`` keeping the running best and its index."""
    from .indexing import _along
    from .tensor import ValuesIndices

    axis = _dim(dim, x.ndim, name)
    a = x.data if x.ndim else x.data.reshape(1)
    moved = np.moveaxis(a, axis, 0)
    values, index = np.empty_like(moved), np.zeros(moved.shape, np.int64)
    for i in range(len(moved)):
        xi = moved[i]
        if i == 0:
            values[0], index[0] = xi, 0
            continue
        best = values[i - 1]
        with np.errstate(invalid="ignore"):
            take = wins(xi, best)
        if moved.dtype.kind == "f":
            take = (take | np.isnan(xi)) & ~np.isnan(best)
        values[i] = np.where(take, xi, best)
        index[i] = np.where(take, i, index[i - 1])
    values, index = np.moveaxis(values, 0, axis), np.moveaxis(index, 0, axis)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(a.shape, g.dtype)
        np.add.at(grad, _along(index, axis), g.reshape(index.shape))
        return (grad.reshape(x.shape),)

    out = x._from_op(values.reshape(x.shape), (x,), f"{name}(dim={dim})", backward)
    return ValuesIndices(out, x._constant(index.reshape(x.shape)))


def _scan(x: "Tensor", dim: int, name: str, fn: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """The axis, the input (integers and bool as int64, as PyTorch's scans) and ``fn`` along it."""
    axis = _dim(dim, x.ndim, name)
    a = x.data.astype(np.int64) if x.data.dtype.kind in "biu" else x.data
    return axis, a, (fn(a, axis=axis) if a.ndim else a.copy())


def _reverse_cumsum(g: np.ndarray, axis: int) -> np.ndarray:
    """``out[i] = g[i] + ... + g[n-1]`` along ``axis``: the gradient of a cumulative sum."""
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)
