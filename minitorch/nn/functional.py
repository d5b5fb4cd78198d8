"""Stateless neural-network functions, as ``torch.nn.functional`` (``import minitorch.nn.functional as F``).

Activations, ``softmax`` / ``log_softmax`` (numerically stable: logits of 1e4 are fine), ``linear``,
the losses ``nll_loss cross_entropy mse_loss l1_loss huber_loss binary_cross_entropy
binary_cross_entropy_with_logits multi_margin_loss`` (each with ``reduction='mean'|'sum'|'none'``,
PyTorch's values and gradients), and the regularisation penalties ``l1_penalty`` / ``l2_penalty``.

``linear``, ``softmax``, ``log_softmax``, ``nll_loss`` and the two binary cross-entropies are
primitive ops with their own backward (simpler, cheaper or more stable than the chain of tensor
ops they stand for); the other losses are built from ops, so autograd differentiates them for free.
"""

from __future__ import annotations

import warnings

from typing import Any, Iterable

import numpy as np

from ..tensor.autograd import fresh_results
from ..tensor.dtypes import to_float
from ..tensor.functions import relu, sigmoid, tanh, where  # the activations are the tensor methods
from ..tensor.tensor import Tensor, _dim

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax", "nll_loss", "cross_entropy", "mse_loss",
           "l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "multi_margin_loss",
           "l1_penalty", "l2_penalty", "smooth_l1_loss"]

_REDUCTIONS = ("mean", "sum", "none")
_BCE_EPS = float(np.float32(1e-12))  # PyTorch's kernels declare it `constexpr float EPSILON = 1e-12`


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: input ``(*, in)``, weight ``(out, in)``, bias ``(out,)`` -> ``(*, out)``.

    The same numbers as composing ``@``, ``.T`` and ``+``, as one op (one graph node instead of
    three, and the weight gradient comes out in the weight's own memory layout). With ``G`` the
    output gradient and rows of all batch dimensions stacked:
    ``dL/dinput = G W``, ``dL/dW = G^T input``, ``dL/db = sum of G's rows``.
    """
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        raise TypeError("linear: input and weight must be Tensors")
    # Speed: the checks read the arrays' own attributes, not the Tensor properties (~0.3 µs per call).
    x, w = input.data, weight.data
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise RuntimeError(f"linear: input {input.shape} and weight {weight.shape}: expected input (*, in) and "
                         f"weight (out, in) with the same in")
    b = None if bias is None else bias.data
    if b is not None and (b.ndim != 1 or len(b) != len(w)) and b.ndim != 0:  # bias (out,) or ()
        raise RuntimeError(f"linear: bias shape {bias.shape} does not match the weight's {weight.shape[0]} outputs")
    out = x @ w.T
    if bias is not None:
        out += bias.data  # out is a fresh array: adding in place saves a copy
    parents = (input, weight) if bias is None else (input, weight, bias)
    # saved: x only if the weight needs its gradient, w only if the input does (backward defined
    # once, not a closure per call: see tensor.py)
    return Tensor._from_op(out, parents, "linear", _linear_backward,
                           (x if weight._requires_grad else None, w if input._requires_grad else None, bias is None))


def _linear_backward(g: np.ndarray, x: np.ndarray | None, w: np.ndarray | None,
                     no_bias: bool) -> tuple[np.ndarray | None, ...]:
    gx = None if w is None else g @ w
    gw = None if x is None else g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1])
    return (gx, gw) if no_bias else (gx, gw, g)  # the engine sums g's rows for the bias


fresh_results(_linear_backward)  # gx and gw are new arrays: a weight takes gw as its .grad, no copy (autograd._FRESH)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``e^x_i / sum_j e^x_j`` along ``dim``: non-negative values that sum to 1.

    Stable: subtracting the maximum first changes nothing mathematically (it cancels) but keeps
    ``e^x`` from overflowing for large logits. Backward (a Jacobian-vector product):
    ``dL/dx = s * (g - sum(g * s))`` with ``s`` the softmax.
    """
    if dtype is not None:
        input = input.to(dtype)
    axis = _softmax_axis(input, dim, "softmax")
    if input.data.size == 0:
        return input * 1.0
    if input.ndim == 0:  # one number: its softmax is 1
        return softmax(input.reshape(1), 0).reshape(())
    x = to_float(input.data)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    return Tensor._from_op(out, (input,), "softmax", backward, saves_output=True)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed as ``x - max - log(sum(e^(x - max)))``, which
    never takes the log of an underflowed 0. Backward: ``g - softmax(x) * sum(g)``."""
    if dtype is not None:
        input = input.to(dtype)
    axis = _softmax_axis(input, dim, "log_softmax")
    if input.data.size == 0:
        return input * 1.0
    if input.ndim == 0:
        return log_softmax(input.reshape(1), 0).reshape(())
    x = to_float(input.data)
    shifted = x - x.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return Tensor._from_op(out, (input,), "log_softmax", backward, saves_output=True)


def _softmax_axis(input: Tensor, dim: int, op: str) -> int:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input.data.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point tensor, got {input.data.dtype} (call .float() first)")
    if dim is None:  # PyTorch's implicit choice (deprecated there, with this warning): 0 for 0-, 1- and 3-D
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to include dim=X "
                      "as an argument.", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return _dim(dim, input.ndim, op)


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ``-input[i, target[i]]``, averaged (or summed) over samples.

    ``input`` holds log-probabilities, ``(N, C)`` (or ``(C,)``, or ``(N, C, d1, ...)``), and
    ``target`` class indices ``(N,)`` (or ``()``, or ``(N, d1, ...)``). Samples whose target is
    ``ignore_index`` count for nothing, and ``"mean"`` averages over the others. ``weight``
    (``(C,)``) scales each class's loss; "mean" then divides by the summed weights (PyTorch's
    definition). ``size_average``/``reduce`` are PyTorch's deprecated spellings, accepted and unused
    when None.
    """
    return _nll("nll_loss", input, target, reduction, ignore_index, weight)


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``) against
    ``target``: either class indices (integers, shape ``(N,)``...) — then it is
    ``nll_loss(log_softmax(input, dim=1), target)`` — or class probabilities of the input's shape.

    ``label_smoothing = ε`` trains towards a softened target: ``1 - ε`` on the true class plus
    ``ε / C`` spread over all ``C`` classes, i.e. per sample
    ``(1 - ε) * (-log q_y) + ε * mean_c(-log q_c)`` (PyTorch's definition). Stable for any logits:
    everything goes through ``log_softmax``. ``weight`` (``(C,)``) scales each class's terms; with
    class-index targets "mean" divides by the summed weights of the targets (PyTorch's definition).
    """
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    class_axis = 0 if input.ndim == 1 else 1
    target_array = np.asarray(getattr(target, "data", target))
    if target_array.dtype.kind == "f":  # soft labels: -sum_c p_c log q_c
        if target_array.shape != input.shape:
            raise RuntimeError(f"cross_entropy: probability targets must have the input's shape {input.shape}, "
                             f"got {target_array.shape}")
        probs = target if isinstance(target, Tensor) else Tensor(target_array)
        if label_smoothing:
            probs = probs * (1 - label_smoothing) + label_smoothing / input.shape[class_axis]
        weighted = log_softmax(input, class_axis) * _class_weight(weight, input, class_axis)
        losses = -(probs * weighted).sum(dim=class_axis)
        return _reduce(losses, reduction)
    logp = log_softmax(input, class_axis)
    if not label_smoothing:
        return _nll("cross_entropy", logp, target, reduction, ignore_index, weight)
    nll = _nll("cross_entropy", logp, target, "none", ignore_index, weight)  # 0 for ignored samples
    keep = target_array != ignore_index
    uniform = -(logp * _class_weight(weight, input, class_axis)).mean(dim=class_axis) * keep  # mean_c(-w_c log q_c)
    losses = nll * (1 - label_smoothing) + uniform * label_smoothing
    if reduction == "mean":  # over the (weights of the) samples that count, as nll_loss does
        w = np.ones(input.shape[class_axis]) if weight is None else np.asarray(getattr(weight, "data", weight))
        count = float((w[np.where(keep, target_array, 0)] * keep).sum())
        return losses.sum() / count if count else losses.sum() * float("nan")
    return _reduce(losses, reduction)


def _class_weight(weight: Any, input: Tensor, class_axis: int) -> Any:
    """``weight`` (C,) shaped to broadcast along the class axis of ``input``, or 1."""
    if weight is None:
        return 1.0
    w = weight if isinstance(weight, Tensor) else Tensor(np.asarray(weight, dtype=input.data.dtype))
    return w.reshape((-1,) + (1,) * (input.ndim - class_axis - 1))


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``mean((input - target)^2)``. The shapes must be equal: broadcasting a
    ``(N, 1)`` prediction against ``(N,)`` targets would silently compare every pair (PyTorch
    only warns; this is an error)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    diff = input - _target(input, target, reduction, "mse_loss")
    return _reduce(_weighted(diff * diff, weight), reduction)


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error ``mean(|input - target|)``. Its gradient is ``sign(input - target)``
    (0 where they are equal): every error pulls equally hard, so outliers matter less than in MSE."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _reduce(_weighted((input - _target(input, target, reduction, "l1_loss")).abs(), weight), reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d² / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target): the
    Huber loss divided by ``beta`` (PyTorch's SmoothL1Loss; Girshick, Fast R-CNN, 2015). ``beta=0``
    is the L1 loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return huber_loss(input, target, reduction=reduction, delta=beta) / beta


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Quadratic near the target, linear far from it. With ``d = input - target``:

    ``0.5 d²`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    The two pieces meet with equal value and slope at ``|d| = delta``, so the gradient is ``d``
    for small errors and ``± delta`` for large ones: MSE's smoothness without its outlier pull.
    """
    if not delta > 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    d = input - _target(input, target, reduction, "huber_loss")
    small = np.abs(d.data) < delta
    return _reduce(_weighted(where(small, 0.5 * d * d, delta * (d.abs() - 0.5 * delta)), weight), reduction)


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``-(y log p + (1 - y) log(1 - p))`` for probabilities ``p = input`` in [0, 1] and targets
    ``y`` (0/1, or soft, in [0, 1]) of the same shape.

    As in PyTorch, each log is clamped to ``>= -100``, so ``p = 0`` or ``1`` gives a large but
    finite loss (100) instead of infinity, and the gradient ``(p - y) / (p (1 - p))`` has its
    denominator clamped to ``>= 1e-12`` (PyTorch's constant, a float32). Prefer
    ``binary_cross_entropy_with_logits`` on raw scores: a sigmoid that rounds to exactly 0 or 1
    has already lost the information this loss needs.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    t = _target(input, target, reduction, "binary_cross_entropy")
    p, y = to_float(input.data), t.data
    outside = (p < 0) | (p > 1) | np.isnan(p)
    if outside.any():
        raise RuntimeError(f"binary_cross_entropy: input must hold probabilities in [0, 1] (apply sigmoid first, "
                         f"or use binary_cross_entropy_with_logits on raw scores); got {p[outside].flat[0]} "
                         f"in an input of shape {input.shape}")
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
        log_p = np.maximum(np.log(p), -100)
        log_not_p = np.maximum(np.log1p(-p), -100)
    out = -(y * log_p + (1 - y) * log_not_p)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (g * (p - y) / np.maximum(p * (1 - p), _BCE_EPS),  # d/dp, denominator clamped like PyTorch
                g * (log_not_p - log_p))  # d/dy (finite even at p = 0 or 1, where PyTorch gives inf)

    return _reduce(_weighted(Tensor._from_op(out, (input, t), "binary_cross_entropy", backward), weight), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)`` against ``target``, computed from the logits
    ``x = input`` without ever forming the sigmoid:

    ``loss = max(x, 0) - x y + log(1 + e^-|x|)``

    (the same number, rearranged so that ``e`` is only raised to non-positive powers: exact and
    finite for any logit, e.g. ±1e4). The gradient is simply ``sigmoid(x) - y``.

    ``pos_weight`` (broadcast along the last dim: one per class) weighs the positive term, PyTorch's
    ``-(pos_weight y log σ(x) + (1 - y) log(1 - σ(x)))``, written as
    ``(1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)``; ``weight`` scales each element's loss.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    t = _target(input, target, reduction, "binary_cross_entropy_with_logits")
    x, y = to_float(input.data), t.data
    softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # log(1 + e^-x), stable
    pw = 1.0 if pos_weight is None else np.asarray(getattr(pos_weight, "data", pos_weight), dtype=x.dtype)
    scale = 1 + (pw - 1) * y
    out = (1 - y) * x + scale * softplus_neg

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sig = np.exp(-np.logaddexp(0, -x))  # sigmoid(x) = e^(-softplus(-x)), stable for any x
        return g * ((1 - y) + scale * (sig - 1)), g * (-x + (pw - 1) * softplus_neg)

    losses = Tensor._from_op(out, (input, t), "binary_cross_entropy_with_logits", backward)
    return _reduce(_weighted(losses, weight), reduction)


def legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` flags turned into a ``reduction``, exactly
    as ``torch.nn._reduction.legacy_get_string`` does (None counts as True); ``reduction`` when
    both are None. So ``nn.MSELoss('sum')`` averages, as it does in PyTorch."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "mean" if size_average and reduce else "sum" if reduce else "none"


def _weighted(losses: Tensor, weight: Any) -> Tensor:
    return losses if weight is None else losses * weight


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss (Weston & Watkins / PyTorch's ``multi_margin_loss``): for scores
    ``x`` of shape ``(N, C)`` (or ``(C,)``) and true classes ``y``,

    ``loss_i = sum_{j != y_i} max(0, margin - x[i, y_i] + x[i, j])^p / C``.

    A sample costs nothing once its true score beats every other score by ``margin``; it is
    satisfied, not pushed further (unlike cross-entropy, which always wants more). ``p`` is 1 or 2.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "multi_margin_loss")
    if weight is not None:
        raise ValueError("multi_margin_loss: class weights are not supported by minitorch (weight=None only)")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p!r}")
    if input.ndim not in (1, 2):
        raise ValueError(f"multi_margin_loss: input must be (N, C) or (C,), got shape {input.shape}")
    t = _class_targets("multi_margin_loss", input, target)
    classes = input.shape[-1]
    _check_class_range("multi_margin_loss", t, classes, input.shape)
    scores = input if input.ndim == 2 else input.unsqueeze(0)
    rows, labels = np.arange(scores.shape[0]), t.reshape(-1)
    true_score = scores[rows, labels].unsqueeze(1)  # (N, 1): x[i, y_i]
    hinge = (margin - true_score + scores).relu()  # (N, C); relu's gradient is 0 at the kink, as PyTorch's
    if p == 2:
        hinge = hinge * hinge
    others = np.ones(scores.shape, dtype=bool)
    others[rows, labels] = False  # j = y_i is not a competitor
    losses = (hinge * others).sum(dim=1) / classes
    return _reduce(losses if input.ndim == 2 else losses.squeeze(0), reduction)


def l1_penalty(parameters: Iterable[Tensor]) -> Tensor:
    """``sum |w|`` over every element of every tensor in ``parameters`` (L1 regularisation).

    Add ``lam * l1_penalty(weights)`` to a loss to push weights to exactly zero (its gradient is
    ``lam * sign(w)``, the same pull however small ``w`` is). Usually only weights are penalised,
    not biases: ``[p for n, p in model.named_parameters() if n.endswith("weight")]``.
    """
    return _penalty(parameters, "l1_penalty", lambda w: w.abs().sum())


def l2_penalty(parameters: Iterable[Tensor]) -> Tensor:
    """``sum w²`` over every element of every tensor in ``parameters`` (L2 regularisation).

    Adding ``(lam / 2) * l2_penalty(weights)`` to the loss adds ``lam * w`` to each gradient,
    which shrinks every weight by a factor ``1 - lr * lam`` per SGD step: exactly what
    ``optim.SGD(..., weight_decay=lam)`` does.
    """
    return _penalty(parameters, "l2_penalty", lambda w: (w * w).sum())


def _penalty(parameters: Iterable[Tensor], op: str, term: Any) -> Tensor:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    total: Tensor | None = None
    for i, w in enumerate(parameters):
        if not isinstance(w, Tensor):
            raise TypeError(f"{op}: expected Tensors (e.g. model.parameters()), got a {type(w).__name__} at "
                            f"position {i}")
        total = term(w) if total is None else total + term(w)
    if total is None:
        raise ValueError(f"{op}: got no parameters (an exhausted generator? model.parameters() can be "
                         "iterated only once)")
    return total


def _target(input: Tensor, target: Any, reduction: str, op: str) -> Tensor:
    """Check the arguments of an elementwise loss; the target as a Tensor (numbers, lists and
    arrays take the input's dtype, as a PyTorch target would have it)."""
    _check_reduction(reduction, op)
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if not isinstance(target, Tensor):
        target = Tensor._constant(np.asarray(target, dtype=to_float(input.data).dtype))
    if input.shape != target.shape:
        error = ValueError if op.startswith("binary_cross_entropy") else RuntimeError  # PyTorch's classes
        raise error(f"{op}: input shape {input.shape} and target shape {target.shape} differ; "
                    "reshape one of them (broadcasting here is almost always a bug)")
    return target


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _class_targets(op: str, input: Tensor, target: Any) -> np.ndarray:
    """``target`` as an integer array with the shape the input calls for, or a clear error."""
    t = np.asarray(getattr(target, "data", target))
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: target must hold integer class indices (int64), got dtype {t.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    expected = () if input.ndim == 1 else input.shape[:1] + input.shape[2:]
    if t.shape != expected:
        raise ValueError(f"{op}: target shape {t.shape} does not match input shape {input.shape}: expected "
                         f"{expected} (one class index per sample)")
    return t


def _check_class_range(op: str, t: np.ndarray, classes: int, shape: tuple[int, ...]) -> None:
    if t.size and (t.min() < 0 or t.max() >= classes):
        wrong = t[(t < 0) | (t >= classes)].flat[0]
        raise IndexError(f"{op}: target contains class {wrong}, but the input (shape {shape}) has "
                         f"{classes} classes: targets must be in 0..{classes - 1}")


def _nll(op: str, logp: Tensor, target: Any, reduction: str, ignore_index: int, weight: Any = None) -> Tensor:
    """``-w[t] logp[t]`` per sample; "mean" divides by the sum of the weights ``w[t]`` of the
    samples that count (their number, without ``weight``). When none counts (every target is
    ``ignore_index``) the mean is 0/0 = NaN, as in PyTorch, and the gradient is 0, not NaN."""
    _check_reduction(reduction, op)
    t = _class_targets(op, logp, target)
    class_axis = 0 if logp.ndim == 1 else 1
    classes = logp.shape[class_axis]
    keep = t != ignore_index
    ignoring = not keep.all()
    safe = np.where(keep, t, 0) if ignoring else t
    _check_class_range(op, safe, classes, logp.shape)
    if weight is not None:
        w = np.asarray(getattr(weight, "data", weight), dtype=logp.data.dtype)
        if w.shape != (classes,):
            raise RuntimeError(f"{op}: weight must have one entry per class, shape ({classes},), got {w.shape}")
        keep = w[safe] * keep  # each sample's weight (0 when ignored)
        ignoring = True
    # With the class axis last and all samples stacked into rows, the picked entries of the
    # (M, C) array are simply [rows, safe]. (Only (N, C, d1, ...) inputs need the axis moved.)
    last = class_axis == logp.ndim - 1
    moved = logp.data if last else np.moveaxis(logp.data, class_axis, -1)
    rows, cols = np.arange(safe.size), safe.reshape(-1)
    losses = -moved.reshape(-1, classes)[rows, cols].reshape(t.shape)
    if ignoring:
        losses = losses * keep
    count = keep.sum() if ignoring else t.size
    with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0 = NaN, PyTorch's answer
        out = losses if reduction == "none" else losses.sum() if reduction == "sum" else \
            np.asarray(losses.sum() / count, dtype=losses.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # Only each sample's picked log-probability has a gradient: -1 (times 1/count for the mean).
        per_sample = -g if reduction != "mean" else -g / count if count else np.zeros_like(g)
        if ignoring:
            per_sample = per_sample * keep
        grad = np.zeros((safe.size, classes), dtype=g.dtype)
        grad[rows, cols] = np.broadcast_to(per_sample, t.shape).reshape(-1)
        grad = grad.reshape(moved.shape)
        return (grad if last else np.moveaxis(grad, -1, class_axis),)

    return Tensor._from_op(out, (logp,), op, backward)


# Dropout and batch normalisation are defined next to their modules (dropout.py, normalization.py) and
# offered here under PyTorch's F names. Imported last: those files import Module, never this one.
from .dropout import dropout  # noqa: E402
from .normalization import batch_norm  # noqa: E402
from .sparse import embedding  # noqa: E402

__all__ += ["dropout", "batch_norm", "embedding"]

# Convolution, pooling, im2col and padding (lessons 13-14), likewise beside their modules.
from .conv import conv1d, conv2d  # noqa: E402
from .fold import fold, unfold  # noqa: E402
from .padding import pad  # noqa: E402
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d,  # noqa: E402
                      max_pool2d)

__all__ += ["conv1d", "conv2d", "unfold", "fold", "pad", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
            "adaptive_avg_pool1d", "adaptive_avg_pool2d"]

# GELU, layer normalisation and attention (lesson 16), likewise beside their modules.
from .activation import gelu  # noqa: E402
from .attention import scaled_dot_product_attention  # noqa: E402
from .layernorm import layer_norm  # noqa: E402

__all__ += ["gelu", "layer_norm", "scaled_dot_product_attention"]

# More activations (leaky_relu elu selu celu softplus silu mish hardtanh relu6 hardsigmoid hardswish softsign
# tanhshrink logsigmoid glu threshold prelu softmin), beside their modules; relu gains PyTorch's inplace option.
from .activations_more import (celu, elu, glu, hardsigmoid, hardswish, hardtanh, leaky_relu, logsigmoid,  # noqa: E402
                               mish, prelu, relu, relu6, selu, silu, softmin, softplus, softsign, tanhshrink,
                               threshold)

__all__ += ["leaky_relu", "elu", "selu", "celu", "softplus", "silu", "mish", "hardtanh", "relu6", "hardsigmoid",
            "hardswish", "softsign", "tanhshrink", "logsigmoid", "glu", "threshold", "prelu", "softmin"]

# One-hot, distances and the metric / likelihood losses, likewise beside their modules.
from .distance import cosine_similarity, normalize, one_hot, pairwise_distance  # noqa: E402
from .loss_more import (cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, kl_div,  # noqa: E402
                        margin_ranking_loss, poisson_nll_loss, soft_margin_loss, triplet_margin_loss)

__all__ += ["one_hot", "normalize", "cosine_similarity", "pairwise_distance", "kl_div", "margin_ranking_loss",
            "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss", "triplet_margin_loss",
            "poisson_nll_loss", "gaussian_nll_loss"]
