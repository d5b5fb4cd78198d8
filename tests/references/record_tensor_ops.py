"""Record PyTorch's outputs and gradients for every tensor op into tensor_ops_reference.npz.

    .venv/bin/python tests/references/record_tensor_ops.py      (needs torch; pip install -e ".[torch]")

Each case is one function written against the API minitorch shares with PyTorch —
``fn(lib, F, *inputs)`` with ``lib`` either ``torch`` or ``minitorch`` and ``F`` its
``nn.functional`` — so the very same code runs on both. For each case the file stores the inputs,
a random output gradient ``v``, torch's output, and torch's gradient of every input that requires
one after ``out.backward(v)``. tests/library/test_tensor_torch.py replays the inputs through
minitorch and compares (no torch needed), and, when torch is installed, also compares the two
libraries live on fresh inputs. Importing this module does not import torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

REFERENCE = Path(__file__).with_name("tensor_ops_reference.npz")


@dataclass(frozen=True)
class Input:
    """How to draw one input: its shape, the kind of values and dtype, and whether it needs a gradient."""

    shape: tuple[int, ...]
    kind: str = "real"  # real | positive | away (|x| >= 0.1) | distinct (no ties) | ties | large | class:C | bool
    dtype: str = "float64"
    grad: bool = True


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[..., Any]
    inputs: tuple[Input, ...]


def R(*shape: int, kind: str = "real", dtype: str = "float64", grad: bool = True) -> Input:
    return Input(tuple(shape), kind, dtype, grad)


def labels(n: int, classes: int) -> Input:
    return Input((n,), f"class:{classes}", "int64", False)


CASES: list[Case] = [
    # arithmetic with broadcasting
    Case("add_broadcast", lambda m, F, a, b: a + b, (R(3, 1, 4), R(2, 4))),
    Case("sub_broadcast", lambda m, F, a, b: a - b, (R(2, 3), R(3, 1, 1))),
    Case("mul_broadcast", lambda m, F, a, b: a * b, (R(4, 1), R(1, 5))),
    Case("div_broadcast", lambda m, F, a, b: a / b, (R(2, 3), R(3, kind="positive"))),
    Case("pow_scalar", lambda m, F, a: a**3, (R(2, 3),)),
    Case("pow_fractional", lambda m, F, a: a**-1.5, (R(5, kind="positive"),)),
    Case("pow_tensor", lambda m, F, a, b: a**b, (R(2, 3, kind="positive"), R(3))),
    Case("rpow", lambda m, F, a: 2.0**a, (R(4),)),
    Case("reflected_scalars", lambda m, F, a: (1.5 - a) * 3 + 2 / a, (R(3, 2, kind="positive"),)),
    Case("neg", lambda m, F, a: -a, (R(3),)),
    # matmul
    Case("matmul_2d", lambda m, F, a, b: a @ b, (R(3, 4), R(4, 2))),
    Case("matmul_batched_broadcast", lambda m, F, a, b: a @ b, (R(2, 1, 3, 4), R(5, 4, 2))),
    Case("matmul_vec_mat", lambda m, F, a, b: a @ b, (R(4), R(3, 4, 2))),
    Case("matmul_mat_vec", lambda m, F, a, b: m.matmul(a, b), (R(2, 3, 4), R(4))),
    Case("matmul_vec_vec", lambda m, F, a, b: a @ b, (R(4), R(4))),
    # elementwise functions
    Case("exp", lambda m, F, a: a.exp(), (R(2, 3),)),
    Case("log", lambda m, F, a: m.log(a), (R(2, 3, kind="positive"),)),
    Case("sqrt", lambda m, F, a: a.sqrt(), (R(4, kind="positive"),)),
    Case("tanh", lambda m, F, a: a.tanh(), (R(2, 3),)),
    Case("sigmoid_large", lambda m, F, a: a.sigmoid(), (R(6, kind="large"),)),
    Case("relu", lambda m, F, a: a.relu(), (R(3, 4, kind="away"),)),
    Case("abs", lambda m, F, a: a.abs(), (R(3, 4, kind="away"),)),
    Case("clip", lambda m, F, a: a.clip(-0.5, 0.5), (R(3, 4, kind="distinct"),)),
    Case("clamp_min_only", lambda m, F, a: m.clamp(a, min=0.0), (R(3, 4, kind="distinct"),)),
    # reductions
    Case("sum_all", lambda m, F, a: a.sum(), (R(2, 3),)),
    Case("sum_dim_keepdim", lambda m, F, a: a.sum(dim=1, keepdim=True), (R(2, 3, 4),)),
    Case("sum_two_dims", lambda m, F, a: a.sum(dim=(0, 2)), (R(2, 3, 4),)),
    Case("mean_all", lambda m, F, a: a.mean(), (R(3, 4),)),
    Case("mean_dim", lambda m, F, a: a.mean(dim=-1), (R(3, 4),)),
    Case("max_dim_values", lambda m, F, a: a.max(dim=1).values, (R(3, 4, kind="distinct"),)),
    Case("max_dim_indices", lambda m, F, a: a.max(dim=0).indices, (R(3, 4, kind="distinct"),)),
    Case("min_dim_keepdim", lambda m, F, a: a.min(dim=-1, keepdim=True).values, (R(3, 4, kind="distinct"),)),
    Case("max_all_with_ties", lambda m, F, a: a.max(), (R(3, 4, kind="ties"),)),
    Case("min_all_with_ties", lambda m, F, a: a.min(), (R(3, 4, kind="ties"),)),
    Case("argmax_dim", lambda m, F, a: a.argmax(dim=1), (R(3, 4, kind="distinct"),)),
    # shapes
    Case("reshape", lambda m, F, a: a.reshape(4, -1) * a.reshape(4, -1), (R(2, 3, 2),)),
    Case("view", lambda m, F, a: a.view(6, 2).exp(), (R(3, 4),)),
    Case("transpose", lambda m, F, a: a.transpose(0, 2).tanh(), (R(2, 3, 4),)),
    Case("permute", lambda m, F, a: a.permute(2, 0, 1).exp(), (R(2, 3, 4),)),
    Case("T_2d", lambda m, F, a: a.T.exp(), (R(3, 4),)),
    Case("mT", lambda m, F, a: a.mT.exp(), (R(2, 3, 4),)),
    Case("unsqueeze_squeeze", lambda m, F, a: a.unsqueeze(1).exp().squeeze(1), (R(3, 4),)),
    Case("flatten", lambda m, F, a: a.flatten(1).tanh(), (R(2, 3, 4),)),
    Case("expand", lambda m, F, a: a.expand(3, 4).exp(), (R(3, 1),)),
    # indexing
    Case("index_basic", lambda m, F, a: a[1:, ::2].exp(), (R(3, 5),)),
    Case("index_repeated", lambda m, F, a: a[[0, 0, 2, 0]].exp(), (R(3, 2),)),
    Case("index_two_arrays", lambda m, F, a: a[[0, 1, 1, 2], [2, 0, 2, 2]].exp(), (R(3, 4),)),
    Case("index_array_and_slice", lambda m, F, a: a[[2, 0, 2], 1:].exp(), (R(3, 4),)),
    Case("index_mask", lambda m, F, a: a[a > 0].exp(), (R(3, 4),)),
    Case("index_none_ellipsis", lambda m, F, a: a[None, ..., 0].exp(), (R(2, 3, 4),)),
    # joining and choosing
    Case("cat", lambda m, F, a, b: m.cat([a, b, a], dim=1).exp(), (R(2, 3), R(2, 1))),
    Case("stack", lambda m, F, a, b: m.stack([a, b], dim=1).exp(), (R(2, 3), R(2, 3))),
    Case("where", lambda m, F, a, b: m.where(a > 0, a, b), (R(3, 4), R(4))),
    Case("maximum_with_ties", lambda m, F, a, b: m.maximum(a, b), (R(3, 4, kind="ties"), R(4, kind="ties"))),
    Case("minimum_with_ties", lambda m, F, a, b: m.minimum(a, b), (R(3, 4, kind="ties"), R(3, 1, kind="ties"))),
    # nn.functional
    Case("F_relu_sigmoid_tanh", lambda m, F, a: F.relu(a) + F.sigmoid(a) * F.tanh(a), (R(3, 4, kind="away"),)),
    Case("softmax", lambda m, F, a: F.softmax(a, dim=1), (R(3, 4),)),
    Case("softmax_dim0", lambda m, F, a: F.softmax(a, dim=0), (R(3, 4),)),
    Case("log_softmax", lambda m, F, a: F.log_softmax(a, dim=-1), (R(3, 4),)),
    Case("log_softmax_logits_1e4", lambda m, F, a: F.log_softmax(a, dim=1), (R(3, 4, kind="large"),)),
    Case("cross_entropy", lambda m, F, a, t: F.cross_entropy(a, t), (R(5, 4), labels(5, 4))),
    Case("cross_entropy_sum", lambda m, F, a, t: F.cross_entropy(a, t, reduction="sum"), (R(5, 4), labels(5, 4))),
    Case("cross_entropy_none", lambda m, F, a, t: F.cross_entropy(a, t, reduction="none"), (R(5, 4), labels(5, 4))),
    Case("cross_entropy_logits_1e4", lambda m, F, a, t: F.cross_entropy(a, t), (R(5, 4, kind="large"), labels(5, 4))),
    Case("cross_entropy_ignore_index", lambda m, F, a, t: F.cross_entropy(a, t, ignore_index=1),
         (R(6, 3), labels(6, 3))),
    Case("cross_entropy_probabilities", lambda m, F, a, p: F.cross_entropy(a, F.softmax(p, dim=1)),
         (R(4, 3), R(4, 3))),
    Case("cross_entropy_extra_dims", lambda m, F, a, t: F.cross_entropy(a, t.reshape(2, 3)),
         (R(2, 4, 3), labels(6, 4))),
    Case("nll_loss", lambda m, F, a, t: F.nll_loss(F.log_softmax(a, dim=1), t), (R(5, 3), labels(5, 3))),
    Case("mse_loss", lambda m, F, a, b: F.mse_loss(a, b), (R(3, 4), R(3, 4))),
    Case("mse_loss_sum", lambda m, F, a, b: F.mse_loss(a, b, reduction="sum"), (R(5,), R(5,))),
    Case("linear", lambda m, F, x, w, b: F.linear(x, w, b), (R(2, 3, 4), R(5, 4), R(5))),
    Case("linear_no_bias", lambda m, F, x, w: F.linear(x, w), (R(3, 4), R(2, 4))),
    Case("two_layer_network",
         lambda m, F, x, w1, b1, w2, b2, t: F.cross_entropy(F.linear(F.linear(x, w1, b1).tanh(), w2, b2), t),
         (R(6, 3, grad=False), R(5, 3), R(5), R(4, 5), R(4), labels(6, 4))),
    # dtypes (float32 inputs; the output dtype is compared too)
    Case("float32_times_python_float", lambda m, F, a: a * 2.5, (R(3, dtype="float32"),)),
    Case("float32_plus_float64", lambda m, F, a, b: a + b, (R(3, dtype="float32"), R(3))),
    Case("float32_times_0d_float64", lambda m, F, a: a * m.tensor(2.0, dtype=m.float64), (R(3, dtype="float32"),)),
    Case("int_times_python_float", lambda m, F, t: t * 2.5, (labels(4, 5),)),
    Case("int_divided_by_int", lambda m, F, t: t / 2, (labels(4, 5),)),
    Case("int_sum", lambda m, F, t: t.sum(), (labels(4, 5),)),
    Case("bool_sum", lambda m, F, a: (a > 0).sum(), (R(3, 4),)),
    Case("float32_mean_and_softmax", lambda m, F, a: F.softmax(a, dim=0) * a.mean(), (R(4, dtype="float32"),)),
]


def make_inputs(case: Case, seed: int) -> list[np.ndarray]:
    """Draw the case's inputs from a generator seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    arrays = []
    for spec in case.inputs:
        size = int(np.prod(spec.shape))
        if spec.kind.startswith("class:"):
            arr = rng.integers(0, int(spec.kind.split(":")[1]), spec.shape)
        elif spec.kind == "positive":
            arr = rng.uniform(0.5, 2.0, spec.shape)
        elif spec.kind == "away":  # at least 0.1 from 0, where relu and abs have their kink
            arr = rng.uniform(0.1, 2.0, spec.shape) * rng.choice([-1.0, 1.0], spec.shape)
        elif spec.kind == "distinct":  # all different, at least 0.1 apart; never on 0.5 or 0
            arr = (rng.permutation(size) - size // 2).reshape(spec.shape) * 0.1 + 0.05
        elif spec.kind == "ties":  # few values: ties are certain
            arr = rng.integers(-1, 2, spec.shape).astype(float)
        elif spec.kind == "large":
            arr = rng.uniform(-1e4, 1e4, spec.shape)
        else:
            arr = rng.standard_normal(spec.shape)
        arrays.append(np.asarray(arr, dtype=spec.dtype))
    return arrays


def run(lib: Any, F: Any, case: Case, arrays: list[np.ndarray], v: np.ndarray | None = None,
        ) -> tuple[np.ndarray, list[np.ndarray | None], np.ndarray | None]:
    """Run ``case`` with ``lib`` (torch or minitorch): its output, the input gradients for the
    output gradient ``v`` (drawn when None and the output is differentiable), and ``v``."""
    tensors = [lib.tensor(a, requires_grad=spec.grad and a.dtype.kind == "f") for a, spec in zip(arrays, case.inputs)]
    out = case.fn(lib, F, *tensors)
    result = out.detach().numpy().copy()
    grads: list[np.ndarray | None] = [None] * len(tensors)
    if out.requires_grad:
        if v is None:
            v = np.random.default_rng(len(case.name)).standard_normal(result.shape)
        out.backward(gradient=lib.tensor(np.asarray(v, dtype=result.dtype)))
        grads = [None if t.grad is None else t.grad.numpy().copy() for t in tensors]
    return result, grads, v


def main() -> None:
    import torch
    import torch.nn.functional as tF

    torch.set_default_dtype(torch.float32)
    record: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}
    for index, case in enumerate(CASES):
        arrays = make_inputs(case, seed=index)
        out, grads, v = run(torch, tF, case, arrays)
        for i, arr in enumerate(arrays):
            record[f"{case.name}__in{i}"] = arr
        record[f"{case.name}__out"] = out
        if v is not None:
            record[f"{case.name}__v"] = v
        for i, g in enumerate(grads):
            if g is not None:
                record[f"{case.name}__grad{i}"] = g
    np.savez_compressed(REFERENCE, **record)
    print(f"wrote {len(CASES)} cases ({len(record)} arrays) from torch {torch.__version__} to {REFERENCE}")


if __name__ == "__main__":
    main()
