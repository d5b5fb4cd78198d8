"""Neural-network building blocks, as ``torch.nn`` (lessons 08-09).

    parameter.py   Parameter: a Tensor that a Module learns
    module.py      Module: registers parameters, buffers and sub-modules; state_dict, train/eval, repr
    linear.py      Linear, Identity, Flatten, Unflatten
    activation.py  ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax
    activations_more.py  LeakyReLU, PReLU, ELU, SELU, CELU, Softplus, SiLU, Mish, Hardtanh, ReLU6, Hardsigmoid,
                   Hardswish, Softsign, Tanhshrink, LogSigmoid, GLU, Threshold, Softmin (and their functions)
    container.py   Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
    dropout.py     Dropout (and the functional dropout)
    normalization.py  BatchNorm1d, BatchNorm2d (and the functional batch_norm)
    conv.py        Conv1d, Conv2d (im2col + one matmul; conv1d, conv2d)
    pooling.py     MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d (and their functions)
    fold.py        Unfold, Fold (im2col / col2im: unfold, fold) and the sliding-window helpers
    padding.py     the functional pad (constant, reflect, replicate, circular)
    layernorm.py   LayerNorm (and layer_norm)
    attention.py   scaled_dot_product_attention, MultiheadAttention
    transformer.py TransformerEncoderLayer, TransformerEncoder
    sparse.py      Embedding (and the functional embedding)
    rnn.py         RNNCell, GRUCell, LSTMCell, RNN, GRU, LSTM (packed or padded batches)
    utils/         nn.utils: clip_grad_norm_, clip_grad_value_; nn.utils.rnn: pad/pack variable-length sequences
    loss.py        MSELoss, L1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
                   MultiMarginLoss
    loss_more.py   KLDivLoss, MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, CosineEmbeddingLoss,
                   TripletMarginLoss, PoissonNLLLoss, GaussianNLLLoss (and their functions)
    distance.py    CosineSimilarity, PairwiseDistance (normalize, cosine_similarity, pairwise_distance, one_hot)
    init.py        nn.init: xavier_/kaiming_ uniform_/normal_, uniform_, normal_, constant_, ... and calculate_gain
    functional.py  nn.functional (``F``): the stateless functions the modules call
    serialization.py  minitorch.save / minitorch.load: checkpoints without pickle
    hooks.py       module forward / backward hooks and RemovableHandle (lesson 17)
    local.py       LocalGraph: modules that run their own backward and update (lesson 17; not in torch)
    dropconnect.py DropConnect: drop weights instead of activations (lesson 17; not in torch)
"""

from . import functional, init
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .layernorm import LayerNorm
from .dropconnect import DropConnect
from .linear import Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d
from .conv import Conv1d, Conv2d
from .fold import Fold, Unfold
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .parameter import Parameter
from .sparse import Embedding
from . import utils
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, RNNCellBase, RNNBase
from .transformer import TransformerEncoder, TransformerEncoderLayer
from . import hooks, local  # noqa: E402  lesson 17
from .activations_more import (CELU, ELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish,
                               PReLU, ReLU6, SiLU, Softmin, Softplus, Softsign, Tanhshrink, Threshold)

__all__ = [
    "functional", "init", "Parameter", "Module", "Linear", "Identity", "Flatten", "Sequential", "ModuleList",
    "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    "Dropout", "BatchNorm1d",
    "BatchNorm2d", "Conv1d", "Conv2d", "Unfold", "Fold", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "Embedding",
    "utils", "RNNBase", "RNN", "GRU", "LSTM", "RNNCellBase", "RNNCell", "GRUCell", "LSTMCell",
    "GELU", "LayerNorm", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
    "DropConnect",
    "MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss",
    "SmoothL1Loss", "ModuleDict",
]
__all__ += ["LeakyReLU", "ELU", "SELU", "CELU", "Softplus", "SiLU", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid",
            "Hardswish", "Softsign", "Tanhshrink", "LogSigmoid", "GLU", "Threshold", "PReLU", "Softmin"]

from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from .loss_more import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, KLDivLoss,  # noqa: E402
                        MarginRankingLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss)

__all__ += ["CosineSimilarity", "PairwiseDistance", "KLDivLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
            "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss"]
from .container import ParameterDict, ParameterList  # noqa: E402
from .linear import Unflatten  # noqa: E402

__all__ += ["ParameterList", "ParameterDict", "Unflatten"]
