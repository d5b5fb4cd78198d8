"""``BatchNorm1d``, ``BatchNorm2d``: normalise each feature (channel) over the batch, then scale and shift it (Ioffe & Szegedy, 2015).

For a batch of ``m`` values of one feature (channel) ``c``, training mode computes

    μ = mean(x),   σ² = mean((x - μ)²)                     (batch statistics, biased variance)
    x̂ = (x - μ) / sqrt(σ² + ε)                             (mean 0, variance ~1)
    y = γ x̂ + β                                            (γ = weight, β = bias: learnt)

and keeps exponential moving averages of the statistics for evaluation, where the batch may be a
single sample:

    running_mean ← (1 - momentum) · running_mean + momentum · μ
    running_var  ← (1 - momentum) · running_var  + momentum · σ² · m / (m - 1)   (unbiased)

In evaluation mode ``x̂ = (x - running_mean) / sqrt(running_var + ε)``: each sample's output no
longer depends on the rest of the batch. ``momentum=None`` averages all batches seen so far equally
(the factor is ``1 / num_batches_tracked``). All of this is PyTorch's ``BatchNorm1d``, with its
parameter and buffer names, so a ``state_dict`` moves between the two libraries.

``BatchNorm2d`` is the same layer for images ``(N, C, H, W)``: one mean and variance per channel,
over the batch *and* every pixel, so ``m = N·H·W`` (a convolution shares its weights across
positions, and the normalisation follows suit). The two classes differ only in the input shapes
they accept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "batch_norm"]


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation of ``input`` ``(N, C, *)`` (e.g. ``(N, C)``, ``(N, C, L)``, ``(N, C, H, W)``)
    over every dimension but ``C``.

    With ``training=True`` the batch statistics normalise the input and, when running buffers are
    given, are blended into them in place with factor ``momentum``. With ``training=False`` the
    running statistics normalise it. ``weight``/``bias`` (shape ``(C,)``) scale and shift.

    One graph node with its own backward. With ``g = dL/dy``, ``ĝ = g γ`` and means over the ``m``
    values of each channel, differentiating through μ and σ² as well as x gives

        dL/dx = (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)) / sqrt(σ² + ε),   dL/dγ = Σ g x̂,   dL/dβ = Σ g

    (in evaluation mode the statistics are constants and ``dL/dx = ĝ / sqrt(running_var + ε)``).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm: expected a Tensor input, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dimensions (N, C, *), got {input.ndim}D "
                         f"input of shape {input.shape}")
    channels = input.shape[1]
    axes = (0,) + tuple(range(2, input.ndim))
    per_channel = input.data.size // max(channels, 1)
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.shape != (channels,):
            raise RuntimeError(f"batch_norm: {name} has shape {t.shape}, expected ({channels},) for input of shape "
                             f"{input.shape} (one value per channel C = {channels})")
    use_batch_stats = training or running_mean is None or running_var is None
    if use_batch_stats and per_channel <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of shape "
                         f"{input.shape}; use a batch of at least 2 samples (or eval mode)")

    x = input.data
    shape = (1, channels) + (1,) * (input.ndim - 2)  # broadcasts a (C,) vector over the batch
    if use_batch_stats:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)  # biased (divide by m): this normalises the batch
        if training and running_mean is not None and running_var is not None:
            unbiased = var * (per_channel / (per_channel - 1))
            # In place, so that state_dict() tensors and an optimizer's references stay valid.
            running_mean.data *= 1 - momentum
            running_mean.data += momentum * mean.astype(running_mean.dtype)
            running_var.data *= 1 - momentum
            running_var.data += momentum * unbiased.astype(running_var.dtype)
    else:
        mean, var = running_mean.data, running_var.data
    inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype).reshape(shape)
    x_hat = (x - mean.astype(x.dtype).reshape(shape)) * inv_std
    out = x_hat * weight.data.reshape(shape) if weight is not None else x_hat
    if bias is not None:
        out = out + bias.data.reshape(shape)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_hat = g * weight.data.reshape(shape) if weight is not None else g
        if input._requires_grad:
            if use_batch_stats:
                gx = inv_std * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                                - x_hat * (g_hat * x_hat).mean(axis=axes, keepdims=True))
            else:
                gx = g_hat * inv_std
        else:
            gx = None
        grads: list[np.ndarray | None] = [gx]
        if weight is not None:
            grads.append((g * x_hat).sum(axis=axes) if weight._requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=axes) if bias._requires_grad else None)
        return tuple(grads)

    parents = (input,) + tuple(t for t in (weight, bias) if t is not None)
    return Tensor._from_op(out, parents, "batch_norm", backward)


class _BatchNorm(Module):
    """What ``BatchNorm1d`` and ``BatchNorm2d`` share (all but the input shapes they accept).

    Args:
        num_features: ``C``, the number of features (channels).
        eps: added to the variance before the square root, so a constant feature does not divide by 0.
        momentum: weight of the newest batch in the running statistics; None for a plain average
            of all batches seen.
        affine: learn a per-feature scale ``weight`` (initially 1) and shift ``bias`` (initially 0).
        bias: with ``affine``, whether to learn the shift too (PyTorch 2.13's keyword); without it
            only the scale is learnt.
        track_running_stats: keep ``running_mean``, ``running_var`` and ``num_batches_tracked``
            (buffers, saved in ``state_dict``); without them the batch statistics are used in
            evaluation mode too.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        if not eps > 0:
            raise ValueError(f"{type(self).__name__}: eps must be positive, got {eps!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Forget the running statistics: mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def _absent_state(self) -> dict[str, Any]:
        """A state_dict saved without ``num_batches_tracked`` (older PyTorch) loads with 0, as in PyTorch."""
        return {"num_batches_tracked": np.array(0, dtype=np.int64)} if self.track_running_stats else {}

    def reset_parameters(self) -> None:
        """Running statistics and the affine scale and shift back to their initial values."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: expected a Tensor input, got {type(input).__name__}")
        self._check_input_dim(input)
        updating = self.training and self.track_running_stats
        factor = 0.0 if self.momentum is None else self.momentum
        if updating and self.momentum is None:  # a cumulative average: the k-th batch gets weight 1/k
            factor = 1.0 / (int(self.num_batches_tracked.data) + 1)
        out = batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                         training=self.training or not self.track_running_stats, momentum=factor, eps=self.eps)
        if updating:  # counted after batch_norm has accepted the input
            self.num_batches_tracked.data += 1
        return out

    def _check_input_dim(self, input: Tensor) -> None:
        raise TypeError(f"{type(self).__name__} is abstract: use BatchNorm1d or BatchNorm2d")

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation for ``(N, C)`` or ``(N, C, L)`` input, as ``torch.nn.BatchNorm1d``: see
    ``_BatchNorm`` for the arguments and the module docstring for the formulas."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (2, 3) or input.shape[1] != self.num_features:  # PyTorch: ValueError for the
            error = ValueError if input.ndim not in (2, 3) else RuntimeError  # rank, RuntimeError for C
            raise error(f"{self!r}: expected input of shape (N, {self.num_features}) or "
                        f"(N, {self.num_features}, L), got {input.shape}")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation for images ``(N, C, H, W)``, as ``torch.nn.BatchNorm2d``: statistics per
    channel over the batch and all pixels. Arguments, parameters and buffers as ``BatchNorm1d``."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 4 or input.shape[1] != self.num_features:  # as BatchNorm1d: rank, then channels
            error = ValueError if input.ndim != 4 else RuntimeError
            raise error(f"{self!r}: expected 4D input of shape (N, {self.num_features}, H, W), got {input.shape}")
