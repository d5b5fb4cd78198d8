"""One transformer block, forward + backward: minitorch vs PyTorch (CPU), one BLAS thread each.

The block is ``nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, dropout=0,
activation="gelu", batch_first=True, norm_first=True)`` (a GPT block) on a batch of 16 sequences
of 64 tokens with a causal mask; one step is forward, ``sum(out * g)``, backward. Both libraries
get the same weights (minitorch's state_dict loaded into torch) and the same input.

Timing: ROUNDS interleaved rounds (minitorch, then torch, then minitorch, ...), each timing
PER_ROUND steps of one library; the ratio minitorch/torch is taken per round (so a slow moment of
a shared machine hits both sides of a ratio alike) and reported as the median with its min-max.
Peak memory: each library in a fresh subprocess, the rise of the peak resident set size
(Linux's VmHWM, reset after setting up) over a few steps above what it was after setting up.

    python -m benchmarks attention

One thread for both: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS are set to 1 here
before numpy is imported (run this module directly or via ``python -m benchmarks``, in a fresh
process), and ``torch.set_num_threads(1)``.
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402

BATCH, SEQ, D_MODEL, HEADS, FF = 16, 64, 64, 4, 256
ROUNDS, PER_ROUND = 9, 5
MEMORY_STEPS = 3


def _layer_kwargs() -> dict[str, Any]:
    return dict(dim_feedforward=FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)


def make_problem(seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Weights (a minitorch layer's initial state_dict), input, output gradient and causal mask."""
    minitorch.manual_seed(seed)
    state = {k: v.numpy().copy() for k, v in nn.TransformerEncoderLayer(D_MODEL, HEADS, **_layer_kwargs())
             .state_dict().items()}
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SEQ, D_MODEL), dtype=np.float32)
    g = rng.standard_normal((BATCH, SEQ, D_MODEL), dtype=np.float32)
    mask = np.triu(np.ones((SEQ, SEQ), dtype=bool), 1)  # True = the future, not allowed
    return state, x, g, mask


def minitorch_step_fn(state: dict[str, np.ndarray], x: np.ndarray, g: np.ndarray,
                      mask: np.ndarray) -> Callable[[], None]:
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, **_layer_kwargs())
    layer.load_state_dict({k: minitorch.tensor(v) for k, v in state.items()})
    xt = minitorch.tensor(x, requires_grad=True)
    gt = minitorch.tensor(g)

    def step() -> None:
        layer.zero_grad()
        xt.grad = None
        (layer(xt, src_mask=mask, is_causal=True) * gt).sum().backward()

    return step


def torch_step_fn(state: dict[str, np.ndarray], x: np.ndarray, g: np.ndarray,
                  mask: np.ndarray) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    layer = torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, **_layer_kwargs())
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    xt = torch.tensor(x, requires_grad=True)
    gt, mt = torch.from_numpy(g), torch.from_numpy(mask)

    def step() -> None:
        layer.zero_grad()
        xt.grad = None
        (layer(xt, src_mask=mt, is_causal=True) * gt).sum().backward()

    return step


def check_same_result(state: dict[str, np.ndarray], x: np.ndarray, g: np.ndarray, mask: np.ndarray) -> float | None:
    """The largest difference between the two libraries' input gradients (they compute the same)."""
    try:
        import torch
    except ImportError:
        return None
    grads = []
    for lib in ("minitorch", "torch"):
        xt = minitorch.tensor(x, requires_grad=True) if lib == "minitorch" else torch.tensor(x, requires_grad=True)
        if lib == "minitorch":
            layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, **_layer_kwargs())
            layer.load_state_dict({k: minitorch.tensor(v) for k, v in state.items()})
            (layer(xt, src_mask=mask, is_causal=True) * minitorch.tensor(g)).sum().backward()
        else:
            layer = torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, **_layer_kwargs())
            layer.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
            (layer(xt, src_mask=torch.from_numpy(mask), is_causal=True) * torch.from_numpy(g)).sum().backward()
        grads.append(np.asarray(xt.grad.numpy()))
    return float(np.abs(grads[0] - grads[1]).max())


def time_interleaved(steps: dict[str, Callable[[], None]]) -> dict[str, list[float]]:
    """Seconds per step of each library, one entry per round, the libraries taking turns."""
    for step in steps.values():  # warm up
        step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(ROUNDS):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(PER_ROUND):
                step()
            times[name].append((time.perf_counter() - start) / PER_ROUND)
    return times


def peak_memory_mib(lib: str) -> float | None:
    """Rise of the peak RSS while running MEMORY_STEPS steps, in a fresh process (MiB)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_attention", "--memory", lib],
                          capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return float(done.stdout.strip().splitlines()[-1])


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _memory_child(lib: str) -> int:
    """Linux only: reset the peak RSS (VmHWM) after set-up, run the steps, report peak - baseline."""
    make = minitorch_step_fn if lib == "minitorch" else torch_step_fn
    step = make(*make_problem())
    if step is None:
        return 1
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # 5 = reset the peak resident set size to the current one
    before = _status_kib("VmRSS")
    for _ in range(MEMORY_STEPS):
        step()
    print((_status_kib("VmHWM") - before) / 1024)
    return 0


def main() -> None:
    problem = make_problem()
    steps = {"minitorch": minitorch_step_fn(*problem)}
    torch_step = torch_step_fn(*problem)
    if torch_step is not None:
        steps["pytorch (cpu)"] = torch_step
    print(f"one TransformerEncoderLayer (d_model {D_MODEL}, {HEADS} heads, feed-forward {FF}, GELU, pre-norm, causal "
          f"mask), batch {BATCH} x {SEQ} tokens, float32, forward + backward; 1 BLAS thread; {ROUNDS} interleaved "
          f"rounds of {PER_ROUND} steps")
    diff = check_same_result(*problem)
    if diff is not None:
        print(f"same computation: max |dL/dx difference| minitorch vs torch = {diff:.2e}")
    times = time_interleaved(steps)
    for name, ts in times.items():
        print(f"  {name:14s} median {statistics.median(ts) * 1e3:8.2f} ms/step  (min {min(ts) * 1e3:.2f}, "
              f"max {max(ts) * 1e3:.2f})")
    if torch_step is not None:
        ratios = [a / b for a, b in zip(times["minitorch"], times["pytorch (cpu)"])]
        print(f"  minitorch / pytorch: median {statistics.median(ratios):.2f}x  "
              f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x over {ROUNDS} paired rounds)")
    for lib in ("minitorch", "torch"):
        if lib == "torch" and torch_step is None:
            continue
        mib = peak_memory_mib(lib)
        print(f"  peak memory rise over {MEMORY_STEPS} steps, {lib:9s}: "
              + (f"{mib:.1f} MiB" if mib is not None else "(not measured)"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        sys.exit(_memory_child(sys.argv[2]))
    main()
