"""Prototype, not part of minitorch: a scalar graph the garbage collector does not have to walk.

    python -m benchmarks.prototypes.scalar_tape [--quick]

scalar_gc.py shows that the collector's cost is in the *forward* pass: full collections walk every
live node, and there are more of them (and each is longer) the bigger the graph. ``Tape`` keeps the
graph out of the collector's sight:

* each op appends one record to a *tape* (a list): ``(parent_a, d_a, parent_b, d_b)`` -- tape
  indices and local derivatives, atomic values only. CPython stops tracking such a tuple the first
  time it survives a collection, so the tape costs the collector nothing afterwards;
* a ``Tape`` value holds its number and its tape index, not its parents: intermediate values die as
  soon as the user drops them (reference counting), so the live tracked objects are the ones the
  user holds, not the whole graph;
* backward needs no search at all: the tape is already in topological order (an op is recorded
  after its inputs), so it is one reverse loop over a list of floats.

What the prototype leaves open (the design questions for a real engine): when the tape is cleared
(here: ``Tape.new_graph()`` at the start of each step; the benchmark step calls it), and how leaves
created before a ``new_graph`` get their index (here: lazily, on first use in the new graph).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from minitorch import Value
from minitorch.data import make_moons

from ..bench_scalar import load_micrograd, make_mlp_step, same_results
from ..harness import Case, Config, Slope, format_table, limit_threads, run

_tape: list[tuple[int, float, int, float] | None] = []  # one record per node; None for a leaf
_leaves: list["Tape"] = []  # the leaves of the current graph (their .grad is filled by backward)
_generation = [0]


class Tape:
    __slots__ = ("data", "grad", "_gen", "_i")

    def __init__(self, data: float) -> None:
        self.data, self.grad, self._gen, self._i = float(data), 0.0, -1, -1

    @staticmethod
    def new_graph() -> None:
        """Start a new graph: forget the previous tape (its values keep their numbers and grads)."""
        _tape.clear()
        _leaves.clear()
        _generation[0] += 1

    def _index(self) -> int:
        if self._gen != _generation[0]:  # a leaf first used in this graph
            self._gen, self._i = _generation[0], len(_tape)
            _tape.append(None)
            _leaves.append(self)
        return self._i

    def __add__(self, other: Any) -> "Tape":
        other = other if type(other) is Tape else Tape(other)
        return _record(self.data + other.data, self._index(), 1.0, other._index(), 1.0)

    def __mul__(self, other: Any) -> "Tape":
        other = other if type(other) is Tape else Tape(other)
        return _record(self.data * other.data, self._index(), other.data, other._index(), self.data)

    def __rsub__(self, other: Any) -> "Tape":
        return _record(other - self.data, self._index(), -1.0, -1, 0.0)

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self) -> "Tape":
        positive = self.data > 0
        return _record(self.data if positive else 0.0, self._index(), 1.0 if positive else 0.0, -1, 0.0)

    def backward(self) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's .grad: one reverse pass over the tape."""
        root = self._index()
        grads = [0.0] * (root + 1)
        grads[root] = 1.0
        tape = _tape
        for i in range(root, -1, -1):
            g = grads[i]
            record = tape[i]
            if g == 0.0 or record is None:
                continue
            a, da, b, db = record
            grads[a] += da * g
            if b >= 0:
                grads[b] += db * g
        for leaf in _leaves:
            if leaf._i <= root:
                leaf.grad += grads[leaf._i]


def _record(data: float, a: int, da: float, b: int, db: float) -> Tape:
    out = object.__new__(Tape)
    out.data, out.grad, out._gen, out._i = data, 0.0, _generation[0], len(_tape)
    _tape.append((a, da, b, db))
    return out


def tape_step(X: Any, y: Any, alpha: float = 1e-4) -> Callable[[], float]:
    """bench_scalar's MLP step with Tape values, starting a new graph each step."""
    step = make_mlp_step(Tape, X, y, alpha=alpha)

    def run_step() -> float:
        Tape.new_graph()
        return step()

    return run_step


def tape_nodes(nodes: int) -> tuple[Callable[[], float], int]:
    X, y = make_moons(max(2, round(nodes / 680)), noise=0.1, seed=0)
    step = tape_step(X, y, alpha=0.0)
    step()
    return step, len(_tape)


def cases(cfg: Config) -> list[Case | Slope]:
    micro = load_micrograd()
    points = cfg.pick(100, smoke=2)
    top = cfg.pick(1_000_000, quick=100_000, smoke=3_000)
    sizes = [n for n in (1_500, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000) if n <= top]

    def impls() -> dict[str, Callable[[], float]]:
        X, y = make_moons(points, noise=0.1, seed=0)
        out = {"tape prototype": tape_step(X, y), "minitorch": make_mlp_step(Value, X, y)}
        if micro is not None:
            out["micrograd"] = make_mlp_step(micro, X, y)
        return out

    rounds = cfg.pick(11, quick=5)
    return [
        Case(f"scalar MLP step, {points} points, GC on", impls, rounds=rounds, gc=True, check=same_results(1e-9)),
        Case(f"scalar MLP step, {points} points, GC off", impls, rounds=rounds, gc=False, check=same_results(1e-9)),
        Slope("growth, tape prototype, GC on", sizes, tape_nodes, rounds=3, gc=True),
        Slope("growth, tape prototype, GC off", sizes, tape_nodes, rounds=3, gc=False),
    ]


if __name__ == "__main__":
    cfg = Config(quick="--quick" in sys.argv, smoke="--smoke" in sys.argv)
    limit_threads(1)
    print(format_table(run(cases(cfg), cfg)).replace("minitorch/call", "prototype/call"))
    print("ratio = tape prototype time / baseline time (paired rounds); slopes: the prototype's own growth")
