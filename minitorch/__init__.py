"""minitorch: a small, readable deep-learning library you build yourself, with a PyTorch-like API.

Where things live (see docs/architecture.md):
    minitorch.scalar   the scalar autograd engine (``Value``)         lessons 01-05
    minitorch.Tensor   the tensor engine (minitorch/tensor/)          lessons 06-07
    minitorch.nn       Module, layers, losses, init, ``nn.functional``; save/load  lessons 08-09
                       (convolution, pooling, BatchNorm2d, unfold/fold, pad: lessons 13-14)
    minitorch.viz      computation-graph drawings and plots           every lesson
    minitorch.data     Dataset, DataLoader, toy sets, the shipped digits   lessons 05, 12
                       and MNIST-1D                                   lesson 14
    minitorch.training the training loop, early stopping, progress, checkpoints    lesson 12
    minitorch.testing  gradcheck and assert_close
    minitorch.autograd Function (custom ops), grad, backward           lesson 17
    minitorch.course   lesson generation, in-notebook checks, grading
"""

from . import tensor as _tensor_package
from .scalar import MLP, Layer, Neuron, Value
from .tensor import *  # noqa: F403  Tensor, tensor, zeros, randn, cat, no_grad, manual_seed, ...
from . import nn
from .nn.serialization import load, save  # checkpoints without pickle
from .viz import draw_graph
from . import testing
from . import optim
from . import data, training
from . import autograd  # Function, grad, backward (lesson 17)

__version__ = "0.1.0"

__all__ = ["Value", "Neuron", "Layer", "MLP", *_tensor_package.__all__, "nn", "optim", "data", "training",
           "testing", "viz", "autograd", "save", "load", "draw_graph", "__version__"]
