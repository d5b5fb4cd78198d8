"""Prototype, not part of minitorch: where a small op's microseconds go, piece by piece.

    python -m benchmarks.prototypes.per_op

Each line times one forward op on 10x10 float32 tensors (``requires_grad``, so the graph is
recorded) in CPU microseconds -- the median of 15 ``timeit`` repeats of 2 000 calls -- and gives it
as a multiple of numpy's own ``a * b``. The variants change one thing each, by monkeypatching a
copy of the method outside the package:

* ``_from_op`` with a plain loop instead of ``any(p._requires_grad for p in parents)``;
* a Python number multiplied in directly instead of wrapped into a constant Tensor (``_operand``);
* the lean prototype's op (lean_tensor.py: no closure, no wrapper, plain loop).
"""

from __future__ import annotations

import statistics
import time
import timeit
from typing import Any, Callable

import numpy as np

import minitorch
from minitorch.tensor import grad_mode
from minitorch.tensor.tensor import Tensor, _broadcast, _operand

from .lean_tensor import Lean


def micro(fn: Callable[[], Any], number: int = 2000, repeat: int = 15) -> float:
    """Median CPU microseconds per call."""
    times = timeit.repeat(fn, number=number, repeat=repeat, timer=time.process_time)
    return statistics.median(times) / number * 1e6


def from_op_loop(data: Any, parents: tuple[Tensor, ...], op: str, backward: Any) -> Tensor:
    """Tensor._from_op with the requires-grad test as a plain loop."""
    out = object.__new__(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)
    out.grad = None
    out.label = ""
    out._hooks = None
    out._retains_grad = False
    if backward is not None and grad_mode._enabled:
        for p in parents:
            if p._requires_grad:
                out._requires_grad = True
                out._prev = parents
                out._op = op
                out._backward = backward
                return out
    out._requires_grad = False
    out._prev = ()
    out._op = ""
    out._backward = None
    return out


def mul_scalar_direct(self: Tensor, other: Any) -> Tensor:
    """``__mul__`` with a Python float multiplied in directly (floating tensors only)."""
    if type(other) is float and self.data.dtype.kind == "f":
        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g * other,)

        return Tensor._from_op(self.data * other, (self,), "*", backward)
    other = _operand(other, self, "mul")

    def backward2(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        return (g * other.data if self._requires_grad else None, g * self.data if other._requires_grad else None)

    return Tensor._from_op(_broadcast("mul", np.multiply, self, other), (self, other), "*", backward2)


def main() -> None:
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal((10, 10), dtype=np.float32), rng.standard_normal((10, 10), dtype=np.float32)
    a, b = minitorch.tensor(a0, requires_grad=True), minitorch.tensor(b0, requires_grad=True)
    la, lb = Lean(a0, True), Lean(b0, True)
    lin = minitorch.nn.Linear(64, 64)
    rows: list[tuple[str, float]] = [
        ("numpy a * b", micro(lambda: a0 * b0)),
        ("numpy a * 0.5", micro(lambda: a0 * 0.5)),
        ("minitorch a * b (recorded)", micro(lambda: a * b)),
        ("minitorch a * 0.5 (recorded)", micro(lambda: a * 0.5)),
        ("minitorch a.tanh() (recorded)", micro(lambda: a.tanh())),
        ("minitorch lin.weight (Module.__getattr__)", micro(lambda: lin.weight)),
        ("lin.__dict__ lookup of an attribute", micro(lambda: lin.in_features)),
    ]
    original_from_op, original_mul = Tensor._from_op, Tensor.__mul__
    try:
        Tensor._from_op = staticmethod(from_op_loop)  # type: ignore[method-assign]
        rows.append(("  + _from_op with a plain loop: a * b", micro(lambda: a * b)))
        rows.append(("  + _from_op with a plain loop: a * 0.5", micro(lambda: a * 0.5)))
        Tensor.__mul__ = mul_scalar_direct  # type: ignore[method-assign]
        rows.append(("  + and the float multiplied in directly: a * 0.5", micro(lambda: a * 0.5)))
    finally:
        Tensor._from_op, Tensor.__mul__ = original_from_op, original_mul  # type: ignore[method-assign]
    rows += [("lean prototype a * b", micro(lambda: la * lb)), ("lean prototype a * 0.5", micro(lambda: la * 0.5))]

    def backward_of(n: int, make: Callable[[], Any]) -> float:
        """CPU microseconds per graph node of backward through a chain of n tanh ops."""
        def run() -> None:
            y = make()
            for _ in range(n):
                y = y.tanh()
            y.sum().backward()

        def forward_only() -> None:
            y = make()
            for _ in range(n):
                y = y.tanh()
            y.sum()

        return (micro(run, number=20) - micro(forward_only, number=20)) / n

    rows.append(("minitorch backward, per tanh node", backward_of(200, lambda: a)))
    rows.append(("lean backward (heap by creation number), per node", backward_of(200, lambda: la)))
    base = rows[0][1]
    print(f"{'what':<52}{'us':>8}{'x numpy a*b':>13}")
    for name, us in rows:
        print(f"{name:<52}{us:>8.2f}{us / base:>12.1f}x")


if __name__ == "__main__":
    from ..harness import limit_threads

    limit_threads(1)
    main()
