"""Scalar engine: ``minitorch.Value`` against micrograd's ``Value``, same code, same run.

    python -m benchmarks scalar        (or: python benchmarks/bench_scalar.py)

Two workloads, each written once and run with either engine's ``Value`` class:

* **MLP step** — one full-batch training step of a 2-16-16-1 ReLU network on 100 points
  (forward, hinge loss + L2, backward, SGD update): ~70 000 graph nodes, the shape of
  micrograd's own demo.
* **chain** — ``y = y * a + b`` repeated: forward and backward through a graph that is one long
  path. A short chain (400 ops) fits micrograd's recursive topological sort; the long one
  (100 000 ops) does not, and micrograd raises ``RecursionError`` there.

micrograd is the optional ``bench`` extra (``pip install -e ".[bench]"``); without it only
minitorch's times are printed. Times are the best of several repeats (less noise from other
processes on the machine); ratios below 1 mean minitorch is faster.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any, Callable

import numpy as np

if __package__ in (None, ""):  # run as a script: make `import minitorch` find this checkout
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from minitorch import Value
from minitorch.data import make_moons

SIZES = (2, 16, 16, 1)
POINTS = 100
SHORT_CHAIN, LONG_CHAIN = 400, 100_000  # number of ops (two per link: a multiply and an add)


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

    def step() -> float:
        scores = [forward(x) for x in xs]
        losses = [(1 - yi * si).relu() for yi, si in zip(ys, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + alpha * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss.data

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


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(make: Callable[[], Callable[[], Any]], repeats: int) -> float | str:
    """Seconds for one call (best of ``repeats``), or the name of the error the engine raised."""
    fn = make()
    try:
        fn()  # warm-up, and proof that the workload runs at all
    except RecursionError:
        return "RecursionError"
    return best_time(fn, repeats)


def load_micrograd() -> type | None:
    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        return None
    return MicroValue


def main() -> None:
    X, y = make_moons(POINTS, noise=0.1, seed=0)
    micro = load_micrograd()
    workloads = [
        (f"MLP step 2-16-16-1, {POINTS} points", lambda cls: make_mlp_step(cls, X, y), 5),
        (f"chain of {SHORT_CHAIN} ops", lambda cls: make_chain(cls, SHORT_CHAIN), 50),
        (f"chain of {LONG_CHAIN:,} ops", lambda cls: make_chain(cls, LONG_CHAIN), 3),
    ]
    print(f"{'workload':<34}{'minitorch':>12}{'micrograd':>16}{'ratio':>8}")
    for name, make, repeats in workloads:
        ours = measure(lambda: make(Value), repeats)
        theirs = measure(lambda: make(micro), repeats) if micro is not None else "not installed"
        if isinstance(ours, float) and isinstance(theirs, float):
            ratio = f"{ours / theirs:.2f}"
        else:
            ratio = "-"
        fmt = lambda t: f"{t * 1e3:.2f} ms" if isinstance(t, float) else t  # noqa: E731
        print(f"{name:<34}{fmt(ours):>12}{fmt(theirs):>16}{ratio:>8}")
    print("ratio = minitorch time / micrograd time (lower is better for minitorch)")
    if micro is None:
        print("note: micrograd is not installed, so there is nothing to compare with; "
              "install the benchmark extra: pip install -e \".[bench]\"")


if __name__ == "__main__":
    main()
