"""im2col and col2im: ``unfold`` cuts an image into its sliding blocks, ``fold`` adds them back.

A convolution (and a pooling layer) looks at one small window of the input at a time. ``unfold``
copies every window into a column, so that the whole layer becomes one matrix product:

    input (N, C, H, W)  --unfold-->  columns (N, C·kh·kw, L),   L = H_out · W_out

Row ``c·kh·kw + i·kw + j`` of the columns holds the pixel at offset ``(i, j)`` of channel ``c`` of
each window, in PyTorch's order (``torch.nn.functional.unfold``). ``fold`` is its adjoint: it puts
every column entry back at the pixel it came from and **adds** the entries that land on the same
pixel (windows overlap when the stride is smaller than the kernel). So the backward pass of
``unfold`` is ``fold``, and the backward of ``fold`` is ``unfold``.

Sizes (PyTorch's ``Unfold`` documentation), per spatial dimension with padding ``p``, dilation
``d``, kernel ``k`` and stride ``s``:

    out = floor((size + 2p - d·(k - 1) - 1) / s) + 1

The helpers below work for any number of spatial dimensions; ``conv.py`` and ``pooling.py`` use
them too. Windows are numpy *views* (``as_strided``: no copy) until a reshape needs a contiguous
array; the scatter-add back loops over the ``kh·kw`` kernel offsets, adding one strided slice each
time -- never over pixels or samples.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor.tensor import Tensor
from .module import Module

__all__ = ["unfold", "fold", "Unfold", "Fold"]

IntOrTuple = int | Sequence[int]


def _ntuple(value: Any, n: int, op: str, name: str, minimum: int = 0) -> tuple[int, ...]:
    """``3`` -> ``(3, 3)``; a sequence must have ``n`` ints. Each must be ``>= minimum``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: tuple[Any, ...] = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}") from None
        if len(values) == 1 and n > 1:
            values = values * n
        if len(values) != n or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values):
            raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise RuntimeError(f"{op}: {name} must be >= {minimum} in every dimension, got {tuple(values)}")
    return tuple(int(v) for v in values)


def _out_size(size: int, lo: int, hi: int, k: int, s: int, d: int) -> int:
    """Number of window positions along one dimension (padding lo + hi in total)."""
    return (size + lo + hi - d * (k - 1) - 1) // s + 1


def _zero_pad(x: np.ndarray, pads: Sequence[tuple[int, int]], value: float = 0.0) -> np.ndarray:
    """Pad the trailing ``len(pads)`` dimensions of ``x`` by ``(before, after)`` each with ``value``
    (no copy when there is nothing to pad). Faster than ``np.pad`` for this one job."""
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return x
    lead = x.ndim - len(pads)
    shape = x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[lead:], pads))
    out = np.full(shape, value, dtype=x.dtype)
    out[(slice(None),) * lead + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[lead:], pads))] = x
    return out


def _crop(x: np.ndarray, pads: Sequence[tuple[int, int]], sizes: Sequence[int]) -> np.ndarray:
    """The inverse of ``_zero_pad``'s placement: the unpadded region of the trailing dimensions."""
    lead = x.ndim - len(pads)
    return x[(slice(None),) * lead + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, sizes))]


def _windows(xp: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
             out: Sequence[int]) -> np.ndarray:
    """A read-only view ``(N, C, *out, *kernel)`` of every window of ``xp`` ``(N, C, *spatial)``
    (already padded): ``view[n, c, o..., k...] = xp[n, c, o·s + k·d ...]``. No copy is made."""
    lead = xp.ndim - len(kernel)
    step = xp.strides[lead:]
    shape = xp.shape[:lead] + tuple(out) + tuple(kernel)
    strides = xp.strides[:lead] + tuple(t * s for t, s in zip(step, stride)) + tuple(t * d for t, d in zip(step, dilation))
    return np.lib.stride_tricks.as_strided(xp, shape, strides, writeable=False)


def _region(offset: Sequence[int], dilation: Sequence[int], stride: Sequence[int], out: Sequence[int]) -> tuple[slice, ...]:
    """The slices of a padded input that kernel offset ``offset`` reads, one per window: the pixels
    ``o·stride + offset·dilation`` for ``o = 0 .. out-1`` in each spatial dimension."""
    return tuple(slice(k * d, k * d + s * (o - 1) + 1, s) for k, d, s, o in zip(offset, dilation, stride, out))


def _col2im(windows: np.ndarray, padded: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> np.ndarray:
    """Adjoint of ``_windows``: ``windows`` ``(N, C, *out, *kernel)`` (any memory layout) is added
    back into a zero array ``(N, C, *padded)``, each window entry onto the pixel it was read from.

    One strided slice-add per kernel offset (``kh·kw`` iterations): within one offset the windows
    hit distinct pixels, so a plain ``+=`` is exact; overlaps between offsets add up across the
    iterations. (``np.add.at`` over every pixel would do the same, many times slower.)
    """
    nd = len(stride)
    lead = windows.ndim - 2 * nd
    out, kernel = windows.shape[lead:lead + nd], windows.shape[lead + nd:]
    result = np.zeros(windows.shape[:lead] + tuple(padded), dtype=windows.dtype)
    head = (slice(None),) * lead
    for offset in np.ndindex(*kernel):
        result[head + _region(offset, dilation, stride, out)] += windows[head + (slice(None),) * nd + offset]
    return result


def _check_blocks(op: str, sizes: Sequence[int], pads: Sequence[tuple[int, int]], kernel: Sequence[int],
                  stride: Sequence[int], dilation: Sequence[int]) -> tuple[int, ...]:
    """Output positions per dimension; a RuntimeError (as PyTorch's) when the kernel does not fit."""
    out = tuple(_out_size(n, lo, hi, k, s, d) for n, (lo, hi), k, s, d in zip(sizes, pads, kernel, stride, dilation))
    if any(o < 1 for o in out):
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))
        effective = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise RuntimeError(f"{op}: calculated padded input size per channel {padded} is smaller than the "
                           f"(dilated) kernel size {effective}; the kernel can't be greater than the padded input")
    return out


def _im2col(input: Tensor, kernel: Sequence[int], dilation: Sequence[int], pads: Sequence[tuple[int, int]],
            stride: Sequence[int], op: str) -> Tensor:
    """im2col for any number of spatial dimensions, one **column** per window: ``(N, C, *size)`` ->
    ``(C·prod(kernel), N·L)``, rows in PyTorch's order (channel, kernel offset), columns in the order
    (sample, output position). Zero padding ``(before, after)`` per dimension (so ``'same'`` padding
    may be lopsided). One graph node; its backward is col2im.

    This layout keeps the whole batch in one matrix, so a convolution is one BLAS matmul
    ``W (O, C·k) @ cols`` and so are both matmuls of its backward; and the copy reads the input
    along its rows (the last axis varies fastest on both sides). ``unfold`` is a per-sample view of it.
    """
    nd = len(kernel)
    x = input.data
    out = _check_blocks(op, x.shape[2:], pads, kernel, stride, dilation)
    xp = _zero_pad(x, pads)
    n, c = x.shape[:2]
    # (N, C, *out, *k) -> (C, *k, N, *out): the reshape makes the one copy.
    perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    cols = _windows(xp, kernel, stride, dilation, out).transpose(perm).reshape(-1, n * int(np.prod(out)))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        windows = g.reshape((c,) + tuple(kernel) + (n,) + out).transpose(np.argsort(perm))
        return (_crop(_col2im(windows, xp.shape[2:], stride, dilation), pads, x.shape[2:]),)

    return Tensor._from_op(cols, (input,), f"im2col(kernel_size={tuple(kernel)})", backward)


def unfold(input: Tensor, kernel_size: IntOrTuple, dilation: IntOrTuple = 1, padding: IntOrTuple = 0,
           stride: IntOrTuple = 1) -> Tensor:
    """Extract sliding blocks (im2col), as ``torch.nn.functional.unfold``.

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``, floating point.
        kernel_size, dilation, padding, stride: an int or a pair ``(h, w)``; zero padding.

    Returns:
        ``(N, C·kh·kw, L)`` (or ``(C·kh·kw, L)``), ``L = H_out·W_out``; row ``c·kh·kw + i·kw + j`` holds
        pixel ``(i, j)`` of channel ``c`` of every block, blocks in row-major order.

    Raises:
        RuntimeError: input not 3-D/4-D, or the kernel does not fit into the padded input.

    Backward: ``fold`` of the output gradient (every pixel collects the gradients of all the
    blocks that contain it).
    """
    _check_tensor(input, "unfold")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"unfold: expected a 3D (unbatched) or 4D (batched) input (N, C, H, W), got shape "
                           f"{input.shape}")
    k, d, p, s = (_ntuple(v, 2, "unfold", name, lo) for v, name, lo in
                  ((kernel_size, "kernel_size", 1), (dilation, "dilation", 1), (padding, "padding", 0),
                   (stride, "stride", 1)))
    batched = input if input.ndim == 4 else input.unsqueeze(0)
    cols = _im2col(batched, k, d, tuple((q, q) for q in p), s, "unfold")   # (C·kh·kw, N·L)
    cols = cols.reshape(cols.shape[0], batched.shape[0], -1).permute(1, 0, 2)
    return cols if input.ndim == 4 else cols.squeeze(0)


def fold(input: Tensor, output_size: IntOrTuple, kernel_size: IntOrTuple, dilation: IntOrTuple = 1,
         padding: IntOrTuple = 0, stride: IntOrTuple = 1) -> Tensor:
    """Combine sliding blocks into an image, **summing** overlaps (col2im), as ``torch.nn.functional.fold``.

    Args:
        input: ``(N, C·kh·kw, L)`` or unbatched ``(C·kh·kw, L)``, laid out as ``unfold`` returns it.
        output_size: ``(H, W)`` of the image to build (before padding is cut off).
        kernel_size, dilation, padding, stride: as for ``unfold``.

    Returns:
        ``(N, C, H, W)`` (or ``(C, H, W)``). ``fold(unfold(x))`` is ``x`` times the number of blocks
        covering each pixel, not ``x``.

    Raises:
        RuntimeError: input not 2-D/3-D, dim 1 not divisible by ``kh·kw``, or ``L`` not the number
        of blocks that fit into ``output_size``.

    Backward: ``unfold`` of the output gradient.
    """
    _check_tensor(input, "fold")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"fold: expected a 2D (unbatched) or 3D (batched) input (N, C*kh*kw, L), got shape "
                           f"{input.shape}")
    size = _ntuple(output_size, 2, "fold", "output_size", 1)
    k, d, p, s = (_ntuple(v, 2, "fold", name, lo) for v, name, lo in
                  ((kernel_size, "kernel_size", 1), (dilation, "dilation", 1), (padding, "padding", 0),
                   (stride, "stride", 1)))
    cols = input.data if input.ndim == 3 else input.data[None]
    n, ck, length = cols.shape
    block = k[0] * k[1]
    if ck % block:
        raise RuntimeError(f"fold: expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size {k}, i.e. by {block}, but got input of shape {input.shape}")
    pads = tuple((q, q) for q in p)
    out = _check_blocks("fold", size, pads, k, s, d)
    if length != out[0] * out[1]:
        raise RuntimeError(f"fold: given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, "
                           f"stride={s}, expected size of input's last dimension to be {out[0] * out[1]} "
                           f"({out[0]} x {out[1]} blocks), but got input of shape {input.shape}")
    c = ck // block
    padded = tuple(m + 2 * q for m, q in zip(size, p))
    windows = cols.reshape(n, c, k[0], k[1], out[0], out[1]).transpose(0, 1, 4, 5, 2, 3)
    image = np.ascontiguousarray(_crop(_col2im(windows, padded, s, d), pads, size))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        gp = _zero_pad(g if input.ndim == 3 else g[None], pads)
        gcols = _windows(gp, k, s, d, out).transpose(0, 1, 4, 5, 2, 3).reshape(n, ck, length)
        return (gcols if input.ndim == 3 else gcols[0],)

    return Tensor._from_op(image if input.ndim == 3 else image[0], (input,), f"fold(output_size={size})", backward)


def _check_tensor(input: Any, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")


class Unfold(Module):
    """``unfold`` as a module (``torch.nn.Unfold``): ``(N, C, H, W)`` -> ``(N, C·kh·kw, L)``."""

    def __init__(self, kernel_size: IntOrTuple, dilation: IntOrTuple = 1, padding: IntOrTuple = 0,
                 stride: IntOrTuple = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """``fold`` as a module (``torch.nn.Fold``): ``(N, C·kh·kw, L)`` -> ``(N, C, *output_size)``."""

    def __init__(self, output_size: IntOrTuple, kernel_size: IntOrTuple, dilation: IntOrTuple = 1,
                 padding: IntOrTuple = 0, stride: IntOrTuple = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
