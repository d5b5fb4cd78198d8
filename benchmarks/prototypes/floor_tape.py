"""Prototype, not part of minitorch: the floor of any pure-Python engine with one backward call per op.

    python -m benchmarks.prototypes.floor_tape [--quick]

Issue 18 asks for 1 000 small ops at <= 2.0x numpy by hand and deep-narrow at <= 1.2x. This engine
does the least a reverse-mode engine written in Python can do, so its ratio bounds what any
engine of that kind can reach on this interpreter:

* forward: the numpy call, one small object for the result, and one tuple appended to a global
  **tape** (the op's backward function, what it saved, its inputs, its output);
* backward: one reverse pass over the tape. No graph walk, no topological order, no
  ``requires_grad`` tests between ops, no shape or dtype checks, no unbroadcast (the two cases
  never broadcast except the bias, summed inside its backward), no version counters, hooks,
  ``retain_grad``, ``inputs=``, freed graphs, ``no_grad``, drawing -- none of what
  ``minitorch.Tensor`` keeps for PyTorch's semantics and for the lessons.

It is not usable as a library (one global tape, every op recorded, nothing freed until backward).
Its numbers are quoted in ``benchmarks/ENGINE_PLAN.md`` §8.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from ..bench_tensor import deep_narrow, same_losses, small_ops
from ..harness import Case, Config, format_table, limit_threads, run
from .lean_tensor import lean_deep_narrow, lean_small_ops  # the same two steps, for any engine

_tape: list[tuple[Any, ...]] = []


class T:
    __slots__ = ("data", "grad", "leaf", "_g")

    def __init__(self, data: np.ndarray, leaf: bool = False) -> None:
        self.data, self.grad, self.leaf, self._g = data, None, leaf, None

    def __mul__(self, other: Any) -> "T":
        if type(other) is T:
            return _op(self.data * other.data, _mul_bw, (self.data, other.data), (self, other))
        return _op(self.data * other, _scale_bw, (other,), (self,))

    def __add__(self, other: "T") -> "T":
        return _op(self.data + other.data, _add_bw, (), (self, other))

    def tanh(self) -> "T":
        out = np.tanh(self.data)
        return _op(out, _tanh_bw, (out,), (self,))

    def relu(self) -> "T":
        out = np.maximum(self.data, 0)
        return _op(out, _relu_bw, (out,), (self,))

    def sum(self) -> "T":
        return _op(self.data.sum(), _sum_bw, (self.data.shape,), (self,))

    def backward(self) -> None:
        self._g = np.ones_like(self.data)
        for fn, saved, inputs, out in reversed(_tape):
            g = out._g
            if g is None:
                continue
            out._g = None
            for x, gx in zip(inputs, fn(g, *saved)):
                if x.leaf:
                    x.grad = gx.copy() if x.grad is None else x.grad + gx
                elif x._g is None:
                    x._g = gx
                else:
                    x._g = x._g + gx
        _tape.clear()


def _op(data: np.ndarray, fn: Callable[..., Any], saved: tuple[Any, ...], inputs: tuple[T, ...]) -> T:
    out = T(data)
    _tape.append((fn, saved, inputs, out))
    return out


def _mul_bw(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return g * b, g * a


def _scale_bw(g: np.ndarray, c: float) -> tuple[np.ndarray]:
    return (g * c,)


def _add_bw(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return g, g


def _tanh_bw(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
    return (g * (1 - out * out),)


def _relu_bw(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
    return (g * (out > 0),)


def _sum_bw(g: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray]:
    return (np.broadcast_to(g, shape),)


def linear(x: T, w: T, b: T) -> T:
    out = x.data @ w.data.T
    out += b.data
    return _op(out, _linear_bw, (x.data, w.data), (x, w, b))


def _linear_bw(g: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return g @ w, g.T @ x, g.sum(axis=0)


def mse(pred: T, target: np.ndarray) -> T:
    diff = pred.data - target
    return _op(np.asarray((diff * diff).mean()), _mse_bw, (diff,), (pred,))


def _mse_bw(g: np.ndarray, diff: np.ndarray) -> tuple[np.ndarray]:
    return (g * diff * np.float32(2 / diff.size),)


def cases(cfg: Config) -> list[Case]:
    repeats, depth = cfg.pick(250, smoke=5), cfg.pick(50, smoke=3)
    rounds = cfg.pick(15, quick=7)

    def with_floor(impls: dict[str, Any], floor: Callable[[], float]) -> dict[str, Any]:
        return {"floor (tape)": floor, "minitorch": impls["minitorch"], "numpy by hand": impls["numpy by hand"]}

    return [
        Case(f"{4 * repeats} elementwise ops on 10x10 + backward",
             lambda: with_floor(small_ops(repeats), lean_small_ops(repeats, engine=T)), calls=cfg.pick(3, smoke=1),
             rounds=rounds, check=same_losses(1e-3)),
        Case(f"deep-narrow {depth} x Linear(64,64) (floor: F.linear-style op + inline SGD; minitorch: nn + optim)",
             lambda: with_floor(deep_narrow(depth, 64, 32),
                                lean_deep_narrow(depth, 64, 32, engine=T, linear=linear, mse=mse)),
             calls=cfg.pick(10, smoke=1), rounds=rounds, warmup=3, check=same_losses(1e-4)),
    ]


if __name__ == "__main__":
    cfg = Config(quick="--quick" in sys.argv, smoke="--smoke" in sys.argv)
    limit_threads(1)
    print(format_table(run(cases(cfg), cfg)).replace("minitorch/call", "floor/call"))
    print("ratio = floor engine time / baseline time (paired rounds); 'minitorch' = the current engine")
