"""``Conv1d`` and ``Conv2d``: convolution layers (cross-correlation, as in every deep-learning library).

For input channels ``c``, output channel ``o`` and kernel offsets ``k`` (PyTorch's ``Conv2d`` docs):

    out[n, o, y] = bias[o] + Σ_c Σ_k weight[o, c, k] · x_padded[n, g·C/G + c, y·stride + k·dilation]

where the sum over ``c`` runs over the ``C/G`` input channels of output channel ``o``'s group ``g``
(``groups=G`` splits the channels into ``G`` independent convolutions; ``G = C`` is a *depthwise*
convolution). Sizes per spatial dimension: ``out = floor((in + 2·padding - dilation·(k-1) - 1) / stride) + 1``.

**How it is computed: im2col + one matrix product.** Every window of the padded input is copied
into one column of a matrix ``cols`` of shape ``(C·k, N·L)`` (``L`` output positions per sample;
the windows are a strided numpy view, the copy is one reshape). The layer is then one matmul,
``W (O, C·k) @ cols`` -> ``(O, N·L)`` -- with groups, one batched matmul of ``G`` blocks
``(O/G, C/G·k) @ (C/G·k, N·L)`` -- a permute to ``(N, O, *out)`` and a bias. Each window's output
is a ``Linear`` layer applied to that window: a convolution is a linear layer scanned over the input.

Only the im2col step has a backward of its own (col2im: a scatter-add per kernel offset); the
matmul, reshapes and bias are ordinary tensor ops, so autograd supplies

    dL/dW = G @ colsᵀ,   dL/dcols = Wᵀ @ G  (then col2im),   dL/db = Σ G      (G = dL/dout as (O, N·L))

-- each one BLAS call for the whole batch. A fused op with this whole backward written by hand
measured no faster (``benchmarks/bench_conv.py``), so composition wins. The columns live in the
graph only until ``backward()`` frees it.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.tensor import Tensor
from . import init
from .fold import IntOrTuple, _check_blocks, _im2col, _ntuple
from .module import Module
from .padding import pad as _pad
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "conv1d", "conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _padding_pairs(padding: Any, kernel: Sequence[int], dilation: Sequence[int], stride: Sequence[int],
                   op: str, error: type[Exception] = RuntimeError) -> tuple[tuple[int, int], ...]:
    """``(before, after)`` per spatial dimension for an int/tuple padding or ``'same'``/``'valid'``.

    ``'same'`` pads ``dilation·(k-1)`` in total, the odd one out after (PyTorch's choice), so the
    output has the input's size; it needs stride 1. A bad string raises ``error``: PyTorch's
    functions raise RuntimeError, its modules ValueError.
    """
    nd = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding != "same":
            raise error(f"{op}: invalid padding string {padding!r}, should be one of ('valid', 'same')")
        if any(s != 1 for s in stride):
            raise error(f"{op}: padding='same' is not supported for strided convolutions (stride={tuple(stride)})")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in _ntuple(padding, nd, op, "padding", 0))


def _conv(input: Tensor, weight: Tensor, bias: Tensor | None, stride: IntOrTuple, padding: Any,
          dilation: IntOrTuple, groups: int, nd: int) -> Tensor:
    """The N-d convolution behind ``conv1d`` / ``conv2d`` (see the module docstring)."""
    op = f"conv{nd}d"
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}: bias must be a Tensor or None, got {type(bias).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, but got input of "
                           f"shape {input.shape}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 2}D weight (out_channels, in_channels/groups, *kernel), got "
                           f"weight of shape {weight.shape}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{op}: groups must be a positive int, got {groups!r}")
    x = input.data if input.ndim == nd + 2 else input.data[None]
    w = weight.data
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    kernel = w.shape[2:]
    if cg * groups != c:
        raise RuntimeError(f"{op}: given groups={groups}, weight of size {list(w.shape)}, expected input{list(x.shape)} "
                           f"to have {cg * groups} channels, but got {c} channels instead")
    if o % groups:
        raise RuntimeError(f"{op}: given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(w.shape)} instead")
    if bias is not None and bias.shape != (o,):
        raise RuntimeError(f"{op}: given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                           f"{o} elements, but got bias of shape {bias.shape} instead")
    s = _ntuple(stride, nd, op, "stride", 1)
    d = _ntuple(dilation, nd, op, "dilation", 1)
    pads = _padding_pairs(padding, kernel, d, s, op)
    out = _check_blocks(op, x.shape[2:], pads, kernel, s, d)
    batch = input if input.ndim == nd + 2 else input.unsqueeze(0)
    cols = _im2col(batch, kernel, d, pads, s, op)                        # (C·k, N·L): one column per window
    y = weight.reshape(groups, o // groups, -1) @ cols.reshape(groups, cg * int(np.prod(kernel)), -1)
    y = y.reshape((o, n) + out).permute((1, 0) + tuple(range(2, 2 + nd)))  # (G, O/G, N·L) -> (N, O, *out)
    if bias is not None:
        y = y + bias.reshape((o,) + (1,) * nd)
    return y if input.ndim == nd + 2 else y.squeeze(0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """1-D convolution, as ``torch.nn.functional.conv1d``.

    Args:
        input: ``(N, C_in, L)`` or unbatched ``(C_in, L)``.
        weight: ``(C_out, C_in / groups, k)``.
        bias: ``(C_out,)`` or None.
        stride, dilation: an int (or 1-tuple), at least 1.
        padding: an int (zeros on both ends), or ``'valid'`` (none) or ``'same'`` (output length =
            input length; stride must be 1).
        groups: split the channels into this many independent convolutions.

    Returns:
        ``(N, C_out, L_out)``, ``L_out = floor((L + 2·padding - dilation·(k-1) - 1) / stride) + 1``.

    Raises:
        RuntimeError: wrong number of dimensions; channels that do not match the weight (the
            message names both shapes); a kernel larger than the padded input.
            An unknown padding string, or ``'same'`` with a stride (the modules raise ValueError).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """2-D convolution, as ``torch.nn.functional.conv2d``.

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kh, kw)``.
        bias: ``(C_out,)`` or None.
        stride, padding, dilation: an int or a pair ``(h, w)``; padding may also be ``'valid'`` or
            ``'same'`` (stride 1 only).
        groups: split the channels into this many independent convolutions.

    Returns:
        ``(N, C_out, H_out, W_out)``, each size as in ``conv1d``.

    Raises:
        RuntimeError: as ``conv1d``.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


class _ConvNd(Module):
    """What ``Conv1d`` and ``Conv2d`` share: arguments, parameters, initialisation, repr."""

    _nd = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrTuple, stride: IntOrTuple = 1,
                 padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", dtype: Any = None) -> None:
        super().__init__()
        name, nd = type(self).__name__, self._nd
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive int, got {value!r}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels must be divisible by groups (in_channels={in_channels}, "
                             f"groups={groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels must be divisible by groups (out_channels={out_channels}, "
                             f"groups={groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = _ntuple(kernel_size, nd, name, "kernel_size", 1)
        self.stride = _ntuple(stride, nd, name, "stride", 1)
        self.dilation = _ntuple(dilation, nd, name, "dilation", 1)
        self.padding: tuple[int, ...] | str
        if isinstance(padding, str):
            self._pairs = _padding_pairs(padding, self.kernel_size, self.dilation, self.stride, name, ValueError)
            self.padding = padding
        else:
            self.padding = _ntuple(padding, nd, name, "padding", 0)
            self._pairs = tuple((p, p) for p in self.padding)
        self.padding_mode = padding_mode
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: ``kaiming_uniform_(a=sqrt(5))`` for the weight, which is
        ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with ``fan_in = in_channels/groups · prod(kernel)``,
        and the bias from the same range."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * int(np.prod(self.kernel_size))
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return _conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                         self._nd)
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got {type(input).__name__}")
        amounts = [a for pair in self._pairs[::-1] for a in pair]  # F.pad lists the last dimension first
        padded = _pad(input, amounts, mode=self.padding_mode)
        return _conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups, self._nd)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) -> ``(N, C_out, L_out)``, as
    ``torch.nn.Conv1d``: see ``conv1d`` for the arguments and sizes, and ``_ConvNd.reset_parameters``
    for the initialisation.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kernel_size)``, PyTorch's layout.
        bias: ``(out_channels,)`` or None.
    """

    _nd = 1


class Conv2d(_ConvNd):
    """2-D convolution over ``(N, C_in, H, W)`` (or ``(C_in, H, W)``) -> ``(N, C_out, H_out, W_out)``,
    as ``torch.nn.Conv2d``: see ``conv2d`` for the arguments and sizes.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kh, kw)``, PyTorch's layout.
        bias: ``(out_channels,)`` or None.
    """

    _nd = 2
