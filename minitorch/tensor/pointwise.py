"""Elementwise math PyTorch users reach for: trigonometry, rounding, ``log1p expm1 log2 log10``,
``reciprocal rsqrt``, ``fmod remainder atan2 lerp logaddexp``, the tests ``isnan isinf isfinite
isclose`` and ``nan_to_num`` (``torch.sin``, ``torch.floor``, ... with the same dtypes and gradients).

Same pattern as tensor.py: forward and backward side by side, gradients in the output's shape
(the engine un-broadcasts them). Where an op is a combination of ops that exist, it is composed
(``lerp``, ``logaddexp``, ``rsqrt``): its backward comes for free.

Dtypes, as PyTorch: the transcendental ops (``sin``, ``log1p``, ``atan2``, ...) turn integer and
bool tensors into float32; the rounding ops and ``sign`` keep integers as they are; ``fmod`` and
``remainder`` promote like ``+``.

Gradients at the points where the function has none, as PyTorch: the step functions (``sign round
floor ceil trunc``) have gradient 0 everywhere; ``nan_to_num`` passes the gradient only where it
kept the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .dtypes import to_float

if TYPE_CHECKING:
    from .tensor import Tensor

Number = bool | int | float


def _unary(x: "Tensor", name: str, fn: Callable[[np.ndarray], np.ndarray],
           derivative: Callable[[np.ndarray, np.ndarray], np.ndarray] | None) -> "Tensor":
    """``fn`` elementwise on ``x`` made floating (int and bool -> float32); ``derivative(x, out)``
    is d out/dx, multiplied by the incoming gradient in backward."""
    a = to_float(x.data)
    with np.errstate(all="ignore"):
        out = np.asarray(fn(a))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(all="ignore"):
            return (g * derivative(a, out),)

    # saves_output: several derivatives read `out` (tan: 1 + out², reciprocal: -out²), so changing it
    # in place must make backward refuse, not compute from the new values.
    return x._from_op(out, (x,), name, backward if derivative is not None else None, saves_output=True)


def _step(x: "Tensor", name: str, fn: Callable[[np.ndarray], np.ndarray]) -> "Tensor":
    """A piecewise-constant op: integers stay as they are; the gradient is 0 (PyTorch's rule)."""
    if x.data.dtype.kind == "b":
        raise TypeError(f"{name}: not implemented for a bool tensor (convert with .int() or .float() first)")
    out = x.data.copy() if x.data.dtype.kind in "iu" else np.asarray(fn(x.data))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.zeros_like(g),)

    return x._from_op(out, (x,), name, backward)


class PointwiseOps:
    """Elementwise methods of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    # ------------------------------------------------------------------ trigonometric and hyperbolic
    def sin(self) -> "Tensor":
        """``sin(x)``; int/bool become float32. Backward: ``g * cos(x)``."""
        return _unary(self, "sin", np.sin, lambda x, out: np.cos(x))

    def cos(self) -> "Tensor":
        """``cos(x)``. Backward: ``-g * sin(x)``."""
        return _unary(self, "cos", np.cos, lambda x, out: -np.sin(x))

    def tan(self) -> "Tensor":
        """``tan(x)``. Backward: ``g * (1 + tan² x)``."""
        return _unary(self, "tan", np.tan, lambda x, out: 1 + out * out)

    def asin(self) -> "Tensor":
        """``arcsin(x)``, NaN outside [-1, 1]. Backward: ``g / sqrt(1 - x²)``."""
        return _unary(self, "asin", np.arcsin, lambda x, out: 1 / np.sqrt(1 - x * x))

    def acos(self) -> "Tensor":
        """``arccos(x)``, NaN outside [-1, 1]. Backward: ``-g / sqrt(1 - x²)``."""
        return _unary(self, "acos", np.arccos, lambda x, out: -1 / np.sqrt(1 - x * x))

    def atan(self) -> "Tensor":
        """``arctan(x)``. Backward: ``g / (1 + x²)``."""
        return _unary(self, "atan", np.arctan, lambda x, out: 1 / (1 + x * x))

    def sinh(self) -> "Tensor":
        """``sinh(x)``. Backward: ``g * cosh(x)``."""
        return _unary(self, "sinh", np.sinh, lambda x, out: np.cosh(x))

    def cosh(self) -> "Tensor":
        """``cosh(x)``. Backward: ``g * sinh(x)``."""
        return _unary(self, "cosh", np.cosh, lambda x, out: np.sinh(x))

    arcsin, arccos, arctan = asin, acos, atan

    def atan2(self, other: Any) -> "Tensor":
        """The angle of the point ``(other, self)``: ``atan2(y=self, x=other)`` in (-pi, pi],
        broadcasting. Backward: ``d/dy = x / (x² + y²)``, ``d/dx = -y / (x² + y²)``."""
        from .tensor import _operand, _promoted, broadcast_error

        other = _operand(other, self, "atan2")
        y, x = _promoted(self, other, floating=True)
        try:
            out = np.arctan2(y, x)
        except ValueError:
            raise RuntimeError(broadcast_error("atan2", y.shape, x.shape)) from None

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(all="ignore"):
                r2 = x * x + y * y
                origin = r2 == 0  # the gradient there is 0, as PyTorch's
                return np.where(origin, 0, g * x / r2), np.where(origin, 0, -g * y / r2)

        return self._from_op(out, (self, other), "atan2", backward)

    arctan2 = atan2

    # ------------------------------------------------------------------ logs and powers
    def log1p(self) -> "Tensor":
        """``log(1 + x)``, accurate for small x. Backward: ``g / (1 + x)``."""
        return _unary(self, "log1p", np.log1p, lambda x, out: 1 / (1 + x))

    def expm1(self) -> "Tensor":
        """``exp(x) - 1``, accurate for small x. Backward: ``g * exp(x)``."""
        return _unary(self, "expm1", np.expm1, lambda x, out: out + 1)

    def log2(self) -> "Tensor":
        """Base-2 logarithm. Backward: ``g / (x ln 2)``."""
        return _unary(self, "log2", np.log2, lambda x, out: 1 / (x * np.log(2.0).astype(x.dtype)))

    def log10(self) -> "Tensor":
        """Base-10 logarithm. Backward: ``g / (x ln 10)``."""
        return _unary(self, "log10", np.log10, lambda x, out: 1 / (x * np.log(10.0).astype(x.dtype)))

    def reciprocal(self) -> "Tensor":
        """``1 / x`` (int -> float32; ``1/0 = inf``). Backward: ``-g / x²``."""
        return _unary(self, "reciprocal", np.reciprocal, lambda x, out: -out * out)

    def rsqrt(self) -> "Tensor":
        """``1 / sqrt(x)``. Backward: ``-g / (2 x^(3/2))``."""
        return _unary(self, "rsqrt", lambda x: 1 / np.sqrt(x), lambda x, out: -0.5 * out * out * out)

    def exp2(self) -> "Tensor":
        """``2 ** x``. Backward: ``g * 2^x ln 2``."""
        return _unary(self, "exp2", np.exp2, lambda x, out: out * np.log(2.0).astype(out.dtype))

    def logit(self, eps: float | None = None) -> "Tensor":
        """``log(p / (1 - p))``, the inverse of sigmoid; with ``eps``, ``p`` is first clamped to
        ``[eps, 1 - eps]``. Integers become float32.

        Backward (hand-written for PyTorch's conventions at the edges): ``g / (p (1 - p))``;
        NaN outside [0, 1] without ``eps``, 0 where the clamp acted with it."""
        x = to_float(self.data)
        p = x if eps is None else np.clip(x, eps, 1 - eps)
        with np.errstate(all="ignore"):
            out = np.log(p / (1 - p))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            with np.errstate(all="ignore"):
                slope = g / (x * (1 - x) + 0.0)  # + 0.0: -0.0 becomes +0.0, so 1/0 is +inf at x = -0.0 too
            if eps is None:
                return (np.where((x < 0) | (x > 1), np.nan, slope),)
            return (np.where((x < eps) | (x > 1 - eps), 0, slope),)

        return self._from_op(out, (self,), "logit", backward)

    def xlogy(self, other: Any) -> "Tensor":
        """``x * log(y)``, and 0 where ``x == 0`` (even at ``y = 0``), as ``torch.xlogy``; NaN
        where ``y`` is NaN. Backward (hand-written: a ``where`` over ``x * log(y)`` would leak a
        NaN gradient from the branch not taken): ``d/dx = log y`` (0 where ``x == 0`` and
        ``y <= 0``), ``d/dy = x / y``, as PyTorch's."""
        from .tensor import _operand, _promoted, broadcast_error

        other = _operand(other, self, "xlogy")
        x, y = _promoted(self, other, floating=True)
        try:
            x, y = np.broadcast_arrays(x, y)
        except ValueError:
            raise RuntimeError(broadcast_error("xlogy", self.shape, other.shape)) from None
        zero = (x == 0) & ~np.isnan(y)
        with np.errstate(all="ignore"):
            out = np.where(zero, 0, x * np.log(y))

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(all="ignore"):
                return np.where((x == 0) & (y <= 0), 0, g * np.log(y)), g * x / y

        return self._from_op(out, (self, other), "xlogy", backward)

    def sinc(self) -> "Tensor":
        """The normalised sinc ``sin(pi x) / (pi x)``, 1 at 0. Backward: ``g * (cos(pi x) -
        sinc(x)) / x``, 0 at 0."""
        def value(x: np.ndarray) -> np.ndarray:
            return np.sinc(x).astype(x.dtype)

        def slope(x: np.ndarray, out: np.ndarray) -> np.ndarray:
            return np.where(x == 0, 0, (np.cos(np.pi * x) - out) / x)

        return _unary(self, "sinc", value, slope)

    def deg2rad(self) -> "Tensor":
        """Degrees to radians, ``x * pi / 180`` (composed)."""
        return (self if self.data.dtype.kind == "f" else self.float()) * (np.pi / 180)

    def rad2deg(self) -> "Tensor":
        """Radians to degrees, ``x * 180 / pi`` (composed)."""
        return (self if self.data.dtype.kind == "f" else self.float()) * (180 / np.pi)

    def erf(self) -> "Tensor":
        """The error function (``minitorch.erf``, special.py)."""
        from .special import erf

        return erf(self)

    def float_power(self, exponent: Any) -> "Tensor":
        """``self ** exponent`` computed in float64 (``torch.float_power``)."""
        other = exponent.double() if hasattr(exponent, "double") else float(exponent)
        return self.double() ** other

    def copysign(self, other: Any) -> "Tensor":
        """``|x|`` with the sign of ``other`` (elementwise, broadcasting; -0.0 counts as negative).
        Backward: ``d/dx = result / x`` (0 at x = 0; NaN at infinities, as PyTorch's), ``d/dother = 0``."""
        from .tensor import _operand, _promoted

        other = _operand(other, self, "copysign")
        x, y = _promoted(self, other, floating=True)
        out = np.copysign(x, y)

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(all="ignore"):
                return np.where(x == 0, 0, g * out / x), np.zeros_like(g)

        return self._from_op(out, (self, other), "copysign", backward)

    def heaviside(self, values: Any) -> "Tensor":
        """The step function: 0 where ``x < 0``, 1 where ``x > 0``, ``values`` where ``x == 0``
        (broadcasting; both of one dtype). Like PyTorch's, it has no derivative: backward through
        it raises RuntimeError.

        Raises:
            RuntimeError: the dtypes differ."""
        from .tensor import _operand, broadcast_error

        v = _operand(values, self, "heaviside")
        if v.dtype != self.dtype:
            raise RuntimeError(f"heaviside: input ({self.dtype}) and values ({v.dtype}) must have the same dtype")
        try:
            out = np.where(self.data == 0, v.data, (self.data > 0).astype(self.dtype))
        except ValueError:
            raise RuntimeError(broadcast_error("heaviside", self.shape, v.shape)) from None

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            raise RuntimeError("heaviside: the derivative is not implemented (as in PyTorch): it is 0 almost "
                               "everywhere; use a smooth step (sigmoid) to train through it")

        return self._from_op(np.asarray(out, dtype=self.dtype), (self, v), "heaviside", backward)

    # ------------------------------------------------------------------ rounding (gradient 0)
    def sign(self) -> "Tensor":
        """-1, 0 or +1 by the sign of each element (0 for NaN, as PyTorch; bool stays bool). Gradient 0."""
        out = self.data.copy() if self.data.dtype.kind == "b" else np.asarray(np.sign(self.data))
        if out.dtype.kind == "f":
            out[np.isnan(out)] = 0  # PyTorch's sign(NaN) is 0
        return self._from_op(out, (self,), "sign", lambda g: (np.zeros_like(g),))

    def sgn(self) -> "Tensor":
        """``sign`` (for real tensors they agree)."""
        return self.sign()

    def floor(self) -> "Tensor":
        """Round down (integers are returned unchanged). Gradient 0."""
        return _step(self, "floor", np.floor)

    def ceil(self) -> "Tensor":
        """Round up. Gradient 0."""
        return _step(self, "ceil", np.ceil)

    def trunc(self) -> "Tensor":
        """Round towards zero. Gradient 0."""
        return _step(self, "trunc", np.trunc)

    fix = trunc

    def round(self, decimals: int = 0) -> "Tensor":
        """Round to the nearest integer (or to ``decimals`` decimal places), halves to even, as
        ``torch.round``. Gradient 0."""
        if decimals == 0:
            return _step(self, "round", np.round)
        if self.data.dtype.kind != "f":
            raise TypeError(f"round: decimals={decimals} is not implemented for {self.dtype} (floating point only)")
        return _step(self, f"round(decimals={decimals})", lambda x: np.round(x, decimals))

    def frac(self) -> "Tensor":
        """``x - trunc(x)``, the fractional part (floats only). Backward: ``g``."""
        if self.data.dtype.kind != "f":
            raise TypeError(f"frac: not implemented for {self.data.dtype} (floating-point tensors only)")
        return self - self.trunc()

    # ------------------------------------------------------------------ binary
    def fmod(self, other: Any) -> "Tensor":
        """The C remainder ``x - trunc(x / y) * y``: it has the sign of ``x`` (``torch.fmod``).
        Integer division by zero raises RuntimeError. Backward: ``d/dx = 1``, ``d/dy = -trunc(x/y)``."""
        return _remainder(self, other, "fmod", np.fmod, np.trunc)

    def remainder(self, other: Any) -> "Tensor":
        """Python's modulus ``x - floor(x / y) * y``: it has the sign of ``y`` (``torch.remainder``,
        ``%``). Backward: ``d/dx = 1``, ``d/dy = -floor(x/y)``."""
        return _remainder(self, other, "remainder", np.remainder, np.floor)

    def __mod__(self, other: Any) -> "Tensor":
        return self.remainder(other)

    def __rmod__(self, other: Any) -> "Tensor":
        from .tensor import _operand

        return _remainder(_operand(other, self, "remainder"), self, "remainder", np.remainder, np.floor)

    def lerp(self, end: Any, weight: Any) -> "Tensor":
        """Linear interpolation ``self + weight * (end - self)`` (``weight`` a number or a tensor).
        Composed from ``+ - *``: the backward is theirs.

        Raises:
            RuntimeError: ``end`` has another dtype; TypeError: integer or bool tensors."""
        from .tensor import _operand

        end = _operand(end, self, "lerp")
        if end.dtype != self.dtype:
            raise RuntimeError(f"lerp: expected dtype {self.dtype} for `end` but got dtype {end.dtype}")
        if self.data.dtype.kind != "f":
            raise TypeError(f"lerp: not implemented for {self.dtype} (floating-point tensors only)")
        return self + weight * (end - self)

    def logaddexp(self, other: Any) -> "Tensor":
        """``log(exp(x) + exp(y))`` without overflow: ``max + log1p(exp(-|x - y|))`` (where both
        are the same infinity, that infinity). Promotes like ``+``; TypeError unless a float is involved.

        Backward (hand-written, PyTorch's formula): ``d/dx = 1 / (1 + exp(y - x))``, NaN where
        both are the same infinity (``y - x`` is undefined there), as in PyTorch; a composition
        through ``maximum`` would hide that.
        """
        from .tensor import _operand, _promoted, broadcast_error

        other = _operand(other, self, "logaddexp")
        x, y = _promoted(self, other)
        if x.dtype.kind != "f":
            raise TypeError(f"logaddexp: not implemented for {self.dtype} and {other.dtype} (floating point only)")
        try:
            x, y = np.broadcast_arrays(x, y)
        except ValueError:
            raise RuntimeError(broadcast_error("logaddexp", self.shape, other.shape)) from None
        with np.errstate(all="ignore"):
            out = np.where(np.isinf(x) & (x == y), x, np.maximum(x, y) + np.log1p(np.exp(-np.abs(x - y))))

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(all="ignore"):
                return g / (1 + np.exp(y - x)), g / (1 + np.exp(x - y))

        return self._from_op(out, (self, other), "logaddexp", backward)

    def hypot(self, other: Any) -> "Tensor":
        """``sqrt(x² + y²)`` (floating point only). Composed: its backward is ``g * x / hypot``."""
        from .tensor import _operand

        other = _operand(other, self, "hypot")
        if self.data.dtype.kind != "f" and other.data.dtype.kind != "f":
            raise TypeError(f"hypot: not implemented for {self.dtype} and {other.dtype} (floating point only)")
        return (self * self + other * other).sqrt()
    # ------------------------------------------------------------------ tests (no gradient)
    def isnan(self) -> "Tensor":
        """True where the element is NaN (a bool tensor)."""
        return self._constant(np.isnan(self.data) if self.data.dtype.kind == "f" else np.zeros(self.shape, bool))

    def isinf(self) -> "Tensor":
        """True where the element is +inf or -inf."""
        return self._constant(np.isinf(self.data) if self.data.dtype.kind == "f" else np.zeros(self.shape, bool))

    def isposinf(self) -> "Tensor":
        return self._constant(np.isposinf(self.data) if self.data.dtype.kind == "f" else np.zeros(self.shape, bool))

    def isneginf(self) -> "Tensor":
        return self._constant(np.isneginf(self.data) if self.data.dtype.kind == "f" else np.zeros(self.shape, bool))

    def isfinite(self) -> "Tensor":
        """True where the element is neither NaN nor infinite (always, for integers)."""
        return self._constant(np.isfinite(self.data) if self.data.dtype.kind == "f" else np.ones(self.shape, bool))

    def isclose(self, other: "Tensor", rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> "Tensor":
        """True where ``|self - other| <= atol + rtol * |other|`` (elementwise, broadcasting; a
        bool tensor). Infinities are close only to themselves; NaN only when ``equal_nan``.

        Raises:
            RuntimeError: the two dtypes differ (PyTorch's rule), or the shapes do not broadcast.
        """
        from .tensor import broadcast_error

        b = getattr(other, "data", other)
        b = np.asarray(b)
        if b.dtype != self.data.dtype:
            raise RuntimeError(f"isclose: {self.dtype} did not match {b.dtype} (both tensors must have the same "
                               "dtype)")
        try:
            out = np.isclose(self.data, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
        except ValueError:
            raise RuntimeError(broadcast_error("isclose", self.shape, b.shape)) from None
        return self._constant(np.asarray(out))

    def allclose(self, other: "Tensor", rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """True when ``isclose`` holds for every element (a Python bool)."""
        return bool(self.isclose(other, rtol, atol, equal_nan).data.all())

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> "Tensor":
        """NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by default the
        largest / smallest finite value of the dtype). Backward: the gradient passes where the
        value was kept, 0 where it was replaced (PyTorch's rule)."""
        x = self.data
        if x.dtype.kind != "f":
            return self._from_op(x.copy(), (self,), "nan_to_num", lambda g: (g,))
        out = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
        kept = np.isfinite(x)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.where(kept, g, 0),)

        return self._from_op(out, (self,), "nan_to_num", backward)


def _remainder(self: "Tensor", other: Any, name: str, fn: Any, rounding: Any) -> "Tensor":
    from .tensor import _broadcast, _operand, _promoted

    other = _operand(other, self, name)
    if self.data.dtype.kind == "b" and other.data.dtype.kind == "b":
        raise TypeError(f"{name}: not implemented for two bool tensors (convert with .int() first)")
    x, y = _promoted(self, other)
    if x.dtype.kind in "biu" and (y == 0).any():
        raise RuntimeError(f"{name}: ZeroDivisionError (integer division by zero)")
    with np.errstate(all="ignore"):
        out = _broadcast(name, fn, self, other)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            q = rounding(x / y)
            if rounding is np.floor:  # PyTorch's floor division: via fmod, so NaN for an infinite x
                q = np.where((y != 0) & ~np.isfinite(x), np.nan, q)
            return g, -g * q

    return self._from_op(out, (self, other), name, backward)
