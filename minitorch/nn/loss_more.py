"""More of ``torch.nn``'s losses, each a function and a module beside it:

    kl_div / KLDivLoss                          Kullback-Leibler divergence of log-probabilities
    margin_ranking_loss / MarginRankingLoss     which of two scores should be larger
    hinge_embedding_loss / HingeEmbeddingLoss   distances of similar (1) and dissimilar (-1) pairs
    soft_margin_loss / SoftMarginLoss           two-class logistic loss with targets ±1
    cosine_embedding_loss / CosineEmbeddingLoss similar / dissimilar pairs by their cosine
    triplet_margin_loss / TripletMarginLoss     anchor nearer the positive than the negative
    poisson_nll_loss / PoissonNLLLoss           negative log-likelihood of Poisson counts
    gaussian_nll_loss / GaussianNLLLoss         negative log-likelihood of a Gaussian with learnt variance

All are composed from tensor ops (autograd gives the gradients) with PyTorch's formulas, defaults
and ``reduction`` (``'mean'``, ``'sum'``, ``'none'``; ``kl_div`` also ``'batchmean'``). Each
docstring names its formula's source: the PyTorch documentation of the function of the same name.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..tensor.dtypes import to_float
from ..tensor.functions import minimum, where
from ..tensor.tensor import Tensor
from . import functional as F
from .distance import pairwise_distance
from .loss import _Loss

__all__ = ["kl_div", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
           "KLDivLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
           "TripletMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss"]

_COSINE_EPS = 1e-12  # PyTorch's cosine_embedding_loss: EPSILON added to each squared magnitude


def _as_tensor(x: Any, like: Tensor, op: str, name: str) -> Tensor:
    """``x`` as a Tensor (numbers, lists and arrays take ``like``'s floating dtype)."""
    if isinstance(x, Tensor):
        return x
    if not isinstance(like, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(like).__name__}")
    return Tensor._constant(np.asarray(x, dtype=to_float(like.data).dtype))


def _reduction(size_average: Any, reduce: Any, reduction: str, op: str) -> str:
    reduction = F.legacy_reduction(size_average, reduce, reduction)
    F._check_reduction(reduction, op)
    return reduction


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence ``KL(target || q)`` with ``input = log q`` (log-probabilities).

    Pointwise: ``target * (log(target) - input)`` (0 where target is 0), or with
    ``log_target=True`` (target given as log-probabilities) ``exp(target) * (target - input)``.
    ``reduction``: ``'batchmean'`` (sum / batch size, the mathematical KL per sample: use it),
    ``'sum'``, ``'none'`` (input's shape), or ``'mean'`` (the default, as in PyTorch: the sum
    divided by the number of *elements*; PyTorch warns that it differs from KL, and so does this).
    Shapes: input and target broadcast, usually both ``(N, C)``. Source:
    ``torch.nn.functional.kl_div`` / ``torch.nn.KLDivLoss``.
    """
    if size_average is not None or reduce is not None:
        reduction = F.legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divides the total loss by both the batch size and the support "
                      "size; 'batchmean' divides only by the batch size, and aligns with the KL div math "
                      "definition.", UserWarning, stacklevel=2)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
    target = _as_tensor(target, input, "kl_div", "input")
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = target.xlogy(target) - target * input
    if reduction == "batchmean":
        total = losses.sum()
        return total / input.shape[0] if input.ndim else total
    return F._reduce(losses, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``max(0, -y * (x1 - x2) + margin)``: with ``y = 1`` x1 should rank above x2, with ``y = -1`` below.

    Shapes: ``(N,)`` or ``()`` for all three (they broadcast). Source:
    ``torch.nn.functional.margin_ranking_loss``. Raises RuntimeError if the three tensors have
    different numbers of dimensions (torch's check).
    """
    reduction = _reduction(size_average, reduce, reduction, "margin_ranking_loss")
    target = _as_tensor(target, input1, "margin_ranking_loss", "input1")
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss: all input tensors should have the same dimension but got sizes: "
                           f"input1 {input1.shape}, input2 {input2.shape}, target {target.shape}")
    return F._reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """For distances ``x`` of pairs labelled ``y``: ``x`` where ``y = 1`` (similar: pull together),
    ``max(0, margin - x)`` where ``y = -1`` (dissimilar: push apart up to ``margin``).

    As in PyTorch's kernel, a label that is neither adds both terms (``y != 1`` takes the margin
    term, ``y != -1`` the ``x`` term). Shapes: any, input and target equal (or broadcastable).
    Source: ``torch.nn.functional.hinge_embedding_loss``.
    """
    reduction = _reduction(size_average, reduce, reduction, "hinge_embedding_loss")
    target = _as_tensor(target, input, "hinge_embedding_loss", "input")
    zero = input.new_zeros(())
    margin_term = where(target != 1, (margin - input).clamp(min=0), zero)
    self_term = where(target != -1, input, zero)
    return F._reduce(margin_term + self_term, reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """The two-class logistic loss ``log(1 + exp(-y x))`` for targets ``y`` of ±1, averaged over
    every element. Computed as ``logaddexp(0, -y x)``: the same numbers, without overflow for
    large ``-y x``. Shapes: input and target equal, any shape. Source:
    ``torch.nn.functional.soft_margin_loss``. Raises RuntimeError for different shapes.
    """
    reduction = _reduction(size_average, reduce, reduction, "soft_margin_loss")
    target = F._target(input, target, reduction, "soft_margin_loss")
    z = -target * input
    return F._reduce(z.new_zeros(()).logaddexp(z), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """With ``cos`` the cosine similarity of the rows of ``input1`` and ``input2``:
    ``1 - cos`` where ``y = 1``, ``max(0, cos - margin)`` where ``y = -1`` (0 for other labels).

    ``cos = sum(x1 x2) / sqrt((sum(x1²) + 1e-12) (sum(x2²) + 1e-12))`` (PyTorch's kernel).
    Shapes: inputs ``(N, D)`` with target ``(N,)``, or inputs ``(D,)`` with target ``()``.
    Source: ``torch.nn.functional.cosine_embedding_loss``. Raises RuntimeError for other shapes.
    """
    reduction = _reduction(size_average, reduce, reduction, "cosine_embedding_loss")
    target = _as_tensor(target, input1, "cosine_embedding_loss", "input1")
    if target.ndim not in (0, 1):
        raise RuntimeError(f"cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported; "
                           f"got target {target.shape}")
    want = target.ndim + 1
    if input1.ndim != want or input2.ndim != want:
        raise RuntimeError(f"cosine_embedding_loss: {target.ndim}D target tensor expects {want}D input tensors, "
                           f"but found inputs with sizes {input1.shape} and {input2.shape}")
    d = target.ndim
    dot = (input1 * input2).sum(d)
    cos = dot / ((input1 * input1).sum(d) + _COSINE_EPS).mul((input2 * input2).sum(d) + _COSINE_EPS).sqrt()
    zero = cos.new_zeros(())
    losses = where(target == 1, 1 - cos, zero) + where(target == -1, (cos - margin).clamp(min=0), zero)
    return F._reduce(losses, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` = ``pairwise_distance`` (``p``-norm, ``eps``).

    ``swap=True`` uses ``min(d(a, n), d(p, n))`` as the negative distance (Balntas et al., 2016,
    "Learning local feature descriptors with triplets and shallow convolutional neural networks").
    Shapes: ``(N, D)`` or ``(D,)``, the same number of dimensions for all three. Source:
    ``torch.nn.functional.triplet_margin_loss``. Raises ValueError for ``margin <= 0`` and
    RuntimeError for inputs of different or unsupported numbers of dimensions (torch's classes).
    """
    reduction = _reduction(size_average, reduce, reduction, "triplet_margin_loss")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"triplet_margin_loss: the anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and "
                           f"negative {dims[2]}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return F._reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of counts ``target ~ Poisson(rate)``, dropping the constant
    ``log(target!)``:

    * ``log_input=True`` (input is ``log rate``): ``exp(input) - target * input``;
    * ``log_input=False`` (input is the rate): ``input - target * log(input + eps)``;
    * ``full=True`` adds Stirling's approximation of ``log(target!)``,
      ``target log(target) - target + 0.5 log(2 pi target)``, where ``target > 1``.

    Shapes: input and target equal (or broadcastable), any shape. Source:
    ``torch.nn.functional.poisson_nll_loss`` / ``torch.nn.PoissonNLLLoss``.
    """
    reduction = _reduction(size_average, reduce, reduction, "poisson_nll_loss")
    target = _as_tensor(target, input, "poisson_nll_loss", "input")
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        big = target > 1
        ts = where(big, target, target.new_full((), 2.0))  # a value that keeps log finite where masked out
        stirling = ts * ts.log() - ts + 0.5 * (2 * math.pi * ts).log()
        losses = losses + where(big, stirling, stirling.new_zeros(()))
    return F._reduce(losses, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of ``target ~ N(input, var)``:

        ``0.5 * (log(max(var, eps)) + (input - target)² / max(var, eps))``  (+ ``0.5 log(2 pi)`` if ``full``)

    ``var`` is clamped at ``eps`` for stability *outside* the graph, as PyTorch does it (the clamp
    is done under ``no_grad``): the gradient reaching ``var`` is that of the formula at the
    clamped value, even where ``var < eps``. Shapes: input and target ``(N, *)``; var the same
    shape (one variance per output), or with the last dimension 1 or missing (one per sample),
    or a float. Source: ``torch.nn.functional.gaussian_nll_loss`` / ``torch.nn.GaussianNLLLoss``
    (Nix & Weigend, 1994, "Estimating the mean and variance of the target probability distribution").

    Raises ValueError for a negative variance, a ``var`` of the wrong size, or a bad reduction.
    """
    target = _as_tensor(target, input, "gaussian_nll_loss", "input")
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        var = Tensor._constant(np.full(input.shape, var, dtype=to_float(input.data).dtype))
    elif (var.data < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
            pass  # one dimension of var is 1 where input's is not: one variance shared along it
        else:
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size {var.shape} for input {input.shape}: "
                             f"expected {input.shape}, {input.shape[:-1]}, or a 1 in place of one dimension")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"gaussian_nll_loss: {reduction} is not valid (expected 'mean', 'sum' or 'none')")
    # var + (clamped - var) has the clamped values and var's gradient: torch's clamp_ under no_grad.
    var = var + Tensor._constant(np.maximum(var.data, eps).astype(var.dtype) - var.data)
    losses = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return F._reduce(losses, reduction)


# ------------------------------------------------------------------ modules
class KLDivLoss(_Loss):
    """``F.kl_div(input, target, reduction, log_target)``; input holds log-probabilities.
    Prefer ``reduction='batchmean'`` (the default ``'mean'`` divides by the number of elements)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False):
        if reduction == "batchmean" and size_average is None and reduce is None:
            super().__init__(reduction="sum")
            self.reduction = "batchmean"
        else:
            super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class _MarginLoss(_Loss):
    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class MarginRankingLoss(_MarginLoss):
    """``max(0, -y (x1 - x2) + margin)``; see ``F.margin_ranking_loss``."""

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """``x`` for ``y = 1``, ``max(0, margin - x)`` for ``y = -1``; see ``F.hinge_embedding_loss``."""

    def __init__(self, margin: float = 1.0, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """``log(1 + exp(-y x))`` for targets ±1; see ``F.soft_margin_loss``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """``1 - cos`` for ``y = 1``, ``max(0, cos - margin)`` for ``y = -1``; see ``F.cosine_embedding_loss``."""

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)``; see ``F.triplet_margin_loss``."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                   swap=self.swap, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """The Poisson negative log-likelihood; see ``F.poisson_nll_loss``."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None, eps: float = 1e-8,
                 reduce: Any = None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Any) -> Tensor:
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """The Gaussian negative log-likelihood with predicted variance; see ``F.gaussian_nll_loss``."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Any, var: Tensor | float) -> Tensor:
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)
