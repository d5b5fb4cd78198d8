"""The small ``Tensor`` methods PyTorch code is full of: the ``new_*`` factories (a tensor with
self's dtype), ``stride nelement ndimension type where``, ``addcmul addcdiv`` (what optimizers
write) and in-place forms (``masked_fill_ addcmul_ addcdiv_ floor_ ...``).

Each is a line or two over an op that exists; in-place forms go through ``_inplace``
(inplace.py), which gives them PyTorch's autograd rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .autograd import version_counter
from .grad_fn import GradFn
from .helpers import _dim, _shape_args

if TYPE_CHECKING:
    from .tensor import Tensor

Number = bool | int | float

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class MethodOps:
    """Small methods of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    # ------------------------------------------------------------------ new_* factories
    def _new(self, array: np.ndarray, requires_grad: bool) -> "Tensor":
        out = self._constant(array)
        if requires_grad:
            out.requires_grad = True
        return out

    def new_zeros(self, *size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False,
                  **_: Any) -> "Tensor":
        """Zeros of ``size``, with self's dtype unless ``dtype`` is given."""
        return self._new(np.zeros(_shape_args(size, "new_zeros"), dtype or self.dtype), requires_grad)

    def new_ones(self, *size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False,
                 **_: Any) -> "Tensor":
        """Ones of ``size``, with self's dtype unless ``dtype`` is given."""
        return self._new(np.ones(_shape_args(size, "new_ones"), dtype or self.dtype), requires_grad)

    def new_empty(self, *size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False,
                  **_: Any) -> "Tensor":
        """A tensor of ``size`` (zeros here: nothing depends on leftover memory)."""
        return self._new(np.zeros(_shape_args(size, "new_empty"), dtype or self.dtype), requires_grad)

    def new_full(self, size: Sequence[int], fill_value: Number, *, dtype: Any = None, requires_grad: bool = False,
                 **_: Any) -> "Tensor":
        """``fill_value`` everywhere in a tensor of ``size``, with self's dtype unless ``dtype`` is given."""
        return self._new(np.full(_shape_args((size,), "new_full"), fill_value, dtype or self.dtype), requires_grad)

    def new_tensor(self, data: Any, *, dtype: Any = None, requires_grad: bool = False, **_: Any) -> "Tensor":
        """A new leaf holding a copy of ``data``, with self's dtype unless ``dtype`` is given."""
        return self._new(np.array(getattr(data, "data", data), dtype=dtype or self.dtype), requires_grad)

    # ------------------------------------------------------------------ the graph: grad_fn, retains_grad, detach_
    @property
    def grad_fn(self) -> Any:
        """The node that made this tensor (``GradFn``: ``name()``, ``next_functions``; grad_fn.py),
        or None for a leaf and for a tensor that requires no gradient. A partial view of PyTorch's
        (docs/pytorch-differences.md)."""
        return GradFn(self) if self._backward is not None else None

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor after ``retain_grad()`` (its ``.grad`` is kept by backward);
        False for leaves (they keep ``.grad`` anyway). Read-only: set it with ``retain_grad()``."""
        return self._retains_grad

    def detach_(self) -> "Tensor":
        """Detach in place: ``self`` becomes a leaf with no graph and ``requires_grad=False``.

        The tensors it was computed from are no longer reachable from it, and later uses of it
        record no graph. Returns self. Backward through ops that used it *before* ``detach_``
        raises RuntimeError (PyTorch computes it; docs/pytorch-differences.md).

        Raises:
            RuntimeError: on a view (``x[0]``, ``x.view(...)``, ``x.t()``...), as PyTorch does:
                a view shares its base's graph, so use ``detach()`` instead.
        """
        if self._view is not None:
            raise RuntimeError("detach_: can't detach views in-place (this tensor is a view of another "
                               "tensor). Use detach() instead.")
        if self._requires_grad:
            # minitorch's graph nodes are the tensors themselves: ops that used self before would
            # now find a leaf that needs no gradient and silently drop theirs (PyTorch's still flow
            # through the old node). Count detach_ as an in-place change recorded in the graph, so
            # backward through those ops refuses instead (autograd.check_versions).
            vc = version_counter(self)
            vc[0] += 1
            vc[1] = vc[0]
        self._requires_grad = False
        self._retains_grad = False
        self._prev = ()
        self._op = ""
        self._backward = None
        self._saved = ()
        self._saved_versions = None
        return self

    # ------------------------------------------------------------------ describing
    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """How many elements to step in memory to move by one along each dim (or along ``dim``)."""
        if self.data.flags.c_contiguous:  # PyTorch's strides of a contiguous tensor (an empty dim counts as 1)
            strides, step = [], 1
            for n in reversed(self.shape):
                strides.insert(0, step)
                step *= max(n, 1)
            strides = tuple(strides)
        else:
            strides = tuple(s // self.data.itemsize for s in self.data.strides)
        return strides if dim is None else strides[_dim(dim, self.ndim, "stride")]

    def nelement(self) -> int:
        """The number of elements (``numel``)."""
        return self.data.size

    def ndimension(self) -> int:
        """The number of dimensions (``dim``)."""
        return self.data.ndim

    def type(self, dtype: Any = None, **_: Any) -> "str | Tensor":
        """Without ``dtype``: the type's name as PyTorch spells it (``'torch.FloatTensor'``);
        with one: this tensor converted (``to(dtype)``)."""
        if dtype is None:
            return f"torch.{_TYPE_NAMES.get(str(self.dtype), str(self.dtype))}Tensor"
        if isinstance(dtype, str):
            names = {f"torch.{v}Tensor": k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"type: invalid type {dtype!r}")
            dtype = np.dtype(names[dtype])
        return self.to(dtype)

    def resize_(self, *size: int | Sequence[int]) -> "Tensor":
        """Give self the shape ``size`` in place, keeping its elements in order (new places are
        zeros, surplus ones dropped). Refused on a tensor that requires grad, as in PyTorch."""
        shape = _shape_args(size, "resize_")
        if self._requires_grad:
            raise RuntimeError("resize_: cannot resize variables that require grad")
        flat = self.data.reshape(-1)
        count = int(np.prod(shape))
        data = flat[:count] if flat.size >= count else np.concatenate([flat, np.zeros(count - flat.size, self.dtype)])
        self.data = np.ascontiguousarray(data).reshape(shape)
        version_counter(self)[0] += 1
        return self

    # ------------------------------------------------------------------ ops in method form
    def where(self, condition: Any, other: Any) -> "Tensor":
        """``where(condition, self, other)``."""
        from .functions import where

        return where(condition, self, other)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Number = 1) -> "Tensor":
        """``self + value * tensor1 * tensor2`` (broadcasting). Composed from ``+`` and ``*``.
        For integer tensors ``value`` is truncated to an int, as PyTorch does."""
        prod = tensor1 * tensor2
        if self.data.dtype.kind == "b" and prod.dtype.kind == "b":
            raise TypeError("addcmul: not implemented for bool tensors")
        if self.data.dtype.kind in "biu" and prod.dtype.kind in "biu":
            value = int(value)
        return self + (prod if value == 1 else prod * value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Number = 1) -> "Tensor":
        """``self + value * tensor1 / tensor2`` (Adam's update). Composed from ``+`` and ``/``.

        Raises:
            RuntimeError: both tensors are integers (PyTorch refuses integer division here)."""
        kinds = [getattr(t, "dtype", np.dtype("f")).kind for t in (tensor1, tensor2)]
        if all(k in "biu" for k in kinds):
            raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported; use true division")
        quot = tensor1 / tensor2
        return self + (quot if value == 1 else quot * value)

    def logical_xor(self, other: Any) -> "Tensor":
        """True where exactly one of the two is non-zero (a bool tensor)."""
        from .tensor import _compare

        return _compare("logical_xor", np.logical_xor, self, other)

    def clamp_min(self, min: Any) -> "Tensor":
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> "Tensor":
        return self.clamp(max=max)

    def absolute(self) -> "Tensor":
        return self.abs()

    def positive(self) -> "Tensor":
        """Self (``+x``); refused for bool, as PyTorch."""
        if self.data.dtype.kind == "b":
            raise TypeError("positive: not supported for a bool tensor")
        return self

    def floor_divide(self, other: Any) -> "Tensor":
        """``self // other``: division rounded down, as ``div(other, rounding_mode="floor")``.
        Like PyTorch's, it has no derivative: backward through it raises RuntimeError (use
        ``div(..., rounding_mode="floor")``, whose gradient is 0)."""
        result = self.div(other, rounding_mode="floor")
        if not result.requires_grad:
            return result

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            raise RuntimeError("floor_divide: the derivative is not implemented (as in PyTorch); use "
                               "div(other, rounding_mode='floor'), whose gradient is 0")

        return self._from_op(result.data, (result,), "floor_divide", backward)

    def __floordiv__(self, other: Any) -> "Tensor":
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Any) -> "Tensor":
        from .tensor import _operand

        return _operand(other, self, "floor_divide").floor_divide(self)

    def bitwise_and(self, other: Any) -> "Tensor":
        return self & other

    def bitwise_or(self, other: Any) -> "Tensor":
        return self | other

    def bitwise_xor(self, other: Any) -> "Tensor":
        return self ^ other

    def ravel(self) -> "Tensor":
        """The elements as a 1-D tensor (``reshape(-1)``)."""
        return self.reshape(-1)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        """Split dimension ``dim`` into ``sizes`` (one may be -1): the inverse of ``flatten``."""
        if self.ndim == 0:
            raise RuntimeError("unflatten: cannot be applied to a 0-dim tensor")
        axis = _dim(dim, self.ndim, "unflatten")
        return self.reshape(self.shape[:axis] + tuple(sizes) + self.shape[axis + 1:])

    def sum_to_size(self, *size: int | Sequence[int]) -> "Tensor":
        """Sum self down to ``size`` (a shape self broadcasts from): what ``unbroadcast`` does
        to gradients, as an op."""
        shape = _shape_args(size, "sum_to_size")
        lead = self.ndim - len(shape)
        if lead < 0 or any(n not in (1, m) for n, m in zip(shape, self.shape[lead:])):
            raise RuntimeError(f"sum_to_size: size {shape} is not expandable to size {self.shape}")
        out = self.sum(tuple(range(lead)), keepdim=False) if lead else self
        kept = tuple(i for i, (n, m) in enumerate(zip(shape, out.shape)) if n == 1 and m != 1)
        return out.sum(kept, keepdim=True) if kept else out

    def fill_diagonal_(self, fill_value: Number, wrap: bool = False) -> "Tensor":
        """Write ``fill_value`` on the main diagonal, in place (all dims of equal size, or 2-D;
        ``wrap`` restarts the diagonal of a tall matrix every ``cols + 1`` rows)."""
        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
            raise RuntimeError(f"fill_diagonal_: dimensions must larger than 1 and all of equal length when more "
                               f"than 2-D, got shape {self.shape}")

        def fill(x: "Tensor") -> "Tensor":
            mask = np.zeros(self.shape, bool)
            if self.ndim == 2:
                rows, cols = self.shape
                r = np.arange(rows if wrap else min(rows, cols))
                if wrap:
                    r = r[(r % (cols + 1)) < cols]
                    mask[r, r % (cols + 1)] = True
                else:
                    mask[r, r] = True
            else:
                mask[(np.arange(self.shape[0]),) * self.ndim] = True
            return x.masked_fill(self._constant(mask), fill_value)

        return self._inplace("fill_diagonal_", fill)

    def triu_(self, diagonal: int = 0) -> "Tensor":
        return self._inplace("triu_", lambda x: x.triu(diagonal))

    def tril_(self, diagonal: int = 0) -> "Tensor":
        return self._inplace("tril_", lambda x: x.tril(diagonal))

    # ------------------------------------------------------------------ in-place forms
    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        """``masked_fill`` in place."""
        return self._inplace("masked_fill_", lambda x: x.masked_fill(mask, value), value)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Number = 1) -> "Tensor":
        """``self += value * tensor1 * tensor2``."""
        return self._inplace("addcmul_", lambda x: x.addcmul(tensor1, tensor2, value=value), tensor1, tensor2)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Number = 1) -> "Tensor":
        """``self += value * tensor1 / tensor2``."""
        return self._inplace("addcdiv_", lambda x: x.addcdiv(tensor1, tensor2, value=value), tensor1, tensor2)

    def lerp_(self, end: Any, weight: Any) -> "Tensor":
        return self._inplace("lerp_", lambda x: x.lerp(end, weight), end, weight)

    def scatter_(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                 reduce: str | None = None) -> "Tensor":
        return self._inplace("scatter_", lambda x: x.scatter(dim, index, src, value=value, reduce=reduce), src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> "Tensor":
        return self._inplace("scatter_add_", lambda x: x.scatter_add(dim, index, src), src)

    def nan_to_num_(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> "Tensor":
        return self._inplace("nan_to_num_", lambda x: x.nan_to_num(nan, posinf, neginf))


def _inplace_form(name: str) -> Any:
    def method(self: "Tensor", *args: Any, **kwargs: Any) -> "Tensor":
        return self._inplace(name + "_", lambda x: getattr(x, name)(*args, **kwargs), *args)

    method.__name__ = name + "_"
    method.__doc__ = f"``{name}`` in place."
    return method


for _name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "sign", "floor", "ceil", "trunc", "round",
              "frac", "reciprocal", "rsqrt", "log1p", "expm1", "log2", "log10", "fmod", "remainder", "atan2",
              "cumsum", "cumprod", "square", "exp2", "logit", "xlogy", "sinc", "deg2rad", "rad2deg", "erf",
              "copysign", "clamp_min", "clamp_max", "absolute", "floor_divide", "bitwise_and", "bitwise_or",
              "bitwise_xor", "hypot", "index_fill", "index_add", "index_copy", "masked_scatter"):
    setattr(MethodOps, _name + "_", _inplace_form(_name))
del _name
