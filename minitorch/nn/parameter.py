"""``Parameter``: a Tensor that a ``Module`` learns.

A Parameter is an ordinary ``Tensor`` with two differences:

* it requires a gradient unless told otherwise (``Parameter(t)`` is trainable);
* assigning it to an attribute of a ``Module`` (``self.weight = Parameter(...)``) *registers* it,
  so ``module.parameters()`` finds it and an optimizer can train it.

Everything else is inherited: ``.data`` is the numpy array that optimizers update in place, and
``.grad`` is ``None`` or a Tensor after ``backward()``. Operations on a Parameter return plain
Tensors, so only the Parameter itself is registered, never what is computed from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.tensor import Tensor


class Parameter(Tensor):
    """A trainable tensor, registered by the ``Module`` it is assigned to.

    Args:
        data: the initial values: a Tensor (its array is shared, not copied, as in PyTorch), a
            numpy array or nested lists (copied). ``None`` gives an empty float32 tensor.
        requires_grad: whether autograd computes its gradient (True by default).
    """

    __slots__ = ()  # Tensor has __slots__; keep Parameters as lean as Tensors

    def __init__(self, data: Any = None, requires_grad: bool = True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
