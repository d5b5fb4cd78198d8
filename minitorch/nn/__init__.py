"""Neural-network building blocks. ``minitorch.nn.functional`` (imported as ``F``) holds the
stateless functions: activations, softmax / log-softmax and losses."""

from . import functional

__all__ = ["functional"]
