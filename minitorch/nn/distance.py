"""Distances and similarities between vectors, as ``torch.nn``: ``normalize``, ``cosine_similarity``
and ``pairwise_distance`` (``nn.CosineSimilarity``, ``nn.PairwiseDistance``), and ``one_hot``.

Each is composed from tensor ops (``norm``, ``clamp``, ``/``, ``sum``), so autograd gives the
gradients; the formulas are PyTorch's, eps included, so the values match torch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.tensor import Tensor
from .module import Module

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "one_hot", "CosineSimilarity", "PairwiseDistance"]


def _tensor(x: Any, op: str, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}")
    return x


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """Scale vectors along ``dim`` to unit ``p``-norm: ``v / max(||v||_p, eps)`` (any shape, same out).

    ``eps`` keeps a zero vector from dividing by zero (it stays zero). Source:
    ``torch.nn.functional.normalize``. ``out=`` is not supported (TypeError if given).
    """
    _tensor(input, "normalize", "input")
    if out is not None:
        raise TypeError("normalize: out= is not supported by minitorch; use the returned tensor")
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim``:

        ``sum(x1 * x2, dim) / (max(||x1||, eps) * max(||x2||, eps))``

    ``x1`` and ``x2`` broadcast to a common shape; the result has that shape without ``dim``.
    As in torch (>= 1.12) each vector is divided by its clamped norm before the dot product; the
    clamp is outside the graph, as torch's, so gradients match torch's even below ``eps``.
    Source: ``torch.nn.functional.cosine_similarity`` (PyTorch docs).

    Raises RuntimeError if the shapes do not broadcast, IndexError for a ``dim`` out of range.
    """
    _tensor(x1, "cosine_similarity", "x1")
    _tensor(x2, "cosine_similarity", "x2")
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """``||x||`` along ``dim`` (kept), its values clamped at ``eps`` outside the graph, as torch's
    kernel does (``clamp_min_`` under no_grad): below eps the gradient is still the norm's."""
    n = x.norm(2, dim, keepdim=True)
    return n + Tensor._constant(np.maximum(n.data, eps).astype(n.dtype) - n.data)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The ``p``-norm distance between rows: ``||x1 - x2 + eps||_p`` over the last dimension.

    Shapes: ``(N, D)`` and ``(N, D)`` (or broadcastable, e.g. ``(D,)``) -> ``(N,)`` (``(N, 1)`` with
    ``keepdim``). ``eps`` is added to the difference (PyTorch's choice: it keeps the norm's
    gradient finite when ``x1 == x2``). Source: ``torch.nn.functional.pairwise_distance``.
    """
    _tensor(x1, "pairwise_distance", "x1")
    _tensor(x2, "pairwise_distance", "x2")
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices ``(*)`` (int64) -> one-hot rows ``(*, num_classes)`` of int64 zeros and ones.

    ``num_classes=-1`` takes one more than the largest index. Source: ``torch.nn.functional.one_hot``.

    Raises RuntimeError (as torch) for a non-int64 input, a negative index, an index
    ``>= num_classes``, or ``num_classes=-1`` with an empty input.
    """
    _tensor(tensor, "one_hot", "tensor")
    idx = tensor.data
    if idx.dtype != np.int64:
        raise RuntimeError(f"one_hot: is only applicable to index tensors of type int64 (LongTensor), "
                           f"got dtype {idx.dtype}")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("one_hot: can not infer the total number of classes from an empty tensor; "
                               "pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative, got {int(idx.min())}")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes={num_classes}, "
                           f"got {int(idx.max())}")
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._constant(out)


class CosineSimilarity(Module):
    """``F.cosine_similarity(x1, x2, self.dim, self.eps)``: inputs ``(*, D, *)`` -> ``(*, *)``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``F.pairwise_distance(x1, x2, p, eps, keepdim)``: inputs ``(N, D)`` -> ``(N,)``."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm = p  # PyTorch's attribute names
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
