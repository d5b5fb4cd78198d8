"""The tensor engine: numpy arrays with broadcasting-aware autograd (lessons 06-07).

    tensor.py      the Tensor class: every op's forward and backward, side by side
    autograd.py    the backward pass and ``unbroadcast``, the one place broadcasting is undone
    masking.py     triu, tril, masked_fill (causal masks, lesson 16)
    pointwise.py   sin cos ... floor round, log1p expm1, fmod remainder atan2 lerp, isnan isclose nan_to_num
    reductions.py  prod var std logsumexp norm nansum cumsum cumprod median
    sorting.py     sort argsort topk kthvalue unique
    linalg.py      bmm mv dot outer addmm baddbmm trace diag diagonal kron cross tensordot einsum cdist
    indexing.py    gather scatter index_select split chunk unbind narrow flip roll repeat tile unfold
    stacking.py    hstack vstack broadcast_tensors meshgrid cartesian_prod diff
    methods.py     new_zeros & co, stride type where addcmul addcdiv, in-place forms (masked_fill_, ...)
    function_forms.py  minitorch.sin(x), minitorch.std(x, dim), ...: the methods above as functions
    special.py     erf (numpy has none; GELU needs it)
    functions.py   ops on several tensors (cat, stack, where, maximum, ...) and minitorch.exp & co.
    factories.py   tensor, zeros, ones, rand, randn, arange, eye, ... and the *_like versions
    random.py      the global generator behind the random factories (manual_seed)
    grad_mode.py   no_grad / enable_grad / set_grad_enabled / inference_mode
    dtypes.py      float32 by default, and PyTorch's type-promotion rules
"""

from .autograd import unbroadcast
from .dtypes import ALIASES as _ALIASES
from .dtypes import float32, float64, int32, int64
from .factories import (arange, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones, ones_like, rand,
                        rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .functions import (abs, add, all, amax, amin, any, argmax, argmin, bitwise_not, cat, clamp, clip, clone, div,
                        divide, equal, exp, flatten, is_tensor, log, log_softmax, logical_not, matmul, max, maximum,
                        mean, min, minimum, mul, multiply, neg, numel, permute, pow, relu, reshape, sigmoid, softmax,
                        sqrt, square, squeeze, stack, sub, subtract, sum, swapaxes, swapdims, t, tanh, transpose,
                        true_divide, unsqueeze, where)
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .masking import masked_fill, tril, triu
from .random import Generator, get_generator, initial_seed, manual_seed
from .special import erf
from .tensor import Tensor, ValuesIndices

__all__ = [
    "Tensor", "ValuesIndices", "unbroadcast",
    "tensor", "from_numpy", "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn", "randint",
    "randperm", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like",
    "cat", "stack", "where", "maximum", "minimum", "clip", "clamp", "matmul",
    "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sum", "mean",
    "no_grad", "enable_grad", "is_grad_enabled", "manual_seed", "initial_seed", "get_generator",
    "float32", "float64", "int32", "int64",
    # PyTorch's other names: dtypes, function forms of tensor methods, Generator, empty
    *_ALIASES, "Generator", "empty", "empty_like",
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "pow", "square",
    "max", "min", "amax", "amin", "argmax", "argmin", "all", "any", "equal", "reshape", "transpose", "swapaxes",
    "swapdims", "t", "permute", "squeeze", "unsqueeze", "flatten", "softmax", "log_softmax", "clone", "numel",
    "is_tensor", "logical_not", "bitwise_not",
    "triu", "tril", "masked_fill", "erf",
]
from . import function_forms as _function_forms  # noqa: E402  sin, std, gather, ... (torch.<op>(input, ...))
from .function_forms import *  # noqa: E402,F401,F403
from .stacking import (atleast_1d, atleast_2d, atleast_3d, broadcast_shapes, broadcast_tensors,  # noqa: E402
                       cartesian_prod, column_stack, diff, dstack, hstack, meshgrid, row_stack, vstack)
from .linalg import cdist, einsum, tensordot  # noqa: E402
from .sorting import bucketize, searchsorted  # noqa: E402
from .stacking import block_diag, tril_indices, triu_indices  # noqa: E402
__all__ += [*_function_forms.__all__, "atleast_1d", "atleast_2d", "atleast_3d", "dstack", "cartesian_prod",
            "broadcast_shapes", "broadcast_tensors", "cdist", "column_stack", "diff", "hstack", "meshgrid", "row_stack",
            "vstack", "einsum", "tensordot", "bucketize", "searchsorted", "block_diag", "tril_indices", "triu_indices"]
globals().update(_ALIASES)
from .factories import device  # noqa: E402
from math import e, inf, nan, pi  # noqa: E402  minitorch.nan, .inf, .pi, .e as torch's
__all__ += ["device", "nan", "inf", "pi", "e"]  # minitorch.float, .long, .bool, ... (names that would shadow builtins if written out)
from .grad_mode import inference_mode, is_inference_mode_enabled, set_grad_enabled  # noqa: E402
__all__ += ["set_grad_enabled", "inference_mode", "is_inference_mode_enabled"]
