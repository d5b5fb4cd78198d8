"""``DropConnect``: randomly drop *weights* while training, instead of activations (Wan et al., 2013).

Dropout (``dropout.py``) zeroes outputs of a layer; DropConnect zeroes entries of its weight
matrix, so each output unit sees a random subset of its inputs:

    y = x (W ⊙ M / (1 - p))ᵀ + b,   M ~ Bernoulli(1 - p) elementwise, one mask per forward pass.

Kept weights are scaled by ``1 / (1 - p)`` ("inverted", as ``Dropout``), so ``E[W ⊙ M / (1-p)] = W``
and evaluation mode uses the plain weights. (Wan et al. draw a mask per example and, at test time,
average over masks with a Gaussian approximation; one mask per batch and the inverted scaling are
the simple, common variant.) The bias is never dropped. Gradients reach only the kept weights:
``dL/dW = M / (1-p) ⊙ dL/dW_dropped``, for free, since the masked weight is built from tensor ops.

Not in PyTorch: ``torch.nn`` has no DropConnect. Here it wraps any module that has a parameter
called ``weight`` (``Linear`` first of all): ``nn.DropConnect(nn.Linear(64, 32), p=0.3)``. Its
state_dict keys are the wrapped module's, under ``module.``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.random import get_generator
from ..tensor.tensor import Tensor
from .dropout import _check_p, _keep_mask
from .module import Module

__all__ = ["DropConnect", "drop_connect"]


def drop_connect(weight: Tensor, p: float = 0.5, training: bool = True,
                 generator: np.random.Generator | None = None) -> Tensor:
    """``weight`` (any shape) with each entry zeroed with probability ``p`` and the rest scaled by
    ``1/(1-p)``, as a tensor op (differentiable w.r.t. ``weight``); ``weight`` itself unless ``training``.

    Raises:
        ValueError: ``p`` outside [0, 1].
        TypeError: ``weight`` is not a Tensor.
    """
    _check_p(p, "drop_connect")
    if not isinstance(weight, Tensor):
        raise TypeError(f"drop_connect: expected a Tensor weight, got {type(weight).__name__}")
    if not training or p == 0:
        return weight
    if p == 1:
        return weight * np.zeros(weight.shape, dtype=weight.dtype)
    keep = _keep_mask(weight.shape, p, generator or get_generator())
    return weight * (keep * np.asarray(1.0 / (1.0 - p), dtype=weight.dtype))


class DropConnect(Module):
    """Wrap ``module`` (which has a parameter ``weight_name``, default ``"weight"``) so that, in
    training mode, each forward pass uses a randomly dropped, rescaled copy of that weight; in
    evaluation mode it is ``module`` unchanged. Input and output are the wrapped module's.

    Raises:
        ValueError: ``p`` outside [0, 1].
        TypeError: ``module`` is not a Module or has no parameter ``weight_name``.
    """

    def __init__(self, module: Module, p: float = 0.5, weight_name: str = "weight") -> None:
        super().__init__()
        _check_p(p, "DropConnect")
        if not isinstance(module, Module):
            raise TypeError(f"DropConnect: expected a Module to wrap, got {type(module).__name__}")
        if module._parameters.get(weight_name) is None:
            raise TypeError(f"DropConnect: {type(module).__name__} has no parameter {weight_name!r} to drop "
                            f"(its parameters: {list(module._parameters)})")
        self.module = module
        self.p = float(p)
        self.weight_name = weight_name

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if not self.training or self.p == 0:
            return self.module(*args, **kwargs)
        registry = self.module._parameters
        weight = registry[self.weight_name]
        registry[self.weight_name] = drop_connect(weight, self.p, True)  # seen by the module's forward
        try:
            return self.module(*args, **kwargs)
        finally:
            registry[self.weight_name] = weight

    def extra_repr(self) -> str:
        return f"p={self.p}, weight_name={self.weight_name!r}"
