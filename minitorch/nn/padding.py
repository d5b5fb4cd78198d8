"""``pad``: grow (or, with negative amounts, crop) the last dimensions of a tensor, as ``torch.nn.functional.pad``.

``pad`` lists amounts for the **last** dimension first: ``(left, right)`` pads the last dimension,
``(left, right, top, bottom)`` the last two, and so on. The new entries are

* ``'constant'``: ``value`` (default 0);
* ``'reflect'``: the input mirrored about its edge, the edge itself not repeated
  (``[1, 2, 3]`` padded by 2 -> ``[3, 2, 1, 2, 3, 2, 1]``);
* ``'replicate'``: the edge value repeated (``[1, 1, 1, 2, 3, 3, 3]``);
* ``'circular'``: the input wrapped around (``[2, 3, 1, 2, 3, 1, 2]``).

Negative amounts crop, in every mode. The non-constant modes are a gather: output position ``j`` of a padded dimension reads input
position ``index[j]``. Its backward is the matching scatter-add (the edge pixels that were copied
several times collect several gradients), written as a product with the 0/1 matrix of that gather.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..tensor.tensor import Tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For one dimension padded by ``(lo, hi)``: which input position each output position reads."""
    j = np.arange(-lo, size + hi)
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    if mode == "circular":
        return j % size
    period = 2 * (size - 1)  # reflect: ... 2 1 [0 1 2 ... n-1] n-2 ...
    j = np.abs(j) % period if period else np.zeros_like(j)
    return np.where(j >= size, period - j, j)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions of ``input`` (see the module docstring).

    Args:
        input: any shape for ``'constant'``; for the other modes ``(C, *d)`` or ``(N, C, *d)`` with
            ``len(pad) == 2·len(d)`` and 1 to 3 padded dimensions ``d`` (PyTorch's rule).
        pad: ``(left_last, right_last, left_second_last, right_second_last, ...)``, an even number of
            ints, at most two per dimension.
        mode: ``'constant'`` | ``'reflect'`` | ``'replicate'`` | ``'circular'``.
        value: the fill value of ``'constant'`` mode (default 0).

    Returns:
        A tensor of the input's dtype, each padded dimension grown by ``left + right``.

    Raises:
        TypeError: input is not a Tensor, or ``pad`` holds something else than ints.
        ValueError: an unknown mode (PyTorch raises NotImplementedError, which minitorch reserves
            for the lesson stubs).
        RuntimeError: ``pad`` has odd length, or more than two entries per dimension; ``value``
            given with a non-constant mode; a non-constant mode on an input of the wrong number of dimensions (as in
            PyTorch, only 2-D to 5-D inputs, padding all but their first one or two dimensions);
            reflect padding not smaller than the dimension; circular padding larger than it; a crop
            below size 0.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: expected a Tensor input, got {type(input).__name__}")
    if isinstance(pad, (int, np.integer)) or any(isinstance(p, bool) or not isinstance(p, (int, np.integer))
                                                 for p in pad):
        raise TypeError(f"pad: pad must be a sequence of ints, got {pad!r}")
    amounts = [int(p) for p in pad]
    if len(amounts) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got pad={tuple(amounts)}")
    dims = len(amounts) // 2
    if dims > input.ndim:
        raise RuntimeError(f"pad: padding length should be at most twice the input's number of dimensions, got "
                         f"padding length {len(amounts)} for input of shape {input.shape}")
    if mode not in _MODES:
        raise ValueError(f"pad: mode must be one of {_MODES}, got {mode!r}")
    # pairs[i] = (before, after) of dimension ndim - dims + i (pad lists the last dimension first).
    pairs = [(amounts[2 * i], amounts[2 * i + 1]) for i in range(dims)][::-1]
    first = input.ndim - dims
    x = input.data
    if mode == "constant":
        return _constant_pad(input, pairs, first, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"pad: padding mode {mode!r} doesn't take in a value argument (got value={value!r})")
    if not 1 <= dims <= 3 or input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"pad: {mode} padding of {dims} dimension(s) needs a {dims + 1}D or {dims + 2}D "
                                  f"input, got input of shape {input.shape} (only 2D-5D inputs are supported, "
                                  f"as in PyTorch)")
    for axis, (lo, hi) in zip(range(first, input.ndim), pairs):
        n = x.shape[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"pad: reflect padding size should be less than the corresponding input dimension, "
                               f"but got padding {(lo, hi)} at dimension {axis} of input of shape {input.shape}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(f"pad: circular padding may wrap around at most once, but got padding {(lo, hi)} "
                               f"at dimension {axis} of input of shape {input.shape}")
        if mode == "replicate" and n == 0 and lo + hi > 0:
            raise RuntimeError(f"pad: cannot replicate-pad an empty dimension {axis} of input of shape {input.shape}")
    indices = [_source_index(x.shape[axis], lo, hi, mode) for axis, (lo, hi) in zip(range(first, input.ndim), pairs)]
    out = x
    for axis, index in zip(range(first, input.ndim), indices):
        out = np.take(out, index, axis=axis)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        for axis, index in zip(range(first, input.ndim), indices):
            gather = np.zeros((len(index), x.shape[axis]), dtype=g.dtype)  # gather[j, index[j]] = 1
            gather[np.arange(len(index)), index] = 1
            g = np.moveaxis(np.moveaxis(g, axis, -1) @ gather, -1, axis)  # add each output's gradient to its source
        return (g,)

    return Tensor._from_op(out, (input,), f"pad({mode}, {tuple(amounts)})", backward)


def _constant_pad(input: Tensor, pairs: list[tuple[int, int]], first: int, value: float) -> Tensor:
    """Constant padding; negative amounts crop. The output's inner region is a copy of the input's
    (cropped) inner region, and the gradient is that region of the output gradient."""
    x = input.data
    shape = list(x.shape)
    src: list[slice] = [slice(None)] * x.ndim
    dst: list[slice] = [slice(None)] * x.ndim
    for axis, (lo, hi) in zip(range(first, x.ndim), pairs):
        n = x.shape[axis]
        size = n + lo + hi
        if size < 0:
            raise RuntimeError(f"pad: the padding {(lo, hi)} of dimension {axis} would give a negative size "
                               f"{size} for input of shape {input.shape}")
        shape[axis] = size
        # The input's part that survives cropping, and where it lands in the output.
        start, stop = max(0, -lo), n - max(0, -hi)
        src[axis] = slice(start, max(start, stop))
        dst[axis] = slice(max(0, lo), max(0, lo) + max(0, stop - start))
    out = np.full(shape, value, dtype=x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    src_t, dst_t = tuple(src), tuple(dst)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(x.shape, dtype=g.dtype)
        grad[src_t] = g[dst_t]
        return (grad,)

    amounts = tuple(a for pair in pairs[::-1] for a in pair)
    return Tensor._from_op(out, (input,), f"pad({amounts})", backward)
