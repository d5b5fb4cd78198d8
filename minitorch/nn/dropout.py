"""``Dropout``: randomly zero activations while training, so no unit can rely on any other (Srivastava et al., 2014).

In training mode each element is kept with probability ``1 - p`` and zeroed otherwise, and the kept
ones are scaled by ``1 / (1 - p)`` ("inverted" dropout):

    y = x · mask / (1 - p),   mask ~ Bernoulli(1 - p) elementwise,   so  E[y] = x.

Because the expectation is already right, evaluation mode simply returns the input unchanged: no
rescaling at test time. The mask is drawn from minitorch's global generator, so
``minitorch.manual_seed`` makes it reproducible (PyTorch's own random stream cannot be
reproduced bit for bit; the rule above is the same).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.random import numpy_generator
from ..tensor.tensor import Tensor
from .module import Module

__all__ = ["Dropout", "dropout"]


def _keep_mask(shape: tuple[int, ...], p: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean array of ``shape``, each element True (kept) with probability ``1 - p``."""
    return rng.random(shape) >= p


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator: np.random.Generator | None = None) -> Tensor:
    """Inverted dropout of ``input`` (any shape): see the module docstring. Identity unless ``training``.
    ``inplace`` writes the result into ``input`` (PyTorch's option, with its in-place rules).

    Backward: ``dL/dx = dL/dy · mask / (1 - p)``, the same mask as the forward pass.
    """
    if inplace:
        result = dropout(input, p, training, generator=generator)
        return input if result is input else input.copy_(result)
    _check_p(p, "dropout")
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout: expected a Tensor input, got {type(input).__name__}")
    if not training or p == 0:
        return input
    if p == 1:  # everything dropped: 1 / (1 - p) would be infinite, and the output is 0 anyway
        scale = np.zeros(input.shape, dtype=input.dtype)
    else:
        keep = _keep_mask(input.shape, p, numpy_generator(generator))
        scale = keep * np.asarray(1.0 / (1.0 - p), dtype=input.dtype)  # 0 or 1/(1-p), in the input's dtype

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * scale,)

    return Tensor._from_op(input.data * scale, (input,), f"dropout(p={p})", backward)


def _check_p(p: Any, where: str) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"{where}: dropout probability p must be a number in [0, 1], got {p!r}")


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode and scale the rest by ``1/(1-p)``;
    the identity in evaluation mode (``model.eval()``). Input and output have the same shape."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check_p(p, "Dropout")
        if inplace:
            raise ValueError("Dropout: inplace=True is not supported (an in-place op would overwrite a value the "
                             "backward pass needs); use the default inplace=False")
        self.p = float(p)
        self.inplace = False

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
