"""The scalar engine: autograd on single numbers (lessons 01-05)."""

from .nn import MLP, Layer, Neuron
from .value import Value, no_gc

__all__ = ["Value", "Neuron", "Layer", "MLP", "no_gc"]
