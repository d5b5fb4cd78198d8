"""Gradient clipping, as ``torch.nn.utils``: keep one bad batch from throwing the weights far away.

Recurrent nets multiply by the same weight matrix once per time step, so their gradients can grow
exponentially with the sequence length ("exploding gradients", Pascanu, Mikolov & Bengio, 2013,
*On the difficulty of training recurrent neural networks*). Their remedy, clipping by norm:

    g <- g * min(1, max_norm / (||g|| + 1e-6))

where ``||g||`` is the norm of *all* gradients together, as if concatenated into one vector. The
direction of the step is kept; only its length is capped. ``clip_grad_value_`` instead clamps
every component to ``[-clip_value, clip_value]`` (which can change the direction).

All functions change ``.grad`` in place, outside the graph, and accept one tensor or an iterable
of tensors (``model.parameters()``); tensors whose ``.grad`` is None are skipped.
"""

from __future__ import annotations

import math
import warnings
from typing import Iterable, Union

import numpy as np

from ...tensor.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

TensorOrTensors = Union[Tensor, Iterable[Tensor]]
_EPS = 1e-6  # PyTorch's: clip_coef = max_norm / (total_norm + 1e-6)


def _as_list(parameters: TensorOrTensors, op: str) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (e.g. model.parameters()), got a {type(p).__name__} at "
                            f"position {i}")
    return params


def _vector_norm(x: np.ndarray, norm_type: float) -> np.floating:
    """The ``norm_type``-norm of all entries of ``x``: ``(sum |x|^p)^(1/p)``, max |x| for inf."""
    a = np.abs(x.reshape(-1))
    if norm_type == math.inf:
        return a.max() if a.size else a.dtype.type(0)
    if norm_type == -math.inf:
        return a.min() if a.size else a.dtype.type(math.inf)
    if norm_type == 0:
        return a.dtype.type(np.count_nonzero(a))
    if norm_type == 2:
        return np.sqrt(np.dot(a, a))
    if norm_type == 1:
        return a.sum()
    return (a**norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all the given tensors together, as if concatenated into one vector
    (computed as the norm of their individual norms, as PyTorch does). A 0-d tensor; ``0.0`` for no tensors.

    Args:
        norm_type: p of the p-norm; ``float("inf")`` for the largest absolute value.
        error_if_nonfinite: raise instead of returning a norm that is nan or infinite.
        foreach: accepted for PyTorch compatibility, ignored.

    Raises:
        RuntimeError: ``error_if_nonfinite`` and the norm is nan or infinite (PyTorch's message).
    """
    tensors = _as_list(tensors, "get_total_norm")
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    norms = np.stack([_vector_norm(t.data, norm_type) for t in tensors])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
                           "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                           "anyway, set `error_if_nonfinite=False`")
    return Tensor._constant(np.asarray(total))


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor | float,
                          foreach: bool | None = None) -> None:
    """Scale every ``.grad`` in place by ``min(1, max_norm / (total_norm + 1e-6))``."""
    params = _as_list(parameters, "clip_grads_with_norm_")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    total = np.asarray(getattr(total_norm, "data", total_norm))
    coef = min(float(max_norm) / (float(total) + _EPS), 1.0)  # never scale up
    with np.errstate(invalid="ignore"):  # a non-finite norm makes the grads nan (PyTorch's behaviour)
        for g in grads:
            g.data *= g.data.dtype.type(coef)


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients in place so that their total norm is at most ``max_norm``.

    ``get_total_norm`` of the gradients, then ``clip_grads_with_norm_`` (Pascanu et al., 2013).

    Args:
        parameters: a Tensor or an iterable of Tensors (``model.parameters()``); those without a
            ``.grad`` are skipped.
        max_norm: the largest total norm allowed.
        norm_type: p of the p-norm (``float("inf")``: the largest absolute value).
        error_if_nonfinite: raise if the total norm is nan or infinite (else the gradients are
            scaled by it, which makes them nan or 0).
        foreach: accepted for PyTorch compatibility, ignored.

    Returns:
        The total norm of the gradients **before** clipping (a 0-d tensor): worth logging, it is
        how you see that gradients explode.

    Raises:
        RuntimeError: see ``error_if_nonfinite``.
    """
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        params = list(parameters)  # a generator can be read only once
        if not params:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    params = _as_list(params, "clip_grad_norm_")
    grads = [p.grad for p in params if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient component in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for p in _as_list(parameters, "clip_grad_value_"):
        if p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)
