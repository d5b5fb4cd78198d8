"""Stateless neural-network functions, as ``torch.nn.functional`` (``import minitorch.nn.functional as F``).

Activations, ``softmax`` / ``log_softmax`` (numerically stable: logits of 1e4 are fine), ``linear``,
and the losses ``nll_loss``, ``cross_entropy`` and ``mse_loss``.

``linear``, ``softmax``, ``log_softmax`` and ``nll_loss`` are primitive ops with their own
backward (simpler and cheaper than the chain of tensor ops they stand for); ``cross_entropy`` and
``mse_loss`` are built from ops, so autograd differentiates them for free.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.dtypes import to_float
from ..tensor.functions import relu, sigmoid, tanh  # the activations are the tensor methods
from ..tensor.tensor import Tensor, _dim

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax", "nll_loss", "cross_entropy", "mse_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: input ``(*, in)``, weight ``(out, in)``, bias ``(out,)`` -> ``(*, out)``.

    The same numbers as composing ``@``, ``.T`` and ``+``, as one op (one graph node instead of
    three, and the weight gradient comes out in the weight's own memory layout). With ``G`` the
    output gradient and rows of all batch dimensions stacked:
    ``dL/dinput = G W``, ``dL/dW = G^T input``, ``dL/db = sum of G's rows``.
    """
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        raise TypeError("linear: input and weight must be Tensors")
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input {input.shape} and weight {weight.shape}: expected input (*, in) and "
                         f"weight (out, in) with the same in")
    if bias is not None and bias.shape not in ((weight.shape[0],), ()):
        raise ValueError(f"linear: bias shape {bias.shape} does not match the weight's {weight.shape[0]} outputs")
    x, w = input.data, weight.data
    out = x @ w.T
    if bias is not None:
        out += bias.data  # out is a fresh array: adding in place saves a copy

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        gx = g @ w if input._requires_grad else None
        gw = g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1]) if weight._requires_grad else None
        return (gx, gw) if bias is None else (gx, gw, g)  # the engine sums g's rows for the bias

    parents = (input, weight) if bias is None else (input, weight, bias)
    return Tensor._from_op(out, parents, "linear", backward)


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """``e^x_i / sum_j e^x_j`` along ``dim``: non-negative values that sum to 1.

    Stable: subtracting the maximum first changes nothing mathematically (it cancels) but keeps
    ``e^x`` from overflowing for large logits. Backward (a Jacobian-vector product):
    ``dL/dx = s * (g - sum(g * s))`` with ``s`` the softmax.
    """
    axis = _softmax_axis(input, dim, "softmax")
    x = to_float(input.data)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    return Tensor._from_op(out, (input,), "softmax", backward)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed as ``x - max - log(sum(e^(x - max)))``, which
    never takes the log of an underflowed 0. Backward: ``g - softmax(x) * sum(g)``."""
    axis = _softmax_axis(input, dim, "log_softmax")
    x = to_float(input.data)
    shifted = x - x.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return Tensor._from_op(out, (input,), "log_softmax", backward)


def _softmax_axis(input: Tensor, dim: int, op: str) -> int:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input.ndim == 0:
        raise ValueError(f"{op}: needs a tensor with at least 1 dimension, got a 0-d tensor")
    return _dim(dim, input.ndim, op)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood: ``-input[i, target[i]]``, averaged (or summed) over samples.

    ``input`` holds log-probabilities, ``(N, C)`` (or ``(C,)``, or ``(N, C, d1, ...)``), and
    ``target`` class indices ``(N,)`` (or ``()``, or ``(N, d1, ...)``). Samples whose target is
    ``ignore_index`` count for nothing, and ``"mean"`` averages over the others.
    """
    return _nll("nll_loss", input, target, reduction, ignore_index)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """Cross-entropy of logits ``input`` (``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``) against
    ``target``: either class indices (integers, shape ``(N,)``...) — then it is
    ``nll_loss(log_softmax(input, dim=1), target)`` — or class probabilities of the input's shape.
    (PyTorch's ``weight`` and ``label_smoothing`` are not supported.)
    """
    _check_reduction(reduction, "cross_entropy")
    class_axis = 0 if input.ndim == 1 else 1
    target_array = np.asarray(getattr(target, "data", target))
    if target_array.dtype.kind == "f":  # soft labels: -sum_c p_c log q_c
        if target_array.shape != input.shape:
            raise ValueError(f"cross_entropy: probability targets must have the input's shape {input.shape}, "
                             f"got {target_array.shape}")
        probs = target if isinstance(target, Tensor) else Tensor(target_array)
        losses = -(probs * log_softmax(input, class_axis)).sum(dim=class_axis)
        return _reduce(losses, reduction)
    return _nll("cross_entropy", log_softmax(input, class_axis), target, reduction, ignore_index)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error ``mean((input - target)^2)``. The shapes must be equal: broadcasting a
    ``(N, 1)`` prediction against ``(N,)`` targets would silently compare every pair (PyTorch
    only warns; this is an error)."""
    _check_reduction(reduction, "mse_loss")
    target_shape = np.shape(getattr(target, "data", target))
    if input.shape != target_shape:
        raise ValueError(f"mse_loss: input shape {input.shape} and target shape {target_shape} differ; "
                         "reshape one of them (broadcasting here is almost always a bug)")
    diff = input - target
    return _reduce(diff * diff, reduction)


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
        raise TypeError(f"{op}: target must hold integer class indices (int64), got dtype {t.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    expected = () if input.ndim == 1 else input.shape[:1] + input.shape[2:]
    if t.shape != expected:
        raise ValueError(f"{op}: target shape {t.shape} does not match input shape {input.shape}: expected "
                         f"{expected} (one class index per sample)")
    return t


def _nll(op: str, logp: Tensor, target: Any, reduction: str, ignore_index: int) -> Tensor:
    _check_reduction(reduction, op)
    t = _class_targets(op, logp, target)
    class_axis = 0 if logp.ndim == 1 else 1
    classes = logp.shape[class_axis]
    keep = t != ignore_index
    safe = t if keep.all() else np.where(keep, t, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= classes):
        wrong = safe[(safe < 0) | (safe >= classes)].flat[0]
        raise IndexError(f"{op}: target contains class {wrong}, but the input (shape {logp.shape}) has "
                         f"{classes} classes: targets must be in 0..{classes - 1}")
    # Put the class axis last and stack all samples into rows: the picked entries of an (M, C)
    # array are then simply rows[i], safe[i].
    moved = np.moveaxis(logp.data, class_axis, -1)
    rows = np.arange(safe.size)
    losses = -moved.reshape(-1, classes)[rows, safe.ravel()].reshape(t.shape) * keep
    count = int(keep.sum())
    out = losses if reduction == "none" else losses.sum() if reduction == "sum" else losses.sum() / count

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # Only each sample's picked log-probability has a gradient: -1 (times 1/count for the mean).
        per_sample = -g * keep if reduction != "mean" else (-g / count) * keep
        grad = np.zeros((safe.size, classes), dtype=g.dtype)
        grad[rows, safe.ravel()] = np.broadcast_to(per_sample, t.shape).ravel()
        return (np.moveaxis(grad.reshape(moved.shape), -1, class_axis),)

    return Tensor._from_op(out, (logp,), op, backward)
