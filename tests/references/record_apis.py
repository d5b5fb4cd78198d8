"""Record PyTorch's numbers for the losses, distances and one_hot added with the "more APIs" work.

    .venv/bin/python tests/references/record_apis.py     # needs torch; rewrites apis_reference.npz

Every case in ``CASES`` names a ``torch.nn.functional`` function, its keyword arguments and its
inputs (made by a seeded numpy generator from the specs below, stored so both libraries get
exactly the same numbers). Recorded: the output and, after ``out.backward(g)`` with a stored
random ``g``, the gradient of every input marked as differentiable. ``run_case`` drives either
library through the same code (tests/library/test_apis_more.py imports it). Float64 throughout,
so the comparison can be tight.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from record_batchnorm import case_reference, load  # noqa: F401  (the tests use them from here)

HERE = Path(__file__).resolve().parent
APIS_FILE = HERE / "apis_reference.npz"

# An input spec: (kind, shape, differentiable). Kinds: normal, prob (rows sum to 1, one zero),
# logprob, tiny (norm below 1e-8), sign (±1), label (1, -1 and one other value), counts (Poisson),
# var (positive, one < eps), ids (int64 class indices below 4).
N, D = 4, 5
CASES: dict[str, tuple[str, dict[str, Any], list[tuple[str, tuple[int, ...], bool]]]] = {
    "one_hot": ("one_hot", {}, [("ids", (2, 3), False)]),
    "one_hot_classes": ("one_hot", {"num_classes": 6}, [("ids", (5,), False)]),
    "normalize": ("normalize", {}, [("normal", (N, D), True)]),
    "normalize_p1_dim0": ("normalize", {"p": 1.0, "dim": 0}, [("normal", (N, D), True)]),
    "cosine_similarity": ("cosine_similarity", {}, [("normal", (N, D), True), ("normal", (N, D), True)]),
    "cosine_similarity_bcast": ("cosine_similarity", {"dim": -1}, [("normal", (N, D), True), ("normal", (D,), True)]),
    "cosine_similarity_below_eps": ("cosine_similarity", {}, [("tiny", (2, D), True), ("normal", (2, D), True)]),
    "pairwise_distance": ("pairwise_distance", {}, [("normal", (N, D), True), ("normal", (N, D), True)]),
    "pairwise_distance_p3_keepdim": ("pairwise_distance", {"p": 3.0, "keepdim": True},
                                     [("normal", (N, D), True), ("normal", (N, D), True)]),
    "kl_div_batchmean": ("kl_div", {"reduction": "batchmean"}, [("logprob", (N, D), True), ("prob", (N, D), False)]),
    "kl_div_mean": ("kl_div", {"reduction": "mean"}, [("logprob", (N, D), True), ("prob", (N, D), False)]),
    "kl_div_log_target_none": ("kl_div", {"reduction": "none", "log_target": True},
                               [("logprob", (N, D), True), ("logprob", (N, D), True)]),
    "margin_ranking": ("margin_ranking_loss", {"margin": 0.3},
                       [("normal", (N,), True), ("normal", (N,), True), ("sign", (N,), False)]),
    "margin_ranking_sum": ("margin_ranking_loss", {"reduction": "sum"},
                           [("normal", (N,), True), ("normal", (N,), True), ("sign", (N,), False)]),
    "hinge_embedding": ("hinge_embedding_loss", {"margin": 0.7}, [("normal", (N, D), True), ("label", (N, D), False)]),
    "hinge_embedding_none": ("hinge_embedding_loss", {"reduction": "none"},
                             [("normal", (N, D), True), ("label", (N, D), False)]),
    "soft_margin": ("soft_margin_loss", {}, [("normal", (N, D), True), ("sign", (N, D), False)]),
    "soft_margin_sum": ("soft_margin_loss", {"reduction": "sum"}, [("normal", (N, D), True), ("sign", (N, D), False)]),
    "cosine_embedding": ("cosine_embedding_loss", {"margin": 0.1},
                         [("normal", (N, D), True), ("normal", (N, D), True), ("label", (N,), False)]),
    "cosine_embedding_1d_none": ("cosine_embedding_loss", {"reduction": "none"},
                                 [("normal", (D,), True), ("normal", (D,), True), ("sign", (), False)]),
    "triplet_margin": ("triplet_margin_loss", {},
                       [("normal", (N, D), True), ("normal", (N, D), True), ("normal", (N, D), True)]),
    "triplet_margin_p1_swap": ("triplet_margin_loss", {"margin": 2.0, "p": 1, "swap": True, "reduction": "none"},
                               [("normal", (N, D), True), ("normal", (N, D), True), ("normal", (N, D), True)]),
    "poisson_nll": ("poisson_nll_loss", {}, [("normal", (N, D), True), ("counts", (N, D), False)]),
    "poisson_nll_rate_full": ("poisson_nll_loss", {"log_input": False, "full": True, "reduction": "sum"},
                              [("var", (N, D), True), ("counts", (N, D), False)]),
    "gaussian_nll": ("gaussian_nll_loss", {}, [("normal", (N, D), True), ("normal", (N, D), False),
                                               ("var", (N, D), True)]),
    "gaussian_nll_shared_var_full": ("gaussian_nll_loss", {"full": True, "reduction": "none"},
                                     [("normal", (N, D), True), ("normal", (N, D), True), ("var", (N, 1), True)]),
    "gaussian_nll_var_per_sample": ("gaussian_nll_loss", {"reduction": "sum"},
                                    [("normal", (N, D), True), ("normal", (N, D), False), ("var", (N,), True)]),
}


def _make(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if kind == "ids":
        return rng.integers(0, 4, shape).astype(np.int64)
    if kind == "normal":
        return rng.normal(0.0, 1.0, shape)
    if kind == "tiny":  # norms below cosine_similarity's eps
        return rng.normal(0.0, 1e-10, shape)
    if kind in ("prob", "logprob"):
        p = rng.uniform(0.1, 1.0, shape)
        p.reshape(-1)[0] = 0.0 if kind == "prob" else p.reshape(-1)[0]
        p = p / p.sum(axis=-1, keepdims=True)
        return p if kind == "prob" else np.log(p)
    if kind == "sign":
        return np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
    if kind == "label":
        y = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
        y.reshape(-1)[-1] = 0.5  # neither 1 nor -1: PyTorch's kernels still define a value
        return y
    if kind == "counts":
        return rng.poisson(2.0, shape).astype(np.float64)
    if kind == "var":
        v = rng.uniform(0.2, 2.0, shape)
        v.reshape(-1)[0] = 1e-9  # below eps: clamped
        return v
    raise ValueError(kind)


def case_data(case: str, fresh: bool = False) -> dict[str, np.ndarray]:
    """The case's inputs; ``fresh=True``: other numbers (for the live comparison), same specs."""
    _, _, specs = CASES[case]
    seed = 20261201 + sum(ord(c) * (i + 1) for i, c in enumerate(case))
    rng = np.random.default_rng(seed + 1 if fresh else seed)
    data = {f"x{i}": _make(kind, shape, rng) for i, (kind, shape, _) in enumerate(specs)}
    return data


def run_case(F: Any, tensor: Any, read: Any, case: str, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``F.<fn>(*inputs, **kwargs)``, then ``out.backward(g)`` (g stored, or made from the output's shape)."""
    fn, kwargs, specs = CASES[case]
    inputs = [tensor(data[f"x{i}"], requires_grad=grad) for i, (_, _, grad) in enumerate(specs)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's reduction='mean' warning
        out = getattr(F, fn)(*inputs, **kwargs)
    result = {"out": read(out)}
    if any(grad for _, _, grad in specs):
        g = data.get("g")
        if g is None:
            g = np.random.default_rng(7).normal(0.0, 1.0, result["out"].shape)
        result["g"] = g
        out.backward(tensor(g))
        for i, (_, _, grad) in enumerate(specs):
            if grad:
                result[f"grad{i}"] = read(inputs[i].grad)
    return result


def torch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    import torch
    import torch.nn.functional as F

    return run_case(F, lambda a, requires_grad=False: torch.tensor(a, requires_grad=requires_grad),
                    lambda t: t.detach().numpy().copy(), case, case_data(case) if data is None else data)


def minitorch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    import minitorch
    import minitorch.nn.functional as F

    return run_case(F, lambda a, requires_grad=False: minitorch.tensor(a, requires_grad=requires_grad),
                    lambda t: np.array(t.data), case, case_data(case) if data is None else data)


def main() -> int:
    import torch

    out: dict[str, np.ndarray] = {}
    for case in CASES:
        for key, value in {**case_data(case), **torch_run(case)}.items():
            out[f"{case}/{key}"] = value
    np.savez_compressed(APIS_FILE, torch_version=np.array(torch.__version__), **out)
    print(f"wrote {APIS_FILE.relative_to(HERE.parent.parent)} ({APIS_FILE.stat().st_size} bytes, "
          f"torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
