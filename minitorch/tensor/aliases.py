"""The other spellings PyTorch code uses for the ops of tensor.py: ``x.add(y)`` for ``x + y``,
``x.softmax(dim)`` for ``F.softmax(x, dim)``, ``& | ^ ~`` on bool (and integer) tensors, ...

Each one is a line that calls the op it names, so there is one implementation (and one backward)
of every op.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

Number = bool | int | float


class AliasOps:
    """Method spellings of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    def add(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        """``self + alpha * other``."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        """``self - alpha * other``."""
        return self - (other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other: Any) -> "Tensor":
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """``self / other``; ``rounding_mode="trunc"`` or ``"floor"`` rounds the quotient."""
        return self / other if rounding_mode is None else self._rounded_div(other, rounding_mode)

    divide = true_divide = div

    def pow(self, exponent: Any) -> "Tensor":
        return self**exponent

    def neg(self) -> "Tensor":
        return -self

    negative = neg

    def square(self) -> "Tensor":
        x = self.long() if self.data.dtype.kind == "b" else self  # bool squares to int64, as in PyTorch
        return x * x

    def matmul(self, other: Any) -> "Tensor":
        return self @ other

    def mm(self, other: "Tensor") -> "Tensor":
        """The product of two matrices (both exactly 2-D; ``matmul`` also takes vectors and batches)."""
        if self.ndim != 2 or getattr(other, "ndim", 0) != 2:
            raise RuntimeError(f"mm: both arguments must be 2-D matrices, got shapes {self.shape} and "
                               f"{getattr(other, 'shape', None)}")
        return self @ other

    def softmax(self, dim: int) -> "Tensor":
        from ..nn.functional import softmax

        return softmax(self, dim)

    def log_softmax(self, dim: int) -> "Tensor":
        from ..nn.functional import log_softmax

        return log_softmax(self, dim)

    def maximum(self, other: Any) -> "Tensor":
        from .functions import maximum

        return maximum(self, other)

    def minimum(self, other: Any) -> "Tensor":
        from .functions import minimum

        return minimum(self, other)

    def eq(self, other: Any) -> "Tensor":
        return self == other

    def ne(self, other: Any) -> "Tensor":
        return self != other

    def lt(self, other: Any) -> "Tensor":
        return self < other

    def le(self, other: Any) -> "Tensor":
        return self <= other

    def gt(self, other: Any) -> "Tensor":
        return self > other

    def ge(self, other: Any) -> "Tensor":
        return self >= other

    def equal(self, other: "Tensor") -> bool:
        """True when both have the same shape and the same values (NaN is never equal)."""
        return self.shape == other.shape and bool(np.array_equal(self.data, other.data))

    # ------------------------------------------------------------------ bitwise / logical (no gradient)
    def __and__(self, other: Any) -> "Tensor":
        return _bitwise("bitwise_and", np.bitwise_and, self, other)

    def __or__(self, other: Any) -> "Tensor":
        return _bitwise("bitwise_or", np.bitwise_or, self, other)

    def __xor__(self, other: Any) -> "Tensor":
        return _bitwise("bitwise_xor", np.bitwise_xor, self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> "Tensor":
        """``~t``: logical not of a bool tensor, bitwise not of an integer one."""
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"bitwise_not: only integer and bool tensors are supported, got {self.data.dtype}")
        return self._constant(np.invert(self.data))

    bitwise_not = __invert__

    def logical_not(self) -> "Tensor":
        return self._constant(np.logical_not(self.data))

    def logical_and(self, other: "Tensor") -> "Tensor":
        from .tensor import _compare

        return _compare("logical_and", np.logical_and, self, other)

    def logical_or(self, other: "Tensor") -> "Tensor":
        from .tensor import _compare

        return _compare("logical_or", np.logical_or, self, other)


def _bitwise(op: str, fn: Any, a: "Tensor", other: Any) -> "Tensor":
    from .tensor import _compare, _operand

    b = _operand(other, a, op)
    if a.data.dtype.kind not in "biu" or b.data.dtype.kind not in "biu":
        raise TypeError(f"{op}: only integer and bool tensors are supported, got {a.data.dtype} and {b.data.dtype}")
    return _compare(op, fn, a, b)
