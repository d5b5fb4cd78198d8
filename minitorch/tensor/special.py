"""The error function ``erf``, which numpy lacks (``torch.erf``); GELU is built on it (lesson 16).

    erf(x) = 2/sqrt(pi) * integral_0^x e^(-t²) dt,        d erf(x)/dx = 2/sqrt(pi) * e^(-x²)

``erf_array`` evaluates it on a numpy array with W. J. Cody's rational Chebyshev approximations
("Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-638; the
coefficients are those of his SPECFUN routine CALERF): a rational function of x² for
|x| <= 0.46875, and ``erfc(x) = e^(-x²) R(x)`` beyond, with R rational in x up to 4 and in 1/x²
past it. It agrees with the C library's ``math.erf`` to within a few units in the last place of a
float64 (tests/library/test_special.py), in one vectorised pass (no Python loop per element).
"""

from __future__ import annotations

import numpy as np

from .dtypes import to_float
from .tensor import Tensor

__all__ = ["erf", "erf_array", "erfc_array"]

# erf(x) = x * A(x²) / B(x²) for |x| <= 0.46875 (highest power first, as np.polyval takes them)
_A = (0.185777706184603153, 3.16112374387056560, 113.864154151050156, 377.485237685302021, 3209.37758913846947)
_B = (1.0, 23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062)
# erfc(x) = e^(-x²) C(x) / D(x) for 0.46875 < x <= 4
_C = (2.15311535474403846e-8, 0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131,
      881.952221241769090, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725)
_D = (1.0, 15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019,
      3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942)
# erfc(x) = e^(-x²) / x * (1/sqrt(pi) - z P(z) / Q(z)), z = 1/x², for x > 4
_P = (0.0163153871373020978, 3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4)
_Q = (1.0, 2.56852019228982242, 1.87295284992346047, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_SQRT_1_PI = 0.56418958354775628695  # 1/sqrt(pi)
_TWO_OVER_SQRT_PI = 1.1283791670955125739


def _horner(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """The polynomial (highest power first) at ``x``, in place on one buffer (np.polyval allocates
    two arrays per coefficient, which makes it several times slower here), in ``x``'s dtype."""
    y = coefficients[0] * x
    for c in coefficients[1:-1]:
        y += c
        y *= x
    y += coefficients[-1]
    return y


def _erf_and_erfc(x: np.ndarray, complement: bool) -> np.ndarray:
    """erf(x) (or erfc(x) with ``complement``) of a floating array, in its dtype.

    Both main approximations run on the whole array (a few dozen passes, no gathering of the
    elements of each region, which costs more than the arithmetic it saves) and ``np.where``
    picks; the rare elements past |x| = 4 are then redone with the third.
    """
    y = np.abs(x)
    small = y <= 0.46875
    with np.errstate(over="ignore", invalid="ignore"):  # huge or infinite x: not used where small is False
        ysq = x * x
        near = x * _horner(_A, ysq) / _horner(_B, ysq)  # erf, valid where small
    ym = np.clip(y, 0.46875, 4.0)
    tail = _horner(_C, ym) / _horner(_D, ym)
    tail *= np.exp(-ym * ym)  # erfc(|x|), valid for 0.46875 < |x| <= 4
    far = y > 4.0
    if far.any():
        yf = y[far]
        with np.errstate(over="ignore", under="ignore"):
            z = 1.0 / (yf * yf)
            tail[far] = (_SQRT_1_PI - z * _horner(_P, z) / _horner(_Q, z)) / yf * np.exp(-yf * yf)
    if complement:
        return np.where(small, 1.0 - near, np.where(x < 0, 2.0 - tail, tail))
    return np.where(small, near, np.copysign(1.0 - tail, x))


def erfc_array(x: np.ndarray) -> np.ndarray:
    """``1 - erf(x)`` elementwise, accurate also where it is tiny (large x), in the array's
    floating dtype (float64 for integers)."""
    arr = np.asarray(x)
    return _erf_and_erfc(arr if arr.dtype.kind == "f" else arr.astype(np.float64), complement=True)


def erf_array(x: np.ndarray) -> np.ndarray:
    """``erf(x)`` elementwise on an array, computed in the array's floating dtype (float32 stays
    float32 and is accurate to float32's precision; integers become float32, as in PyTorch)."""
    return _erf_and_erfc(to_float(np.asarray(x)), complement=False)


def erf(input: Tensor) -> Tensor:
    """The error function elementwise (``torch.erf``), in (-1, 1).

    Shapes: any, same out; integer input becomes float32 (as in PyTorch).
    Backward: ``dL/dx = g * 2/sqrt(pi) * e^(-x²)``.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"erf: expected a Tensor, got {type(input).__name__}")
    x = to_float(input.data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * (_TWO_OVER_SQRT_PI * np.exp(-x * x)),)

    return Tensor._from_op(erf_array(x), (input,), "erf", backward)
