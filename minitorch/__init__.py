"""minitorch: a small, readable deep-learning library you build yourself, with a PyTorch-like API.

Where things live (see docs/architecture.md):
    minitorch.scalar   the scalar autograd engine (``Value``)         lessons 01-05
    minitorch.viz      computation-graph drawings and plots           every lesson
    minitorch.testing  gradcheck and assert_close
    minitorch.course   lesson generation, in-notebook checks, grading
"""

from .scalar import MLP, Layer, Neuron, Value
from .viz import draw_graph
from . import testing
from . import optim

__version__ = "0.1.0"

__all__ = ["Value", "Neuron", "Layer", "MLP", "draw_graph", "__version__"]
