"""Making tensors: ``tensor zeros ones full rand randn randint randperm arange linspace eye``
and the ``*_like`` versions, with PyTorch's signatures and dtypes.

Sizes are given either way, ``zeros(2, 3)`` or ``zeros((2, 3))``. Floating-point factories make
float32 unless ``dtype=`` says otherwise. Random ones draw from the global generator
(``minitorch.manual_seed``) unless given their own ``generator`` (a ``numpy.random.Generator``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .dtypes import DEFAULT_FLOAT, int64
from .random import Generator, numpy_generator
from .tensor import Number, Tensor, _shape_args


def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False, label: str = "") -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, a numpy array).

    Python floats give float32, ints int64, bools bool; numpy arrays keep their dtype.
    """
    if isinstance(data, Tensor):  # a copy, as torch.tensor(t) makes one
        data = data.data.copy()
    return Tensor(data, requires_grad, dtype=dtype, label=label)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares ``array``'s memory (no copy), keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    return Tensor._constant(array)


def _size(size: tuple[Any, ...], op: str) -> tuple[int, ...]:
    shape = _shape_args(size, op)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def _leaf(data: np.ndarray, requires_grad: bool) -> Tensor:
    out = Tensor._constant(data)
    if requires_grad:
        out.requires_grad = True
    return out


def _float(dtype: Any) -> np.dtype:
    return DEFAULT_FLOAT if dtype is None else np.dtype(dtype)


def zeros(*size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_size(size, "zeros"), dtype=_float(dtype)), requires_grad)


def ones(*size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_size(size, "ones"), dtype=_float(dtype)), requires_grad)


def full(size: Sequence[int], fill_value: Number, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (float32 for a float, int64 for an int)."""
    if dtype is None:
        dtype = Tensor(fill_value).dtype
    return _leaf(np.full(_size((size,), "full"), fill_value, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The ``n x m`` identity matrix (ones on the diagonal)."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be greater or equal to 0, got n={n}, m={m}")
    return _leaf(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(start: Number, end: Number | None = None, step: Number = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to (not including) ``end``; ``arange(n)`` is ``0..n-1``.
    int64 when all arguments are ints, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be non-zero")
    if dtype is None:
        dtype = int64 if all(isinstance(v, (int, np.integer)) for v in (start, end, step)) else DEFAULT_FLOAT
    return _leaf(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _leaf(np.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)


def rand(*size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False,
         generator: Generator | np.random.Generator | None = None) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    dtype = _float(dtype)
    rng = numpy_generator(generator)
    return _leaf(rng.random(_size(size, "rand"), dtype=dtype), requires_grad)


def randn(*size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False,
          generator: Generator | np.random.Generator | None = None) -> Tensor:
    """Standard normal random numbers (mean 0, variance 1)."""
    dtype = _float(dtype)
    rng = numpy_generator(generator)
    return _leaf(rng.standard_normal(_size(size, "randn"), dtype=dtype), requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] = (), *, dtype: Any = None,
            generator: Generator | np.random.Generator | None = None) -> Tensor:
    """Random integers in ``[low, high)`` (``randint(high, size)`` means low = 0), int64."""
    if high is None or not isinstance(high, (int, np.integer)):
        if high is not None:  # randint(high, size) as in torch.randint(10, (3,))
            size = high
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint: high ({high}) must be greater than low ({low})")
    rng = numpy_generator(generator)
    shape = _size((size,), "randint")
    return Tensor._constant(rng.integers(low, high, shape, dtype=np.dtype(dtype or int64)))


def randperm(n: int, *, generator: Generator | np.random.Generator | None = None) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64): shuffles without repeats."""
    rng = numpy_generator(generator)
    return Tensor._constant(rng.permutation(n).astype(np.int64))


def zeros_like(t: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def full_like(t: Tensor, fill_value: Number, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad)


def rand_like(t: Tensor, *, dtype: Any = None, requires_grad: bool = False,
              generator: Generator | np.random.Generator | None = None) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, generator=generator)


def randn_like(t: Tensor, *, dtype: Any = None, requires_grad: bool = False,
               generator: Generator | np.random.Generator | None = None) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, generator=generator)


def empty(*size: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` whose values are not set (here: zeros, so results never depend on
    leftover memory). PyTorch code uses it for buffers that are filled right after."""
    return _leaf(np.zeros(_size(size, "empty"), dtype=_float(dtype)), requires_grad)


def empty_like(t: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


class device:
    """A device name, as ``torch.device("cpu")``. minitorch computes on the CPU only: tensors
    accept ``.to(device("cpu"))``; any other device is refused when a tensor is moved to it."""

    def __init__(self, type: str, index: int | None = None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, idx = str(type).partition(":")
        self.type, self.index = name, int(idx) if idx else index

    def __repr__(self) -> str:
        return f"device(type={self.type!r}" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self) -> str:
        return self.type + (f":{self.index}" if self.index is not None else "")

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))
