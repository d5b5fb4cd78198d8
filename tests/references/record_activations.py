"""Record PyTorch's values and gradients of the activations in ``nn/activations_more.py``.

    .venv/bin/python tests/references/record_activations.py   # needs torch; rewrites activations_reference.npz

For every case in ``CASES`` (a ``torch.nn.functional`` name, its keyword arguments, an input shape
and dtype): an input (the kinks -3, -1, 0, 1, 3, 6, the case's own threshold/bounds, large
``|x|`` up to 1e4, then seeded normal values) and an output gradient, stored so both libraries
get exactly the same numbers, then PyTorch's output and input gradient (and weight gradient for
``prelu``). For the functions with ``inplace``, also the gradient reaching ``w`` through
``y = f(w * 1, inplace=True)`` (the ``x = layer(x)`` pattern). ``run_case`` drives either library
through the same code (tests/library/test_activations_more.py imports it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ACTIVATIONS_FILE = HERE / "activations_reference.npz"

_SPECIAL = [-1e4, -100.0, -30.0, -20.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 20.0, 30.0, 100.0, 1e4]

# name -> (function, keyword arguments, input shape, dtype, extra special points)
CASES: dict[str, tuple[str, dict[str, Any], tuple[int, ...], str, list[float]]] = {
    "relu": ("relu", {}, (40,), "float64", []),
    "leaky_relu": ("leaky_relu", {}, (40,), "float64", []),
    "leaky_relu_slope": ("leaky_relu", {"negative_slope": 0.2}, (40,), "float32", []),
    "elu": ("elu", {}, (40,), "float64", []),
    "elu_alpha": ("elu", {"alpha": 0.5}, (40,), "float32", []),
    "selu": ("selu", {}, (40,), "float64", []),
    "celu": ("celu", {}, (40,), "float64", []),
    "celu_alpha": ("celu", {"alpha": 2.0}, (40,), "float32", []),
    "softplus": ("softplus", {}, (40,), "float64", [19.5, 20.5]),
    "softplus_beta": ("softplus", {"beta": 2.0, "threshold": 10.0}, (40,), "float32", [4.9, 5.0, 5.1]),
    "softplus_float32": ("softplus", {}, (40,), "float32", [-90.0, 88.0]),
    "silu": ("silu", {}, (40,), "float64", []),
    "mish": ("mish", {}, (40,), "float64", []),
    "mish_float32": ("mish", {}, (40,), "float32", [-90.0, 88.0]),
    "hardtanh": ("hardtanh", {}, (40,), "float64", []),
    "hardtanh_bounds": ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, (40,), "float32", [-2.0]),
    "relu6": ("relu6", {}, (40,), "float64", []),
    "hardsigmoid": ("hardsigmoid", {}, (40,), "float64", []),
    "hardswish": ("hardswish", {}, (40,), "float64", []),
    "softsign": ("softsign", {}, (40,), "float64", []),
    "tanhshrink": ("tanhshrink", {}, (40,), "float64", []),
    "logsigmoid": ("logsigmoid", {}, (40,), "float64", []),
    "logsigmoid_float32": ("logsigmoid", {}, (40,), "float32", [-90.0, 88.0, -200.0]),
    "threshold": ("threshold", {"threshold": 0.5, "value": -2.0}, (40,), "float64", []),
    "glu_last": ("glu", {}, (3, 8), "float64", []),
    "glu_dim0": ("glu", {"dim": 0}, (4, 5), "float32", []),
    "softmin_dim1": ("softmin", {"dim": 1}, (4, 5), "float64", []),
    "softmin_dim0": ("softmin", {"dim": 0}, (3, 2, 4), "float32", []),
    "prelu_shared": ("prelu", {}, (5, 8), "float64", []),
    "prelu_channels": ("prelu", {}, (2, 3, 5), "float64", []),
}

INPLACE = ("relu", "leaky_relu", "elu", "selu", "celu", "silu", "mish", "hardtanh", "relu6", "hardsigmoid",
           "hardswish", "threshold")


def case_data(case: str) -> dict[str, np.ndarray]:
    fn, _, shape, dtype, extra = CASES[case]
    rng = np.random.default_rng(20261201 + sum(ord(c) * (i + 1) for i, c in enumerate(case)))
    x = rng.normal(0.0, 3.0, shape)
    flat = x.reshape(-1)
    if fn not in ("glu", "softmin"):  # elementwise: put the kinks and the extremes in
        special = (_SPECIAL + extra)[:flat.size]
        flat[:len(special)] = special
    data = {"x": x.astype(dtype), "g": rng.normal(0.0, 1.0, _out_shape(case)).astype(dtype)}
    if fn == "prelu":
        count = 1 if case == "prelu_shared" else shape[1]
        data["weight"] = rng.uniform(-0.5, 0.5, (count,)).astype(dtype)
    return data


def _out_shape(case: str) -> tuple[int, ...]:
    fn, kwargs, shape, _, _ = CASES[case]
    if fn != "glu":
        return shape
    dim = kwargs.get("dim", -1) % len(shape)
    return shape[:dim] + (shape[dim] // 2,) + shape[dim + 1:]


def run_case(F: Any, tensor: Any, read: Any, case: str, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Output, input gradient (and weight gradient) of one case; for in-place-capable functions
    also the gradient through ``f(w * 1, inplace=True)``."""
    fn, kwargs, _, _, _ = CASES[case]
    f = getattr(F, fn)
    x = tensor(data["x"], requires_grad=True)
    out: dict[str, np.ndarray] = {}
    if fn == "prelu":
        w = tensor(data["weight"], requires_grad=True)
        y = f(x, w)
        y.backward(tensor(data["g"]))
        out["dweight"] = read(w.grad)
    else:
        y = f(x, **kwargs)
        y.backward(tensor(data["g"]))
    out["y"], out["dx"] = read(y), read(x.grad)
    if fn in INPLACE:
        w = tensor(data["x"], requires_grad=True)
        h = w * 1
        y2 = f(h, **kwargs, inplace=True)
        (y2 * y2).sum().backward()
        out["inplace_y"], out["inplace_dw"] = read(h), read(w.grad)
    return out


def torch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    import torch
    import torch.nn.functional as F

    def tensor(a: np.ndarray, requires_grad: bool = False) -> Any:
        return torch.tensor(a, requires_grad=requires_grad)

    return run_case(F, tensor, lambda t: t.detach().numpy().copy(), case, case_data(case) if data is None else data)


def minitorch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    import minitorch
    import minitorch.nn.functional as F

    def tensor(a: np.ndarray, requires_grad: bool = False) -> Any:
        return minitorch.tensor(a, requires_grad=requires_grad)

    return run_case(F, tensor, lambda t: np.array(t.data), case, case_data(case) if data is None else data)


def load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files if key != "torch_version"}


def case_reference(reference: dict[str, np.ndarray], case: str) -> dict[str, np.ndarray]:
    prefix = f"{case}/"
    return {key[len(prefix):]: value for key, value in reference.items() if key.startswith(prefix)}


def main() -> int:
    import torch

    out: dict[str, np.ndarray] = {}
    for case in CASES:
        for key, value in {**case_data(case), **torch_run(case)}.items():
            out[f"{case}/{key}"] = value
    np.savez_compressed(ACTIVATIONS_FILE, torch_version=np.array(torch.__version__), **out)
    print(f"wrote {ACTIVATIONS_FILE.relative_to(HERE.parent.parent)} ({ACTIVATIONS_FILE.stat().st_size} bytes, "
          f"torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
