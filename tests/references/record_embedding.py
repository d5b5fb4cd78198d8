"""Record PyTorch's nn.Embedding numbers, for minitorch's parity tests.

    .venv/bin/python tests/references/record_embedding.py     # needs torch; rewrites embedding_reference.npz

For every case in ``CASES`` (Embedding keyword arguments and an id tensor, with repeated ids and
the padding id among them): the initial weight, the ids and an output gradient (from a seeded numpy
generator, stored so both libraries get exactly the same inputs), then PyTorch's output, weight
gradient and the weight after the call (``max_norm`` rescales rows in place), and the state_dict
keys. ``run_embedding`` drives either library through the same code
(tests/library/test_embedding.py imports it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from record_batchnorm import case_reference, load  # noqa: F401  (the tests use them from here)

HERE = Path(__file__).resolve().parent
EMBEDDING_FILE = HERE / "embedding_reference.npz"

NUM, DIM = 7, 4
# name -> (Embedding keyword arguments, ids shape)
CASES: dict[str, tuple[dict[str, Any], tuple[int, ...]]] = {
    "defaults_2d_ids": ({}, (3, 5)),
    "padding_idx": ({"padding_idx": 0}, (4, 6)),
    "negative_padding_idx": ({"padding_idx": -2}, (10,)),
    "max_norm": ({"max_norm": 1.5}, (2, 3, 4)),
    "max_norm_l1": ({"max_norm": 2.0, "norm_type": 1.0}, (9,)),
    "scale_grad_by_freq": ({"scale_grad_by_freq": True, "padding_idx": 3}, (5, 4)),
    "scalar_id": ({}, ()),
}


def case_data(case: str) -> dict[str, np.ndarray]:
    _, shape = CASES[case]
    rng = np.random.default_rng(20261130 + sum(ord(c) * (i + 1) for i, c in enumerate(case)))
    ids = rng.integers(0, NUM, shape).astype(np.int64)
    if ids.size >= 4:  # make sure some id repeats and the padding ids (0, 5, 3) occur
        ids.reshape(-1)[:4] = [0, 5, 3, 3]
    return {
        "weight0": rng.normal(0.0, 1.5, (NUM, DIM)).astype(np.float32),
        "ids": ids,
        "g": rng.normal(0.0, 1.0, shape + (DIM,)).astype(np.float32),
    }


def run_embedding(nn: Any, tensor: Any, read: Any, set_values: Any, case: str,
                  data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One forward and backward of ``nn.Embedding(NUM, DIM, **kwargs)`` given the case's weight, ids and gradient."""
    kwargs, _ = CASES[case]
    layer = nn.Embedding(NUM, DIM, **kwargs)
    set_values(layer.weight, data["weight0"])
    y = layer(tensor(data["ids"]))
    y.backward(tensor(data["g"]))
    return {"y": read(y), "dweight": read(layer.weight.grad), "weight_after": read(layer.weight),
            "state_dict_keys": np.array(list(layer.state_dict()))}


def torch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    import torch

    def set_values(p: Any, v: np.ndarray) -> None:
        with torch.no_grad():
            p.copy_(torch.from_numpy(v))

    return run_embedding(torch.nn, torch.tensor, lambda t: t.detach().numpy().copy(), set_values, case,
                         case_data(case) if data is None else data)


def minitorch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    import minitorch

    def set_values(p: Any, v: np.ndarray) -> None:
        p.data[...] = v

    return run_embedding(minitorch.nn, minitorch.tensor, lambda t: np.array(t.data), set_values, case,
                         case_data(case) if data is None else data)


def main() -> int:
    import torch

    out: dict[str, np.ndarray] = {}
    for case in CASES:
        for key, value in {**case_data(case), **torch_run(case)}.items():
            out[f"{case}/{key}"] = value
    np.savez_compressed(EMBEDDING_FILE, torch_version=np.array(torch.__version__), **out)
    print(f"wrote {EMBEDDING_FILE.relative_to(HERE.parent.parent)} ({EMBEDDING_FILE.stat().st_size} bytes, "
          f"torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
