"""Neural-network building blocks, as ``torch.nn`` (lessons 08-09).

    parameter.py   Parameter: a Tensor that a Module learns
    module.py      Module: registers parameters, buffers and sub-modules; state_dict, train/eval, repr
    linear.py      Linear, Identity, Flatten
    activation.py  ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax
    container.py   Sequential, ModuleList
    dropout.py     Dropout (and the functional dropout)
    normalization.py  BatchNorm1d (and the functional batch_norm)
    layernorm.py   LayerNorm (and layer_norm)
    attention.py   scaled_dot_product_attention, MultiheadAttention
    transformer.py TransformerEncoderLayer, TransformerEncoder
    sparse.py      Embedding (and the functional embedding)
    loss.py        MSELoss, L1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
                   MultiMarginLoss
    init.py        nn.init: xavier_/kaiming_ uniform_/normal_, uniform_, normal_, constant_, ... and calculate_gain
    functional.py  nn.functional (``F``): the stateless functions the modules call
    serialization.py  minitorch.save / minitorch.load: checkpoints without pickle
"""

from . import functional, init
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .attention import MultiheadAttention
from .container import ModuleList, Sequential
from .dropout import Dropout
from .layernorm import LayerNorm
from .linear import Flatten, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss
from .module import Module
from .normalization import BatchNorm1d
from .parameter import Parameter
from .sparse import Embedding
from .transformer import TransformerEncoder, TransformerEncoderLayer

__all__ = [
    "functional", "init", "Parameter", "Module", "Linear", "Identity", "Flatten", "Sequential", "ModuleList",
    "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    "Dropout", "BatchNorm1d", "Embedding",
    "GELU", "LayerNorm", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
    "MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss",
]
