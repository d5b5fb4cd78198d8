"""Pooling: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d`` (and their functions), as in PyTorch.

A pooling layer slides a window over each channel separately and summarises it by one number: the
largest value (max-pooling) or the mean (average pooling). It has no parameters. Sizes per spatial
dimension, as PyTorch's ``MaxPool2d`` docs give them:

    out = floor((in + 2·padding - dilation·(k-1) - 1) / stride) + 1          (ceil with ceil_mode=True,
                                                                             but no window may start
                                                                             in the right padding)

**Max-pooling's gradient** goes to the one element that was the maximum of each window (the
others did not affect the output). When several elements tie, PyTorch's CPU kernel keeps the
*first* in row-major order within the window (it only replaces the running maximum by a strictly
larger value, or a NaN), and so does ``max_pool``. Overlapping windows may pick the same element;
its gradient is then the sum.

**Average pooling** divides each window's sum by the window's size (``count_include_pad=True``,
zeros of the padding counted) or by the number of real input elements in it; its gradient spreads
``g / divisor`` evenly over the window. **Adaptive** average pooling chooses the windows so that
the output has a given size: output ``i`` of ``out`` averages input ``floor(i·in/out)`` up to
``ceil((i+1)·in/out)``; it is computed as a product with that averaging matrix, so autograd
differentiates it for free.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor.tensor import Tensor
from .fold import IntOrTuple, _col2im, _crop, _ntuple, _region, _windows, _zero_pad
from .module import Module

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"]


def _pool_sizes(op: str, sizes: Sequence[int], kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int],
                dilation: Sequence[int], ceil_mode: bool) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Output sizes and the ``(before, after)`` padding that makes every window fit (PyTorch's
    ``pooling_output_shape``: with ceil_mode the last window may hang over, but must start inside
    the input or its left padding)."""
    out, pads = [], []
    for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        if o < 1:
            raise RuntimeError(f"{op}: given input of spatial size {tuple(sizes)}, kernel_size {tuple(kernel)}, "
                               f"padding {tuple(padding)} and dilation {tuple(dilation)}, the output would be empty "
                               f"(size {o}); the (dilated) kernel must fit into the padded input")
        out.append(o)
        pads.append((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p)))
    return tuple(out), tuple(pads)


def _pool_args(op: str, input: Any, nd: int, kernel_size: IntOrTuple, stride: IntOrTuple | None,
               padding: IntOrTuple, dilation: IntOrTuple) -> tuple[np.ndarray, bool, tuple[int, ...], ...]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, but got input of "
                           f"shape {input.shape}")
    k = _ntuple(kernel_size, nd, op, "kernel_size", 1)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _ntuple(stride, nd, op, "stride", 1)
    p = _ntuple(padding, nd, op, "padding", 0)
    d = _ntuple(dilation, nd, op, "dilation", 1)
    effective = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    if any(pp > e // 2 for pp, e in zip(p, effective)):
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got padding={p}, "
                           f"kernel_size={k} and dilation={d}")
    batched = input.ndim == nd + 2
    return (input.data if batched else input.data[None]), batched, k, s, p, d


def _max_pool(input: Tensor, nd: int, kernel_size: IntOrTuple, stride: IntOrTuple | None, padding: IntOrTuple,
              dilation: IntOrTuple, ceil_mode: bool, return_indices: bool) -> Tensor | tuple[Tensor, Tensor]:
    op = f"max_pool{nd}d"
    x, batched, k, s, p, d = _pool_args(op, input, nd, kernel_size, stride, padding, dilation)
    sizes = x.shape[2:]
    out, pads = _pool_sizes(op, sizes, k, s, p, d, ceil_mode)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _zero_pad(x, pads, fill)
    head = (slice(None),) * 2
    offsets = list(np.ndindex(*k))
    # One strided view (N, C, *out) per kernel offset: the values that offset sees in every window.
    # Scanning them in row-major order and keeping a value only when it is strictly larger (or a
    # NaN) is PyTorch's CPU kernel's rule, so ties and NaNs pick the same element as PyTorch.
    # K passes over the output, no copy of the windows and no loop over pixels.
    regions = [head + _region(offset, d, s, out) for offset in offsets]
    values = xp[regions[0]].copy()
    arg = np.zeros(values.shape, dtype=np.intp)  # which offset holds each window's maximum
    for j, region in enumerate(regions[1:], 1):
        candidate = xp[region]
        better = (candidate > values) | np.isnan(candidate) if x.dtype.kind == "f" else candidate > values
        np.copyto(values, candidate, where=better)
        arg[better] = j

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # Each output's gradient goes to its maximum. Per kernel offset, the windows whose maximum
        # sits there add their gradient into one strided slice; overlapping windows that share a
        # maximum add up across offsets.
        g = g if batched else g[None]
        grad = np.zeros(xp.shape, dtype=g.dtype)
        for j, region in enumerate(regions):
            grad[region] += np.where(arg == j, g, 0)
        grad = _crop(grad, pads, sizes)
        return (grad if batched else grad[0],)

    result = Tensor._from_op(values if batched else values[0], (input,), f"{op}(kernel_size={k})", backward)
    if not return_indices:
        return result
    # Where in the input each maximum sits, as a flat index into one channel's plane (PyTorch's indices).
    # A window of nothing but -inf keeps its first element; clipping moves it off the padding onto the
    # first real element, which is what PyTorch's kernel (that never looks at the padding) reports.
    which = np.unravel_index(arg, k)
    index = np.zeros(arg.shape, dtype=np.int64)
    for axis in range(nd):
        grid = np.arange(out[axis]).reshape((-1,) + (1,) * (nd - 1 - axis)) * s[axis] - p[axis]
        index = index * sizes[axis] + np.clip(grid + which[axis] * d[axis], 0, sizes[axis] - 1)
    return result, Tensor._constant(index if batched else index[0])


def max_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """1-D max-pooling of ``(N, C, L)`` or ``(C, L)``, as ``torch.nn.functional.max_pool1d``.

    ``stride`` defaults to ``kernel_size``; ``padding`` (implicit -inf, at most half the dilated
    kernel) on both ends. Returns ``(N, C, L_out)``, and with ``return_indices`` also the int64
    position of each maximum in ``L``. Raises RuntimeError for a wrong number of dimensions, too
    much padding, or an empty output. Backward: each output's gradient to its maximum.
    """
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max-pooling of ``(N, C, H, W)`` or ``(C, H, W)``, as ``torch.nn.functional.max_pool2d``.

    As ``max_pool1d`` per dimension; the indices are flat positions ``h·W + w`` in each channel.
    """
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(input: Tensor, nd: int, kernel_size: IntOrTuple, stride: IntOrTuple | None, padding: IntOrTuple,
              ceil_mode: bool, count_include_pad: bool, divisor_override: int | None) -> Tensor:
    op = f"avg_pool{nd}d"
    x, batched, k, s, p, _ = _pool_args(op, input, nd, kernel_size, stride, padding, 1)
    if divisor_override is not None and (isinstance(divisor_override, bool) or int(divisor_override) != divisor_override
                                         or divisor_override <= 0):
        raise RuntimeError(f"{op}: divisor must be a positive int, got {divisor_override!r}")
    ones = (1,) * nd
    sizes = x.shape[2:]
    out, pads = _pool_sizes(op, sizes, k, s, p, ones, ceil_mode)
    xp = _zero_pad(x, pads)
    total = _windows(xp, k, s, ones, out).sum(axis=tuple(range(-nd, 0)))
    if divisor_override is not None:
        divisor = np.asarray(divisor_override, dtype=x.dtype)
    else:
        # PyTorch's rule, separable per dimension: a window is clipped to the padded input
        # (count_include_pad) or to the input itself.
        divisor = np.ones((), dtype=x.dtype)
        for axis in range(nd):
            start = np.arange(out[axis]) * s[axis] - p[axis]
            end = np.minimum(start + k[axis], sizes[axis] + p[axis])
            count = end - start if count_include_pad else np.minimum(end, sizes[axis]) - np.maximum(start, 0)
            divisor = np.multiply.outer(divisor, count.astype(x.dtype))
    y = total / divisor

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        share = (g if batched else g[None]) / divisor  # every element of a window gets the same share
        spread = np.broadcast_to(share.reshape(share.shape + ones), share.shape + k)
        grad = _crop(_col2im(spread, xp.shape[2:], s, ones), pads, sizes)
        return (grad if batched else grad[0],)

    return Tensor._from_op(y.astype(x.dtype, copy=False) if batched else y[0].astype(x.dtype, copy=False),
                           (input,), f"{op}(kernel_size={k})", backward)


def avg_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling of ``(N, C, L)`` or ``(C, L)``, as ``torch.nn.functional.avg_pool1d``.

    ``stride`` defaults to ``kernel_size``; zero ``padding`` (at most half the kernel), counted in
    the divisor when ``count_include_pad``. Raises RuntimeError as ``max_pool1d``.
    """
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling of ``(N, C, H, W)`` or ``(C, H, W)``, as ``torch.nn.functional.avg_pool2d``;
    ``divisor_override`` replaces every window's divisor."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _averaging_matrix(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """``(out, size)``: row ``i`` averages input ``floor(i·size/out)`` .. ``ceil((i+1)·size/out) - 1``."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    j = np.arange(size)
    member = (j >= start[:, None]) & (j < end[:, None])
    return (member / (end - start)[:, None]).astype(dtype)


def _adaptive_avg_pool(input: Tensor, nd: int, output_size: Any) -> Tensor:
    op = f"adaptive_avg_pool{nd}d"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2) or any(n == 0 for n in input.shape[-nd:]):
        raise RuntimeError(f"{op}: expected {nd + 1}D or {nd + 2}D input with non-zero spatial sizes, but got input of "
                           f"shape {input.shape}")
    sizes = input.shape[-nd:]
    wanted = [output_size] * nd if isinstance(output_size, (int, np.integer)) or output_size is None else list(output_size)
    if len(wanted) != nd:
        raise TypeError(f"{op}: output_size must be an int or a tuple of {nd}, got {output_size!r}")
    out = tuple(n if o is None else int(o) for n, o in zip(sizes, wanted))
    if any(o < 1 for o in out):
        raise RuntimeError(f"{op}: output_size must be positive, got {output_size!r}")
    dtype = input.dtype if input.dtype.kind == "f" else np.dtype(np.float32)
    result = input
    # Pool the last dimension, then the one before: x @ A_wᵀ, then A_h @ (that). Plain matmuls, so
    # the backward pass comes from autograd.
    for axis in range(nd):
        matrix = Tensor._constant(_averaging_matrix(sizes[-1 - axis], out[-1 - axis], dtype))
        if axis == 0:
            result = result @ matrix.T
        else:
            result = matrix @ result
    return result


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to length ``output_size``, as
    ``torch.nn.functional.adaptive_avg_pool1d`` (output ``i`` averages input
    ``floor(i·L/out)`` .. ``ceil((i+1)·L/out) - 1``). Raises RuntimeError for a wrong shape."""
    return _adaptive_avg_pool(input, 1, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: IntOrTuple) -> Tensor:
    """Average pooling of ``(N, C, H, W)`` or ``(C, H, W)`` to ``output_size`` (an int, or ``(h, w)``
    with None meaning "keep that size"), as ``torch.nn.functional.adaptive_avg_pool2d``."""
    return _adaptive_avg_pool(input, 2, output_size)


class _MaxPoolNd(Module):
    _nd = 0

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
                 dilation: IntOrTuple = 1, return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return _max_pool(input, self._nd, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                         self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max-pooling over ``(N, C, L)``, as ``torch.nn.MaxPool1d``; see ``max_pool1d``."""

    _nd = 1


class MaxPool2d(_MaxPoolNd):
    """Max-pooling over ``(N, C, H, W)``, as ``torch.nn.MaxPool2d``; see ``max_pool2d``."""

    _nd = 2


class AvgPool1d(Module):
    """Average pooling over ``(N, C, L)``, as ``torch.nn.AvgPool1d``; see ``avg_pool1d``."""

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1, "AvgPool1d", "kernel_size", 1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1, "AvgPool1d", "stride", 1)
        self.padding = _ntuple(padding, 1, "AvgPool1d", "padding", 0)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return _avg_pool(input, 1, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                         None)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Average pooling over ``(N, C, H, W)``, as ``torch.nn.AvgPool2d``; see ``avg_pool2d``."""

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return _avg_pool(input, 2, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                         self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average pooling to a fixed length, as ``torch.nn.AdaptiveAvgPool1d``; see ``adaptive_avg_pool1d``."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return _adaptive_avg_pool(input, 1, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed size, as ``torch.nn.AdaptiveAvgPool2d``; see ``adaptive_avg_pool2d``."""

    def __init__(self, output_size: IntOrTuple) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return _adaptive_avg_pool(input, 2, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
