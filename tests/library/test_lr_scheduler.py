"""minitorch.optim.lr_scheduler against PyTorch: learning rates (and cycled momenta) step for step.

The reference sequences come from tests/references/lr_scheduler_reference.npz, recorded from torch
2.13 by tests/references/record_optim.py, which also defines every case (its scheduler and options,
two parameter groups with different rates) and the driver that runs either library. Tests marked
``torch`` rerun the comparison against a live PyTorch.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_optim as R  # noqa: E402

import minitorch.optim as optim  # noqa: E402
from minitorch.optim import lr_scheduler as S  # noqa: E402
from minitorch.testing import assert_close  # noqa: E402

CASES = list(R.SCHEDULER_CASES)
RTOL, ATOL = 1e-6, 1e-15


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load_scheduler_reference()


def mt():
    return R.minitorch_side()


def sgd(lr=0.1, momentum=0.9, groups=1):
    params = [mt().make_param(np.zeros(2)) for _ in range(groups)]
    return optim.SGD([{"params": [p]} for p in params], lr=lr, momentum=momentum)


# ----------------------------------------------------------------------------- parity with torch
@pytest.mark.parametrize("case", CASES)
def test_learning_rates_and_momenta_match_torch_step_for_step(case, reference):
    got = R.run_schedule(mt(), case)
    expected = reference[case]
    assert got.shape == expected.shape == (R.SCHEDULE_STEPS + 1, 3, 2)
    assert_close(got[:, 0], expected[:, 0], rtol=RTOL, atol=ATOL, msg=f"{case}: get_last_lr() after each step")
    assert_close(got[:, 1], expected[:, 1], rtol=RTOL, atol=ATOL, msg=f"{case}: param_groups' lr after each step")
    assert_close(got[:, 2], expected[:, 2], rtol=RTOL, atol=ATOL, msg=f"{case}: momentum (or beta1) after each step")


def test_reference_sequences_exercise_what_they_claim(reference):
    """Guards the cases themselves: each reference must show the behaviour it is there to test."""
    lr = {case: reference[case][:, 1, 0] for case in CASES}
    assert len(set(np.round(lr["ReduceLROnPlateau"], 12))) >= 3, "plateau should cut the rate at least twice"
    assert lr["ReduceLROnPlateau_cooldown_min_lr"].min() == 0.005, "min_lr should be reached"
    assert np.isnan(reference["OneCycleLR_no_momentum"][:, 2, 0]).sum() == 0
    assert np.ptp(reference["OneCycleLR_adam_betas"][:, 2, 0]) > 0.09, "beta1 should cycle between 0.85 and 0.95"
    restarts = np.flatnonzero(np.diff(lr["CosineAnnealingWarmRestarts_T_mult"]) > 0) + 1
    assert list(restarts[:3]) == [3, 9, 21], "T_0=3, T_mult=2 restarts after 3, 6 and 12 more steps"
    assert lr["CosineAnnealingLR"][40] == pytest.approx(0.1), "past T_max the cosine comes back up"


# ----------------------------------------------------------------------------- checkpoints
@pytest.mark.parametrize("case", CASES)
def test_resuming_from_state_dicts_continues_exactly(case, reference):
    optimizer, scheduler = R.run_schedule_objects(mt(), case, R.RESUME_AT)
    saved = (optimizer.state_dict(), scheduler.state_dict())
    rest = R.run_schedule(mt(), case, steps=R.SCHEDULE_STEPS - R.RESUME_AT, start=R.RESUME_AT, resume=saved)
    np.testing.assert_array_equal(rest, R.run_schedule(mt(), case)[R.RESUME_AT:])
    assert_close(rest[:, 0], reference[case][R.RESUME_AT:, 0], rtol=RTOL, atol=ATOL, msg=f"{case}: resumed vs torch")


def test_state_dict_leaves_out_the_optimizer_and_functions():
    opt = sgd()
    sched = S.LambdaLR(opt, lambda epoch: 0.5 ** epoch)
    state = sched.state_dict()
    assert "optimizer" not in state and state["lr_lambdas"] == [None]
    assert state["last_epoch"] == 0 and state["base_lrs"] == [0.1]


def test_callable_object_lambdas_save_their_attributes():
    class Warmup:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    saved = S.LambdaLR(sgd(), Warmup(4)).state_dict()
    assert saved["lr_lambdas"] == [{"steps": 4}]
    fresh = Warmup(100)
    S.LambdaLR(sgd(), fresh).load_state_dict(saved)
    assert fresh.steps == 4


# ----------------------------------------------------------------------------- behaviour
def test_creating_a_scheduler_sets_the_first_rate_and_initial_lr():
    opt = sgd(lr=0.5)
    sched = S.LinearLR(opt, start_factor=0.2, total_iters=4)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [pytest.approx(0.1)]
    assert opt.param_groups[0]["initial_lr"] == 0.5 and opt.param_groups[0]["lr"] == pytest.approx(0.1)


def test_get_last_lr_returns_a_copy():
    sched = S.StepLR(sgd(), step_size=2)
    sched.get_last_lr().append(99.0)
    assert sched.get_last_lr() == [0.1]


def test_stepping_the_scheduler_before_the_optimizer_warns():
    opt = sgd()
    sched = S.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"before optimizer.step\(\)"):
        sched.step()
    opt2 = sgd()
    sched2 = S.StepLR(opt2, step_size=2)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_explicit_epoch_is_deprecated_and_uses_the_closed_form():
    opt = sgd()
    opt.step()
    sched = S.StepLR(opt, step_size=3, gamma=0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(7)
    assert sched.get_last_lr() == [pytest.approx(0.1 * 0.5 ** 2)]


def test_chainable_and_closed_forms_agree_at_every_step():
    for make in (lambda o: S.StepLR(o, step_size=3, gamma=0.5), lambda o: S.MultiStepLR(o, [2, 5, 5], gamma=0.3),
                 lambda o: S.ExponentialLR(o, gamma=0.9), lambda o: S.LinearLR(o, 0.25, 1.0, total_iters=6),
                 lambda o: S.ConstantLR(o, factor=0.5, total_iters=3), lambda o: S.PolynomialLR(o, 8, power=1.5),
                 lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01)):
        opt = sgd()
        opt.step()
        sched = make(opt)
        for t in range(1, 12):
            sched.step()
            closed = sched._get_closed_form_lr()
            assert_close(sched.get_last_lr(), closed, rtol=1e-12, msg=f"{type(sched).__name__} at step {t}")


def test_one_cycle_stepping_past_total_steps_is_an_error():
    opt = sgd()
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="tried to step 4 times, but total_steps is 3"):
        sched.step()


def test_plateau_accepts_a_one_element_tensor_metric():
    import minitorch

    opt = sgd()
    sched = S.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    sched.step(minitorch.Tensor(1.0))
    sched.step(minitorch.Tensor(np.array([2.0])))
    assert sched.get_last_lr() == [0.05]


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, error, words", [
    (lambda o: S.StepLR("not an optimizer", step_size=2), TypeError, ["StepLR", "Optimizer", "str"]),
    (lambda o: S.ConstantLR(o, factor=1.5), ValueError, ["ConstantLR", "factor", "1.5"]),
    (lambda o: S.LinearLR(o, start_factor=0.0), ValueError, ["LinearLR", "start_factor"]),
    (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, ["LinearLR", "end_factor"]),
    (lambda o: S.LambdaLR(o, [lambda e: 1.0] * 3), ValueError, ["LambdaLR", "expected 2 lr_lambdas", "got 3"]),
    (lambda o: S.MultiplicativeLR(o, 0.9), TypeError, ["MultiplicativeLR", "function"]),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, ["T_0", "positive integer"]),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1.5), ValueError, ["T_mult", "integer"]),
    (lambda o: S.OneCycleLR(o, max_lr=0.1), ValueError, ["total_steps", "epochs", "steps_per_epoch"]),
    (lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1), ValueError, ["pct_start"]),
    (lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"), ValueError, ["anneal_strategy"]),
    (lambda o: S.OneCycleLR(o, max_lr=[0.1, 0.2, 0.3], total_steps=10), ValueError, ["max_lr", "3 values", "2 groups"]),
    (lambda o: S.CyclicLR(o, 0.01, 0.1, mode="sawtooth"), ValueError, ["CyclicLR", "mode", "sawtooth"]),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, ["factor", "< 1.0"]),
    (lambda o: S.ReduceLROnPlateau(o, mode="lowest"), ValueError, ["mode", "lowest"]),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="ratio"), ValueError, ["threshold_mode", "ratio"]),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, ["expected 2 min_lrs", "got 1"]),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], milestones=[]), ValueError,
     ["milestone", "2 schedulers", "0 milestones"]),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(sgd(groups=2), 3)], milestones=[2]), ValueError,
     ["same optimizer", "index 1"]),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.ReduceLROnPlateau(o)], milestones=[2]), ValueError,
     ["ReduceLROnPlateau", "index 1"]),
    (lambda o: S.ChainedScheduler([]), ValueError, ["at least one scheduler"]),
    (lambda o: S.StepLR(o, step_size=2, last_epoch=5), KeyError, ["initial_lr", "last_epoch=5"]),
])
def test_invalid_arguments_give_clear_errors(make, error, words):
    with pytest.raises(error) as info:
        make(sgd(groups=2))
    for word in words:
        assert word in str(info.value), f"message {str(info.value)!r} does not mention {word!r}"


def test_cycling_momentum_needs_an_optimizer_with_momentum():
    class Plain(optim.Optimizer):
        def update_parameter(self, param, grad, state, group):
            param -= group["lr"] * grad

    plain = Plain([mt().make_param(np.zeros(2))], dict(lr=0.1))
    with pytest.raises(ValueError, match="momentum or betas"):
        S.OneCycleLR(plain, max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="momentum or betas"):
        S.CyclicLR(plain, 0.01, 0.1)
    S.CyclicLR(plain, 0.01, 0.1, step_size_up=2, cycle_momentum=False)  # fine without cycling


# ----------------------------------------------------------------------------- live PyTorch
@pytest.mark.torch
def test_live_every_schedule_matches_torch():
    pytest.importorskip("torch")
    for case in CASES:
        expected = R.run_schedule(R.torch_side(), case)
        got = R.run_schedule(mt(), case)
        assert_close(got, expected, rtol=RTOL, atol=ATOL, msg=f"{case} (live torch)")


@pytest.mark.torch
def test_live_state_dict_keys_match_torchs():
    pytest.importorskip("torch")
    for case in CASES:
        _, ours = R.run_schedule_objects(mt(), case, 3)
        _, theirs = R.run_schedule_objects(R.torch_side(), case, 3)
        torch_only = {"_get_lr_called_within_step", "_scale_fn_ref", "_anneal_func_type", "_schedule_phases",
                      "mode_worse"}
        missing = set(theirs.state_dict()) - set(ours.state_dict()) - torch_only
        assert not missing, f"{case}: state_dict lacks torch's keys {sorted(missing)}"
