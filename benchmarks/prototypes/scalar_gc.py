"""Prototype, not part of minitorch: where the scalar engine's garbage-collector cost comes from, and
what removes it.

    python -m benchmarks.prototypes.scalar_gc [--quick]

1. **Where the time goes.** ``gc.callbacks`` times every collection during one MLP step (forward +
   backward + update) and says in which phase it ran and which generation it walked.
2. **Fewer tracked objects per node** (``Slim``): the same ``Value`` with its one or two parents
   and local derivatives in slots (``_a``, ``_b``, ``_da``, ``_db``) instead of two tuples. A node
   is then 1 object the collector tracks instead of 2-3 (the ``_prev`` tuple, and the
   ``_local_grads`` tuple until the collector untracks it), so collections come less often and each
   walks a third of the objects. ``_prev`` stays available as a property (for drawings).
3. **The collector paused around a step** (what a ``no_gc`` helper in the training loop would do):
   the "GC off" rows.

Measured with the same harness (paired ratios, log-log slopes) as ``python -m benchmarks``.
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any, Callable

from minitorch import Value
from minitorch.data import make_moons

from ..bench_scalar import count_nodes, load_micrograd, make_mlp_step, same_results
from ..harness import Case, Config, Slope, format_table, limit_threads, run


class Slim:
    """minitorch's ``Value`` (the ops the benchmark MLP uses), parents and local derivatives in slots."""

    __slots__ = ("data", "grad", "label", "_a", "_b", "_da", "_db", "_op")

    def __init__(self, data: float, label: str = "") -> None:
        self.data, self.grad, self.label = float(data), 0.0, label
        self._a = self._b = None
        self._da = self._db = 0.0
        self._op = ""

    @property
    def _prev(self) -> tuple["Slim", ...]:
        return tuple(p for p in (self._a, self._b) if p is not None)

    def __add__(self, other: Any) -> "Slim":
        other = other if type(other) is Slim else Slim(other)
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other: Any) -> "Slim":
        other = other if type(other) is Slim else Slim(other)
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __rsub__(self, other: Any) -> "Slim":
        return _node(other - self.data, "-", self, -1.0, None, 0.0)

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self) -> "Slim":
        positive = self.data > 0
        return _node(self.data if positive else 0.0, "relu", self, 1.0 if positive else 0.0, None, 0.0)

    def backward(self) -> None:
        order, visited, stack = [], {self}, [self]
        while stack:  # iterative DFS, as Value._topological_order
            node = stack[-1]
            for parent in (node._a, node._b):
                if parent is not None and parent not in visited:
                    visited.add(parent)
                    stack.append(parent)
                    break
            else:
                order.append(stack.pop())
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            a = node._a
            if a is not None:
                g = node.grad
                a.grad += node._da * g
                b = node._b
                if b is not None:
                    b.grad += node._db * g


def _node(data: float, op: str, a: Slim, da: float, b: Slim | None, db: float) -> Slim:
    out = object.__new__(Slim)
    out.data, out.grad, out.label, out._op = data, 0.0, "", op
    out._a, out._da, out._b, out._db = a, da, b, db
    return out


def gc_profile(points: int) -> str:
    """Collections during one step of minitorch's Value MLP: time and generation, per phase."""
    X, y = make_moons(points, noise=0.1, seed=0)
    step = make_mlp_step(Value, X, y, alpha=0.0)
    step()
    phase = ["forward"]
    spent: dict[tuple[str, int], list[float]] = {}
    started: list[float] = []

    def callback(event: str, info: dict[str, int]) -> None:
        if event == "start":
            started.append(time.perf_counter())
        else:
            spent.setdefault((phase[0], info["generation"]), []).append(time.perf_counter() - started.pop())

    gc.collect()
    gc.callbacks.append(callback)
    try:
        total = time.perf_counter()
        loss = step.loss_graph()  # type: ignore[attr-defined]
        phase[0] = "backward"
        loss.backward()
        total = time.perf_counter() - total
    finally:
        gc.callbacks.remove(callback)
    nodes = count_nodes(loss)
    lines = [f"one MLP step's graph, {points} points, {nodes} nodes: forward + backward {total * 1e3:.1f} ms"]
    for (where, generation), times in sorted(spent.items()):
        lines.append(f"  {where:<8} generation {generation}: {len(times):4d} collections, {sum(times) * 1e3:7.1f} ms "
                     f"({sum(times) / total:.0%})")
    return "\n".join(lines)


def cases(cfg: Config) -> list[Case | Slope]:
    micro = load_micrograd()
    points = cfg.pick(100, smoke=2)
    rounds = cfg.pick(11, quick=5)
    top = cfg.pick(1_000_000, quick=100_000, smoke=3_000)
    sizes = [n for n in (1_500, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000) if n <= top]

    def impls() -> dict[str, Callable[[], float]]:
        X, y = make_moons(points, noise=0.1, seed=0)
        out = {"slim prototype": make_mlp_step(Slim, X, y), "minitorch": make_mlp_step(Value, X, y)}
        if micro is not None:
            out["micrograd"] = make_mlp_step(micro, X, y)
        return out

    def growth(cls: type) -> Callable[[int], tuple[Callable[[], float], int]]:
        def make(nodes: int) -> tuple[Callable[[], float], int]:
            X, y = make_moons(max(2, round(nodes / 680)), noise=0.1, seed=0)
            step = make_mlp_step(cls, X, y, alpha=0.0)
            return step, count_nodes(step.loss_graph())  # type: ignore[attr-defined]

        return make

    return [
        Case(f"scalar MLP step, {points} points, GC on", impls, rounds=rounds, gc=True, check=same_results(1e-9)),
        Case(f"scalar MLP step, {points} points, GC off", impls, rounds=rounds, gc=False, check=same_results(1e-9)),
        Slope("growth, slim prototype, GC on", sizes, growth(Slim), rounds=3, gc=True),
        Slope("growth, minitorch Value, GC on", sizes, growth(Value), rounds=3, gc=True),
        Slope("growth, minitorch Value, GC off", sizes, growth(Value), rounds=3, gc=False),
    ]


if __name__ == "__main__":
    cfg = Config(quick="--quick" in sys.argv, smoke="--smoke" in sys.argv)
    limit_threads(1)
    for n in cfg.pick((100, 1000), smoke=(2,)):
        print(gc_profile(n))
    print(format_table(run(cases(cfg), cfg)).replace("minitorch/call", "prototype/call"))
    print("ratio = slim prototype time / baseline time (paired rounds); slopes: each engine's own growth")
