"""Losses (nn.functional and the loss modules) and the regularisation penalties.

Three independent referees: PyTorch's values and gradients recorded in
tests/references/nn_reference.npz (by record_nn.py; every loss, reduction and option, at kinks
and at logits of ±1e4, in float64 and float32), finite differences (hypothesis picks shapes and
values), and closed forms (softmax - onehot). Tests marked ``torch`` rerun the comparison live.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_nn as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn import functional as F  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402

CASES = list(R.LOSS_CASES)
TOLERANCE = {"float64": (1e-10, 1e-12), "float32": (1e-5, 1e-6)}  # (rtol, atol)


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load_reference()


def compare(got: dict[str, np.ndarray], expected: dict[str, np.ndarray], case: str) -> None:
    rtol, atol = TOLERANCE[R.LOSS_CASES[case][4]]
    assert sorted(got) == sorted(expected)
    for key in got:
        assert got[key].dtype == expected[key].dtype, f"{case} {key}: dtype {got[key].dtype}, torch {expected[key].dtype}"
        assert np.all(np.isfinite(got[key])), f"{case} {key}: not finite: {got[key]}"
        assert_close(got[key], expected[key], rtol=rtol, atol=atol, msg=f"{case} {key}")


# ------------------------------------------------------------------------------------ parity with PyTorch
@pytest.mark.parametrize("case", CASES)
def test_loss_value_and_gradients_match_pytorch(case, reference):
    got = R.run_loss(minitorch, R.reference_inputs(reference), case)
    expected = {key: reference[f"loss/{case}/{key}"] for key in got}
    compare(got, expected, case)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
def test_live_loss_value_and_gradients_match_pytorch(case):
    torch = pytest.importorskip("torch")
    inputs = R.make_inputs()
    compare(R.run_loss(minitorch, inputs, case), R.run_loss(torch, inputs, case), case)


# ------------------------------------------------------------------------------------ finite differences
shapes = st.tuples(st.integers(1, 5), st.integers(2, 5))
seeds = st.integers(0, 2**31 - 1)
reductions = st.sampled_from(R.REDUCTIONS)


def tensors(seed: int, shape: tuple[int, ...], scale: float = 1.0) -> tuple[np.random.Generator, minitorch.Tensor]:
    rng = np.random.default_rng(seed)
    return rng, minitorch.tensor(rng.normal(size=shape) * scale, requires_grad=True)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=seeds, reduction=reductions, fn=st.sampled_from(["mse_loss", "l1_loss", "huber_loss"]))
def test_regression_losses_gradients_match_finite_differences(shape, seed, reduction, fn):
    rng, x = tensors(seed, shape, scale=2.0)
    t = minitorch.tensor(rng.normal(size=shape), requires_grad=True)
    gradcheck(lambda a, b: getattr(F, fn)(a, b, reduction=reduction), x, t)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=seeds, reduction=reductions, smoothing=st.sampled_from([0.0, 0.1, 0.5]))
def test_cross_entropy_gradients_match_finite_differences(shape, seed, reduction, smoothing):
    rng, x = tensors(seed, shape, scale=3.0)
    labels = minitorch.tensor(rng.integers(0, shape[1], size=shape[0]))
    gradcheck(lambda a: F.cross_entropy(a, labels, reduction=reduction, label_smoothing=smoothing), x)
    soft = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    gradcheck(lambda a, p: F.cross_entropy(a, p, reduction=reduction), x, minitorch.tensor(soft, requires_grad=True))


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=seeds, reduction=reductions)
def test_binary_cross_entropies_gradients_match_finite_differences(shape, seed, reduction):
    rng, logits = tensors(seed, shape, scale=3.0)
    targets = minitorch.tensor(rng.random(shape), requires_grad=True)
    gradcheck(lambda a, y: F.binary_cross_entropy_with_logits(a, y, reduction=reduction), logits, targets)
    probs = minitorch.tensor(rng.uniform(0.05, 0.95, size=shape), requires_grad=True)
    gradcheck(lambda p, y: F.binary_cross_entropy(p, y, reduction=reduction), probs, targets)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=seeds, reduction=reductions, p=st.sampled_from([1, 2]),
       margin=st.sampled_from([0.5, 1.0, 3.0]))
def test_multi_margin_gradients_match_finite_differences(shape, seed, reduction, p, margin):
    rng, x = tensors(seed, shape, scale=2.0)
    labels = minitorch.tensor(rng.integers(0, shape[1], size=shape[0]))
    gradcheck(lambda a: F.multi_margin_loss(a, labels, p=p, margin=margin, reduction=reduction), x)


# ------------------------------------------------------------------------------------ closed forms
def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    rng = np.random.default_rng(1)
    logits = minitorch.tensor(rng.normal(size=(6, 5)), requires_grad=True)
    labels = rng.integers(0, 5, size=6)
    F.cross_entropy(logits, minitorch.tensor(labels)).backward()
    e = np.exp(logits.data - logits.data.max(axis=1, keepdims=True))
    expected = (e / e.sum(axis=1, keepdims=True) - np.eye(5)[labels]) / 6
    assert_close(logits.grad, expected, rtol=1e-10, atol=1e-12)


def test_label_smoothing_moves_the_target_towards_uniform():
    logits = minitorch.tensor([[2.0, 0.0, -1.0]], dtype=np.float64)
    eps = 0.3
    smoothed = F.cross_entropy(logits, minitorch.tensor([0]), label_smoothing=eps)
    soft_target = minitorch.tensor([[1 - eps + eps / 3, eps / 3, eps / 3]], dtype=np.float64)
    assert_close(smoothed, F.cross_entropy(logits, soft_target), rtol=1e-12)


def test_bce_with_logits_is_bce_of_the_sigmoid_where_that_is_exact():
    x = minitorch.tensor([-3.0, -0.5, 0.0, 0.7, 4.0], dtype=np.float64)
    y = minitorch.tensor([0.0, 1.0, 0.3, 1.0, 0.0], dtype=np.float64)
    assert_close(F.binary_cross_entropy_with_logits(x, y, reduction="none"),
                 F.binary_cross_entropy(x.sigmoid(), y, reduction="none"), rtol=1e-12)


def test_huber_is_half_squared_inside_delta_and_linear_outside():
    d = minitorch.tensor([0.0, 0.5, -0.9, 2.0, -5.0], dtype=np.float64)
    got = F.huber_loss(d, minitorch.zeros(5, dtype=np.float64), reduction="none", delta=1.0)
    assert_close(got, [0.0, 0.125, 0.405, 1.5, 4.5], rtol=1e-12)


def test_multi_margin_is_zero_once_every_margin_is_met():
    scores = minitorch.tensor([[5.0, 1.0, 3.9], [0.0, 0.0, 0.0]], requires_grad=True)
    losses = F.multi_margin_loss(scores, minitorch.tensor([0, 2]), reduction="none")
    assert_close(losses, [0.0, 2.0 / 3], rtol=1e-6)  # row 1: two competitors, each 1 inside the margin


# ------------------------------------------------------------------------------------ numerical stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_and_bce_with_logits_stay_finite_at_logits_of_1e4(dtype):
    logits = minitorch.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], dtype=dtype, requires_grad=True)
    loss = F.cross_entropy(logits, minitorch.tensor([1, 2]), label_smoothing=0.1)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(logits.grad.data))
    assert_close(F.cross_entropy(logits, minitorch.tensor([1, 2]), reduction="none"), [2e4, 0.0], rtol=1e-6)
    x = minitorch.tensor([1e4, -1e4, 1e4, -1e4], dtype=dtype, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, minitorch.tensor([1.0, 0.0, 0.0, 1.0], dtype=dtype), reduction="sum")
    loss.backward()
    assert_close(loss, 2e4, rtol=1e-6)
    assert_close(x.grad, [0.0, 0.0, 1.0, -1.0])


def test_bce_at_probabilities_0_and_1_is_clamped_at_100_without_warnings():
    p = minitorch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    with np.errstate(all="raise"):
        losses = F.binary_cross_entropy(p, minitorch.tensor([1.0, 0.0, 0.0, 1.0]), reduction="none")
        losses.sum().backward()
    assert_close(losses, [100.0, 100.0, 0.0, 0.0])
    assert np.all(np.isfinite(p.grad.data))


# ------------------------------------------------------------------------------------ modules
MODULES = [
    (nn.MSELoss, F.mse_loss, "pred", "target", {}),
    (nn.L1Loss, F.l1_loss, "pred", "target", {}),
    (nn.HuberLoss, F.huber_loss, "pred", "target", {"delta": 0.5}),
    (nn.CrossEntropyLoss, F.cross_entropy, "logits", "labels", {"label_smoothing": 0.2, "ignore_index": 1}),
    (nn.NLLLoss, F.nll_loss, "log_probs", "labels", {"ignore_index": 3}),
    (nn.BCELoss, F.binary_cross_entropy, "probs", "bce_targets", {}),
    (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, "bce_logits", "bce_logit_targets", {}),
    (nn.MultiMarginLoss, F.multi_margin_loss, "scores", "score_labels", {"p": 2, "margin": 0.7}),
]


@pytest.mark.parametrize("module, fn, x, t, options", MODULES, ids=[m[0].__name__ for m in MODULES])
@pytest.mark.parametrize("reduction", R.REDUCTIONS)
def test_loss_modules_compute_their_functional(module, fn, x, t, options, reduction):
    inputs = R.make_inputs()
    x, t = minitorch.tensor(inputs[x]), minitorch.tensor(inputs[t])
    loss_fn = module(reduction=reduction, **options)
    assert isinstance(loss_fn, nn.Module) and not list(loss_fn.parameters())
    assert_close(loss_fn(x, t), fn(x, t, reduction=reduction, **options), rtol=1e-12)


def test_loss_module_repr_shows_non_default_reduction():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"


# ------------------------------------------------------------------------------------ bad input
def test_bad_arguments_are_clear_errors():
    x = minitorch.randn(4, 3)
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(RuntimeError, match=r"l1_loss: input shape \(4, 3\) and target shape \(4,\) differ"):
        F.l1_loss(x, minitorch.zeros(4))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy: input must hold probabilities in \[0, 1\].*sigmoid"):
        F.binary_cross_entropy(minitorch.tensor([0.5, 1.5]), minitorch.tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match="target contains class 3.*0..2"):
        F.cross_entropy(x, minitorch.tensor([0, 1, 2, 3]))
    with pytest.raises(IndexError, match="multi_margin_loss: target contains class -1"):
        F.multi_margin_loss(x, minitorch.tensor([0, 1, 2, -1]))
    with pytest.raises(RuntimeError, match=r"label_smoothing must be in \[0, 1\]"):
        F.cross_entropy(x, minitorch.tensor([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(RuntimeError, match="delta must be positive"):
        F.huber_loss(x, x, delta=0.0)
    with pytest.raises(RuntimeError, match="integer class indices"):
        F.multi_margin_loss(x, minitorch.tensor([0.0, 1.0, 2.0, 0.0]))


# ------------------------------------------------------------------------------------ regularisation
def test_penalties_are_sums_over_all_given_tensors_with_sign_and_2w_gradients():
    a = minitorch.tensor([[1.0, -2.0]], dtype=np.float64, requires_grad=True)
    b = minitorch.tensor([0.5, 0.0, -3.0], dtype=np.float64, requires_grad=True)
    l1, l2 = F.l1_penalty([a, b]), F.l2_penalty(iter([a, b]))
    assert_close([l1.item(), l2.item()], [6.5, 1 + 4 + 0.25 + 9], rtol=1e-12)
    (l1 + l2).backward()
    assert_close(a.grad, np.sign(a.data) + 2 * a.data)
    assert_close(b.grad, np.sign(b.data) + 2 * b.data)
    gradcheck(lambda w: F.l1_penalty([w]) * 0.3 + F.l2_penalty(w), minitorch.tensor([[0.4, -1.2], [2.0, -0.1]],
                                                                                      requires_grad=True))


def test_penalty_errors_name_the_problem():
    with pytest.raises(ValueError, match="no parameters"):
        F.l2_penalty([])
    with pytest.raises(TypeError, match="position 1"):
        F.l1_penalty([minitorch.ones(1), 3.0])


def test_half_lambda_l2_penalty_is_sgd_weight_decay_lambda():
    """Two routes to L2 regularisation must train identically: the penalty in the loss, or
    minitorch.optim.SGD's weight_decay."""
    lam, x, y = 0.1, minitorch.randn(16, 3, dtype=np.float64), minitorch.randn(16, 1, dtype=np.float64)
    minitorch.manual_seed(5)
    a = nn.Linear(3, 1).double()
    b = nn.Linear(3, 1).double()
    b.load_state_dict(a.state_dict())
    opt_a = minitorch.optim.SGD(a.parameters(), lr=0.1)
    opt_b = minitorch.optim.SGD(b.parameters(), lr=0.1, weight_decay=lam)
    for _ in range(20):
        opt_a.zero_grad()
        (F.mse_loss(a(x), y) + lam / 2 * F.l2_penalty(a.parameters())).backward()
        opt_a.step()
        opt_b.zero_grad()
        F.mse_loss(b(x), y).backward()
        opt_b.step()
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert_close(p, q, rtol=1e-10, msg=name)
