"""Record PyTorch's BatchNorm1d and Dropout numbers, for minitorch's parity tests.

    .venv/bin/python tests/references/record_batchnorm.py     # needs torch; rewrites the two files below

writes

* ``batchnorm_reference.npz`` -- for every case in ``BATCHNORM_CASES``: ``STEPS`` training steps
  (input, output gradient -> output, input gradient, weight/bias gradients, running statistics and
  ``num_batches_tracked`` after the step), then one evaluation-mode step, and the state_dict keys;
* ``dropout_reference.npz`` -- for each ``p`` in ``DROPOUT_PS``: an input with no zeros, PyTorch's
  dropout output and input gradient (its mask is where the output is non-zero).

The inputs come from a seeded numpy generator and are stored in the files, so the tests feed
minitorch exactly what PyTorch got. This module is also imported by the tests
(tests/library/test_batchnorm.py, test_dropout.py): ``run_batchnorm`` drives either library
through the same code, so the only thing that differs between the two runs is the library.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
BATCHNORM_FILE = HERE / "batchnorm_reference.npz"
DROPOUT_FILE = HERE / "dropout_reference.npz"

STEPS = 4  # training steps per case, before the evaluation step

# name -> (BatchNorm1d keyword arguments, input shape). Input values are far from N(0, 1) on purpose
# (mean ~2, spread ~3), so the normalisation and the running statistics have work to do.
BATCHNORM_CASES: dict[str, tuple[dict[str, Any], tuple[int, ...]]] = {
    "defaults_2d": ({}, (8, 4)),
    "defaults_3d": ({}, (5, 4, 3)),
    "cumulative_average": ({"momentum": None}, (6, 3)),
    "momentum_eps": ({"momentum": 0.3, "eps": 0.1}, (7, 5)),
    "no_affine": ({"affine": False}, (6, 4)),
    "no_bias": ({"bias": False}, (6, 4)),
    "batch_stats_only": ({"track_running_stats": False}, (5, 3)),
    "two_samples": ({}, (2, 6)),
}
DROPOUT_PS = (0.1, 0.5, 0.8)
DROPOUT_SHAPE = (64, 50)


def case_data(case: str) -> dict[str, np.ndarray]:
    """The inputs of a case: initial weight/bias, and per step an input and an output gradient."""
    kwargs, shape = BATCHNORM_CASES[case]
    rng = np.random.default_rng(_case_seed(case))
    channels = shape[1]
    return {
        "weight0": rng.normal(1.0, 0.5, channels).astype(np.float32),
        "bias0": rng.normal(0.0, 0.5, channels).astype(np.float32),
        "x": rng.normal(2.0, 3.0, (STEPS + 1,) + shape).astype(np.float32),      # last one: evaluation
        "g": rng.normal(0.0, 1.0, (STEPS + 1,) + shape).astype(np.float32),
    }


def _case_seed(case: str) -> int:
    return 20261122 + sum(ord(c) * (i + 1) for i, c in enumerate(case))  # stable across processes


def torch_side() -> SimpleNamespace:
    import torch

    def tensor(x: np.ndarray, requires_grad: bool = False) -> Any:
        return torch.tensor(x, requires_grad=requires_grad)

    def set_values(param: Any, values: np.ndarray) -> None:
        with torch.no_grad():
            param.copy_(torch.from_numpy(values))

    return SimpleNamespace(nn=torch.nn, tensor=tensor, set_values=set_values,
                           read=lambda t: t.detach().numpy().copy())


def minitorch_side() -> SimpleNamespace:
    import minitorch
    import minitorch.nn

    def tensor(x: np.ndarray, requires_grad: bool = False) -> Any:
        return minitorch.tensor(x, requires_grad=requires_grad)

    def set_values(param: Any, values: np.ndarray) -> None:
        param.data[...] = values

    return SimpleNamespace(nn=minitorch.nn, tensor=tensor, set_values=set_values, read=lambda t: np.array(t.data))


def run_batchnorm(side: SimpleNamespace, case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Train a case's BatchNorm1d for STEPS steps and evaluate it once; every number, stacked per step."""
    kwargs, _ = BATCHNORM_CASES[case]
    data = case_data(case) if data is None else data
    bn = side.nn.BatchNorm1d(data["x"].shape[2], **kwargs)
    if bn.weight is not None:
        side.set_values(bn.weight, data["weight0"])
    if bn.bias is not None:
        side.set_values(bn.bias, data["bias0"])
    record: dict[str, list[Any]] = {k: [] for k in ("y", "dx", "dweight", "dbias", "running_mean", "running_var",
                                                      "num_batches_tracked")}
    for step in range(STEPS + 1):
        if step == STEPS:
            bn.eval()
        for p in (bn.weight, bn.bias):
            if p is not None:
                p.grad = None
        x = side.tensor(data["x"][step], requires_grad=True)
        y = bn(x)
        y.backward(side.tensor(data["g"][step]))
        record["y"].append(side.read(y))
        record["dx"].append(side.read(x.grad))
        record["dweight"].append(side.read(bn.weight.grad) if bn.weight is not None else np.zeros(0, np.float32))
        record["dbias"].append(side.read(bn.bias.grad) if bn.bias is not None else np.zeros(0, np.float32))
        tracked = bn.running_mean is not None
        record["running_mean"].append(side.read(bn.running_mean) if tracked else np.zeros(0, np.float32))
        record["running_var"].append(side.read(bn.running_var) if tracked else np.zeros(0, np.float32))
        record["num_batches_tracked"].append(int(side.read(bn.num_batches_tracked)) if tracked else -1)
    out = {key: np.stack(values) if key != "num_batches_tracked" else np.array(values)
           for key, values in record.items()}
    out["state_dict_keys"] = np.array(list(bn.state_dict().keys()) or [""])
    return out


def record_batchnorm() -> dict[str, np.ndarray]:
    side = torch_side()
    out: dict[str, np.ndarray] = {}
    for case in BATCHNORM_CASES:
        for key, value in {**case_data(case), **run_batchnorm(side, case)}.items():
            out[f"{case}/{key}"] = value
    return out


def record_dropout() -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    out: dict[str, np.ndarray] = {}
    for p in DROPOUT_PS:
        # |x| >= 0.5, so a zero in the output can only mean "dropped".
        x = (rng.uniform(0.5, 2.0, DROPOUT_SHAPE) * rng.choice([-1, 1], DROPOUT_SHAPE)).astype(np.float32)
        g = rng.normal(0.0, 1.0, DROPOUT_SHAPE).astype(np.float32)
        xt = torch.tensor(x, requires_grad=True)
        layer = torch.nn.Dropout(p)
        y = layer(xt)
        y.backward(torch.tensor(g))
        out.update({f"p={p}/x": x, f"p={p}/g": g, f"p={p}/y": y.detach().numpy(), f"p={p}/dx": xt.grad.numpy()})
    return out


def load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files if key != "torch_version"}


def case_reference(reference: dict[str, np.ndarray], case: str) -> dict[str, np.ndarray]:
    prefix = f"{case}/"
    return {key[len(prefix):]: value for key, value in reference.items() if key.startswith(prefix)}


def main() -> int:
    import torch

    np.savez_compressed(BATCHNORM_FILE, torch_version=np.array(torch.__version__), **record_batchnorm())
    np.savez_compressed(DROPOUT_FILE, torch_version=np.array(torch.__version__), **record_dropout())
    for path in (BATCHNORM_FILE, DROPOUT_FILE):
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({path.stat().st_size} bytes, torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
