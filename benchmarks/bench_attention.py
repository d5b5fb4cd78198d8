"""One transformer block, forward + backward: minitorch vs numpy by hand vs PyTorch (CPU), one BLAS thread each.

The block is ``nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, dropout=0,
activation="gelu", batch_first=True, norm_first=True)`` (a GPT block) on a batch of 16 sequences
of 64 tokens with a causal mask; one step is forward, ``sum(out * g)``, backward. Both libraries
get the same weights (minitorch's state_dict loaded into torch) and the same input.

Timing: ROUNDS interleaved rounds (minitorch, then torch, then minitorch, ...), each timing
PER_ROUND steps of one library; the ratio minitorch/torch is taken per round (so a slow moment of
a shared machine hits both sides of a ratio alike) and reported as the median with its min-max.
Peak memory: each library in a fresh subprocess, the rise of the peak resident set size
(Linux's VmHWM, reset after setting up) over a few steps above what it was after setting up.

    python -m benchmarks attention          # a row of the one table (harness.py's rules), with numpy by hand
    python -m benchmarks.bench_attention    # this module alone: wall times and peak memory

One thread for both: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS are set to 1 here
before numpy is imported (run this module directly or via ``python -m benchmarks``, in a fresh
process), and ``torch.set_num_threads(1)``.
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import importlib.util  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.tensor.special import erfc_array  # noqa: E402

from .harness import Case, Config, same_outputs  # noqa: E402

BATCH, SEQ, D_MODEL, HEADS, FF = 16, 64, 64, 4, 256
ROUNDS, PER_ROUND = 9, 5
MEMORY_STEPS = 3


def _layer_kwargs(ff: int = FF) -> dict[str, Any]:
    return dict(dim_feedforward=ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)


def make_problem(seed: int = 0, batch: int = BATCH, seq: int = SEQ, d_model: int = D_MODEL, heads: int = HEADS,
                 ff: int = FF) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Weights (a minitorch layer's initial state_dict), input, output gradient and causal mask."""
    minitorch.manual_seed(seed)
    state = {k: v.numpy().copy() for k, v in nn.TransformerEncoderLayer(d_model, heads, **_layer_kwargs(ff))
             .state_dict().items()}
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, seq, d_model), dtype=np.float32)
    g = rng.standard_normal((batch, seq, d_model), dtype=np.float32)
    mask = np.triu(np.ones((seq, seq), dtype=bool), 1)  # True = the future, not allowed
    return state, x, g, mask


def _sizes(state: dict[str, np.ndarray], x: np.ndarray) -> tuple[int, int]:
    """(d_model, feed-forward width) of the problem ``make_problem`` made."""
    return x.shape[2], state["linear1.weight"].shape[0]


def minitorch_step_fn(state: dict[str, np.ndarray], x: np.ndarray, g: np.ndarray,
                      mask: np.ndarray, heads: int = HEADS) -> Callable[[], dict[str, np.ndarray]]:
    d_model, ff = _sizes(state, x)
    layer = nn.TransformerEncoderLayer(d_model, heads, **_layer_kwargs(ff))
    layer.load_state_dict({k: minitorch.tensor(v) for k, v in state.items()})
    xt = minitorch.tensor(x, requires_grad=True)
    gt = minitorch.tensor(g)

    def step() -> dict[str, np.ndarray]:
        layer.zero_grad()
        xt.grad = None
        out = layer(xt, src_mask=mask, is_causal=True)
        (out * gt).sum().backward()
        return {"out": out.data, "x": xt.grad.data, **{k: p.grad.data for k, p in layer.named_parameters()}}

    return step


def torch_step_fn(state: dict[str, np.ndarray], x: np.ndarray, g: np.ndarray,
                  mask: np.ndarray, heads: int = HEADS) -> Callable[[], dict[str, np.ndarray]] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    d_model, ff = _sizes(state, x)
    layer = torch.nn.TransformerEncoderLayer(d_model, heads, **_layer_kwargs(ff))
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    xt = torch.tensor(x, requires_grad=True)
    gt, mt = torch.from_numpy(g), torch.from_numpy(mask)

    def step() -> dict[str, np.ndarray]:
        layer.zero_grad()
        xt.grad = None
        out = layer(xt, src_mask=mt, is_causal=True)
        (out * gt).sum().backward()
        return {"out": out.detach().numpy(), "x": xt.grad.numpy(),
                **{k: p.grad.numpy() for k, p in layer.named_parameters()}}

    return step


# ---------------------------------------------------------------------------- numpy by hand
def _layer_norm(h: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, tuple]:
    mu = h.mean(axis=-1, keepdims=True)
    inv = 1 / np.sqrt(h.var(axis=-1, keepdims=True) + eps)
    xhat = (h - mu) * inv
    return xhat * gamma + beta, (xhat, inv, gamma)


def _layer_norm_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xhat, inv, gamma = cache
    dxhat = dy * gamma
    dh = inv * (dxhat - dxhat.mean(axis=-1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dh, (dy * xhat).sum(axis=(0, 1)), dy.sum(axis=(0, 1))


def numpy_step_fn(state: dict[str, np.ndarray], x: np.ndarray, g: np.ndarray,
                  mask: np.ndarray, heads: int = HEADS) -> Callable[[], dict[str, np.ndarray]]:
    """The same pre-norm block with its backward written by hand: out = x1 + FF(LN2(x1)),
    x1 = x + SA(LN1(x)), SA = causal multi-head attention, FF = Linear, exact GELU, Linear.
    (GELU's Φ uses minitorch's numpy ``erfc_array``: numpy has no erf.)"""
    d_model, _ = _sizes(state, x)
    batch, seq, _ = x.shape
    hd = d_model // heads
    scale = 1 / math.sqrt(hd)  # a Python float: float32 arrays stay float32 (a numpy float64 would not)
    w = {k: v.copy() for k, v in state.items()}
    future = mask[None, None]  # (1, 1, S, S), True = not allowed

    def split(t: np.ndarray) -> np.ndarray:  # (B, S, D) -> (B, heads, S, hd)
        return t.reshape(batch, seq, heads, hd).transpose(0, 2, 1, 3)

    def merge(t: np.ndarray) -> np.ndarray:  # (B, heads, S, hd) -> (B, S, D)
        return t.transpose(0, 2, 1, 3).reshape(batch, seq, d_model)

    def step() -> dict[str, np.ndarray]:
        n1, c1 = _layer_norm(x, w["norm1.weight"], w["norm1.bias"])
        qkv = n1 @ w["self_attn.in_proj_weight"].T + w["self_attn.in_proj_bias"]
        q, k, v = (split(t) for t in np.split(qkv, 3, axis=-1))
        s = np.where(future, -np.inf, (q @ k.transpose(0, 1, 3, 2)) * scale)
        p = np.exp(s - s.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        a = merge(p @ v)
        x1 = x + a @ w["self_attn.out_proj.weight"].T + w["self_attn.out_proj.bias"]
        n2, c2 = _layer_norm(x1, w["norm2.weight"], w["norm2.bias"])
        z = n2 @ w["linear1.weight"].T + w["linear1.bias"]
        cdf = 0.5 * erfc_array(z * -(1 / math.sqrt(2)))  # Φ(z)
        u = z * cdf
        out = x1 + u @ w["linear2.weight"].T + w["linear2.bias"]

        grads = {}
        flat = lambda t: t.reshape(-1, t.shape[-1])  # noqa: E731
        grads["linear2.weight"], grads["linear2.bias"] = flat(g).T @ flat(u), g.sum(axis=(0, 1))
        dz = (g @ w["linear2.weight"]) * (cdf + z * np.exp(-0.5 * z * z) * (1 / math.sqrt(2 * math.pi)))
        grads["linear1.weight"], grads["linear1.bias"] = flat(dz).T @ flat(n2), dz.sum(axis=(0, 1))
        dx1, grads["norm2.weight"], grads["norm2.bias"] = _layer_norm_backward(dz @ w["linear1.weight"], c2)
        dx1 += g
        grads["self_attn.out_proj.weight"] = flat(dx1).T @ flat(a)
        grads["self_attn.out_proj.bias"] = dx1.sum(axis=(0, 1))
        da = split(dx1 @ w["self_attn.out_proj.weight"])
        dp = da @ v.transpose(0, 1, 3, 2)
        dv = p.transpose(0, 1, 3, 2) @ da
        ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True)) * scale
        dq, dk = ds @ k, ds.transpose(0, 1, 3, 2) @ q
        dqkv = np.concatenate([merge(dq), merge(dk), merge(dv)], axis=-1)
        grads["self_attn.in_proj_weight"] = flat(dqkv).T @ flat(n1)
        grads["self_attn.in_proj_bias"] = dqkv.sum(axis=(0, 1))
        dx, grads["norm1.weight"], grads["norm1.bias"] = _layer_norm_backward(dqkv @ w["self_attn.in_proj_weight"], c1)
        dx += dx1
        return {"out": out, "x": dx, **grads}

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


def cases(cfg: Config) -> list[Case]:
    """The block as a row of ``python -m benchmarks`` (paired, rotated rounds; see harness.py)."""
    has_torch = importlib.util.find_spec("torch") is not None
    sizes = cfg.pick(dict(batch=BATCH, seq=SEQ, d_model=D_MODEL, heads=HEADS, ff=FF),
                     smoke=dict(batch=2, seq=5, d_model=8, heads=2, ff=16))

    def build() -> dict[str, Callable[[], Any]]:
        state, x, g, mask = make_problem(0, sizes["batch"], sizes["seq"], sizes["d_model"], sizes["heads"], sizes["ff"])
        impls = {"minitorch": minitorch_step_fn(state, x, g, mask, heads=sizes["heads"]),
                 "numpy by hand": numpy_step_fn(state, x, g, mask, heads=sizes["heads"])}
        if has_torch:
            impls["torch"] = torch_step_fn(state, x, g, mask, heads=sizes["heads"])
        return impls

    name = (f"transformer block d{sizes['d_model']} h{sizes['heads']} ff{sizes['ff']}, {sizes['batch']}x{sizes['seq']} "
            "tokens causal, fwd + bwd")
    return [Case(name, build, calls=cfg.pick(3, smoke=1), rounds=cfg.pick(11, quick=5), check=same_outputs(1e-4),
                 missing=[] if has_torch else ['torch not installed (pip install -e ".[torch]")'])]


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
