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
"""

from . import functional, init
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d
from .parameter import Parameter

__all__ = [
    "functional", "init", "Parameter", "Module", "Linear", "Identity", "Flatten", "Sequential", "ModuleList",
    "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    "Dropout", "BatchNorm1d",
    "MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss",
    "SmoothL1Loss", "ModuleDict",
]
