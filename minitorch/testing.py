"""Checking numbers: ``assert_close`` and ``gradcheck`` (autograd vs finite differences)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


def _as_array(x: Any) -> np.ndarray:
    data = getattr(x, "data", x)  # Value.data is a float, Tensor.data an ndarray
    return np.asarray(data, dtype=np.float64)


def assert_close(actual: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-8, msg: str | None = None) -> None:
    """Raise AssertionError unless ``|actual - expected| <= atol + rtol * |expected|`` elementwise.

    Accepts numbers, sequences, numpy arrays, ``Value`` and ``Tensor``. The message says where and
    by how much the values differ, prefixed by ``msg``.
    """
    a, e = _as_array(actual), _as_array(expected)
    prefix = f"{msg}: " if msg else ""
    if a.shape != e.shape:
        raise AssertionError(f"{prefix}shape {a.shape} differs from the expected shape {e.shape}")
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    if a.ndim == 0:
        raise AssertionError(f"{prefix}got {a.item():.10g}, expected {e.item():.10g} "
                             f"(difference {abs(a.item() - e.item()):.3g}, tolerance {atol + rtol * abs(e.item()):.3g})")
    bad = np.argwhere(~close)
    where = tuple(int(i) for i in bad[0])
    raise AssertionError(f"{prefix}{len(bad)} of {a.size} values differ; first at index {where}: "
                         f"got {a[where]:.10g}, expected {e[where]:.10g} "
                         f"(max abs difference {np.nanmax(np.abs(a - e)):.3g})")


def numerical_gradient(f: Callable[[Sequence[float]], float], xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences (f(x + h) - f(x - h)) / 2h for each input of a function of floats."""
    grads = []
    for i in range(len(xs)):
        plus = list(xs); plus[i] += eps
        minus = list(xs); minus[i] -= eps
        grads.append((f(plus) - f(minus)) / (2 * eps))
    return grads


def gradcheck(fn: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Compare autograd's gradients of ``fn(*inputs)`` with central finite differences.

    Scalar engine: ``inputs`` are numbers (or ``Value``s, whose ``.data`` is used); ``fn`` takes
    that many ``Value``s and returns a ``Value``. Tensor engine: see ``_gradcheck_tensors``.
    Returns True, or raises AssertionError naming the input whose gradient is wrong (returns False
    when ``raise_exception=False``).
    """
    from .scalar import Value

    if any(isinstance(getattr(x, "data", None), np.ndarray) for x in inputs):  # Tensors: the tensor engine
        return _gradcheck_tensors(fn, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
    xs = [float(getattr(x, "data", x)) for x in inputs]

    def forward(values: Sequence[float]) -> float:
        return fn(*[Value(v) for v in values]).data

    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(xs)]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    out.backward()
    analytic = [leaf.grad for leaf in leaves]
    numeric = numerical_gradient(forward, xs, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not np.isclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                raise AssertionError(f"gradcheck: gradient of input {i} (x{i} = {xs[i]:.6g}) is wrong: "
                                     f"autograd says {a:.8g}, finite differences say {n:.8g}")
            return False
    return True


def numerical_vjp(fn: Callable[..., Any], arrays: Sequence[Any], v: Any, eps: float = 1e-6,
                  wrt: Sequence[int] | None = None) -> list[np.ndarray]:
    """Finite-difference vector-Jacobian products: ``[d sum(v * fn(*arrays)) / d arrays[k] for k in wrt]``.

    This is what autograd's ``backward(gradient=v)`` computes, found without autograd: ``fn`` maps
    numpy arrays to an array of ``v``'s shape; each entry of each array in ``wrt`` (default: all)
    is nudged by ±eps on a float64 copy (central differences). Each result has its array's shape.
    """
    xs = [np.array(a, dtype=np.float64) for a in arrays]
    v = np.asarray(v, dtype=np.float64)
    grads = []
    for k in range(len(xs)) if wrt is None else wrt:
        x = xs[k]  # perturbed in place below; fn reads it afresh on every call
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            original = x[j]
            x[j] = original + eps
            plus = float(np.sum(v * np.asarray(fn(*xs), dtype=np.float64)))
            x[j] = original - eps
            minus = float(np.sum(v * np.asarray(fn(*xs), dtype=np.float64)))
            x[j] = original
            g[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def _gradcheck_tensors(fn: Callable[..., Any], inputs: Sequence[Any], *, eps: float, atol: float, rtol: float,
                       raise_exception: bool) -> bool:
    """gradcheck for the tensor engine.

    The inputs with ``requires_grad=True`` are checked, on float64 copies (finite differences in
    float32 are too coarse to tell a right gradient from a wrong one); other inputs (targets,
    indices, constants) are passed as they are. ``fn`` may return a tensor of any shape: with a
    fixed random ``v`` of that shape, the scalar ``sum(v * fn(...))`` is differentiated both by
    autograd (``out.backward(gradient=v)``) and by central differences (``numerical_vjp``).
    """
    from .tensor import Tensor, no_grad

    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is no gradient to check")
    args = [Tensor(x.data.astype(np.float64), requires_grad=True) if i in checked else x
            for i, x in enumerate(inputs)]
    out = fn(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    v = np.random.default_rng(0).standard_normal(out.shape)  # its own generator: the global one is untouched
    if out.requires_grad:
        out.backward(gradient=v)

    def forward(*arrays: np.ndarray) -> np.ndarray:
        call = list(inputs)
        for i, array in zip(checked, arrays):
            call[i] = Tensor(array)
        with no_grad():
            return fn(*call).data

    numerics = numerical_vjp(forward, [args[i].data for i in checked], v, eps)
    for i, numeric in zip(checked, numerics):
        x = args[i].data
        analytic = np.zeros_like(x) if args[i].grad is None else args[i].grad.data
        if analytic.shape != x.shape:
            raise AssertionError(f"gradcheck: the gradient of input {i} has shape {analytic.shape}, "
                                 f"expected the input's shape {x.shape}")
        close = np.isclose(analytic, numeric, rtol=rtol, atol=atol)
        if not close.all():
            if not raise_exception:
                return False
            where = tuple(int(k) for k in np.argwhere(~close)[0])
            raise AssertionError(f"gradcheck: the gradient of input {i} (shape {x.shape}) is wrong at index {where}: "
                                 f"autograd says {analytic[where]:.8g}, finite differences say {numeric[where]:.8g} "
                                 f"({int((~close).sum())} of {x.size} entries differ)")
    return True
