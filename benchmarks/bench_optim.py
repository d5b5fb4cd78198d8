"""The optimizer step alone: ``optim.Adam`` and ``optim.SGD`` against numpy by hand and PyTorch.

    python -m benchmarks optim

``opt.step()`` with fixed gradients: ``optim.Adam.step()`` over the parameters of the 784-256-10
MLP (large arrays: memory traffic and temporaries) and ``optim.SGD(momentum=0.9).step()`` over the
100 parameters of 50 x Linear(64, 64) (small arrays: per-parameter overhead). numpy by hand is the
same update with in-place operations on preallocated buffers.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Callable

import numpy as np

import minitorch
from minitorch import nn, optim

from .bench_tensor import load_torch, same_losses
from .harness import Case, Config

Impls = dict[str, Callable[[], Any]]


def optimizer_step(shapes: list[tuple[int, ...]], algorithm: str) -> Impls:
    """``opt.step()`` alone, gradients fixed: what the optimizer itself costs per step.

    ``algorithm`` is ``"adam"`` (default options) or ``"sgd"`` (momentum 0.9). numpy by hand is the
    same update written with in-place operations on preallocated buffers.
    """
    rng = np.random.default_rng(7)
    values = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    grads = [rng.standard_normal(shape, dtype=np.float32) * np.float32(1e-2) for shape in shapes]
    lr = 1e-3 if algorithm == "adam" else 1e-2
    impls: Impls = {}

    params = [nn.Parameter(minitorch.tensor(v.copy())) for v in values]
    for p, g in zip(params, grads):
        p.grad = minitorch.tensor(g)
    opt = optim.Adam(params, lr=lr) if algorithm == "adam" else optim.SGD(params, lr=lr, momentum=0.9)

    def minitorch_step() -> float:
        opt.step()
        return float(params[0].data.flat[0])

    impls["minitorch"] = minitorch_step
    arrays = [v.copy() for v in values]
    if algorithm == "adam":
        m = [np.zeros_like(v) for v in values]
        v2 = [np.zeros_like(v) for v in values]
        scratch = [np.empty_like(v) for v in values]
        t = [0]

        def numpy_step() -> float:
            t[0] += 1
            step_size = lr / (1 - 0.9 ** t[0])
            root_bc2 = (1 - 0.999 ** t[0]) ** 0.5
            for p, g, mi, vi, tmp in zip(arrays, grads, m, v2, scratch):
                mi *= 0.9
                np.multiply(g, 0.1, out=tmp)
                mi += tmp
                vi *= 0.999
                np.multiply(g, g, out=tmp)
                tmp *= 0.001
                vi += tmp
                np.sqrt(vi, out=tmp)
                tmp /= root_bc2
                tmp += 1e-8
                np.divide(mi, tmp, out=tmp)
                tmp *= step_size
                p -= tmp
            return float(arrays[0].flat[0])
    else:
        bufs: list[np.ndarray | None] = [None] * len(values)

        def numpy_step() -> float:
            for i, (p, g) in enumerate(zip(arrays, grads)):
                buf = bufs[i]
                if buf is None:
                    buf = bufs[i] = g.copy()
                else:
                    buf *= 0.9
                    buf += g
                p -= lr * buf
            return float(arrays[0].flat[0])

    impls["numpy by hand"] = numpy_step
    torch = load_torch()
    if torch is not None:
        tparams = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
        for p, g in zip(tparams, grads):
            p.grad = torch.from_numpy(g)
        topt = (torch.optim.Adam(tparams, lr=lr) if algorithm == "adam"
                else torch.optim.SGD(tparams, lr=lr, momentum=0.9))

        def torch_step() -> float:
            topt.step()
            return float(tparams[0].detach()[(0,) * tparams[0].ndim])

        impls["torch"] = torch_step
    return impls


def cases(cfg: Config) -> list[Case]:
    torch_note = [] if importlib.util.find_spec("torch") is not None else ["torch not installed (pip install -e \".[torch]\")"]
    mlp = cfg.pick([784, 256, 10], smoke=[16, 8, 4])
    depth, width = cfg.pick(50, smoke=3), cfg.pick(64, smoke=8)
    rounds = cfg.pick(15, quick=7)
    label = "-".join(map(str, mlp))
    mlp_shapes = [(mlp[1], mlp[0]), (mlp[1],), (mlp[2], mlp[1]), (mlp[2],)]
    deep_shapes = [(width, width), (width,)] * depth
    return [
        Case(f"optim.Adam.step alone, MLP {label} parameters", lambda: optimizer_step(mlp_shapes, "adam"),
             calls=cfg.pick(10, smoke=1), rounds=rounds, warmup=3, check=same_losses(1e-5), missing=torch_note),
        Case(f"optim.SGD(momentum).step alone, {depth} x Linear({width},{width})",
             lambda: optimizer_step(deep_shapes, "sgd"), calls=cfg.pick(20, smoke=1), rounds=rounds, warmup=3,
             check=same_losses(1e-5), missing=torch_note),
    ]
