"""Selecting, splitting and rearranging, as PyTorch: ``gather scatter scatter_add index_select
take split chunk unbind narrow select flip roll repeat tile repeat_interleave movedim unfold
nonzero`` (``t[index]``, reshape and friends live in views.py).

Composition first: ``split chunk unbind narrow select`` are slices (``t[...]``: views, with
``__getitem__``'s backward), ``repeat tile repeat_interleave`` are reshape + expand + reshape
(the engine sums the copies' gradients), ``movedim`` is a permute, ``unfold`` an integer-array
index, ``index_select`` and ``take`` too. ``gather``, ``scatter``, ``flip`` and ``roll`` have a
short hand-written backward, each the inverse movement of the gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .helpers import _dim, _shape_args

if TYPE_CHECKING:
    from .tensor import Tensor


def _needs_dims(x: "Tensor", op: str, error: type = RuntimeError) -> None:
    if x.ndim == 0:
        raise error(f"{op}: cannot be applied to a 0-dim tensor (it has no dimension to work along)")


def _index_array(index: Any, op: str) -> np.ndarray:
    arr = np.asarray(getattr(index, "data", index))
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected an int64 index tensor, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _along(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The full numpy index that reads, for every position of ``index``, the element at
    ``index[pos]`` along ``axis`` and at ``pos`` along the other dims (gather's addressing)."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[axis] = index
    return tuple(grid)


def _check_gather(x: "Tensor", axis: int, index: np.ndarray, op: str, src_shape: tuple[int, ...] | None = None) -> None:
    if index.ndim != max(x.ndim, 1) and not (x.ndim == 0 and index.ndim <= 1):
        raise RuntimeError(f"{op}: index tensor must have the same number of dimensions as input ({x.ndim}), got "
                           f"index shape {index.shape}")
    for d, n in enumerate(index.shape):
        if d != axis and x.ndim and n > x.shape[d]:
            raise RuntimeError(f"{op}: size of index {index.shape} exceeds the input {x.shape} at dimension {d}")
        if src_shape is not None and len(src_shape) == index.ndim and n > src_shape[d]:
            raise RuntimeError(f"{op}: size of index {index.shape} exceeds the source {src_shape} at dimension {d}")
    size = x.shape[axis] if x.ndim else 1
    if index.size and (index.min() < -size or index.max() >= size):
        bad = index[(index < -size) | (index >= size)].flat[0]
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {axis} with size {size}")


class IndexingOps:
    """Selecting and rearranging methods of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    # ------------------------------------------------------------------ gather / scatter
    def gather(self, dim: int, index: "Tensor") -> "Tensor":
        """``out[i][j] = self[index[i][j]][j]`` for ``dim=0`` (and so on): pick one element along
        ``dim`` for every position of ``index`` (int64, same rank as self, no larger elsewhere);
        the output has index's shape. Backward: each gradient is added back where its element
        was read (``np.add.at``: an element read twice gets both).

        Raises:
            RuntimeError: a non-integer index, a rank mismatch, or an index out of range.
        """
        axis = _dim(dim, self.ndim, "gather")
        idx = _index_array(index, "gather")
        _check_gather(self, axis, idx, "gather")
        if self.ndim == 0:
            return self.reshape(1)[idx].reshape(idx.shape)
        where = _along(idx, axis)
        shape = self.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            grad = np.zeros(shape, dtype=g.dtype)
            np.add.at(grad, where, g)
            return (grad,)

        return self._from_op(self.data[where], (self,), f"gather(dim={dim})", backward)

    def scatter(self, dim: int, index: "Tensor", src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> "Tensor":
        """A copy of self with ``out[index[i][j]][j] = src[i][j]`` (for ``dim=0``): the inverse of
        ``gather``. ``src`` may be a tensor (at least index's size) or a number (``value``).
        ``reduce="add"``/``"multiply"`` combines instead of overwriting. With repeated indices
        the last write wins (PyTorch leaves it unspecified).

        Backward (plain scatter): self's gradient is zero at the overwritten places; src's is
        the gradient gathered from where its elements went. With ``reduce="multiply"`` there is
        none: backward raises RuntimeError, as PyTorch's (``"add"`` has scatter_add's).
        """
        if src is None:
            src = value
        if reduce is not None:
            if reduce not in ("add", "multiply"):
                raise RuntimeError(f"scatter: reduce argument must be either 'add' or 'multiply', got {reduce!r}")
            if reduce == "add":
                return self.scatter_add(dim, index, src if hasattr(src, "shape") else self._full_like_index(index, src))
        if self.ndim == 0:  # as a 1-element vector
            one = self._constant(_index_array(index, "scatter").reshape(1))
            part = src.reshape(1) if isinstance(src, type(self)) and src.ndim == 0 else src
            return self.reshape(1).scatter(0, one, part, reduce=reduce).reshape(())
        axis = _dim(dim, self.ndim, "scatter")
        idx = _index_array(index, "scatter")
        from .tensor import _operand

        s = _operand(src, self, "scatter")
        if isinstance(src, type(self)) and s.dtype != self.dtype:
            raise RuntimeError(f"scatter: expected self.dtype to be equal to src.dtype, got {self.dtype} and {s.dtype}")
        _check_gather(self, axis, idx, "scatter", s.shape if s.ndim else None)
        where = _along(idx, axis)
        picked = tuple(slice(0, n) for n in idx.shape)
        src_vals = s.data[picked] if s.ndim else np.broadcast_to(s.data, idx.shape)
        out = self.data.copy()
        if reduce == "multiply":
            np.multiply.at(out, where, src_vals.astype(out.dtype))
        else:
            out[where] = src_vals
        written = np.zeros(self.shape, bool)
        written[where] = True
        src_shape = s.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
            if reduce == "multiply":
                raise RuntimeError("scatter: the derivative with reduce='multiply' is not implemented (as in PyTorch)")
            gs = None
            if src_shape:
                gs = np.zeros(src_shape, dtype=g.dtype)
                gs[picked] = g[where]
            elif s._requires_grad:
                gs = g[where].sum()
            return np.where(written, 0, g), gs

        return self._from_op(out, (self, s), f"scatter(dim={dim})", backward)

    def _full_like_index(self, index: Any, value: Any) -> "Tensor":
        return self._constant(np.full(np.shape(getattr(index, "data", index)), value, dtype=self.dtype))

    def scatter_add(self, dim: int, index: "Tensor", src: "Tensor") -> "Tensor":
        """A copy of self with ``src[i][j]`` *added* at ``out[index[i][j]][j]`` (for ``dim=0``);
        repeated indices accumulate. Backward: self's gradient passes unchanged, src's is
        gathered from where each element was added."""
        if self.ndim == 0:
            one = self._constant(_index_array(index, "scatter_add").reshape(1))
            return self.reshape(1).scatter_add(0, one, src.reshape(1)).reshape(())
        axis = _dim(dim, self.ndim, "scatter_add")
        idx = _index_array(index, "scatter_add")
        if src.dtype != self.dtype:
            raise RuntimeError(f"scatter_add: expected self.dtype to be equal to src.dtype, got {self.dtype} and "
                               f"{src.dtype}")
        _check_gather(self, axis, idx, "scatter_add", src.shape)
        where = _along(idx, axis)
        picked = tuple(slice(0, n) for n in idx.shape)
        out = self.data.copy()
        np.add.at(out, where, src.data[picked].astype(out.dtype, copy=False))
        src_shape = src.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            gs = np.zeros(src_shape, dtype=g.dtype)
            gs[picked] = g[where]
            return g, gs

        return self._from_op(out, (self, src), f"scatter_add(dim={dim})", backward)

    def _slots(self, dim: int, index: Any, op: str, empty_error: type = RuntimeError) -> tuple[int, np.ndarray]:
        """``dim`` as an axis and ``index`` as a checked 1-D int64 array along it (an index out of
        range is an IndexError, or ``empty_error`` when the dimension is empty: PyTorch's classes)."""
        axis = _dim(dim, self.ndim, op)
        idx = _index_array(index, op).reshape(-1)
        n = self.shape[axis] if self.ndim else 1
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise (IndexError if n else empty_error)(f"{op}: index out of range for dimension {dim} of size {n} "
                                                      f"(got {idx.tolist()})")
        return axis, idx % max(n, 1)

    def index_add(self, dim: int, index: "Tensor", source: "Tensor", *, alpha: Any = 1) -> "Tensor":
        """A copy of self with ``alpha * source[i]`` added to slice ``index[i]`` of ``dim``
        (repeated indices accumulate). Backward: self's gradient passes; source's is the
        gradient's slices at ``index`` (times alpha)."""
        axis, idx = self._slots(dim, index, "index_add")
        if source.dtype != self.dtype:
            raise RuntimeError(f"index_add: self ({self.dtype}) and source ({source.dtype}) must have the same dtype")
        scale = alpha
        out = np.moveaxis(self.data.copy(), axis, 0)
        np.add.at(out, idx, np.moveaxis(source.data * scale if scale != 1 else source.data, axis, 0))

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return g, np.take(g, idx, axis=axis) * scale

        return self._from_op(np.moveaxis(out, 0, axis), (self, source), f"index_add(dim={dim})", backward)

    def index_copy(self, dim: int, index: "Tensor", source: "Tensor") -> "Tensor":
        """A copy of self with slice ``index[i]`` of ``dim`` replaced by ``source[i]``.
        Backward: self's gradient is 0 on the replaced slices; source's is the gradient there."""
        axis, idx = self._slots(dim, index, "index_copy", IndexError)
        if source.dtype != self.dtype:
            raise RuntimeError(f"index_copy: self ({self.dtype}) and source ({source.dtype}) must have the same dtype")
        out = np.moveaxis(self.data.copy(), axis, 0)
        out[idx] = np.moveaxis(source.data, axis, 0)
        replaced = np.zeros(self.shape[axis] if self.ndim else 1, bool)
        replaced[idx] = True
        keep = np.moveaxis(~replaced.reshape((-1,) + (1,) * (self.ndim - 1)), 0, axis) if self.ndim else ~replaced[0]

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return g * keep, np.take(g, idx, axis=axis)

        return self._from_op(np.moveaxis(out, 0, axis), (self, source), f"index_copy(dim={dim})", backward)

    def index_fill(self, dim: int, index: "Tensor", value: Any) -> "Tensor":
        """A copy of self with ``value`` in every slice ``index`` of ``dim``. Composed:
        masked_fill with a mask along ``dim``."""
        axis, idx = self._slots(dim, index, "index_fill")
        mask = np.zeros(self.shape[axis] if self.ndim else 1, bool)
        mask[idx] = True
        if self.ndim:
            mask = mask.reshape((-1,) + (1,) * (self.ndim - 1 - axis))
        return self.masked_fill(self._constant(mask.reshape(()) if not self.ndim else mask), value)

    def masked_scatter(self, mask: "Tensor", source: "Tensor") -> "Tensor":
        """A copy of self where the elements at ``mask`` (bool, broadcasting) are replaced, in
        order, by the first elements of ``source``. Backward: self's gradient is 0 there; source
        gets the gradient of the elements it filled."""
        m = np.asarray(getattr(mask, "data", mask))
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_scatter: expected a bool mask, got {m.dtype}")
        if source.dtype != self.dtype:
            raise RuntimeError(f"masked_scatter: self ({self.dtype}) and source ({source.dtype}) must have the same "
                               "dtype")
        m = np.broadcast_to(m, np.broadcast_shapes(self.shape, m.shape))
        count = int(m.sum())
        if count > source.numel():
            raise RuntimeError(f"masked_scatter: source has {source.numel()} elements, the mask selects {count}")
        out = np.broadcast_to(self.data, m.shape).copy()
        out[m] = source.data.reshape(-1)[:count]
        src_shape = source.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            gs = np.zeros(int(np.prod(src_shape)), g.dtype)
            gs[:count] = g[m]
            return np.where(m, 0, g), gs.reshape(src_shape)

        return self._from_op(out, (self, source), "masked_scatter", backward)

    def index_select(self, dim: int, index: "Tensor") -> "Tensor":
        """The slices at ``index`` (a 1-D int64 tensor) along ``dim``. Composed from indexing.

        Raises:
            IndexError: an index out of range or not 0-D/1-D; RuntimeError: a non-integer index.
        """
        axis = _dim(dim, self.ndim, "index_select")
        idx = _index_array(index, "index_select")
        if idx.ndim > 1:
            raise IndexError(f"index_select: index must be a vector (0-D or 1-D), got shape {idx.shape}")
        if self.ndim == 0:
            return self.reshape(1)[idx.reshape(-1)].reshape(())
        return self[(slice(None),) * axis + (idx.reshape(-1),)]

    def take(self, index: "Tensor") -> "Tensor":
        """The elements of the flattened tensor at ``index`` (any shape; out has index's shape)."""
        return self.reshape(-1)[_index_array(index, "take")]

    def take_along_dim(self, indices: "Tensor", dim: int | None = None) -> "Tensor":
        """``gather`` with broadcasting of ``indices`` (``dim=None``: of the flattened tensor)."""
        if dim is None:
            return self.take(_index_array(indices, "take_along_dim").reshape(-1))
        axis = _dim(dim, self.ndim, "take_along_dim")
        idx = _index_array(indices, "take_along_dim")
        shape = list(np.broadcast_shapes(tuple(n for i, n in enumerate(self.shape) if i != axis),
                                         tuple(n for i, n in enumerate(idx.shape) if i != axis)))
        x_shape, i_shape = shape.copy(), shape.copy()
        x_shape.insert(axis, self.shape[axis])
        i_shape.insert(axis, idx.shape[axis])
        return self.expand(x_shape).gather(axis, self._constant(np.broadcast_to(idx, i_shape)))

    # ------------------------------------------------------------------ splitting (views)
    def narrow(self, dim: int, start: int, length: int) -> "Tensor":
        """The slice ``start:start+length`` of ``dim`` (a view).

        Raises:
            IndexError / RuntimeError: ``start`` or ``length`` out of range."""
        _needs_dims(self, "narrow")
        axis = _dim(dim, self.ndim, "narrow")
        n = self.shape[axis]
        start = int(getattr(start, "data", start))
        if not -n <= start <= n:
            raise IndexError(f"narrow: start ({start}) out of range for dimension {dim} of size {n}")
        start %= max(n, 1) if start < 0 else n + 1
        if length < 0 or start + length > n:
            raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n})")
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def select(self, dim: int, index: int) -> "Tensor":
        """The slice at ``index`` of ``dim``, that dimension removed (a view)."""
        _needs_dims(self, "select", IndexError)
        axis = _dim(dim, self.ndim, "select")
        n = self.shape[axis]
        if not -n <= index < n:
            raise IndexError(f"select: index {index} out of range for tensor of size {self.shape} at dimension {dim}")
        return self[(slice(None),) * axis + (index,)]

    def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple["Tensor", ...]:
        """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the
        listed sizes (which must add up to the dimension). Views of self.

        Raises:
            RuntimeError: the sizes do not add up, or a size is negative / zero for a
                non-empty dimension.
        """
        _needs_dims(self, "split")
        axis = _dim(dim, self.ndim, "split")
        n = self.shape[axis]
        if isinstance(split_size_or_sections, (int, np.integer)):
            size = int(split_size_or_sections)
            if size < 0 or (size == 0 and n != 0):
                raise RuntimeError(f"split: split_size can only be 0 if dimension size is 0, but got size {size} "
                                   f"for dimension {dim} of size {n}")
            sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise RuntimeError(f"split: split_with_sizes expects split_sizes {sizes} to sum exactly to {n} (the "
                                   f"size of dimension {dim} of a tensor of shape {self.shape})")
        bounds = np.cumsum([0] + sizes)
        return tuple(self.narrow(axis, int(lo), int(hi - lo)) for lo, hi in zip(bounds[:-1], bounds[1:]))

    def tensor_split(self, indices_or_sections: int | Sequence[int], dim: int = 0) -> tuple["Tensor", ...]:
        """``n`` nearly equal pieces (the first ``size % n`` one longer), or pieces cut at the given indices."""
        _needs_dims(self, "tensor_split")
        axis = _dim(dim, self.ndim, "tensor_split")
        n = self.shape[axis]
        if isinstance(indices_or_sections, (int, np.integer)):
            k = int(indices_or_sections)
            if k <= 0:
                raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {k}")
            sizes = [n // k + (i < n % k) for i in range(k)]
            cuts = list(np.cumsum(sizes)[:-1])
        else:
            cuts = list(indices_or_sections)
        bounds = [0] + [min(max(int(c), 0), n) for c in cuts] + [n]
        return tuple(self.narrow(axis, lo, max(hi - lo, 0)) for lo, hi in zip(bounds[:-1], bounds[1:]))

    def chunk(self, chunks: int, dim: int = 0) -> tuple["Tensor", ...]:
        """Split into ``chunks`` pieces of ``ceil(size / chunks)`` (fewer pieces when the size does
        not allow that many), as ``torch.chunk``.

        Raises:
            RuntimeError: ``chunks`` is not positive.
        """
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunk expects `chunks` to be greater than 0, got: {chunks}")
        _needs_dims(self, "chunk")
        n = self.shape[_dim(dim, self.ndim, "chunk")]
        if n == 0:  # an empty dimension: `chunks` empty pieces, as PyTorch
            return self.split(0, dim) * chunks
        return self.split(-(-n // chunks), dim)

    def unbind(self, dim: int = 0) -> tuple["Tensor", ...]:
        """The slices along ``dim``, that dimension removed (views)."""
        axis = _dim(dim, self.ndim, "unbind")
        if self.ndim == 0:
            raise IndexError("unbind: dimension specified as 0 but tensor has no dimensions")
        return tuple(self.select(axis, i) for i in range(self.shape[axis]))

    # ------------------------------------------------------------------ rearranging
    def flip(self, *dims: int | Sequence[int]) -> "Tensor":
        """The elements in reverse order along each of ``dims`` (a copy). Backward: flip back."""
        axes = tuple(_dim(d, self.ndim, "flip") for d in _shape_args(dims, "flip"))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"flip: dims {dims} has a dimension more than once")
        if self.ndim == 0:
            return self.clone()
        return self._from_op(np.flip(self.data, axes).copy(), (self,), f"flip{axes}", lambda g: (np.flip(g, axes),))

    def fliplr(self) -> "Tensor":
        if self.ndim < 2:
            raise RuntimeError(f"fliplr: input must be >= 2-D, got shape {self.shape}")
        return self.flip(1)

    def flipud(self) -> "Tensor":
        if self.ndim < 1:
            raise RuntimeError("flipud: input must be >= 1-D")
        return self.flip(0)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> "Tensor":
        """Rotate by ``k`` quarter turns in the plane of ``dims``, from the first towards the
        second (as ``numpy.rot90``). Composed from flip and transpose.

        Raises:
            RuntimeError: ``dims`` is not two different dimensions."""
        if len(dims) != 2:
            raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {self.ndim}")
        a, b = (_dim(d, self.ndim, "rot90") for d in dims)
        if a == b:
            raise RuntimeError(f"rot90: expected two different dimensions of a tensor with at least 2, got dims {dims}")
        k %= 4
        if k == 0:
            return self.clone()
        if k == 2:
            return self.flip(a, b)
        return self.flip(b).transpose(a, b) if k == 1 else self.transpose(a, b).flip(b)

    def roll(self, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> "Tensor":
        """Shift the elements by ``shifts`` along ``dims`` (of the flattened tensor when None),
        wrapping around. Backward: roll the gradient back."""
        shift = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        if dims is None:
            if len(shift) != 1:
                raise RuntimeError(f"roll: shifts {shifts} needs dims to have the same length")
            return self.reshape(-1).roll(shift[0], 0).reshape(self.shape)
        _needs_dims(self, "roll", IndexError)
        axes = tuple(_dim(d, self.ndim, "roll") for d in (dims if isinstance(dims, (tuple, list)) else (dims,)))
        if len(axes) != len(shift):
            raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
        back = tuple(-s for s in shift)
        return self._from_op(np.roll(self.data, shift, axes), (self,), f"roll{shift}",
                             lambda g: (np.roll(g, back, axes),))

    def repeat(self, *sizes: int | Sequence[int]) -> "Tensor":
        """Tile self ``sizes[i]`` times along dim i (``sizes`` may have more dims than self: they
        are added in front). Composed: reshape to interleave size-1 dims, expand, reshape.

        Raises:
            RuntimeError: fewer sizes than dimensions, or a negative size.
        """
        if not sizes:
            raise TypeError("repeat: missing 1 required positional argument: 'repeats' (one count per dimension)")
        reps = _shape_args(sizes, "repeat")
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: number of dimensions of repeat dims ({len(reps)}) can not be smaller than "
                               f"number of dimensions of tensor ({self.ndim})")
        if any(r < 0 for r in reps):
            raise RuntimeError(f"repeat: trying to create a tensor with negative dimension: {reps}")
        shape = (1,) * (len(reps) - self.ndim) + self.shape
        spread = self.reshape([m for n in shape for m in (1, n)])
        big = spread.expand([m for r, n in zip(reps, shape) for m in (r, n)])
        return big.reshape(tuple(r * n for r, n in zip(reps, shape)))

    def tile(self, *dims: int | Sequence[int]) -> "Tensor":
        """``repeat``, where fewer ``dims`` than dimensions are padded with 1s in front."""
        reps = _shape_args(dims, "tile")
        return self.repeat((1,) * (self.ndim - len(reps)) + reps)

    def repeat_interleave(self, repeats: Any = None, dim: int | None = None, *,
                          output_size: int | None = None) -> "Tensor":
        """Each element (each slice along ``dim``; of the flattened tensor when None) repeated
        ``repeats`` times in a row (an int, or one count per element). Composed from indexing.
        Without ``repeats``, self holds the counts: ``[2, 1]`` gives ``[0, 0, 1]``."""
        if repeats is None:
            counts = self.data.reshape(-1)
            return self._constant(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
        if dim is not None:
            _needs_dims(self, "repeat_interleave", IndexError)
        x = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else _dim(dim, self.ndim, "repeat_interleave")
        counts = np.asarray(getattr(repeats, "data", repeats))
        if (counts < 0).any():
            raise RuntimeError("repeat_interleave: repeats can not be negative")
        n = x.shape[axis] if x.ndim else 1
        if counts.ndim and counts.size not in (1, n):
            raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim ({n}), got "
                               f"{counts.size}")
        idx = np.repeat(np.arange(n), counts.reshape(-1) if counts.ndim else int(counts))
        return x.index_select(axis, self._constant(idx))

    def movedim(self, source: int | Sequence[int], destination: int | Sequence[int]) -> "Tensor":
        """Move dims ``source`` to positions ``destination`` (the others keep their order); a permute."""
        if isinstance(source, int) != isinstance(destination, int):
            raise TypeError("movedim: source and destination must both be ints or both be sequences of ints")
        src = [source] if isinstance(source, int) else list(source)
        dst = [destination] if isinstance(destination, int) else list(destination)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                               f"same number of dims as destination ({dst} dims)")
        src = [_dim(d, self.ndim, "movedim") for d in src]
        dst = [_dim(d, self.ndim, "movedim") for d in dst]
        if len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
        if self.ndim == 0:
            return self.view(())
        order = [d for d in range(self.ndim) if d not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.permute(*order)

    moveaxis = movedim

    def broadcast_to(self, size: Sequence[int]) -> "Tensor":
        """``expand(size)``: a read-only broadcast view."""
        return self.expand(tuple(size))

    def unfold(self, dimension: int, size: int, step: int) -> "Tensor":
        """All windows of ``size`` elements, ``step`` apart, along ``dimension``: that dimension
        becomes the window count and a new last dimension of ``size`` holds each window.
        Composed from integer-array indexing and movedim (a copy; PyTorch returns a view).

        Raises:
            RuntimeError: ``size`` larger than the dimension, or ``step`` not positive.
        """
        axis = _dim(dimension, self.ndim, "unfold")
        n = self.shape[axis] if self.ndim else 1
        if size > n or size < 0:
            raise RuntimeError(f"unfold: maximum size for tensor at dimension {dimension} is {n} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"unfold: step is {step} but must be > 0")
        if self.ndim == 0:
            return self.reshape(1)
        windows = np.arange(0, n - size + 1, step)[:, None] + np.arange(size)
        return self[(slice(None),) * axis + (windows,)].movedim(axis + 1, -1)

    def nonzero(self, *, as_tuple: bool = False) -> "Tensor | tuple[Tensor, ...]":
        """The indices of the non-zero elements: an ``(count, ndim)`` int64 tensor, or (``as_tuple``)
        one 1-D index tensor per dimension."""
        if as_tuple:
            return tuple(self._constant(w.astype(np.int64)) for w in np.nonzero(np.atleast_1d(self.data)))
        return self._constant(np.argwhere(self.data).astype(np.int64))

    def argwhere(self) -> "Tensor":
        return self.nonzero()

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> "Tensor":
        """See ``minitorch.diff``."""
        from .stacking import diff

        return diff(self, n, dim, prepend, append)

    def masked_select(self, mask: "Tensor") -> "Tensor":
        """The elements where ``mask`` (bool, broadcasting) is True, as a 1-D tensor."""
        m = np.asarray(getattr(mask, "data", mask))
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_select: expected a bool mask, got {m.dtype}")
        shape = np.broadcast_shapes(self.shape, m.shape)
        return self.expand(shape)[np.broadcast_to(m, shape)]
