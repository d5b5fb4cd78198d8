"""A/B: this checkout's optimizer step and module calls against another checkout's, one process, paired rounds.

    git archive <commit> minitorch | tar -x -C /tmp/old
    python -m benchmarks.prototypes.call_ab /tmp/old

The other checkout's ``minitorch`` is copied under the name ``minitorch_old`` and imported beside
this one (each side builds its own model from its own package, with the same weights and data).
Cases: ``opt.step()`` alone on deep-narrow's 100 parameters (plain SGD, as in ``bench_tensor``) and
on the MLP's 4 (Adam); ``model(x)`` alone on deep-narrow (recording the graph, then dropped); and the
whole training steps of ``bench_tensor``'s deep-narrow and MLP + Adam cases. The optimizer cases
first check that both sides give bit-identical parameters; the others that they give the same losses.
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

from ..harness import Case, Config, format_table, limit_threads, run

DEPTH, WIDTH, BATCH = 50, 64, 32


def deep_model(mt: Any) -> Any:
    layers: list[Any] = []
    for i in range(DEPTH):
        layers += [mt.nn.Linear(WIDTH, WIDTH)] + ([mt.nn.ReLU()] if i < DEPTH - 1 else [])
    model = mt.nn.Sequential(*layers)
    rng = np.random.default_rng(3)
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.shape).astype(np.float32) * np.float32(0.15)
    return model


def mlp_model(mt: Any) -> Any:
    model = mt.nn.Sequential(mt.nn.Linear(784, 256), mt.nn.ReLU(), mt.nn.Linear(256, 10))
    rng = np.random.default_rng(5)
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.shape).astype(np.float32) * np.float32(0.05)
    return model


def optimizer_only(packages: dict[str, Any], kind: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        out = {}
        for label, mt in packages.items():
            model = deep_model(mt) if kind == "sgd" else mlp_model(mt)
            rng = np.random.default_rng(7)
            for p in model.parameters():
                p.grad = mt.tensor(rng.standard_normal(p.shape).astype(np.float32) * np.float32(1e-2))
            opt = mt.optim.SGD(model.parameters(), lr=1e-2) if kind == "sgd" else \
                mt.optim.Adam(model.parameters(), lr=1e-3)
            params = list(model.parameters())

            def step(opt: Any = opt, params: list[Any] = params) -> list[np.ndarray]:
                for _ in range(10):
                    opt.step()
                return [p.data.copy() for p in params]

            out[label] = step
        return out

    return build


def forward_only(packages: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        x0 = np.random.default_rng(2).standard_normal((BATCH, WIDTH), dtype=np.float32)
        out = {}
        for label, mt in packages.items():
            model, x = deep_model(mt), mt.tensor(x0)

            def fwd(model: Any = model, x: Any = x) -> float:
                for _ in range(5):
                    y = model(x)
                return float(y.data.sum())

            out[label] = fwd
        return out

    return build


def training(packages: dict[str, Any], kind: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        rng = np.random.default_rng(2)
        if kind == "deep":
            x0 = rng.standard_normal((BATCH, WIDTH), dtype=np.float32)
            y0 = rng.standard_normal((BATCH, WIDTH), dtype=np.float32)
        else:
            x0 = rng.standard_normal((128, 784), dtype=np.float32)
            y0 = rng.integers(0, 10, 128)
        out = {}
        for label, mt in packages.items():
            if kind == "deep":
                model = deep_model(mt)
                opt, loss_fn = mt.optim.SGD(model.parameters(), lr=0.01), mt.nn.MSELoss()
            else:
                model = mlp_model(mt)
                opt, loss_fn = mt.optim.Adam(model.parameters(), lr=1e-3), mt.nn.CrossEntropyLoss()
            x, y = mt.tensor(x0), mt.tensor(y0)

            def step(model: Any = model, opt: Any = opt, loss_fn: Any = loss_fn, x: Any = x, y: Any = y) -> float:
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
                return loss.item()

            out[label] = step
        return out

    return build


def bit_identical(outputs: dict[str, list[list[np.ndarray]]]) -> None:
    (a, xs), (b, ys) = outputs.items()
    for x, y in zip(xs, ys):
        if any(u.tobytes() != v.tobytes() for u, v in zip(x, y)):
            raise AssertionError(f"{a} and {b} give different bits")


def same_numbers(outputs: dict[str, list[float]]) -> None:
    (a, xs), (b, ys) = outputs.items()
    if xs != ys:
        raise AssertionError(f"{a} and {b} compute different numbers: {xs} vs {ys}")


def main(old_checkout: str, rounds: int = 21) -> None:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(old_checkout) / "minitorch", tmp / "minitorch_old")
    sys.path.insert(0, str(tmp))
    old = importlib.import_module("minitorch_old")
    packages = {"this checkout": minitorch, "old checkout": old}
    cases = [
        Case("SGD.step x10, deep-narrow's 100 parameters", optimizer_only(packages, "sgd"), calls=3, rounds=rounds,
             warmup=2, check=bit_identical),
        Case("Adam.step x10, MLP 784-256-10's 4 parameters", optimizer_only(packages, "adam"), calls=1,
             rounds=rounds, warmup=2, check=bit_identical),
        Case("model(x) x5, deep-narrow 50 x Linear(64,64)", forward_only(packages), calls=2, rounds=rounds,
             warmup=2, check=same_numbers),
        Case("training step, deep-narrow (SGD)", training(packages, "deep"), calls=5, rounds=rounds, warmup=2,
             check=same_numbers),
        Case("training step, MLP 784-256-10 (Adam)", training(packages, "mlp"), calls=5, rounds=rounds, warmup=2,
             check=same_numbers),
    ]
    limit_threads(1)
    print(format_table(run(cases, Config())).replace("minitorch/call", "this/call"))
    print("ratio = this checkout's time / the old checkout's (paired rounds, CPU time, 1 BLAS thread)")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
