"""A/B: this checkout's optimizers against another checkout's, in one process, paired rounds.

    git archive <commit> minitorch | tar -x -C /tmp/old
    python -m benchmarks.prototypes.optim_ab /tmp/old

The other checkout's ``minitorch`` package is copied under the name ``minitorch_old`` and imported
beside this one; both optimizers step the same parameters' copies with the same gradients. Each
case first checks that the two give bit-identical parameters over the warm-up steps.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

import minitorch
from minitorch import nn, optim

from ..harness import Case, Config, format_table, limit_threads, run


def make(modules: dict[str, Any], shapes: list[tuple[int, ...]], kind: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        out = {}
        for label, mod in modules.items():
            rng = np.random.default_rng(7)
            ps = [nn.Parameter(minitorch.tensor(rng.standard_normal(s, dtype=np.float32))) for s in shapes]
            for p in ps:
                p.grad = minitorch.tensor(rng.standard_normal(p.shape, dtype=np.float32) * np.float32(1e-2))
            opt = {"adam": lambda: mod.Adam(ps, lr=1e-3), "sgd": lambda: mod.SGD(ps, lr=1e-2, momentum=0.9),
                   "rmsprop": lambda: mod.RMSprop(ps, lr=1e-3, momentum=0.9, centered=True)}[kind]()

            def step(opt: Any = opt, ps: list[Any] = ps) -> list[np.ndarray]:
                opt.step()
                return [p.data.copy() for p in ps]

            out[label] = step
        return out

    return build


def bit_identical(outputs: dict[str, list[list[np.ndarray]]]) -> None:
    (a, xs), (b, ys) = outputs.items()
    for x, y in zip(xs, ys):
        if any(u.tobytes() != v.tobytes() for u, v in zip(x, y)):
            raise AssertionError(f"{a} and {b} give different bits")


def main(old_checkout: str) -> None:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(old_checkout) / "minitorch", tmp / "minitorch_old")
    sys.path.insert(0, str(tmp))
    old = importlib.import_module("minitorch_old.optim")
    modules = {"this checkout": optim, "old checkout": old}
    mlp = [(256, 784), (256,), (10, 256), (10,)]
    deep = [(64, 64), (64,)] * 50
    cases = [
        Case("Adam.step, MLP 784-256-10 parameters", make(modules, mlp, "adam"), calls=10, rounds=21, warmup=3,
             check=bit_identical),
        Case("Adam.step, 100 parameters of 50 x Linear(64,64)", make(modules, deep, "adam"), calls=20, rounds=21,
             warmup=3, check=bit_identical),
        Case("SGD(momentum).step, 100 parameters of 50 x Linear(64,64)", make(modules, deep, "sgd"), calls=20,
             rounds=21, warmup=3, check=bit_identical),
        Case("RMSprop(centered, momentum).step, MLP parameters", make(modules, mlp, "rmsprop"), calls=10, rounds=21,
             warmup=3, check=bit_identical),
    ]
    limit_threads(1)
    print(format_table(run(cases, Config())).replace("minitorch/call", "this/call"))
    print("ratio = this checkout's step time / the old checkout's (paired rounds, CPU time); "
          "every case checked bit-identical first")


if __name__ == "__main__":
    main(sys.argv[1])
