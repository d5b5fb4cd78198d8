"""BatchNorm1d against PyTorch (outputs, gradients, running statistics over several training steps,
then evaluation), against finite differences, and against its defining formulas.

The reference numbers come from tests/references/batchnorm_reference.npz, recorded from torch 2.13
by tests/references/record_batchnorm.py, which also drives both libraries through the same code.
Everything is float32, as in PyTorch; values are of order 1-10, so 2e-5 absolute is a few ulps.
Tests marked ``torch`` rerun the comparison against a live PyTorch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_batchnorm as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn.normalization import batch_norm  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402

RTOL, ATOL = 1e-5, 2e-5
CASES = list(R.BATCHNORM_CASES)


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load(R.BATCHNORM_FILE)


def _compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], case: str) -> None:
    assert got["state_dict_keys"].tolist() == want["state_dict_keys"].tolist(), \
        f"{case}: state_dict keys {got['state_dict_keys'].tolist()}, PyTorch has {want['state_dict_keys'].tolist()}"
    assert got["num_batches_tracked"].tolist() == want["num_batches_tracked"].tolist(), \
        f"{case}: num_batches_tracked per step {got['num_batches_tracked'].tolist()}, " \
        f"PyTorch {want['num_batches_tracked'].tolist()}"
    for key in ("y", "dx", "dweight", "dbias", "running_mean", "running_var"):
        assert got[key].dtype == np.float32, f"{case}: {key} should stay float32, got {got[key].dtype}"
        for step in range(R.STEPS + 1):
            mode = "eval" if step == R.STEPS else f"training step {step}"
            assert_close(got[key][step], want[key][step], rtol=RTOL, atol=ATOL, msg=f"{case}, {mode}: {key}")


@pytest.mark.parametrize("case", CASES)
def test_matches_recorded_pytorch_over_training_steps_and_eval(case, reference):
    want = R.case_reference(reference, case)
    data = {key: want[key] for key in ("weight0", "bias0", "x", "g")}
    _compare(R.run_batchnorm(R.minitorch_side(), case, data), want, case)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
def test_matches_live_pytorch(case):
    pytest.importorskip("torch")
    _compare(R.run_batchnorm(R.minitorch_side(), case), R.run_batchnorm(R.torch_side(), case), case)


# ----------------------------------------------------------------------------- gradients
@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 5), c=st.integers(1, 3), length=st.sampled_from([None, 1, 3]), seed=st.integers(0, 10**6),
       training=st.booleans())
def test_gradients_match_finite_differences(n, c, length, seed, training):
    rng = np.random.default_rng(seed)
    shape = (n, c) if length is None else (n, c, length)
    if training and np.prod(shape) // c < 2:
        return
    x = minitorch.tensor(rng.normal(1.0, 2.0, shape), requires_grad=True)
    w = minitorch.tensor(rng.normal(1.0, 0.5, c), requires_grad=True)
    b = minitorch.tensor(rng.normal(0.0, 0.5, c), requires_grad=True)
    # Running statistics for evaluation mode; None in training mode so repeated calls change nothing.
    mean = minitorch.tensor(rng.normal(0.0, 1.0, c)) if not training else None
    var = minitorch.tensor(rng.uniform(0.5, 2.0, c)) if not training else None
    assert gradcheck(lambda x, w, b: batch_norm(x, mean, var, w, b, training=training, eps=1e-3), x, w, b,
                     atol=1e-6, rtol=1e-4)


def test_input_gradient_of_a_plain_sum_is_zero_in_training_mode():
    # Normalised outputs of a channel always sum to zero (times γ, plus β·m), whatever x is, so
    # d(sum y)/dx = 0: a fact of the formula that a backward ignoring μ and σ² would get wrong.
    bn = nn.BatchNorm1d(3)
    x = minitorch.randn(6, 3, requires_grad=True)
    bn(x).sum().backward()
    assert_close(x.grad, np.zeros((6, 3)), atol=1e-6, msg="d(sum of BatchNorm output)/dx")


# ----------------------------------------------------------------------------- formulas
def test_training_output_has_mean_beta_and_std_gamma_per_feature():
    minitorch.manual_seed(0)
    bn = nn.BatchNorm1d(4)
    bn.weight.data[:] = [1.0, 2.0, 0.5, 3.0]
    bn.bias.data[:] = [0.0, -1.0, 4.0, 0.5]
    x = minitorch.randn(256, 4) * 5 + 3
    y = bn(x).numpy().astype(np.float64)
    assert_close(y.mean(axis=0), bn.bias.numpy(), atol=1e-5, msg="per-feature mean of the output")
    var = x.numpy().astype(np.float64).var(axis=0)
    assert_close(y.std(axis=0), bn.weight.numpy() * np.sqrt(var / (var + bn.eps)), rtol=1e-5,
                 msg="per-feature std of the output")


def test_running_statistics_follow_the_momentum_formula_with_unbiased_variance():
    bn = nn.BatchNorm1d(2, momentum=0.25)
    rng = np.random.default_rng(1)
    mean, var = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rng.normal(3.0, 2.0, (10, 2)).astype(np.float32)
        bn(minitorch.tensor(x))
        mean = 0.75 * mean + 0.25 * x.mean(axis=0)
        var = 0.75 * var + 0.25 * x.var(axis=0, ddof=1)
    assert_close(bn.running_mean, mean, rtol=1e-5, msg="running_mean")
    assert_close(bn.running_var, var, rtol=1e-5, msg="running_var")
    assert bn.num_batches_tracked.item() == 3 and bn.num_batches_tracked.dtype == np.int64


def test_momentum_none_gives_the_plain_average_of_batch_statistics():
    bn = nn.BatchNorm1d(3, momentum=None)
    rng = np.random.default_rng(2)
    batches = [rng.normal(k, 1.0 + k, (8, 3)).astype(np.float32) for k in range(4)]
    for x in batches:
        bn(minitorch.tensor(x))
    assert_close(bn.running_mean, np.mean([x.mean(axis=0) for x in batches], axis=0), rtol=1e-5, atol=1e-6,
                 msg="running_mean with momentum=None")
    assert_close(bn.running_var, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0), rtol=1e-5,
                 msg="running_var with momentum=None")


def test_eval_mode_normalises_each_sample_with_the_running_statistics_alone():
    bn = nn.BatchNorm1d(3)
    bn.running_mean.data[:] = [1.0, -2.0, 0.5]
    bn.running_var.data[:] = [4.0, 0.25, 1.0]
    bn.weight.data[:] = [2.0, 1.0, -1.0]
    bn.bias.data[:] = [0.0, 1.0, 0.5]
    bn.eval()
    x = np.array([[3.0, -2.0, 1.5], [0.0, 0.0, 0.0]], dtype=np.float32)
    want = (x - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5) * bn.weight.numpy() + bn.bias.numpy()
    assert_close(bn(minitorch.tensor(x)), want, rtol=1e-6, msg="eval-mode output")
    alone = bn(minitorch.tensor(x[:1]))  # a batch of one is fine in eval mode, and gives the same row
    assert_close(alone, want[:1], rtol=1e-6, msg="one sample alone in eval mode")
    assert bn.num_batches_tracked.item() == 0, "eval mode must not update the running statistics"
    assert bn.running_mean.tolist() == [1.0, -2.0, 0.5]


def test_without_running_stats_eval_mode_still_uses_the_batch():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    x = minitorch.tensor([[1.0, 10.0], [3.0, 30.0]])
    assert_close(bn(x), [[-1.0, -1.0], [1.0, 1.0]], atol=1e-4, msg="batch statistics in eval mode")
    assert bn.running_mean is None and list(bn.state_dict()) == ["weight", "bias"]


def test_three_dimensional_input_normalises_over_batch_and_length():
    bn = nn.BatchNorm1d(2)
    x = minitorch.randn(4, 2, 5) * 3 + 1
    y = bn(x).numpy()
    assert y.shape == (4, 2, 5)
    assert_close(y.mean(axis=(0, 2)), np.zeros(2), atol=1e-5, msg="mean over (N, L) per channel")


# ----------------------------------------------------------------------------- as a module
def test_buffers_are_saved_but_not_trained():
    bn = nn.BatchNorm1d(3)
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert [name for name, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def test_state_dict_round_trip_restores_running_statistics_and_counter():
    a = nn.BatchNorm1d(3)
    for _ in range(2):
        a(minitorch.randn(5, 3) * 2 + 1)
    b = nn.BatchNorm1d(3)
    b.load_state_dict(a.state_dict())
    assert b.num_batches_tracked.item() == 2
    assert np.array_equal(b.running_var.numpy(), a.running_var.numpy())
    x = minitorch.randn(4, 3)
    assert np.array_equal(a.eval()(x).numpy(), b.eval()(x).numpy())


def test_lives_in_a_sequential_and_switches_with_train_and_eval():
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU())
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                        "1.running_var", "1.num_batches_tracked"]
    model(minitorch.randn(6, 4))
    assert model[1].num_batches_tracked.item() == 1
    model.eval()
    model(minitorch.randn(1, 4))
    assert model[1].num_batches_tracked.item() == 1


def test_reset_running_stats_and_parameters():
    bn = nn.BatchNorm1d(2)
    bn(minitorch.randn(4, 2) + 5)
    bn.weight.data[:] = 3
    bn.reset_parameters()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0 and bn.weight.tolist() == [1, 1] and bn.bias.tolist() == [0, 0]


def test_repr_matches_pytorch_2_13():
    assert repr(nn.BatchNorm1d(4)) == \
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    assert repr(nn.BatchNorm1d(2, momentum=None, affine=False)) == \
        "BatchNorm1d(2, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)"


def test_float64_module_stays_float64():
    bn = nn.BatchNorm1d(2, dtype=np.float64)
    y = bn(minitorch.tensor(np.random.default_rng(0).normal(size=(4, 2))))
    assert y.dtype == np.float64 and bn.running_mean.dtype == np.float64


# ----------------------------------------------------------------------------- errors
def test_one_value_per_channel_in_training_is_a_clear_error_and_changes_nothing():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training.*\(1, 3\)"):
        bn(minitorch.randn(1, 3))
    assert bn.num_batches_tracked.item() == 0, "a rejected batch must not be counted"


@pytest.mark.parametrize("shape, error, pattern", [
    ((4, 5), RuntimeError, r"expected input of shape \(N, 3\) or \(N, 3, L\), got \(4, 5\)"),
    ((2, 3, 4, 5), ValueError, r"got \(2, 3, 4, 5\)"), ((3,), ValueError, r"got \(3,\)")])
def test_wrong_input_shapes_name_the_expected_shape(shape, error, pattern):  # PyTorch's classes
    with pytest.raises(error, match=pattern):
        nn.BatchNorm1d(3)(minitorch.zeros(*shape))


@pytest.mark.parametrize("kwargs, pattern", [({"num_features": 0}, "num_features must be a positive int"),
                                             ({"num_features": 3, "momentum": 1.5}, r"momentum must be in \[0, 1\]"),
                                             ({"num_features": 3, "eps": 0}, "eps must be positive")])
def test_bad_constructor_arguments_are_rejected(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        nn.BatchNorm1d(**kwargs)


# ----------------------------------------------------------------------------- into PyTorch
@pytest.mark.torch
def test_trained_state_dict_loads_into_pytorch_and_gives_the_same_eval_output():
    torch = pytest.importorskip("torch")
    minitorch.manual_seed(0)
    ours = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    for _ in range(3):
        ours(minitorch.randn(8, 5) * 2)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()})
    assert int(theirs[1].num_batches_tracked) == 3
    x = np.random.default_rng(3).normal(size=(6, 5)).astype(np.float32)
    assert_close(ours.eval()(minitorch.tensor(x)), theirs.eval()(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                 atol=1e-6, msg="eval output of the same weights in both libraries")


def test_functional_batch_norm_is_offered_under_pytorchs_name():
    from minitorch.nn import functional as F

    assert F.batch_norm is batch_norm
