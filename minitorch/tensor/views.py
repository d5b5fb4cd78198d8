"""Shape and indexing ops: ``reshape view flatten transpose permute squeeze unsqueeze expand``
and ``t[index]``.

Most of them return a *view*: a tensor that shares its base's storage (numpy returns views for
them too), so a write into one (``t.view(-1)[0] = 5``, ``t[:, 1] += 1``) is seen by the other.
Each view remembers its root base and how to get from the base's array to its own
(``_view = (base, fn)``); the in-place ops (inplace.py) use that to keep autograd correct when a
view is modified. ``reshape`` copies when it must (a transposed tensor), ``view`` refuses to.

Forward and backward side by side, as in tensor.py: the backward of a view puts the gradient
back into the input's shape (the inverse reshape / transpose, or a scatter for indexing).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from .autograd import version_counter
from .helpers import _dim, _dims, _shape_args

if TYPE_CHECKING:
    from .tensor import Tensor


class ViewOps:
    """The shape and indexing methods of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: int | Sequence[int]) -> "Tensor":
        """The same values in a new shape (one dimension may be -1: inferred). A view of self
        when the layout allows (it always does for a contiguous tensor), else a copy.

        Raises:
            RuntimeError: the new shape does not hold the same number of elements.
        """
        new_shape = _infer_shape(_shape_args(shape, "reshape"), self.data.size, "reshape")
        out = self.data.reshape(new_shape)  # a copy when the layout needs one (e.g. a transposed tensor)
        return self._reshaped(out, "reshape", _owner(out) is _owner(self.data))

    def view(self, *shape: int | Sequence[int]) -> "Tensor":
        """The same storage seen with a new shape: writes into the view are seen by self.

        Raises:
            RuntimeError: the shape does not fit the number of elements, or self's layout cannot
                be viewed that way without copying (e.g. a transposed tensor flattened; PyTorch's
                rule, use ``reshape`` or ``contiguous().view``).
        """
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)):  # view(dtype)
            return self._view_as_dtype(np.dtype(shape[0]))
        new_shape = _infer_shape(_shape_args(shape, "view"), self.data.size, "view")
        out = self.data.reshape(new_shape)
        if _owner(out) is not _owner(self.data):
            raise RuntimeError(f"view: a tensor of shape {self.shape} and strides {_strides(self.data)} cannot be "
                               f"viewed as {new_shape}: view size is not compatible with input tensor's size and "
                               "stride (at least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead") from None
        return self._reshaped(out, "view", True)

    def _reshaped(self, out: np.ndarray, op: str, is_view: bool) -> "Tensor":
        old_shape, new_shape = self.shape, out.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g.reshape(old_shape),)

        result = self._from_op(out, (self,), op, backward)
        return _as_view(result, self, lambda a: a.reshape(new_shape)) if is_view else result

    def _view_as_dtype(self, dtype: np.dtype) -> "Tensor":
        """The same bytes read as ``dtype`` (no gradient), sharing storage."""
        try:
            out = self.data.view(dtype)
        except ValueError as e:
            raise RuntimeError(f"view: cannot view a tensor of shape {self.shape} and dtype {self.dtype} as "
                               f"{dtype} ({e})") from None
        return _as_view(self._constant(out), self, lambda x: x.view(dtype))

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.view(other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    def contiguous(self) -> "Tensor":
        """Self if its values are laid out in row-major order, else a copy that is."""
        if self.data.flags.c_contiguous:
            return self

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g,)

        return self._from_op(np.ascontiguousarray(self.data), (self,), "contiguous", backward)

    def is_contiguous(self) -> bool:
        return bool(self.data.flags.c_contiguous)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Merge dimensions ``start_dim..end_dim`` (inclusive) into one (a view when possible)."""
        start, end = _dim(start_dim, self.ndim, "flatten"), _dim(end_dim, self.ndim, "flatten")
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (tensor shape "
                               f"{self.shape})")
        shape = self.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:]) if start < end else self

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Swap two dimensions (a view)."""
        a, b = _dim(dim0, self.ndim, "transpose"), _dim(dim1, self.ndim, "transpose")
        if self.ndim == 0:
            return self.view(())

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.swapaxes(g, a, b),)  # swapping back is the inverse

        out = self._from_op(np.swapaxes(self.data, a, b), (self,), f"transpose({dim0}, {dim1})", backward)
        return _as_view(out, self, lambda x: np.swapaxes(x, a, b))

    swapaxes = swapdims = transpose

    def t(self) -> "Tensor":
        """The transpose of a tensor with at most 2 dimensions (0-d and 1-d are returned as is)."""
        if self.ndim > 2:
            raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but got shape {self.shape} "
                               "(use transpose(dim0, dim1) or .mT)")
        return self.transpose(0, 1) if self.ndim == 2 else self.view(self.shape)

    def permute(self, *dims: int | Sequence[int]) -> "Tensor":
        """Reorder the dimensions: ``x.permute(2, 0, 1)`` puts dim 2 first (a view)."""
        order = _shape_args(dims, "permute")
        if len(order) != self.ndim:
            raise RuntimeError(f"permute: got {len(order)} dims {order} for a tensor with {self.ndim} dimensions "
                               f"(shape {self.shape})")
        axes = tuple(_dim(d, self.ndim, "permute") for d in order)
        if sorted(axes) != list(range(self.ndim)):
            raise RuntimeError(f"permute: {order} repeats a dim: it is not a permutation of the {self.ndim} dims "
                               f"of a tensor of shape {self.shape}")
        inverse = tuple(np.argsort(axes))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.transpose(g, inverse),)

        out = self._from_op(np.transpose(self.data, axes), (self,), f"permute{order}", backward)
        return _as_view(out, self, lambda x: np.transpose(x, axes))

    @property
    def T(self) -> "Tensor":
        """All dimensions reversed (the matrix transpose for 2-D)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> "Tensor":
        """The last two dimensions swapped (a batch of transposed matrices)."""
        if self.ndim == 0:
            return self.view(())
        if self.ndim < 2:
            raise RuntimeError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
        return self.transpose(-2, -1)

    def unsqueeze(self, dim: int) -> "Tensor":
        """Insert a dimension of size 1 at ``dim`` (from -ndim-1 to ndim)."""
        axis = _dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def squeeze(self, dim: int | Sequence[int] | None = None) -> "Tensor":
        """Remove dimensions of size 1 (all, or those in ``dim``; others in ``dim`` are left alone)."""
        axes = _dims(dim, self.ndim, "squeeze")
        axes = range(self.ndim) if axes is None else axes
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1)))

    def expand(self, *sizes: int | Sequence[int]) -> "Tensor":
        """Broadcast to a bigger shape without copying (-1 keeps a size). The backward is the
        identity: the engine's unbroadcast sums the copies. The result is a read-only view."""
        shape = _shape_args(sizes, "expand")
        lead = len(shape) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: cannot expand a tensor of shape {self.shape} to fewer dimensions {shape}")
        target = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
        try:
            out = np.broadcast_to(self.data, target)
        except ValueError:
            raise RuntimeError(f"expand: cannot expand shape {self.shape} to {shape} (only dimensions of size 1 "
                               "can grow)") from None

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g,)

        result = self._from_op(out, (self,), "expand", backward)
        return _as_view(result, self, lambda x: np.broadcast_to(x, target))

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> "Tensor":
        """Basic (ints, slices, None, ...) and integer-array / boolean-mask indexing, as numpy.

        Basic indexing returns a view (writes through it reach self); an integer array or a mask
        returns a copy, as in PyTorch. Backward scatters the gradient back to the positions that
        were read. An index that reads the same element twice (``x[[0, 0]]``) must add both
        gradients: ``np.add.at`` does, where plain ``grad[idx] += g`` would keep only one.
        """
        idx = _numpy_index(index)
        try:
            out = self.data[idx]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {self.shape})") from None
        shape, repeats_possible = self.shape, _has_integer_array(idx)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            grad = np.zeros(shape, dtype=g.dtype)
            if repeats_possible:
                np.add.at(grad, idx, g)
            else:
                grad[idx] = g  # slices and masks never read an element twice
            return (grad,)

        result = self._from_op(out, (self,), _index_label(index), backward)
        return _as_view(result, self, lambda x: x[idx]) if _is_basic(idx) else result


def _as_view(out: "Tensor", base: "Tensor", fn: Callable[[np.ndarray], np.ndarray]) -> "Tensor":
    """Mark ``out`` as a view of ``base``: it shares base's storage and version counter, and
    remembers its root base and ``fn``, the way from the root's array to its own. A view's
    backward reads no values, and its values are its base's *now* (after any in-place change of the
    base), so its gradient goes to the base as it is now: its input's version is neither checked nor
    used for routing (``autograd._routed`` leaves it alone)."""
    out._vc = version_counter(base)  # shared: an in-place change of either is one of the other
    if base._view is None:
        out._view = (base, fn)
    else:
        root, first = base._view
        out._view = (root, lambda x: fn(first(x)))
    out._saved_versions = None
    return out


def view_positions(view: "Tensor") -> np.ndarray:
    """For a view: the flat position in its root base of each of its elements (shaped like the
    view). Works on index arithmetic, so it is right however the views were chained."""
    root, fn = view._view
    return fn(np.arange(root.data.size).reshape(root.shape))


def _infer_shape(shape: tuple[int, ...], size: int, op: str) -> tuple[int, ...]:
    """``shape`` with a -1 filled in; RuntimeError (PyTorch's) when it cannot hold ``size`` elements."""
    if -1 not in shape and math.prod(shape) == size and min(shape, default=0) >= 0:
        return shape  # the common case, quickly
    known = math.prod(n for n in shape if n != -1)
    if shape.count(-1) > 1 or any(n < -1 for n in shape) or (-1 in shape and (known == 0 or size % known)) or \
            (-1 not in shape and known != size):
        raise RuntimeError(f"{op}: shape {list(shape)} is invalid for input of size {size}")
    return tuple(size // known if n == -1 else n for n in shape)


def _owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (numpy points every view's ``base`` at it)."""
    return a if a.base is None else a.base


def _strides(a: np.ndarray) -> tuple[int, ...]:
    return tuple(s // a.itemsize for s in a.strides)


def _is_basic(idx: Any) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) and not isinstance(p, bool)
               for p in parts)


def _numpy_index(index: Any) -> Any:
    """Tensors and lists inside an index become numpy arrays (integer or boolean)."""
    def one(i: Any) -> Any:
        if isinstance(i, ViewOps):
            return i.data
        if isinstance(i, list):
            return np.asarray(i)
        return i

    return tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)


def _has_integer_array(idx: Any) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind != "b" for p in parts)


def _index_label(index: Any) -> str:
    """A short description of an index for graph drawings, e.g. ``[0, 1:3]``."""
    def one(i: Any) -> str:
        if isinstance(i, slice):
            text = ("" if i.start is None else str(i.start)) + ":" + ("" if i.stop is None else str(i.stop))
            return text + (f":{i.step}" if i.step is not None else "")
        if i is Ellipsis:
            return "..."
        if isinstance(i, (np.ndarray, list)) or isinstance(i, ViewOps):
            return "mask" if np.asarray(getattr(i, "data", i)).dtype == bool else "idx"
        return str(i)

    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(one(i) for i in parts) + "]"
