"""Data types, and which one an operation on two tensors returns (PyTorch's rules, on numpy dtypes).

A tensor's ``dtype`` is a plain ``numpy.dtype``, so ``x.dtype == minitorch.float32`` and
``x.dtype == np.float32`` both work. Like PyTorch (and unlike numpy):

* Python floats become ``float32`` (numpy would make ``float64``); ``float64`` arrays stay
  ``float64``. Python ints become ``int64``, Python bools ``bool``.
* An operation never upgrades a float tensor because of a Python number: ``x32 * 2.5`` is float32.
* An integer tensor combined with a float (or divided, or exponentiated) gives ``float32``, not
  numpy's ``float64``.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
float16 = np.dtype(np.float16)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

#: PyTorch's short names (``minitorch.float`` is float32, ``minitorch.long`` int64, ...). They are
#: exported by the package only, so that this module keeps Python's own ``float``, ``int`` and ``bool``.
ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32, "short": int16,
           "bool": bool_, "float16": float16, "int8": int8, "int16": int16, "uint8": uint8}

#: The dtype of floating-point tensors made from Python numbers (PyTorch's default).
DEFAULT_FLOAT = float32


def _category(dtype: np.dtype) -> int:
    """bool < integer < floating point: the order in which dtypes win a promotion."""
    return 2 if dtype.kind == "f" else 0 if dtype.kind == "b" else 1


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """The dtype of ``a (op) b`` under PyTorch's promotion rules.

    The higher category (bool < int < float) wins. Within one category a tensor with dimensions
    beats a 0-d one (so ``x32 * tensor(2.0, dtype=float64)`` stays float32), and otherwise the
    wider type wins.
    """
    if a.dtype == b.dtype:
        return a.dtype
    ca, cb = _category(a.dtype), _category(b.dtype)
    if ca != cb:
        return a.dtype if ca > cb else b.dtype
    if (a.ndim == 0) != (b.ndim == 0):
        return b.dtype if a.ndim == 0 else a.dtype
    return np.promote_types(a.dtype, b.dtype)


def common_dtype(dtypes: list[np.dtype]) -> np.dtype:
    """The dtype that several tensors (e.g. for ``cat``) are joined in: the widest of those in
    the highest category."""
    top = max(_category(d) for d in dtypes)
    return reduce(np.promote_types, [d for d in dtypes if _category(d) == top])


def scalar_dtype(value: bool | int | float, like: np.dtype) -> np.dtype:
    """The dtype a Python number takes when it meets a tensor of dtype ``like``.

    Python numbers never widen a tensor: ``float32 * 2.0`` is float32, ``int32 + 1`` is int32.
    A float meeting an integer tensor becomes the default float (float32).
    """
    if isinstance(value, bool):
        return like
    if isinstance(value, int):
        return like if like.kind != "b" else int64
    return like if is_floating(like) else DEFAULT_FLOAT


def to_float(x: np.ndarray) -> np.ndarray:
    """``x`` itself if it is floating point, else ``x`` as the default float (for exp, log, ...)."""
    return x if x.dtype.kind == "f" else x.astype(DEFAULT_FLOAT)
