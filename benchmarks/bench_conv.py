"""Convolution: minitorch vs the same im2col computation hand-written in numpy vs PyTorch CPU.

Two problems, float32, one BLAS thread for every library (threadpoolctl when installed, and
``torch.set_num_threads(1)``), so the ratios compare work and not the scheduler:

1. **conv2d forward + backward**: input ``(32, 16, 28, 28)``, weight ``(32, 16, 3, 3)``, padding 1;
   backward from a fixed output gradient to the input, the weight and the bias.
   * ``numpy``: im2col by hand (a strided window view, one copy into columns, one matmul; backward
     two matmuls and a col2im that adds one shifted slice per kernel offset) -- the floor for any
     numpy engine;
   * ``minitorch``: ``F.conv2d`` -- the same algorithm, composed of ``unfold`` (im2col, whose backward
     is col2im) + ``@`` + reshape + bias, so autograd supplies the rest of the backward. (A fused
     conv op with its whole backward written by hand measured the same, 1.09x vs 1.10x numpy in one
     run on 2026-11-30, so it was not kept: composition first.);
   * ``torch``: ``torch.nn.functional.conv2d`` (oneDNN/mkldnn kernels).
2. **one small-CNN training step** (28×28 inputs, batch 32): conv 1→16, ReLU, max-pool 2, conv 16→32,
   ReLU, max-pool 2, linear 1568→10, cross-entropy, SGD. numpy has its backward written by hand.

Timing: CPU time of this process (``time.process_time``: with one thread per library it is the work
done, and unlike wall time it does not grow when other programs share the cores); ``ROUNDS`` interleaved rounds (each library in turn, so a busy spell of the machine hits all
of them); per round the paired ratio ``minitorch / baseline``; reported as median (min-max). Memory:
tracemalloc's peak during one forward + backward, and what is still held after it (the im2col
columns, 14 MB in problem 1, must be gone; minitorch still holds the leaves' ``.grad``, as PyTorch
does: 1.6 MB for the input's). tracemalloc sees numpy's buffers, not PyTorch's (its allocator is not
traced), so PyTorch has no memory column.

    python -m benchmarks conv        # the two cases as rows of the one table (harness.py's rules)
    python -m benchmarks.bench_conv  # this module alone: times and the memory columns
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
import tracemalloc
from typing import Any, Callable, Iterator

if "numpy" not in os.sys.modules:  # without threadpoolctl, the variables must be set before numpy loads BLAS
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")

import numpy as np

import minitorch
import minitorch.nn.functional as F
from minitorch import nn, optim

from .harness import Case, Config, same_outputs

N, C_IN, C_OUT, SIZE, K = 32, 16, 32, 28, 3
ROUNDS, REPEATS = 7, 3
TARGETS = {"numpy": 1.3, "torch": 3.0}


@contextlib.contextmanager
def one_thread() -> Iterator[str]:
    """One BLAS thread for numpy (threadpoolctl if present) and one intra-op thread for torch."""
    torch = _torch()
    old = torch.get_num_threads() if torch else None
    if torch:
        torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield "1 BLAS thread via OPENBLAS_NUM_THREADS etc. (threadpoolctl not installed)"
    else:
        with threadpool_limits(limits=1):
            yield "1 BLAS thread (threadpoolctl)"
    finally:
        if torch:
            torch.set_num_threads(old)


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


# --------------------------------------------------------------------------------- numpy by hand
def np_conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int) -> tuple[np.ndarray, tuple]:
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), dtype=x.dtype)
    xp[:, :, pad:pad + h, pad:pad + wd] = x
    ho, wo = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))  # (N, C, Ho, Wo, kh, kw)
    cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * ho * wo)  # the copy
    out = (w.reshape(o, -1) @ cols).reshape(o, n, ho, wo).transpose(1, 0, 2, 3) + b[:, None, None]
    return np.ascontiguousarray(out), (cols, xp.shape, x.shape, pad)


def np_conv_backward(g: np.ndarray, w: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cols, padded, shape, pad = cache
    o, c, kh, kw = w.shape
    n, _, ho, wo = g.shape
    gt = g.transpose(1, 0, 2, 3).reshape(o, -1)
    gw = (gt @ cols.T).reshape(w.shape)
    gb = g.sum(axis=(0, 2, 3))
    gcols = (w.reshape(o, -1).T @ gt).reshape(c, kh, kw, n, ho, wo)
    gxp = np.zeros(padded, dtype=g.dtype)
    for i in range(kh):
        for j in range(kw):
            gxp[:, :, i:i + ho, j:j + wo] += gcols[:, i, j].transpose(1, 0, 2, 3)
    return gxp[:, :, pad:pad + shape[2], pad:pad + shape[3]], gw, gb


def np_pool_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    arg = blocks.argmax(axis=-1)
    return np.take_along_axis(blocks, arg[..., None], axis=-1)[..., 0], arg


def np_pool_backward(g: np.ndarray, arg: np.ndarray) -> np.ndarray:
    n, c, h, w = g.shape
    blocks = (arg[..., None] == np.arange(4)) * g[..., None]
    return blocks.reshape(n, c, h, w, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, 2 * h, 2 * w)


# --------------------------------------------------------------------------------- problem 1
def conv_problem(seed: int = 0, n: int = N, c_in: int = C_IN, c_out: int = C_OUT,
                 size: int = SIZE) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(c_in * K * K)
    return {"x": rng.standard_normal((n, c_in, size, size), dtype=np.float32),
            "w": rng.uniform(-bound, bound, (c_out, c_in, K, K)).astype(np.float32),
            "b": rng.uniform(-bound, bound, c_out).astype(np.float32),
            "g": rng.standard_normal((n, c_out, size, size), dtype=np.float32)}


def conv_numpy(p: dict[str, np.ndarray]) -> Callable[[], tuple]:
    def run() -> tuple:
        out, cache = np_conv_forward(p["x"], p["w"], p["b"], 1)
        return (out,) + np_conv_backward(p["g"], p["w"], cache)
    return run


def conv_minitorch(p: dict[str, np.ndarray]) -> Callable[[], tuple]:
    x, w, b = (minitorch.tensor(p[k], requires_grad=True) for k in "xwb")
    g = minitorch.tensor(p["g"])

    def run() -> tuple:
        for t in (x, w, b):
            t.grad = None
        out = F.conv2d(x, w, b, padding=1)
        out.backward(g)
        return out.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()
    return run


def conv_torch(p: dict[str, np.ndarray]) -> Callable[[], tuple]:
    torch = _torch()
    x, w, b = (torch.from_numpy(p[k].copy()).requires_grad_() for k in "xwb")
    g = torch.from_numpy(p["g"])

    def run() -> tuple:
        for t in (x, w, b):
            t.grad = None
        out = torch.nn.functional.conv2d(x, w, b, padding=1)
        out.backward(g)
        return out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()
    return run


# --------------------------------------------------------------------------------- problem 2
LR = 0.05


def cnn_problem(seed: int = 0, n: int = N) -> dict[str, Any]:
    minitorch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((n, 1, SIZE, SIZE), dtype=np.float32), "y": rng.integers(0, 10, n),
            "weights": [p.numpy().copy() for p in model.parameters()]}


def cnn_numpy(p: dict[str, Any]) -> Callable[[], float]:
    w1, b1, w2, b2, w3, b3 = params = [w.copy() for w in p["weights"]]
    x, y = p["x"], p["y"]
    rows = np.arange(len(y))

    def step() -> float:
        z1, c1 = np_conv_forward(x, w1, b1, 1)
        h1, a1 = np_pool_forward(np.maximum(z1, 0))
        z2, c2 = np_conv_forward(h1, w2, b2, 1)
        h2, a2 = np_pool_forward(np.maximum(z2, 0))
        flat = h2.reshape(len(y), -1)
        logits = flat @ w3.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean()
        d = np.exp(logp)
        d[rows, y] -= 1
        d /= len(y)
        gw3, gb3 = d.T @ flat, d.sum(axis=0)
        gz2 = np_pool_backward((d @ w3).reshape(h2.shape), a2) * (z2 > 0)
        gh1, gw2, gb2 = np_conv_backward(gz2, w2, c2)
        gz1 = np_pool_backward(gh1, a1) * (z1 > 0)
        _, gw1, gb1 = np_conv_backward(gz1, w1, c1)
        for q, g in zip(params, (gw1, gb1, gw2, gb2, gw3, gb3)):
            q -= LR * g
        return float(loss)
    return step


def cnn_minitorch(p: dict[str, Any]) -> Callable[[], float]:
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    model.load_state_dict(dict(zip(model.state_dict(), p["weights"])))
    opt = optim.SGD(model.parameters(), lr=LR)
    x, y = minitorch.tensor(p["x"]), minitorch.tensor(p["y"])

    def step() -> float:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def cnn_torch(p: dict[str, Any]) -> Callable[[], float]:
    torch = _torch()
    tnn = torch.nn
    model = tnn.Sequential(tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                           tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                           tnn.Flatten(), tnn.Linear(32 * 7 * 7, 10))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in zip(model.state_dict(), p["weights"])})
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = torch.from_numpy(p["x"]), torch.from_numpy(p["y"])

    def step() -> float:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


# --------------------------------------------------------------------------------- harness
def interleaved(runs: dict[str, Callable[[], Any]], rounds: int = ROUNDS, repeats: int = REPEATS) -> dict[str, list[float]]:
    """Per library, per round: the best of ``repeats`` calls (CPU seconds). Libraries take turns."""
    for run in runs.values():  # warm-up (imports, BLAS buffers, allocator)
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            best = float("inf")
            for _ in range(repeats):
                start = time.process_time()
                run()
                best = min(best, time.process_time() - start)
            times[name].append(best)
    return times


def memory(run: Callable[[], Any]) -> tuple[float, float]:
    """(peak MB during one call, MB still held afterwards, results dropped)."""
    run()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = run()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return peak / 2**20, held / 2**20


def report(title: str, times: dict[str, list[float]], mems: dict[str, tuple[float, float]]) -> dict[str, Any]:
    print(f"\n{title}")
    print(f"  {'':<20}{'CPU ms':>10}  {'peak MB':>8}  {'held MB':>8}")
    for name, t in times.items():
        peak, held = mems.get(name, (float("nan"), float("nan")))
        print(f"  {name:<20}{1e3 * statistics.median(t):>10.2f}  {peak:>8.1f}  {held:>8.1f}")
    ratios = {}
    for mine in [m for m in times if m == "minitorch"]:
        for base in ("numpy", "torch"):
            if base not in times:
                continue
            paired = [a / b for a, b in zip(times[mine], times[base])]
            ratios[(mine, base)] = (statistics.median(paired), min(paired), max(paired))
            target = f" (target <= {TARGETS[base]}x)"
            print(f"  {mine} / {base}: {statistics.median(paired):.2f}x (min {min(paired):.2f}, "
                  f"max {max(paired):.2f}, {len(paired)} paired rounds){target}")
    return ratios


def check_agreement(runs: dict[str, Callable[[], Any]]) -> None:
    """All implementations compute the same numbers (else the timings would compare different work)."""
    results = {name: run() for name, run in runs.items()}
    first = next(iter(results.values()))
    for name, result in results.items():
        for a, b in zip(first, result):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-3, atol=2e-3, err_msg=name)


def measure() -> dict[str, dict[str, Any]]:
    """Run both problems; per problem the CPU times per round, memory and paired ratios (for other
    harnesses to put into their own tables), printing the tables as it goes."""
    torch = _torch()
    results: dict[str, dict[str, Any]] = {}
    with one_thread() as threads:
        print(f"threads: {threads}; torch: {torch.__version__ if torch else 'not installed'}; "
              f"{ROUNDS} interleaved rounds, best of {REPEATS} per round. Timings on a shared machine are noisy: "
              "read the paired ratios.")
        p = conv_problem()
        runs = {"numpy": conv_numpy(p), "minitorch": conv_minitorch(p)}
        if torch:
            runs["torch"] = conv_torch(p)
        check_agreement(runs)
        mems = {name: memory(run) for name, run in runs.items() if name != "torch"}
        times = interleaved(runs)
        ratios = report(f"conv2d forward+backward: x {(N, C_IN, SIZE, SIZE)}, w {(C_OUT, C_IN, K, K)}, padding 1",
                        times, mems)
        results["conv2d_forward_backward"] = {"times": times, "memory_mb": mems, "ratios": ratios}

        q = cnn_problem()
        steps = {"numpy": cnn_numpy(q), "minitorch": cnn_minitorch(q)}
        if torch:
            steps["torch"] = cnn_torch(q)
        losses = {name: step() for name, step in steps.items()}
        assert max(losses.values()) - min(losses.values()) < 1e-3, f"first-step losses differ: {losses}"
        steps = {"numpy": cnn_numpy(q), "minitorch": cnn_minitorch(q), **({"torch": cnn_torch(q)} if torch else {})}
        mems = {name: memory(step) for name, step in steps.items() if name != "torch"}
        times = interleaved(steps)
        ratios = report("small-CNN training step (batch 32, 28x28, conv16-pool-conv32-pool-linear, SGD)", times, mems)
        results["cnn_training_step"] = {"times": times, "memory_mb": mems, "ratios": ratios}
    return results


def cases(cfg: Config) -> list[Case]:
    """The two problems as rows of ``python -m benchmarks`` (paired, rotated rounds; see harness.py)."""
    torch_note = [] if _torch() is not None else ['torch not installed (pip install -e ".[torch]")']
    n = cfg.pick(N, smoke=2)
    c_in, c_out, size = cfg.pick(C_IN, smoke=3), cfg.pick(C_OUT, smoke=4), cfg.pick(SIZE, smoke=6)
    rounds = cfg.pick(11, quick=5)

    def conv() -> dict[str, Callable[[], Any]]:
        p = conv_problem(n=n, c_in=c_in, c_out=c_out, size=size)
        impls = {"minitorch": conv_minitorch(p), "numpy by hand": conv_numpy(p)}
        if _torch() is not None:
            impls["torch"] = conv_torch(p)
        return impls

    def cnn() -> dict[str, Callable[[], Any]]:
        q = cnn_problem(n=n)
        impls = {"minitorch": cnn_minitorch(q), "numpy by hand": cnn_numpy(q)}
        if _torch() is not None:
            impls["torch"] = cnn_torch(q)
        return impls

    return [
        Case(f"conv2d {c_in}->{c_out} 3x3 on {n}x{size}x{size}, forward + backward",
             conv, calls=cfg.pick(3, smoke=1), rounds=rounds, check=same_outputs(2e-3), missing=torch_note),
        Case(f"small CNN training step (batch {n}, 28x28, SGD)", cnn, calls=cfg.pick(2, smoke=1), rounds=rounds,
             warmup=2, check=same_outputs(1e-3), missing=torch_note),
    ]


def main() -> None:
    measure()


if __name__ == "__main__":
    main()
