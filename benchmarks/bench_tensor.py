"""One MLP training step (784-256-10, batch 128, float32): minitorch vs hand-written numpy vs PyTorch.

Each step is the same computation: forward (linear, relu, linear), cross-entropy, backward, and a
plain SGD update. The numpy version has its backward written out by hand — the floor for any
numpy-based engine; the ratio ``minitorch / numpy`` is what autograd's bookkeeping costs.
PyTorch (CPU) runs when it is installed.

Also: minitorch's memory over 1 000 steps (tracemalloc), which must stay flat — the graph of each
step is freed by its backward.

    python -m benchmarks tensor
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python -m benchmarks tensor   # steadier on a busy machine

(Timings are the best of several interleaved rounds; on a machine shared with other work, multi-
threaded BLAS is at the mercy of the scheduler, and one thread per library compares more fairly.)
"""

from __future__ import annotations

import os
import resource
import time
import tracemalloc
from typing import Callable

import numpy as np

import minitorch
import minitorch.nn.functional as F

BATCH, IN, HIDDEN, OUT = 128, 784, 256, 10
LR = 0.05


def make_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """A fixed batch and initial weights (PyTorch's Linear init: U(-1/sqrt(in), 1/sqrt(in)))."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, IN), dtype=np.float32)
    y = rng.integers(0, OUT, BATCH)
    weights = []
    for fan_in, fan_out in ((IN, HIDDEN), (HIDDEN, OUT)):
        bound = 1 / np.sqrt(fan_in)
        weights += [rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                    rng.uniform(-bound, bound, fan_out).astype(np.float32)]
    return x, y, weights


def numpy_step_fn(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray]) -> Callable[[], float]:
    """Forward and backward written by hand in numpy."""
    w1, b1, w2, b2 = [w.copy() for w in weights]
    rows = np.arange(len(y))

    def step() -> float:
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0)
        logits = h @ w2.T + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean()
        dlogits = np.exp(logp)  # softmax - one_hot, over the batch size
        dlogits[rows, y] -= 1
        dlogits /= len(y)
        dw2, db2 = dlogits.T @ h, dlogits.sum(axis=0)
        dz1 = (dlogits @ w2) * (z1 > 0)
        dw1, db1 = dz1.T @ x, dz1.sum(axis=0)
        for p, g in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
            p -= LR * g
        return float(loss)

    return step


def minitorch_step_fn(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray]) -> Callable[[], float]:
    xt, yt = minitorch.tensor(x), minitorch.tensor(y)
    w1, b1, w2, b2 = params = [minitorch.tensor(w, requires_grad=True) for w in weights]

    def step() -> float:
        for p in params:
            p.grad = None
        logits = F.linear(F.linear(xt, w1, b1).relu(), w2, b2)
        loss = F.cross_entropy(logits, yt)
        loss.backward()
        for p in params:
            p.data -= LR * p.grad.data
        return loss.item()

    return step


def torch_step_fn(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray]) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    w1, b1, w2, b2 = params = [torch.tensor(w, requires_grad=True) for w in weights]
    tf = torch.nn.functional

    def step() -> float:
        for p in params:
            p.grad = None
        loss = tf.cross_entropy(tf.linear(tf.linear(xt, w1, b1).relu(), w2, b2), yt)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss.item()

    return step


def time_steps(steps: dict[str, Callable[[], float]], rounds: int = 15, per_round: int = 30) -> dict[str, float]:
    """Seconds per step for each function: rounds interleaved (fair under a noisy machine), best round kept."""
    best = {name: float("inf") for name in steps}
    for fn in steps.values():
        for _ in range(10):  # warm-up: caches, BLAS thread pools
            fn()
    for _ in range(rounds):
        for name, fn in steps.items():
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / per_round)
    return best


MARKS = (1, 10, 100, 500, 1000)


def memory_over_steps(step: Callable[[], float]) -> tuple[list[float], float]:
    """Memory traced by tracemalloc (numpy's arrays included) after each step in MARKS, and the
    peak over all of them, in MiB."""
    marks = []
    tracemalloc.start()
    for i in range(1, MARKS[-1] + 1):
        step()
        if i in MARKS:
            marks.append(tracemalloc.get_traced_memory()[0] / 2**20)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return marks, peak


def main() -> None:
    x, y, weights = make_problem()
    steps = {"numpy (by hand)": numpy_step_fn(x, y, weights), "minitorch": minitorch_step_fn(x, y, weights)}
    torch_step = torch_step_fn(x, y, weights)
    if torch_step is not None:
        steps["pytorch (cpu)"] = torch_step

    # Same computation, same numbers: compare the first few losses before timing anything.
    losses = {name: [fn() for _ in range(5)] for name, fn in steps.items()}
    reference = losses["numpy (by hand)"]
    for name, values in losses.items():
        if not np.allclose(values, reference, rtol=1e-4):
            raise AssertionError(f"{name} computes different losses: {values} vs numpy {reference}")

    print(f"MLP {IN}-{HIDDEN}-{OUT}, batch {BATCH}, float32: forward + cross-entropy + backward + SGD update "
          f"(BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')})")
    seconds = time_steps(steps)
    base = seconds["numpy (by hand)"]
    print(f"{'implementation':<18}{'ms / step':>12}{'vs numpy':>12}")
    for name, s in seconds.items():
        print(f"{name:<18}{s * 1e3:>12.3f}{s / base:>11.2f}x")

    print(f"\nmemory over {MARKS[-1]} steps (tracemalloc, MiB, after step ...; each from fresh weights)")
    print(f"{'implementation':<18}" + "".join(f"{m:>8}" for m in MARKS) + f"{'peak':>8}")
    growth = {}
    for name, make in (("numpy (by hand)", numpy_step_fn), ("minitorch", minitorch_step_fn)):
        marks, peak = memory_over_steps(make(x, y, weights))
        growth[name] = (marks[-1] - marks[-2]) * 2**20
        print(f"{name:<18}" + "".join(f"{m:>8.2f}" for m in marks) + f"{peak:>8.2f}")
    print(f"growth from step {MARKS[-2]} to {MARKS[-1]}: "
          + ", ".join(f"{name} {g:+.0f} bytes" for name, g in growth.items()))
    print("(minitorch's level is the parameters' .grad arrays, kept between steps; a rise over the first "
          "hundreds of steps, if any, is Python's free lists filling up to their caps)")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
