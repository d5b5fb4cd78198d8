"""Autograd from the user's side, as ``torch.autograd`` (lesson 17).

    function.py    Function, FunctionCtx: a custom op with a forward and backward you write
    grad.py        grad (gradients returned, .grad untouched) and backward (several outputs at once)

The engine itself (topological order, the backward pass, ``unbroadcast``) is
``minitorch/tensor/autograd.py``.
"""

from .function import Function, FunctionCtx
from .grad import backward, grad

__all__ = ["Function", "FunctionCtx", "grad", "backward"]
