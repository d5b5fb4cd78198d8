"""Record PyTorch's losses, initialisers and modules, for minitorch.nn's parity tests.

    .venv/bin/python tests/references/record_nn.py      # needs torch; rewrites nn_reference.npz

writes ``nn_reference.npz`` with

* ``inputs/<name>``: the inputs every loss case reads (stored, so the tests never depend on a
  random generator's stream staying the same across numpy versions);
* ``loss/<case>/value``, ``.../grad_input`` (and ``.../grad_target``): every loss in
  ``LOSS_CASES`` -- each function with each reduction and option, at ordinary points, at the kinks
  (|d| = delta, a hinge exactly at its margin, p = 0 and 1) and at logits of ±1e4, in float64
  and float32;
* ``init/<case>``: statistics of each initialiser on a large tensor (max |w|, std, mean), PyTorch's
  fans of a few shapes and its gains;
* ``model/<name>/...``: for each model in ``MODELS`` (built by the same code from ``torch.nn`` and
  ``minitorch.nn``): its state_dict (keys in order, arrays), an input, PyTorch's output, and its
  ``repr``.

This module is also imported by tests/library/test_nn_*.py: the cases, the models and the drivers
run either library through *the same code*; only the library differs. torch is imported only
when recording and in the live tests (marked ``torch``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
NN_FILE = HERE / "nn_reference.npz"

REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------- inputs
def make_inputs() -> dict[str, np.ndarray]:
    """The inputs of every loss case (float64 and int64 arrays)."""
    rng = np.random.default_rng(20261122)
    pred, target = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    pred[0, 0] = target[0, 0]                       # d = 0: L1's gradient is sign(0) = 0
    pred[1, 1], target[1, 1] = 1.5, 0.5             # d = +1 exactly: Huber's kink at delta = 1
    pred[2, 2], target[2, 2] = -0.25, 0.75          # d = -1 exactly
    pred[3, 0], target[3, 0] = 9.0, -1.0            # an outlier
    logits = 2.0 * rng.normal(size=(5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    probs = rng.random(10)
    probs[:6] = [0.0, 1.0, 0.0, 1.0, 0.5, 1e-8]     # saturated probabilities: logs clamped at -100
    bce_targets = np.concatenate([[1.0, 0.0, 0.0, 1.0, 1.0, 0.0], rng.random(4)])  # hard, then soft labels
    bce_logits = np.concatenate([[1e4, -1e4, 1e4, -1e4, 0.0, 30.0, -30.0], rng.normal(size=3) * 3])
    bce_logit_targets = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.3, 0.9, 0.0])
    scores = rng.normal(size=(5, 4))
    scores[0] = [2.0, 1.0, -3.0, 0.5]               # label 0: margin 1 - 2 + 1 = 0 exactly at class 1 (a kink)
    soft = np.exp(rng.normal(size=(5, 4)))
    return {
        "pred": pred, "target": target,
        "logits": logits, "labels": labels,
        "labels_ignored": np.array([0, -100, 1, 1, -100]),
        "logits_extreme": np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4], [1e4, 1e4, 1e4]]),
        "labels_extreme": np.array([1, 0, 2, 2]),
        "logits_kdim": rng.normal(size=(2, 4, 3)), "labels_kdim": np.array([[0, 3, 2], [1, 1, 0]]),
        "logits_1d": rng.normal(size=4), "label_1d": np.array(2),
        "soft_targets": soft / soft.sum(axis=1, keepdims=True),
        "log_probs": rng.normal(size=(5, 4)) - 2.0,
        "probs": probs, "bce_targets": bce_targets,
        "bce_logits": bce_logits, "bce_logit_targets": bce_logit_targets,
        "scores": scores, "score_labels": np.array([0, 2, 3, 1, 2]),
        "scores_1d": rng.normal(size=5), "score_label_1d": np.array(4),
    }


# ----------------------------------------------------------------------------- loss cases
# name -> (function in nn.functional, input, target, keyword arguments, dtype, does the target get a gradient)
LOSS_CASES: dict[str, tuple[str, str, str, dict[str, Any], str, bool]] = {}


def _add(name: str, fn: str, x: str, t: str, kwargs: dict[str, Any] | None = None, dtype: str = "float64",
         target_grad: bool = False, reductions: tuple[str, ...] = REDUCTIONS) -> None:
    for reduction in reductions:
        LOSS_CASES[f"{name}@{reduction}"] = (fn, x, t, {**(kwargs or {}), "reduction": reduction}, dtype, target_grad)


_add("mse", "mse_loss", "pred", "target", target_grad=True)
_add("l1", "l1_loss", "pred", "target", target_grad=True)
_add("huber", "huber_loss", "pred", "target", target_grad=True)
_add("huber_delta", "huber_loss", "pred", "target", {"delta": 0.5})
_add("cross_entropy", "cross_entropy", "logits", "labels")
_add("cross_entropy_smoothing", "cross_entropy", "logits", "labels", {"label_smoothing": 0.1})
_add("cross_entropy_ignore", "cross_entropy", "logits", "labels_ignored", {"label_smoothing": 0.2})
_add("cross_entropy_extreme", "cross_entropy", "logits_extreme", "labels_extreme")
_add("cross_entropy_extreme_smoothing", "cross_entropy", "logits_extreme", "labels_extreme", {"label_smoothing": 0.1})
_add("cross_entropy_extreme32", "cross_entropy", "logits_extreme", "labels_extreme", dtype="float32")
_add("cross_entropy_kdim", "cross_entropy", "logits_kdim", "labels_kdim", {"label_smoothing": 0.05})
_add("cross_entropy_1d", "cross_entropy", "logits_1d", "label_1d")
_add("cross_entropy_soft", "cross_entropy", "logits", "soft_targets", target_grad=True)
_add("cross_entropy_soft_smoothing", "cross_entropy", "logits", "soft_targets", {"label_smoothing": 0.3})
_add("nll", "nll_loss", "log_probs", "labels")
_add("nll_ignore", "nll_loss", "log_probs", "labels_ignored")
_add("bce", "binary_cross_entropy", "probs", "bce_targets")
_add("bce32", "binary_cross_entropy", "probs", "bce_targets", dtype="float32")
_add("bce_logits", "binary_cross_entropy_with_logits", "bce_logits", "bce_logit_targets", target_grad=True)
_add("bce_logits32", "binary_cross_entropy_with_logits", "bce_logits", "bce_logit_targets", dtype="float32")
_add("multi_margin", "multi_margin_loss", "scores", "score_labels")
_add("multi_margin_squared", "multi_margin_loss", "scores", "score_labels", {"p": 2, "margin": 0.5})
_add("multi_margin_1d", "multi_margin_loss", "scores_1d", "score_label_1d", {"margin": 2.0})


def upstream(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """The gradient fed into a loss with ``reduction='none'``: uneven weights, so a backward that
    mixes up samples cannot pass."""
    return (1.5 + np.cos(np.arange(int(np.prod(shape))))).reshape(shape).astype(dtype)


def run_loss(lib: ModuleType, inputs: dict[str, np.ndarray], case: str) -> dict[str, np.ndarray]:
    """Run a loss case in ``lib`` (``torch`` or ``minitorch``): the value, and the gradients of
    ``sum(upstream * loss)`` with respect to the input (and the target when it is differentiable)."""
    fn, x_name, t_name, kwargs, dtype, target_grad = LOSS_CASES[case]
    x = lib.tensor(inputs[x_name].astype(dtype), requires_grad=True)
    t_array = inputs[t_name]
    t_array = t_array.astype(dtype) if t_array.dtype.kind == "f" else t_array
    t = lib.tensor(t_array, requires_grad=target_grad)
    out = getattr(lib.nn.functional, fn)(x, t, **kwargs)
    out.backward(lib.tensor(upstream(tuple(out.shape), dtype)))
    result = {"value": _read(out), "grad_input": _read(x.grad)}
    if target_grad:
        result["grad_target"] = _read(t.grad)
    return result


def _read(t: Any) -> np.ndarray:
    return t.detach().numpy().copy()


# ----------------------------------------------------------------------------- initialisers
INIT_SHAPE = (300, 200)
CONV_SHAPE = (48, 16, 3, 3)  # (out, in, kernel): fans include the receptive field
# name -> (function in nn.init, shape, keyword arguments; "gain" may name a calculate_gain argument)
INIT_CASES: dict[str, tuple[str, tuple[int, ...], dict[str, Any]]] = {
    "uniform": ("uniform_", INIT_SHAPE, {"a": -0.5, "b": 2.0}),
    "normal": ("normal_", INIT_SHAPE, {"mean": 1.0, "std": 0.3}),
    "xavier_uniform": ("xavier_uniform_", INIT_SHAPE, {}),
    "xavier_uniform_tanh": ("xavier_uniform_", CONV_SHAPE, {"gain": "tanh"}),
    "xavier_normal": ("xavier_normal_", INIT_SHAPE, {}),
    "xavier_normal_gain": ("xavier_normal_", CONV_SHAPE, {"gain": 2.0}),
    "kaiming_uniform": ("kaiming_uniform_", INIT_SHAPE, {}),
    "kaiming_uniform_relu_fan_out": ("kaiming_uniform_", CONV_SHAPE, {"mode": "fan_out", "nonlinearity": "relu"}),
    "kaiming_uniform_sqrt5": ("kaiming_uniform_", INIT_SHAPE, {"a": 5 ** 0.5}),
    "kaiming_normal": ("kaiming_normal_", INIT_SHAPE, {"nonlinearity": "relu"}),
    "kaiming_normal_leaky": ("kaiming_normal_", CONV_SHAPE, {"a": 0.2, "mode": "fan_out"}),
}
FAN_SHAPES = [(3, 5), (7, 2, 4), (48, 16, 3, 3), (1, 1)]
GAINS = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]
LINEAR_SHAPE = (300, 200)  # Linear(in_features=300, out_features=200)


def run_init(lib: ModuleType, case: str) -> np.ndarray:
    """``[max |w|, std, mean]`` of one initialiser applied to a fresh float64 tensor."""
    fn, shape, kwargs = INIT_CASES[case]
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("gain"), str):
        kwargs["gain"] = lib.nn.init.calculate_gain(kwargs["gain"])
    w = lib.zeros(shape, dtype=lib.float64)
    getattr(lib.nn.init, fn)(w, **kwargs)
    return _stats(_read(w))


def run_linear_init(lib: ModuleType) -> dict[str, np.ndarray]:
    layer = lib.nn.Linear(*LINEAR_SHAPE)
    return {"weight": _stats(_read(layer.weight)), "bias": _stats(_read(layer.bias))}


def _stats(w: np.ndarray) -> np.ndarray:
    return np.array([np.abs(w).max(), w.std(), w.mean()])


# ----------------------------------------------------------------------------- models
MODELS = ["mlp", "flatten", "custom"]


def build_model(lib: ModuleType, name: str) -> Any:
    """The same architecture from ``torch.nn`` or ``minitorch.nn``."""
    nn = lib.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 4),
                             nn.Softmax(dim=1))
    if name == "flatten":
        return nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.Sigmoid(), nn.Identity(), nn.Linear(5, 2, bias=False))

    class Custom(nn.Module):
        """Nested containers, a bare parameter, a bias-free layer, and buffers (one not persistent)."""

        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8, bias=False), nn.ReLU())
            self.heads = nn.ModuleList([nn.Linear(8, 3), nn.Linear(8, 1)])
            self.scale = nn.Parameter(lib.ones(3))
            self.register_buffer("offset", lib.arange(3, dtype=lib.float32) * 0.1)
            self.register_buffer("calls", lib.zeros(1), persistent=False)

        def forward(self, x: Any) -> Any:
            h = self.features(x)
            scores = nn.functional.log_softmax(self.heads[0](h) * self.scale + self.offset, dim=1)
            return lib.cat([scores, self.heads[1](h).sigmoid()], dim=1)

    return Custom()


MODEL_INPUT_SHAPES = {"mlp": (7, 3), "flatten": (6, 3, 4), "custom": (5, 4)}


def model_input(name: str) -> np.ndarray:
    return np.random.default_rng(7).normal(size=MODEL_INPUT_SHAPES[name]).astype(np.float32)


def run_model(lib: ModuleType, model: Any, name: str) -> np.ndarray:
    return _read(model(lib.tensor(model_input(name))))


# ----------------------------------------------------------------------------- recording
def record() -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(0)
    arrays: dict[str, np.ndarray] = {}
    inputs = make_inputs()
    arrays.update({f"inputs/{k}": v for k, v in inputs.items()})
    for case in LOSS_CASES:
        for key, value in run_loss(torch, inputs, case).items():
            arrays[f"loss/{case}/{key}"] = value
    for case in INIT_CASES:
        arrays[f"init/{case}"] = run_init(torch, case)
    for part, stats in run_linear_init(torch).items():
        arrays[f"init/linear_default/{part}"] = stats
    from torch.nn.init import _calculate_fan_in_and_fan_out, calculate_gain
    arrays["init/fans"] = np.array([_calculate_fan_in_and_fan_out(torch.empty(s)) for s in FAN_SHAPES])
    arrays["init/gains"] = np.array([calculate_gain(n, p) for n, p in GAINS])
    for i, name in enumerate(MODELS):
        torch.manual_seed(100 + i)
        model = build_model(torch, name)
        state = model.state_dict()
        arrays[f"model/{name}/keys"] = np.array(json.dumps(list(state)))
        for key, value in state.items():
            arrays[f"model/{name}/state/{key}"] = value.numpy()
        with torch.no_grad():
            arrays[f"model/{name}/output"] = run_model(torch, model, name)
        arrays[f"model/{name}/repr"] = np.array(repr(model))
    return arrays


def load_reference() -> dict[str, np.ndarray]:
    with np.load(NN_FILE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def reference_inputs(reference: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key.split("/", 1)[1]: value for key, value in reference.items() if key.startswith("inputs/")}


def main() -> int:
    import torch

    np.savez_compressed(NN_FILE, torch_version=np.array(torch.__version__), **record())
    print(f"wrote {NN_FILE.relative_to(HERE.parents[1])} ({NN_FILE.stat().st_size} bytes) with torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
