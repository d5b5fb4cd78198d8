"""Prototype, not part of minitorch: how much per-op overhead a leaner tensor engine would remove.

    python -m benchmarks.prototypes.lean_tensor [--quick]

A deliberately small engine (mul, add, tanh, sum, linear, relu, mse -- enough for two benchmark
cases) written the way issue 18 proposes for ``minitorch/tensor``, measured with the same harness
against numpy by hand and the current minitorch:

1. **no closure per op**: a node stores a module-level backward function and a tuple of what it
   saved (``_fn``, ``_saved``), instead of a fresh closure (function object + cells) per op;
2. **Python scalars are not wrapped** into constant Tensors: ``y * 0.5`` calls numpy with the number
   (for floating tensors numpy 2 keeps the tensor's dtype, PyTorch's rule), backward ``g * 0.5``;
3. **no separate DFS and no id-keyed dicts in backward**: every node gets a creation number
   (``_seq``); backward pops nodes from a heap in decreasing ``_seq`` (inputs are always older than
   their outputs, so this is a valid reverse topological order) and keeps each node's pending
   gradient in a slot on the node instead of ``pending[id(node)]``;
4. ``_from_op`` checks ``requires_grad`` with a plain loop instead of ``any(<generator>)``.

Everything else (unbroadcast, dtype casts, freeing the graph) is kept, so the comparison is fair.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from typing import Any, Callable

import numpy as np

from ..bench_tensor import deep_narrow, linear_weights, small_ops
from ..harness import Case, Config, format_table, limit_threads, run

_counter = itertools.count()


class Lean:
    __slots__ = ("data", "grad", "requires_grad", "_parents", "_fn", "_saved", "_seq", "_pending")

    def __init__(self, data: np.ndarray, requires_grad: bool = False) -> None:
        self.data, self.grad, self.requires_grad = data, None, requires_grad
        self._parents, self._fn, self._saved, self._seq, self._pending = (), None, (), next(_counter), None

    def __mul__(self, other: Any) -> "Lean":
        if type(other) is Lean:
            return _op(self.data * other.data, (self, other), _mul_bw, (self.data, other.data))
        return _op(self.data * other, (self,), _mul_scalar_bw, (other,))

    def __add__(self, other: "Lean") -> "Lean":
        return _op(self.data + other.data, (self, other), _add_bw, ())

    def tanh(self) -> "Lean":
        out = np.tanh(self.data)
        return _op(out, (self,), _tanh_bw, (out,))

    def relu(self) -> "Lean":
        return _op(np.maximum(self.data, 0), (self,), _relu_bw, (self.data,))

    def sum(self) -> "Lean":
        return _op(self.data.sum(), (self,), _sum_bw, (self.data.shape,))

    def backward(self) -> None:
        self._pending = np.ones_like(self.data)
        heap = [(-self._seq, self)]
        while heap:
            _, node = heapq.heappop(heap)
            g, node._pending = node._pending, None
            if node._fn is None:  # a leaf
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            for parent, pg in zip(node._parents, node._fn(g, *node._saved)):
                if pg is None or not parent.requires_grad:
                    continue
                if pg.shape != parent.data.shape:
                    pg = _unbroadcast(pg, parent.data.shape)
                if parent._pending is None:
                    parent._pending = pg
                    heapq.heappush(heap, (-parent._seq, parent))
                else:
                    parent._pending = parent._pending + pg
            node._parents, node._saved = (), ()  # free the graph as we go


def _op(data: np.ndarray, parents: tuple[Lean, ...], fn: Callable[..., Any], saved: tuple[Any, ...]) -> Lean:
    out = object.__new__(Lean)
    out.data, out.grad, out._seq, out._pending = data, None, next(_counter), None
    for p in parents:
        if p.requires_grad:
            out.requires_grad, out._parents, out._fn, out._saved = True, parents, fn, saved
            return out
    out.requires_grad, out._parents, out._fn, out._saved = False, (), None, ()
    return out


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True) if stretched else g


def _mul_bw(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return g * b, g * a


def _mul_scalar_bw(g: np.ndarray, c: float) -> tuple[np.ndarray]:
    return (g * c,)


def _add_bw(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return g, g


def _tanh_bw(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
    return (g * (1 - out * out),)


def _relu_bw(g: np.ndarray, x: np.ndarray) -> tuple[np.ndarray]:
    return (g * (x > 0),)


def _sum_bw(g: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray]:
    return (np.broadcast_to(g, shape),)


def linear(x: Lean, w: Lean, b: Lean) -> Lean:
    out = x.data @ w.data.T
    out += b.data
    return _op(out, (x, w, b), _linear_bw, (x.data, w.data))


def _linear_bw(g: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return g @ w, g.T @ x, g


def mse(pred: Lean, target: np.ndarray) -> Lean:
    diff = pred.data - target
    return _op(np.asarray((diff * diff).mean()), (pred,), _mse_bw, (diff,))


def _mse_bw(g: np.ndarray, diff: np.ndarray) -> tuple[np.ndarray]:
    return (g * diff * np.float32(2 / diff.size),)


# ---------------------------------------------------------------------- the two cases, lean
def lean_small_ops(repeats: int, n: int = 10, engine: type = Lean) -> Callable[[], float]:
    """The small-ops step with ``engine``'s tensors (``engine(array, True)`` is a leaf needing grad):
    this prototype's ``Lean``, or another prototype's class with the same ops."""
    rng = np.random.default_rng(4)  # the same numbers as bench_tensor.small_ops
    x0, w0, b0 = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(3))
    x, w, b = (engine(a, True) for a in (x0, w0, b0))

    def step() -> float:
        x.grad = w.grad = b.grad = None
        y = x
        for _ in range(repeats):
            y = (y * w + b).tanh() * 0.5
        y.sum().backward()
        return float(x.grad.sum())

    return step


def lean_deep_narrow(depth: int, width: int, batch: int, lr: float = 0.01, engine: type = Lean,
                     linear: Callable[..., Any] = linear, mse: Callable[..., Any] = mse) -> Callable[[], float]:
    """The deep-narrow step with ``engine``'s tensors and its ``linear`` and ``mse`` ops."""
    rng = np.random.default_rng(2)  # the same numbers as bench_tensor.deep_narrow
    x = rng.standard_normal((batch, width), dtype=np.float32)
    target = rng.standard_normal((batch, width), dtype=np.float32)
    params = [(engine(w.copy(), True), engine(b.copy(), True))
              for w, b in linear_weights([width] * (depth + 1), seed=3)]
    xt = engine(x)

    def step() -> float:
        for w, b in params:
            w.grad = b.grad = None
        h = xt
        for i, (w, b) in enumerate(params):
            h = linear(h, w, b)
            if i < depth - 1:
                h = h.relu()
        loss = mse(h, target)
        loss.backward()
        for w, b in params:
            w.data -= lr * w.grad
            b.data -= lr * b.grad
        return float(loss.data)

    return step


def cases(cfg: Config) -> list[Case]:
    from ..bench_tensor import same_losses

    repeats, depth = cfg.pick(250, smoke=5), cfg.pick(50, smoke=3)
    rounds = cfg.pick(15, quick=7)

    def with_lean(impls: dict[str, Any], lean: Callable[[], float]) -> dict[str, Any]:
        return {"lean prototype": lean, "minitorch": impls["minitorch"], "numpy by hand": impls["numpy by hand"]}

    return [
        Case(f"{4 * repeats} elementwise ops on 10x10 + backward",
             lambda: with_lean(small_ops(repeats), lean_small_ops(repeats)), calls=cfg.pick(3, smoke=1),
             rounds=rounds, check=same_losses(1e-3)),
        Case(f"deep-narrow {depth} x Linear(64,64) (F.linear + inline SGD)",
             lambda: with_lean(deep_narrow(depth, 64, 32), lean_deep_narrow(depth, 64, 32)),
             calls=cfg.pick(10, smoke=1), rounds=rounds, warmup=3, check=same_losses(1e-4)),
    ]


if __name__ == "__main__":
    cfg = Config(quick="--quick" in sys.argv, smoke="--smoke" in sys.argv)
    limit_threads(1)
    print(format_table(run(cases(cfg), cfg)).replace("minitorch/call", "prototype/call"))
    print("ratio = lean prototype time / baseline time (paired rounds); 'minitorch' = the current engine")
