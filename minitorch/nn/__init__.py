"""Neural-network building blocks, as ``torch.nn`` (lessons 08-09).

    parameter.py   Parameter: a Tensor that a Module learns
    module.py      Module: registers parameters, buffers and sub-modules; state_dict, train/eval, repr
    linear.py      Linear, Identity, Flatten
    activation.py  ReLU, Tanh, Sigmoid, Softmax, LogSoftmax
    container.py   Sequential, ModuleList
    dropout.py     Dropout (and the functional dropout)
    normalization.py  BatchNorm1d (and the functional batch_norm)
    loss.py        MSELoss, L1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
                   MultiMarginLoss
    init.py        nn.init: xavier_/kaiming_ uniform_/normal_, uniform_, normal_, constant_, ... and calculate_gain
    functional.py  nn.functional (``F``): the stateless functions the modules call
    serialization.py  minitorch.save / minitorch.load: checkpoints without pickle
    hooks.py       module forward / backward hooks and RemovableHandle (lesson 17)
    local.py       LocalGraph: modules that run their own backward and update (lesson 17; not in torch)
    dropconnect.py DropConnect: drop weights instead of activations (lesson 17; not in torch)
"""

from . import functional, init
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .dropout import Dropout
from .dropconnect import DropConnect
from .linear import Flatten, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss
from .module import Module
from .normalization import BatchNorm1d
from .parameter import Parameter
from . import hooks, local  # noqa: E402  lesson 17

__all__ = [
    "functional", "init", "Parameter", "Module", "Linear", "Identity", "Flatten", "Sequential", "ModuleList",
    "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    "Dropout", "BatchNorm1d", "DropConnect",
    "MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss",
]
