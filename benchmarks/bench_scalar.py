"""Scalar engine: ``minitorch.Value`` against micrograd's ``Value``, same code, same run.

    python -m benchmarks scalar

Each workload is written once and run with either engine's ``Value`` class:

* **MLP step** — one full-batch training step of a 2-16-16-1 ReLU network on 100 points
  (forward, hinge loss + L2, backward, SGD update): ~70 000 graph nodes, the shape of
  micrograd's own demo.
* **chain** — ``y = y * a + b`` repeated: forward and backward through a graph that is one long
  path, 400 ops (micrograd's recursive topological sort raises ``RecursionError`` on long ones).
* **growth** -- the MLP step on 1 000 to 1 000 000 graph nodes (more data points), minitorch
  alone: the log-log slope of its time against the node count. 1 is linear; above 1, something
  costs more per node as the graph grows -- the cyclic garbage collector, which walks every live
  object each time it runs a full collection. Measured with the collector on and off ("off" is
  what a loop inside ``minitorch.scalar.no_gc()`` gets; why the engine keeps its object graph
  rather than a tape the collector never sees: ``ENGINE_PLAN.md`` §1).

The MLP step runs with the garbage collector on and off. micrograd records a closure per op that
refers to its output (a reference cycle), so its graphs are freed only by the collector; minitorch's
graph has no cycles and is freed by reference counting. micrograd is the optional ``bench`` extra
(``pip install -e ".[bench]"``); without it its rows are left out. Ratios below 1 mean minitorch is
faster.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import numpy as np

from minitorch import Value
from minitorch.data import make_moons

from .harness import Case, Config, Slope

SIZES = (2, 16, 16, 1)
POINTS = 100
SHORT_CHAIN = 400  # number of ops (two per link: a multiply and an add)


def init_weights(sizes: tuple[int, ...] = SIZES, seed: int = 0) -> list[list[list[float]]]:
    """Plain floats for every layer: layers[l][j] = [w_j1, ..., w_jn, b_j] (same for both engines)."""
    rng = random.Random(seed)
    return [[[rng.uniform(-1, 1) / fan_in**0.5 for _ in range(fan_in + 1)] for _ in range(fan_out)]
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]


def make_mlp_step(value_cls: type, X: np.ndarray, y: np.ndarray, lr: float = 0.05,
                  alpha: float = 1e-4) -> Callable[[], float]:
    """One SGD step of the benchmark MLP, using only ops both engines have (+ - * ** relu)."""
    layers = [[[value_cls(w) for w in neuron] for neuron in layer] for layer in init_weights()]
    params = [p for layer in layers for neuron in layer for p in neuron]
    xs = X.tolist()
    ys = [1.0 if label == 1 else -1.0 for label in y]

    def forward(x: list[float]) -> Any:
        h: list[Any] = x
        for depth, layer in enumerate(layers):
            last = depth == len(layers) - 1
            acts = [sum((w * hi for w, hi in zip(neuron[:-1], h)), neuron[-1]) for neuron in layer]
            h = acts if last else [a.relu() for a in acts]
        return h[0]

    def loss_graph() -> Any:
        scores = [forward(x) for x in xs]
        losses = [(1 - yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + alpha * sum(p * p for p in params) if alpha else data_loss

    def step() -> float:
        loss = loss_graph()
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss.data

    step.loss_graph = loss_graph  # type: ignore[attr-defined]  (to count the graph's nodes)
    return step


def make_chain(value_cls: type, ops: int) -> Callable[[], float]:
    """Forward and backward through y = y * a + b, ``ops // 2`` times."""

    def run() -> float:
        a, b = value_cls(0.999), value_cls(0.001)
        out = value_cls(0.5)
        for _ in range(ops // 2):
            out = out * a + b
        out.backward()
        return a.grad

    return run


def count_nodes(root: Any) -> int:
    """Nodes of the graph behind ``root`` (iterative walk over ``_prev``, works for both engines)."""
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def load_micrograd() -> type | None:
    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        return None
    return MicroValue


def scalar_mlp(points: int, engines: dict[str, type | None]) -> dict[str, Callable[[], float]]:
    X, y = make_moons(points, noise=0.1, seed=0)
    return {name: make_mlp_step(cls, X, y) for name, cls in engines.items() if cls is not None}


NODES_PER_POINT = 680  # graph nodes of one MLP step per data point (2-16-16-1, no L2 term), by count_nodes


def growth_workload(nodes: int) -> tuple[Callable[[], float], int]:
    """minitorch's MLP step with about ``nodes`` graph nodes (more points), and its exact node count."""
    X, y = make_moons(max(2, round(nodes / NODES_PER_POINT)), noise=0.1, seed=0)
    step = make_mlp_step(Value, X, y, alpha=0.0)
    return step, count_nodes(step.loss_graph())  # type: ignore[attr-defined]


def cases(cfg: Config) -> list[Case | Slope]:
    micro = load_micrograd()
    engines = {"minitorch": Value, "micrograd": micro}
    missing = [] if micro is not None else ['micrograd not installed (pip install -e ".[bench]")']
    points = cfg.pick(POINTS, smoke=2)
    rounds = cfg.pick(11, quick=5)
    chain = cfg.pick(SHORT_CHAIN, smoke=20)
    same = same_results(1e-9)
    top = cfg.pick(1_000_000, quick=100_000, smoke=3_000)
    sizes = [n for n in (1_500, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000) if n <= top]
    slope_rounds = cfg.pick(5, quick=3)
    return [
        Case(f"scalar MLP step 2-16-16-1, {points} points, GC on", lambda: scalar_mlp(points, engines),
             rounds=rounds, gc=True, check=same, missing=missing),
        Case(f"scalar MLP step 2-16-16-1, {points} points, GC off", lambda: scalar_mlp(points, engines),
             rounds=rounds, gc=False, check=same, missing=missing),
        Case(f"scalar chain of {chain} ops, forward + backward",
             lambda: {n: make_chain(c, chain) for n, c in engines.items() if c is not None},
             calls=cfg.pick(20, smoke=1), rounds=rounds, check=same, missing=missing),
        Slope("scalar MLP step growth, GC on", sizes, growth_workload, rounds=slope_rounds, gc=True),
        Slope("scalar MLP step growth, GC off", sizes, growth_workload, rounds=slope_rounds, gc=False),
    ]


def same_results(rtol: float) -> Callable[[dict[str, list[float]]], None]:
    def check(outputs: dict[str, list[float]]) -> None:
        (subject, reference), *others = outputs.items()
        for name, values in others:
            if not np.allclose(values, reference, rtol=rtol):
                raise AssertionError(f"{name} computes {values}, {subject} {reference}")

    return check
