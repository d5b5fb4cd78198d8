"""``LayerNorm``: normalise each sample over its last dimensions, then scale and shift
(Ba, Kiros & Hinton, 2016, "Layer Normalization"; ``torch.nn.LayerNorm``).

For one sample's ``n`` features (the trailing ``normalized_shape`` dimensions):

    μ = mean(x),   σ² = mean((x - μ)²)        (biased variance, over the sample's own features)
    x̂ = (x - μ) / sqrt(σ² + ε)
    y = γ x̂ + β                               (γ = weight, β = bias, each of ``normalized_shape``)

Unlike BatchNorm nothing is averaged over the batch, so training and evaluation compute the same
thing, there are no running statistics, and a batch of one (or one token) is fine: this is why
transformers use it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["LayerNorm", "layer_norm"]


def _shape(normalized_shape: int | Sequence[int], op: str) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not shape or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise TypeError(f"{op}: normalized_shape must be an int or a non-empty sequence of non-negative ints, "
                        f"got {normalized_shape!r}")
    return tuple(int(n) for n in shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation of ``input`` ``(*, *normalized_shape)`` over its last
    ``len(normalized_shape)`` dimensions (see the module docstring); same shape and dtype out.

    ``weight`` and ``bias``, if given, have shape ``normalized_shape``.

    One graph node with its own backward rather than the ~9 ops it is made of: it is the hot spot
    of every transformer block (benchmarks/bench_attention.py), and the hand-written backward is
    about twice as fast as the composed one. With ``g = dL/dy``, ``ĝ = g γ`` and means over each
    sample's ``n`` features (the same derivation as BatchNorm's, along the other axis):

        dL/dx = (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)) / sqrt(σ² + ε),   dL/dγ = Σ_batch g x̂,   dL/dβ = Σ_batch g

    Raises:
        RuntimeError: the input's last dimensions are not ``normalized_shape``, or weight/bias
            have another shape (as PyTorch).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"layer_norm: expected a Tensor input, got {type(input).__name__}")
    shape = _shape(normalized_shape, "layer_norm")
    k = len(shape)
    if input.ndim < k or input.shape[input.ndim - k:] != shape:
        raise RuntimeError(f"layer_norm: given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise RuntimeError(f"layer_norm: expected {name} to be of shape {list(shape)} (normalized_shape), "
                               f"but got {name} of shape {list(t.shape)}")
    axes = tuple(range(input.ndim - k, input.ndim))
    x = input.data if input.dtype.kind == "f" else input.data.astype(DEFAULT_FLOAT)
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)  # biased: divide by n
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = centred * inv_std
    out = x_hat * weight.data if weight is not None else x_hat
    if bias is not None:
        out = out + bias.data
    batch_axes = tuple(range(input.ndim - k))

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_hat = g * weight.data if weight is not None else g
        grads: list[np.ndarray | None] = [
            inv_std * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                       - x_hat * (g_hat * x_hat).mean(axis=axes, keepdims=True))
            if input._requires_grad else None]
        if weight is not None:
            grads.append((g * x_hat).sum(axis=batch_axes) if weight._requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=batch_axes) if bias._requires_grad else None)
        return tuple(grads)

    parents = (input,) + tuple(t for t in (weight, bias) if t is not None)
    return Tensor._from_op(out, parents, "layer_norm", backward)


class LayerNorm(Module):
    """Layer normalisation over the last dimensions, as ``torch.nn.LayerNorm``.

    Args:
        normalized_shape: the trailing shape to normalise over, e.g. ``d_model`` for a
            ``(N, L, d_model)`` sequence of token vectors.
        eps: added to the variance before the square root.
        elementwise_affine: learn ``weight`` (initially 1) and ``bias`` (initially 0), each of
            ``normalized_shape``.
        bias: with ``elementwise_affine``, whether to learn the shift too.

    Shapes: input ``(*, *normalized_shape)``, output the same.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Scale back to 1 and shift to 0."""
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
