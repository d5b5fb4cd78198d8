"""Recurrent layers, forward + backward: an LSTM and a GRU layer (sequence 32, batch 32, input 64,
hidden 128, float32), minitorch vs PyTorch (CPU, when installed) vs the same layer written by hand in numpy.

Each step is: the layer over the whole sequence, ``loss = sum(output * G)`` for a fixed ``G``, and
the backward pass to the input and every parameter. minitorch composes each cell from tensor ops
with a Python loop over time (autograd records ~20 ops per step and time step); the numpy LSTM and
GRU have their backward written out by hand and computes the input projection of all time steps in one matrix
product, the floor for a numpy engine. PyTorch runs its fused C++ kernels.

Timings: ``ROUNDS`` interleaved rounds (each implementation once per round, in turn), each round the
mean of ``REPS`` steps; the table gives the median time and, per baseline, the **paired ratio** of
each round (minitorch / baseline in the same round) as median with [min-max]. One BLAS thread and
one PyTorch thread, so the libraries compare like with like (and a busy machine disturbs less).
Also the peak memory that Python allocations reach in one minitorch and one numpy step
(``tracemalloc``; PyTorch's own allocator is invisible to it).

    python -m benchmarks rnn            # both layers as rows of the one table (harness.py's rules)
    python -m benchmarks.bench_rnn      # this module alone: wall times and peak memory
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

import importlib.util  # noqa: E402

import numpy as np  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402

from .harness import Case, Config, same_outputs  # noqa: E402

SEQ, BATCH, IN, HIDDEN = 32, 32, 64, 128
ROUNDS, REPS = 7, 2


def make_problem(kind: str, seed: int = 0, seq: int = SEQ, batch: int = BATCH, n_in: int = IN,
                 hidden: int = HIDDEN) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Input ``(SEQ, BATCH, IN)``, output gradient ``(SEQ, BATCH, HIDDEN)`` and the layer's weights
    (PyTorch's init, U(-1/sqrt(H), 1/sqrt(H)), under PyTorch's names)."""
    rng = np.random.default_rng(seed)
    gates = {"LSTM": 4, "GRU": 3}[kind] * hidden
    bound = 1 / np.sqrt(hidden)
    shapes = {"weight_ih_l0": (gates, n_in), "weight_hh_l0": (gates, hidden), "bias_ih_l0": (gates,),
              "bias_hh_l0": (gates,)}
    weights = {k: rng.uniform(-bound, bound, s).astype(np.float32) for k, s in shapes.items()}
    x = rng.standard_normal((seq, batch, n_in), dtype=np.float32)
    g = rng.standard_normal((seq, batch, hidden), dtype=np.float32)
    return x, g, weights


# ---------------------------------------------------------------------------- the implementations
def minitorch_step_fn(kind: str, x: np.ndarray, g: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], Any]:
    layer = getattr(nn, kind)(x.shape[2], g.shape[2])
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
    layer = getattr(torch.nn, kind)(x.shape[2], g.shape[2])
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
    seq, batch, n_in = x.shape
    H = w_hh.shape[1]

    def sigmoid(a: np.ndarray) -> np.ndarray:
        return 0.5 * (np.tanh(0.5 * a) + 1)  # = 1 / (1 + e^-a), without overflow

    def step() -> dict[str, np.ndarray]:
        xw = (x.reshape(-1, n_in) @ w_ih.T + b).reshape(seq, batch, 4 * H)  # every step's input part at once
        h, c = np.zeros((batch, H), np.float32), np.zeros((batch, H), np.float32)
        hs, cs, acts = [h], [c], []
        for t in range(seq):
            a = xw[t] + h @ w_hh.T
            i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
            gg = np.tanh(a[:, 2 * H:3 * H])
            c = f * c + i * gg
            h = o * np.tanh(c)
            hs.append(h), cs.append(c), acts.append((i, f, gg, o))
        d_gates = np.empty((seq, batch, 4 * H), np.float32)
        d_w_hh = np.zeros_like(w_hh)
        dh_next, dc_next = np.zeros((batch, H), np.float32), np.zeros((batch, H), np.float32)
        for t in range(seq - 1, -1, -1):
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
        return {"out": np.stack(hs[1:]), "x": (flat @ w_ih).reshape(x.shape),
                "weight_ih_l0": flat.T @ x.reshape(-1, n_in), "weight_hh_l0": d_w_hh, "bias_ih_l0": d_b,
                "bias_hh_l0": d_b}

    return step


def numpy_gru_step_fn(x: np.ndarray, g: np.ndarray, weights: dict[str, np.ndarray]) -> Callable[[], Any]:
    """A GRU layer (PyTorch's gate order r, z, n; n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),
    h' = (1 - z) n + z h) with its backward through time written by hand."""
    w_ih, w_hh = weights["weight_ih_l0"], weights["weight_hh_l0"]
    b_ih, b_hh = weights["bias_ih_l0"], weights["bias_hh_l0"]
    seq, batch, n_in = x.shape
    H = w_hh.shape[1]

    def sigmoid(a: np.ndarray) -> np.ndarray:
        return 0.5 * (np.tanh(0.5 * a) + 1)

    def step() -> dict[str, np.ndarray]:
        xw = (x.reshape(-1, n_in) @ w_ih.T + b_ih).reshape(seq, batch, 3 * H)
        h = np.zeros((batch, H), np.float32)
        hs, acts = [h], []
        for t in range(seq):
            hw = h @ w_hh.T + b_hh
            r = sigmoid(xw[t, :, :H] + hw[:, :H])
            z = sigmoid(xw[t, :, H:2 * H] + hw[:, H:2 * H])
            n = np.tanh(xw[t, :, 2 * H:] + r * hw[:, 2 * H:])
            h = (1 - z) * n + z * h
            hs.append(h), acts.append((r, z, n, hw[:, 2 * H:]))
        d_x_gates = np.empty((seq, batch, 3 * H), np.float32)
        d_w_hh, d_b_hh = np.zeros_like(w_hh), np.zeros_like(b_hh)
        dh_next = np.zeros((batch, H), np.float32)
        d_h_gates = np.empty((batch, 3 * H), np.float32)
        for t in range(seq - 1, -1, -1):
            r, z, n, hn = acts[t]
            dh = g[t] + dh_next
            dn = dh * (1 - z) * (1 - n * n)  # through n's tanh
            dx = d_x_gates[t]
            dx[:, :H] = d_h_gates[:, :H] = dn * hn * r * (1 - r)
            dx[:, H:2 * H] = d_h_gates[:, H:2 * H] = dh * (hs[t] - n) * z * (1 - z)
            dx[:, 2 * H:] = dn
            d_h_gates[:, 2 * H:] = dn * r
            d_w_hh += d_h_gates.T @ hs[t]
            d_b_hh += d_h_gates.sum(axis=0)
            dh_next = dh * z + d_h_gates @ w_hh
        flat = d_x_gates.reshape(-1, 3 * H)
        return {"out": np.stack(hs[1:]), "x": (flat @ w_ih).reshape(x.shape),
                "weight_ih_l0": flat.T @ x.reshape(-1, n_in), "weight_hh_l0": d_w_hh,
                "bias_ih_l0": flat.sum(axis=0), "bias_hh_l0": d_b_hh}

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
    steps["numpy by hand"] = (numpy_lstm_step_fn if kind == "LSTM" else numpy_gru_step_fn)(x, g, weights)
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


def cases(cfg: Config) -> list[Case]:
    """LSTM and GRU as rows of ``python -m benchmarks`` (paired, rotated rounds; see harness.py)."""
    has_torch = importlib.util.find_spec("torch") is not None
    torch_note = [] if has_torch else ['torch not installed (pip install -e ".[torch]")']
    sizes = cfg.pick((SEQ, BATCH, IN, HIDDEN), smoke=(3, 2, 4, 5))

    def make(kind: str) -> Callable[[], dict[str, Callable[[], Any]]]:
        def build() -> dict[str, Callable[[], Any]]:
            x, g, weights = make_problem(kind, 0, *sizes)
            impls = {"minitorch": minitorch_step_fn(kind, x, g, weights),
                     "numpy by hand": (numpy_lstm_step_fn if kind == "LSTM" else numpy_gru_step_fn)(x, g, weights)}
            if has_torch:
                impls["torch"] = torch_step_fn(kind, x, g, weights)
            return impls

        return build

    seq, batch, n_in, hidden = sizes
    return [Case(f"{kind} layer {n_in}->{hidden}, seq {seq} x batch {batch}, forward + backward", make(kind),
                 calls=cfg.pick(2, smoke=1), rounds=cfg.pick(11, quick=5), check=same_outputs(1e-4), missing=torch_note)
            for kind in ("LSTM", "GRU")]


def main() -> None:
    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; "
          f"{ROUNDS} interleaved rounds of {REPS} steps")
    for kind in ("LSTM", "GRU"):
        bench(kind)


if __name__ == "__main__":
    main()
