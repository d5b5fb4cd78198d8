"""Prototype, not part of minitorch: the cost of ``Module.__getattr__`` on the per-call path.

    python -m benchmarks.prototypes.module_attr [--quick]

``nn.Module`` keeps parameters and sub-modules only in its registries (``_parameters``,
``_modules``), as PyTorch does, so ``self.weight`` in every ``forward`` misses the instance
``__dict__`` and goes through the Python-level ``Module.__getattr__``. The prototype also puts each
registered parameter / sub-module into the instance ``__dict__`` (what ``Module.__setattr__``,
``register_parameter``, ``add_module``, ``_forget`` and ``__delattr__`` would keep in sync), so
normal attribute lookup finds it at C speed. Measured: 1 000 reads of ``lin.weight``; and the
50-layer deep-narrow forward + backward, where every layer reads ``weight`` and ``bias`` and
``Sequential`` iterates its ``_modules``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

import minitorch
from minitorch import nn

from ..harness import Case, Config, format_table, limit_threads, run


def mirror_registries(module: nn.Module) -> nn.Module:
    """Copy every registered parameter and sub-module into its owner's instance ``__dict__``."""
    for m in module.modules():
        for name, value in list(m._parameters.items()) + list(m._modules.items()):
            m.__dict__[name] = value
    return module


def attribute_reads() -> dict[str, Callable[[], Any]]:
    plain, mirrored = nn.Linear(4, 4), mirror_registries(nn.Linear(4, 4))

    def read(lin: nn.Linear) -> Callable[[], Any]:
        def go() -> Any:
            w = None
            for _ in range(1000):
                w = lin.weight
            return w.shape

        return go

    return {"__dict__ prototype": read(mirrored), "minitorch": read(plain)}


def deep_forward_backward(depth: int) -> dict[str, Callable[[], Any]]:
    rng = np.random.default_rng(0)
    x = minitorch.tensor(rng.standard_normal((32, 64), dtype=np.float32))

    def make(model: nn.Module) -> Callable[[], Any]:
        def go() -> float:
            model.zero_grad()
            loss = model(x).sum()
            loss.backward()
            return loss.item()

        return go

    layers: list[nn.Module] = []
    for _ in range(depth):
        layers += [nn.Linear(64, 64), nn.ReLU()]
    minitorch.manual_seed(0)
    plain = nn.Sequential(*layers)
    minitorch.manual_seed(0)
    mirrored = mirror_registries(nn.Sequential(*[type(m)(64, 64) if isinstance(m, nn.Linear) else nn.ReLU()
                                                 for m in layers]))
    mirrored.load_state_dict(plain.state_dict())
    return {"__dict__ prototype": make(mirrored), "minitorch": make(plain)}


def cases(cfg: Config) -> list[Case]:
    depth = cfg.pick(50, smoke=3)
    return [
        Case("1 000 reads of lin.weight", attribute_reads, calls=cfg.pick(20, smoke=1), rounds=cfg.pick(15, quick=7)),
        Case(f"deep {depth} x Linear(64,64): zero_grad, forward, backward",
             lambda: deep_forward_backward(depth), calls=cfg.pick(10, smoke=1), rounds=cfg.pick(15, quick=7)),
    ]


if __name__ == "__main__":
    cfg = Config(quick="--quick" in sys.argv, smoke="--smoke" in sys.argv)
    limit_threads(1)
    print(format_table(run(cases(cfg), cfg)).replace("minitorch/call", "prototype/call"))
    print("ratio = prototype time / current minitorch time (paired rounds)")
