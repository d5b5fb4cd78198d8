"""Tensor engine and the user-level API (``nn.Module``, ``optim``) against numpy by hand and PyTorch.

    python -m benchmarks tensor

Every case is one training step (or one forward + backward), written three times: with minitorch,
with numpy and its backward written out by hand (the floor for any numpy-based engine, so the ratio
is what autograd's bookkeeping costs), and with PyTorch (CPU) when it is installed. All start from
the same float32 weights; where the maths is deterministic the first losses are compared before
anything is timed.

Cases:

* **MLP 784-256-10, Adam** -- ``nn.Sequential(Linear, ReLU, Linear)``, ``nn.CrossEntropyLoss``,
  ``optim.Adam``, ``zero_grad``; batch 128. Matmul-bound: the ratio is mostly BLAS time.
* **MLP 784-256-10, engine** -- the same network through ``F.linear`` with an inline SGD update
  (no Module, no Optimizer): the difference to the case above is what the user-level layer costs.
* **deep-narrow 50 x Linear(64, 64)** -- ReLU between, MSE loss, ``optim.SGD``, batch 32: small
  matrices, many graph nodes, so per-op overhead shows.
* **1 000 small elementwise ops** -- ``y = (y * w + b).tanh() * 0.5`` 250 times on 10x10 tensors,
  then ``sum().backward()``: pure per-op overhead (a Python-number operand included).
* **BatchNorm + Dropout** -- Linear(64, 128), BatchNorm1d, ReLU, Dropout(0.2), Linear(128, 10),
  batch 64, cross-entropy, SGD with momentum, training mode. Dropout masks differ between the
  implementations (each draws its own), so this case has no loss check.
* the optimizer step alone is in ``bench_optim.py``.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Callable

import numpy as np

import minitorch
import minitorch.nn.functional as F
from minitorch import nn, optim

from .harness import Case, Config

Impls = dict[str, Callable[[], Any]]


def load_torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def same_losses(rtol: float) -> Callable[[dict[str, list[float]]], None]:
    """A check: every implementation's warm-up losses equal the subject's within ``rtol``."""

    def check(outputs: dict[str, list[float]]) -> None:
        (subject, reference), *others = outputs.items()
        for name, losses in others:
            if not np.allclose(losses, reference, rtol=rtol, atol=1e-6):
                raise AssertionError(f"{name} computes different losses from {subject}: {losses} vs {reference}")

    return check


def linear_weights(sizes: list[int], seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight (out, in), bias (out,)) per layer, float32, PyTorch's Linear init U(-1/sqrt(in), 1/sqrt(in))."""
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                       rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    return layers


def load_linears(linears: list[Any], weights: list[tuple[np.ndarray, np.ndarray]], torch: Any = None) -> None:
    """Copy ``weights`` into minitorch (or, with ``torch``, PyTorch) Linear layers, in place."""
    for layer, (w, b) in zip(linears, weights, strict=True):
        if torch is None:
            layer.weight.data[...] = w
            layer.bias.data[...] = b
        else:
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(w))
                layer.bias.copy_(torch.from_numpy(b))


def module_step(model: Any, opt: Any, loss_fn: Any, x: Any, y: Any) -> Callable[[], float]:
    """One user-level training step (zero_grad, forward, loss, backward, step) of a minitorch or torch
    model: the two libraries share the API, so the same closure times both."""

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def log_softmax_ce(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy (mean) and its gradient with respect to the logits, by hand."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    dlogits = np.exp(logp)
    dlogits[rows, y] -= 1
    dlogits /= len(y)
    return float(-logp[rows, y].mean()), dlogits


# ---------------------------------------------------------------------- MLP 784-256-10
def mlp_problem(batch: int, sizes: list[int]) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return x, y, linear_weights(sizes)


def mlp_adam(batch: int, sizes: list[int], lr: float = 1e-3) -> Impls:
    x, y, weights = mlp_problem(batch, sizes)
    impls: Impls = {}

    model = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]))
    load_linears([model[0], model[2]], weights)
    opt = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = minitorch.tensor(x), minitorch.tensor(y)

    impls["minitorch"] = module_step(model, opt, loss_fn, xt, yt)

    params = [a.copy() for layer in weights for a in layer]  # w1, b1, w2, b2
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]
    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def numpy_step() -> float:
        w1, b1, w2, b2 = params
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0)
        loss, dlogits = log_softmax_ce(h @ w2.T + b2, y)
        dz1 = (dlogits @ w2) * (z1 > 0)
        grads = (dz1.T @ x, dz1.sum(axis=0), dlogits.T @ h, dlogits.sum(axis=0))
        t[0] += 1
        step_size = lr / (1 - beta1 ** t[0])
        root_bc2 = (1 - beta2 ** t[0]) ** 0.5
        for p, g, mi, vi in zip(params, grads, m, v):  # Adam, in place
            mi *= beta1
            mi += (1 - beta1) * g
            vi *= beta2
            vi += (1 - beta2) * g * g
            p -= step_size * mi / (np.sqrt(vi) / root_bc2 + eps)
        return loss

    impls["numpy by hand"] = numpy_step

    torch = load_torch()
    if torch is not None:
        tmodel = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), torch.nn.ReLU(),
                                     torch.nn.Linear(sizes[1], sizes[2]))
        load_linears([tmodel[0], tmodel[2]], weights, torch)
        topt = torch.optim.Adam(tmodel.parameters(), lr=lr)
        tloss = torch.nn.CrossEntropyLoss()
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        impls["torch"] = module_step(tmodel, topt, tloss, tx, ty)
    return impls


def mlp_engine(batch: int, sizes: list[int], lr: float = 0.05) -> Impls:
    """The MLP through the engine only: F.linear, cross_entropy, an inline SGD update."""
    x, y, weights = mlp_problem(batch, sizes)
    impls: Impls = {}
    xt, yt = minitorch.tensor(x), minitorch.tensor(y)
    tparams = [minitorch.tensor(a, requires_grad=True) for layer in weights for a in layer]

    def minitorch_step() -> float:
        w1, b1, w2, b2 = tparams
        for p in tparams:
            p.grad = None
        loss = F.cross_entropy(F.linear(F.linear(xt, w1, b1).relu(), w2, b2), yt)
        loss.backward()
        for p in tparams:
            p.data -= lr * p.grad.data
        return loss.item()

    impls["minitorch"] = minitorch_step
    params = [a.copy() for layer in weights for a in layer]

    def numpy_step() -> float:
        w1, b1, w2, b2 = params
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0)
        loss, dlogits = log_softmax_ce(h @ w2.T + b2, y)
        dz1 = (dlogits @ w2) * (z1 > 0)
        for p, g in zip(params, (dz1.T @ x, dz1.sum(axis=0), dlogits.T @ h, dlogits.sum(axis=0))):
            p -= lr * g
        return loss

    impls["numpy by hand"] = numpy_step
    torch = load_torch()
    if torch is not None:
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        qparams = [torch.tensor(a, requires_grad=True) for layer in weights for a in layer]
        tf = torch.nn.functional

        def torch_step() -> float:
            w1, b1, w2, b2 = qparams
            for p in qparams:
                p.grad = None
            loss = tf.cross_entropy(tf.linear(tf.linear(tx, w1, b1).relu(), w2, b2), ty)
            loss.backward()
            with torch.no_grad():
                for p in qparams:
                    p -= lr * p.grad
            return loss.item()

        impls["torch"] = torch_step
    return impls


# ---------------------------------------------------------------------- deep and narrow
def deep_narrow(depth: int, width: int, batch: int, lr: float = 0.01) -> Impls:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((batch, width), dtype=np.float32)
    target = rng.standard_normal((batch, width), dtype=np.float32)
    weights = linear_weights([width] * (depth + 1), seed=3)
    impls: Impls = {}

    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(width, width)] + ([nn.ReLU()] if i < depth - 1 else [])
    model = nn.Sequential(*layers)
    load_linears([layer for layer in model if isinstance(layer, nn.Linear)], weights)
    opt = optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    xt, tt = minitorch.tensor(x), minitorch.tensor(target)

    impls["minitorch"] = module_step(model, opt, loss_fn, xt, tt)
    params = [(w.copy(), b.copy()) for w, b in weights]

    def numpy_step() -> float:
        inputs, zs = [], []
        h = x
        for i, (w, b) in enumerate(params):
            inputs.append(h)
            z = h @ w.T + b
            zs.append(z)
            h = np.maximum(z, 0) if i < depth - 1 else z
        diff = h - target
        loss = float((diff * diff).mean())
        g = diff * np.float32(2 / diff.size)
        for i in range(depth - 1, -1, -1):
            if i < depth - 1:
                g = g * (zs[i] > 0)
            w, b = params[i]
            gw, gb = g.T @ inputs[i], g.sum(axis=0)
            g = g @ w
            w -= lr * gw
            b -= lr * gb
        return loss

    impls["numpy by hand"] = numpy_step
    torch = load_torch()
    if torch is not None:
        tlayers: list[Any] = []
        for i in range(depth):
            tlayers += [torch.nn.Linear(width, width)] + ([torch.nn.ReLU()] if i < depth - 1 else [])
        tmodel = torch.nn.Sequential(*tlayers)
        load_linears([layer for layer in tmodel if isinstance(layer, torch.nn.Linear)], weights, torch)
        topt = torch.optim.SGD(tmodel.parameters(), lr=lr)
        tloss = torch.nn.MSELoss()
        tx, tt2 = torch.from_numpy(x), torch.from_numpy(target)

        impls["torch"] = module_step(tmodel, topt, tloss, tx, tt2)
    return impls


# ---------------------------------------------------------------------- many small ops
def small_ops(repeats: int, n: int = 10) -> Impls:
    """``y = (y * w + b).tanh() * 0.5``, ``repeats`` times (4 ops each) on n x n tensors; then backward."""
    rng = np.random.default_rng(4)
    x0, w0, b0 = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(3))
    impls: Impls = {}
    x, w, b = (minitorch.tensor(a, requires_grad=True) for a in (x0, w0, b0))

    def minitorch_step() -> float:
        x.grad = w.grad = b.grad = None
        y = x
        for _ in range(repeats):
            y = (y * w + b).tanh() * 0.5
        y.sum().backward()
        return float(x.grad.data.sum())

    impls["minitorch"] = minitorch_step
    half = np.float32(0.5)

    def numpy_step() -> float:
        ys, ts = [], []
        y = x0
        for _ in range(repeats):
            ys.append(y)
            t = np.tanh(y * w0 + b0)
            ts.append(t)
            y = t * half
        g = np.ones_like(y)
        gw, gb = np.zeros_like(w0), np.zeros_like(b0)
        for y_in, t in zip(reversed(ys), reversed(ts)):
            g = g * half
            g = g * (1 - t * t)
            gb += g
            gw += g * y_in
            g = g * w0
        return float(g.sum())

    impls["numpy by hand"] = numpy_step
    torch = load_torch()
    if torch is not None:
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x0, w0, b0))

        def torch_step() -> float:
            tx.grad = tw.grad = tb.grad = None
            y = tx
            for _ in range(repeats):
                y = (y * tw + tb).tanh() * 0.5
            y.sum().backward()
            return float(tx.grad.sum())

        impls["torch"] = torch_step
    return impls


# ---------------------------------------------------------------------- BatchNorm + Dropout
def batchnorm_dropout(batch: int, sizes: list[int], p: float = 0.2, lr: float = 0.01, momentum: float = 0.9) -> Impls:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[2], batch)
    weights = linear_weights(sizes, seed=6)
    impls: Impls = {}

    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.BatchNorm1d(sizes[1]), nn.ReLU(), nn.Dropout(p),
                          nn.Linear(sizes[1], sizes[2]))
    load_linears([model[0], model[4]], weights)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = minitorch.tensor(x), minitorch.tensor(y)

    impls["minitorch"] = module_step(model, opt, loss_fn, xt, yt)

    (w1, b1), (w2, b2) = [(w.copy(), b.copy()) for w, b in weights]
    gamma, beta = np.ones(sizes[1], np.float32), np.zeros(sizes[1], np.float32)
    running = [np.zeros(sizes[1], np.float32), np.ones(sizes[1], np.float32)]
    params = [w1, b1, gamma, beta, w2, b2]
    buffers: list[np.ndarray | None] = [None] * len(params)
    drop_rng = np.random.default_rng(0)
    eps, bn_momentum = 1e-5, 0.1

    def numpy_step() -> float:
        z = x @ w1.T + b1
        mu, var = z.mean(axis=0), z.var(axis=0)
        inv = 1 / np.sqrt(var + eps)
        xhat = (z - mu) * inv
        bn = gamma * xhat + beta
        running[0] = (1 - bn_momentum) * running[0] + bn_momentum * mu
        running[1] = (1 - bn_momentum) * running[1] + bn_momentum * var * (batch / (batch - 1))
        h = np.maximum(bn, 0)
        scale = (drop_rng.random(h.shape) >= p) * np.float32(1 / (1 - p))
        d = h * scale
        loss, dlogits = log_softmax_ce(d @ w2.T + b2, y)
        gd = dlogits @ w2
        gbn = gd * scale * (bn > 0)
        gxhat = gbn * gamma
        gz = inv * (gxhat - gxhat.mean(axis=0) - xhat * (gxhat * xhat).mean(axis=0))
        grads = [gz.T @ x, gz.sum(axis=0), (gbn * xhat).sum(axis=0), gbn.sum(axis=0), dlogits.T @ d,
                 dlogits.sum(axis=0)]
        for i, (param, g) in enumerate(zip(params, grads)):  # SGD with momentum, in place
            buf = buffers[i]
            if buf is None:
                buf = buffers[i] = g.copy()
            else:
                buf *= momentum
                buf += g
            param -= lr * buf
        return loss

    impls["numpy by hand"] = numpy_step
    torch = load_torch()
    if torch is not None:
        torch.manual_seed(0)
        tmodel = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), torch.nn.BatchNorm1d(sizes[1]),
                                     torch.nn.ReLU(), torch.nn.Dropout(p), torch.nn.Linear(sizes[1], sizes[2]))
        load_linears([tmodel[0], tmodel[4]], weights, torch)
        topt = torch.optim.SGD(tmodel.parameters(), lr=lr, momentum=momentum)
        tloss = torch.nn.CrossEntropyLoss()
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        impls["torch"] = module_step(tmodel, topt, tloss, tx, ty)
    return impls


def cases(cfg: Config) -> list[Case]:
    torch_note = [] if importlib.util.find_spec("torch") is not None else ["torch not installed (pip install -e \".[torch]\")"]
    mlp = cfg.pick([784, 256, 10], smoke=[16, 8, 4])
    batch = cfg.pick(128, smoke=8)
    rounds = cfg.pick(15, quick=7)
    depth, width = cfg.pick(50, smoke=3), cfg.pick(64, smoke=8)
    repeats = cfg.pick(250, smoke=5)
    bn_sizes = cfg.pick([64, 128, 10], smoke=[8, 6, 3])
    label = "-".join(map(str, mlp))
    return [
        Case(f"tensor MLP {label}, Adam (nn + optim)", lambda: mlp_adam(batch, mlp), calls=cfg.pick(8, smoke=1),
             rounds=rounds, warmup=3, check=same_losses(1e-4), missing=torch_note),
        Case(f"tensor MLP {label}, engine (F.linear, SGD)", lambda: mlp_engine(batch, mlp),
             calls=cfg.pick(8, smoke=1), rounds=rounds, warmup=3, check=same_losses(1e-4), missing=torch_note),
        Case(f"deep-narrow {depth} x Linear({width},{width}), SGD", lambda: deep_narrow(depth, width, 32),
             calls=cfg.pick(10, smoke=1), rounds=rounds, warmup=3, check=same_losses(1e-4), missing=torch_note),
        Case(f"{4 * repeats} elementwise ops on 10x10 + backward", lambda: small_ops(repeats),
             calls=cfg.pick(3, smoke=1), rounds=rounds, warmup=2, check=same_losses(1e-3), missing=torch_note),
        Case("BatchNorm1d + Dropout MLP, SGD momentum", lambda: batchnorm_dropout(64 if not cfg.smoke else 8, bn_sizes),
             calls=cfg.pick(20, smoke=1), rounds=rounds, warmup=3, missing=torch_note),
    ]
