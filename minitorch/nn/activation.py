"""Activation functions as modules, so they can sit in a ``Sequential``: ``ReLU Tanh Sigmoid
Softmax LogSoftmax``. Each one calls its ``nn.functional`` namesake; they have no parameters."""

from __future__ import annotations

from ..tensor.tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """``max(0, x)`` elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)


class Tanh(Module):
    """``tanh(x)`` elementwise, in (-1, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Sigmoid(Module):
    """``1 / (1 + e^-x)`` elementwise, in (0, 1); never overflows."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Softmax(Module):
    """``e^x_i / sum_j e^x_j`` along ``dim`` (required: for a batch of logits ``(N, C)`` it is 1
    or -1). Stable for any logits."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """``log(softmax(x))`` along ``dim``, computed stably; pairs with ``NLLLoss``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)
