"""Recurrent layers, forward + backward: an LSTM and a GRU layer (sequence 32, batch 32, input 64,
hidden 128, float32), minitorch vs PyTorch (CPU, when installed) vs an LSTM written by hand in numpy.

Each step is: the layer over the whole sequence, ``loss = sum(output * G)`` for a fixed ``G``, and
the backward pass to the input and every parameter. minitorch composes each cell from tensor ops
with a Python loop over time (autograd records ~20 ops per step and time step); the numpy LSTM has
its backward written out by hand and computes the input projection of all time steps in one matrix
product, the floor for a numpy engine. PyTorch runs its fused C++ kernels.

Timings: ``ROUNDS`` interleaved rounds (each implementation once per round, in turn), each round the
mean of ``REPS`` steps; the table gives the median time and, per baseline, the **paired ratio** of
each round (minitorch / baseline in the same round) as median with [min-max]. One BLAS thread and
one PyTorch thread, so the libraries compare like with like (and a busy machine disturbs less).
Also the peak memory that Python allocations reach in one minitorch and one numpy step
(``tracemalloc``; PyTorch's own allocator is invisible to it).

    python -m benchmarks rnn            # or: python -m benchmarks.bench_rnn
"""

from __future__ import annotations

import os
import sys

if "numpy" not in sys.modules:  # BLAS reads this once, when numpy loads; run alone, we get one thread
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402

SEQ, BATCH, IN, HIDDEN = 32, 32, 64, 128
ROUNDS, REPS = 7, 2


def make_problem(kind: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Input ``(SEQ, BATCH, IN)``, output gradient ``(SEQ, BATCH, HIDDEN)`` and the layer's weights
    (PyTorch's init, U(-1/sqrt(H), 1/sqrt(H)), under PyTorch's names)."""
    rng = np.random.default_rng(seed)
    gates = {"LSTM": 4, "GRU": 3}[kind] * HIDDEN
    bound = 1 / np.sqrt(HIDDEN)
    shapes = {"weight_ih_l0": (gates, IN), "weight_hh_l0": (gates, HIDDEN), "bias_ih_l0": (gates,),
              "bias_hh_l0": (gates,)}
    weights = {k: rng.uniform(-bound, bound, s).astype(np.float32) for k, s in shapes.items()}
    x = rng.standard_normal((SEQ, BATCH, IN), dtype=np.float32)
    g = rng.standard_normal((SEQ, BATCH, HIDDEN), dtype=np.float32)
    return x, g, weights


# ---------------------------------------------------------------------------- the implementations
def minitorch_step_fn(kind: str, x: np.ndarray, g: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], Any]:
    layer = getattr(nn, kind)(IN, HIDDEN)
    layer.load_state_dict(weights)
    xt, gt = minitorch.tensor(x, requires_grad=True), minitorch.tensor(g)

    def step() -> dict[str, np.ndarray]:
        layer.zero_grad()
        xt.grad = None
        out, _ = layer(xt)
        (out * gt).sum().backward()
        return {"out": out.data, "x": xt.grad.data, **{k: p.grad.data for k, p in layer.named_parameters()}}

    return step


def torch_step_fn(kind: str, x: np.ndarray, g: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], Any]:
    import torch

    torch.set_num_threads(1)
    layer = getattr(torch.nn, kind)(IN, HIDDEN)
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g)

    def step() -> dict[str, np.ndarray]:
        layer.zero_grad()
        xt.grad = None
        out, _ = layer(xt)
        (out * gt).sum().backward()
        return {"out": out.detach().numpy(), "x": xt.grad.numpy(),
                **{k: p.grad.numpy() for k, p in layer.named_parameters()}}

    return step


def numpy_lstm_step_fn(x: np.ndarray, g: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], Any]:
    """An LSTM layer (gate order i, f, g, o) with its backward through time written by hand."""
    w_ih, w_hh = weights["weight_ih_l0"], weights["weight_hh_l0"]
    b = weights["bias_ih_l0"] + weights["bias_hh_l0"]
    H = HIDDEN

    def sigmoid(a: np.ndarray) -> np.ndarray:
        return 0.5 * (np.tanh(0.5 * a) + 1)  # = 1 / (1 + e^-a), without overflow

    def step() -> dict[str, np.ndarray]:
        xw = (x.reshape(-1, IN) @ w_ih.T + b).reshape(SEQ, BATCH, 4 * H)  # every step's input part at once
        h, c = np.zeros((BATCH, H), np.float32), np.zeros((BATCH, H), np.float32)
        hs, cs, acts = [h], [c], []
        for t in range(SEQ):
            a = xw[t] + h @ w_hh.T
            i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
            gg = np.tanh(a[:, 2 * H:3 * H])
            c = f * c + i * gg
            h = o * np.tanh(c)
            hs.append(h), cs.append(c), acts.append((i, f, gg, o))
        d_gates = np.empty((SEQ, BATCH, 4 * H), np.float32)
        d_w_hh = np.zeros_like(w_hh)
        dh_next, dc_next = np.zeros((BATCH, H), np.float32), np.zeros((BATCH, H), np.float32)
        for t in range(SEQ - 1, -1, -1):
            i, f, gg, o = acts[t]
            dh = g[t] + dh_next
            tc = np.tanh(cs[t + 1])
            dc = dh * o * (1 - tc * tc) + dc_next
            da = d_gates[t]
            da[:, :H] = dc * gg * i * (1 - i)
            da[:, H:2 * H] = dc * cs[t] * f * (1 - f)
            da[:, 2 * H:3 * H] = dc * i * (1 - gg * gg)
            da[:, 3 * H:] = dh * tc * o * (1 - o)
            d_w_hh += da.T @ hs[t]
            dh_next, dc_next = da @ w_hh, dc * f
        flat = d_gates.reshape(-1, 4 * H)
        d_b = flat.sum(axis=0)
        return {"out": np.stack(hs[1:]), "x": (flat @ w_ih).reshape(x.shape), "weight_ih_l0": flat.T @ x.reshape(-1, IN),
                "weight_hh_l0": d_w_hh, "bias_ih_l0": d_b, "bias_hh_l0": d_b}

    return step


# ---------------------------------------------------------------------------- measuring
def _agree(name: str, got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> str:
    worst = max(float(np.abs(got[k] - want[k]).max() / (np.abs(want[k]).max() + 1e-30)) for k in want)
    if worst > 1e-4:
        raise AssertionError(f"bench_rnn: {name} disagrees with minitorch (relative difference {worst:.1e})")
    return f"{name} agrees with minitorch (largest relative difference {worst:.0e})"


def _peak_kib(step: Callable[[], Any]) -> float:
    step()  # warm
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


def bench(kind: str) -> None:
    x, g, weights = make_problem(kind)
    steps: dict[str, Callable[[], Any]] = {"minitorch": minitorch_step_fn(kind, x, g, weights)}
    if kind == "LSTM":
        steps["numpy by hand"] = numpy_lstm_step_fn(x, g, weights)
    try:
        steps["PyTorch"] = torch_step_fn(kind, x, g, weights)
    except ImportError:
        print("(PyTorch is not installed: pip install -e '.[torch]' to compare with it)")
    reference = steps["minitorch"]()
    for name, step in steps.items():
        if name != "minitorch":
            print("  " + _agree(name, step(), reference))
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(ROUNDS):  # interleaved: a slow spell of the machine hits every implementation alike
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(REPS):
                step()
            times[name].append((time.perf_counter() - start) / REPS)
    print(f"  {kind} layer, seq {SEQ}, batch {BATCH}, input {IN}, hidden {HIDDEN}, float32, forward + backward:")
    print(f"  {'':16}{'median step':>12}   minitorch / this, per round: median [min-max]")
    for name, ts in times.items():
        line = f"  {name:16}{statistics.median(ts) * 1e3:9.1f} ms"
        if name != "minitorch":
            ratios = [m / t for m, t in zip(times["minitorch"], ts)]
            line += f"   {statistics.median(ratios):6.1f}x [{min(ratios):.1f}-{max(ratios):.1f}]"
        print(line)
    for name in ("minitorch", "numpy by hand"):
        if name in steps:
            print(f"  peak Python memory of one {name} step: {_peak_kib(steps[name]) / 1024:.1f} MiB")


def main() -> None:
    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; "
          f"{ROUNDS} interleaved rounds of {REPS} steps")
    for kind in ("LSTM", "GRU"):
        bench(kind)


if __name__ == "__main__":
    main()
