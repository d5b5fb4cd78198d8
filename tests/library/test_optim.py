"""minitorch.optim against PyTorch: trajectories, state, checkpoints, param groups and errors.

The reference numbers come from tests/references/optim_reference.npz, recorded from torch 2.13 by
tests/references/record_optim.py (which also holds the problem, the cases and the driver that runs
either library). Float64 trajectories must match torch to 1e-6 relative over all 50 steps; float32
ones to 1e-5 (a few float32 ulps per step differ, where torch's kernels fuse a multiply-add).
Tests marked ``torch`` rerun the comparison against a live PyTorch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_optim as R  # noqa: E402

import minitorch.optim as optim  # noqa: E402
from minitorch.testing import assert_close  # noqa: E402

CASES = list(R.OPTIMIZER_CASES)
RTOL, ATOL = 1e-6, 1e-10            # float64 trajectories vs torch
RTOL32, ATOL32 = 1e-5, 1e-6         # float32 trajectories vs torch


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load_optim_reference()


def mt(dtype=np.float64):
    return R.minitorch_side(dtype)


def params(*shapes, dtype=np.float64):
    side = mt(dtype)
    return [side.make_param(np.arange(np.prod(s), dtype=dtype).reshape(s) + 1.0) for s in shapes]


def grad_array(p) -> np.ndarray:
    return p.grad if isinstance(p.grad, np.ndarray) else p.grad.data


# ----------------------------------------------------------------------------- parity with torch
@pytest.mark.parametrize("case", CASES)
def test_float64_trajectory_matches_torch_step_for_step(case, reference):
    trajectory, _ = R.run_optimizer(mt(), case)
    assert trajectory.shape == reference[case].shape == (R.STEPS + 1, reference[case].shape[1])
    assert_close(trajectory, reference[case], rtol=RTOL, atol=ATOL, msg=f"{case}: parameters after each step")


@pytest.mark.parametrize("case", R.FLOAT32_CASES)
def test_float32_trajectory_matches_torch_and_stays_float32(case, reference):
    trajectory, optimizer = R.run_optimizer(mt(np.float32), case)
    assert_close(trajectory, reference[f"{case}@float32"], rtol=RTOL32, atol=ATOL32,
                 msg=f"{case} in float32: parameters after each step")
    for group in optimizer.param_groups:
        for p in group["params"]:
            assert p.data.dtype == np.float32, f"{case}: a float32 parameter became {p.data.dtype}"
    for state in optimizer.state.values():
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, f"{case}: state {key!r} is {value.dtype}, expected float32"


@pytest.mark.parametrize("case", CASES)
def test_final_state_and_param_groups_match_torch(case, reference):
    _, optimizer = R.run_optimizer(mt(), case)
    saved = optimizer.state_dict()
    prefix = f"{case}/state/"
    expected = {}
    for key in reference:
        if key.startswith(prefix):
            index, name = key[len(prefix):].split("/")
            expected.setdefault(int(index), {})[name] = reference[key]
    assert sorted(saved["state"]) == sorted(expected), \
        f"{case}: state for parameters {sorted(saved['state'])}, torch has {sorted(expected)}"
    for index, entries in expected.items():
        assert sorted(saved["state"][index]) == sorted(entries), \
            f"{case}: parameter {index} state keys {sorted(saved['state'][index])}, torch has {sorted(entries)}"
        for name, value in entries.items():
            assert_close(saved["state"][index][name], value, rtol=RTOL, atol=ATOL,
                         msg=f"{case}: state[{index}][{name!r}]")

    cls = R.OPTIMIZER_CASES[case][0]
    groups = [{**{key: R._jsonable(g[key]) for key in R.GROUP_KEYS[cls]}, "params": g["params"]}
              for g in saved["param_groups"]]
    assert groups == json.loads(str(reference[f"{case}/param_groups"])), f"{case}: param_groups differ from torch's"


def test_defaults_are_pytorchs(reference):
    expected = json.loads(str(reference["defaults"]))
    for cls, defaults in expected.items():
        ours = getattr(optim, cls)(params((2,))).defaults
        got = {key: R._jsonable(ours[key]) for key in defaults}
        assert got == defaults, f"{cls} defaults {got}, PyTorch's are {defaults}"


def test_invalid_arguments_raise_what_torch_raises(reference):
    torch_errors = json.loads(str(reference["invalid_arguments"]))
    for (cls, kwargs), expected in zip(R.INVALID_ARGUMENTS, torch_errors):
        assert expected is not None, f"torch accepted {cls}({kwargs}) when recording"
        with pytest.raises(Exception) as info:
            getattr(optim, cls)(params((2,)), **kwargs)
        assert type(info.value).__name__ == expected, \
            f"{cls}({kwargs}) raised {type(info.value).__name__}, torch raises {expected}"


# ----------------------------------------------------------------------------- error messages
@pytest.mark.parametrize("cls, kwargs, words", [
    ("SGD", dict(lr=-0.1), ["SGD", "learning rate", "-0.1"]),
    ("SGD", dict(momentum=-0.5), ["SGD", "momentum", "-0.5"]),
    ("SGD", dict(weight_decay=-1.0), ["SGD", "weight_decay"]),
    ("SGD", dict(lr=0.1, nesterov=True), ["Nesterov", "momentum", "dampening"]),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5, nesterov=True), ["Nesterov", "dampening=0.5"]),
    ("RMSprop", dict(alpha=-0.9), ["RMSprop", "alpha", "-0.9"]),
    ("RMSprop", dict(eps=-1.0), ["RMSprop", "eps"]),
    ("Adam", dict(betas=(1.0, 0.999)), ["Adam", "beta", "index 0", "1.0"]),
    ("Adam", dict(betas=(0.9, 1.2)), ["Adam", "beta", "index 1", "1.2"]),
    ("Adam", dict(betas=0.9), ["Adam", "betas", "pair"]),
    ("AdamW", dict(lr=-1.0), ["AdamW", "learning rate"]),
])
def test_invalid_hyperparameters_give_clear_errors(cls, kwargs, words):
    with pytest.raises(ValueError) as info:
        getattr(optim, cls)(params((2,)), **kwargs)
    for word in words:
        assert word in str(info.value), f"{cls}({kwargs}): message {str(info.value)!r} does not mention {word!r}"


def test_invalid_hyperparameter_in_one_group_is_rejected():
    a, b = params((2,), (3,))
    with pytest.raises(ValueError, match="learning rate -1"):
        optim.SGD([{"params": [a]}, {"params": [b], "lr": -1}], lr=0.1)
    opt = optim.Adam([a])
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        opt.add_param_group({"params": [b], "betas": (0.9, 1.0)})


def test_parameter_in_two_groups_is_an_error():
    a, b = params((2,), (3,))
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_bad_params_arguments_are_errors():
    a, b = params((2,), (3,))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single parameter"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({a, b}, lr=0.1)
    with pytest.raises(ValueError, match="same parameter more than once"):
        optim.SGD([a, a], lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 of the group is a builtins.list"):
        optim.SGD([a, [1.0, 2.0]], lr=0.1)
    integer = mt().make_param(np.zeros(3))
    integer.data = np.zeros(3, dtype=np.int64)
    with pytest.raises(TypeError, match="dtype int64"):
        optim.SGD([integer], lr=0.1)


def test_gradient_of_the_wrong_shape_is_an_error_naming_both_shapes():
    (a,) = params((2, 3))
    opt = optim.Adam([a])
    mt().set_grad(a, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"gradient of parameter 0 has shape \(3, 2\).*shape \(2, 3\)"):
        opt.step()


def test_load_state_dict_rejects_a_different_grouping():
    a, b = params((2,), (3,))
    one_group = optim.SGD([a, b], lr=0.1, momentum=0.9).state_dict()
    two_groups = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="2 parameter groups, but this optimizer has 1"):
        optim.SGD([a, b], lr=0.1).load_state_dict(two_groups)
    with pytest.raises(ValueError, match="group 0 of the state dict has 2 parameters, but this optimizer's group 0 has 1"):
        optim.SGD([a], lr=0.1).load_state_dict(one_group)


# ----------------------------------------------------------------------------- behaviour
def test_parameters_without_gradient_are_skipped_and_get_no_state():
    a, b = params((2,), (3,))
    before = b.data.copy()
    opt = optim.Adam([a, b], lr=0.1)
    mt().set_grad(a, np.ones(2))
    opt.step()
    np.testing.assert_array_equal(b.data, before)
    assert b not in opt.state and a in opt.state, "only the parameter with a gradient should have state"
    assert list(opt.state_dict()["state"]) == [0]


def test_update_is_in_place_and_keeps_the_array():
    (a,) = params((2, 2))
    array = a.data
    opt = optim.SGD([a], lr=0.5)
    mt().set_grad(a, np.ones((2, 2)))
    opt.step()
    assert a.data is array, "the optimizer must update .data in place, not replace it"
    np.testing.assert_array_equal(array, np.array([[0.5, 1.5], [2.5, 3.5]]))


def test_zero_grad_sets_none_by_default_and_zeros_in_place_otherwise():
    a, b = params((2,), (3,))
    opt = optim.SGD([a, b], lr=0.1)
    for p in (a, b):
        mt().set_grad(p, np.ones_like(p.data))
    kept = grad_array(a)
    opt.zero_grad(set_to_none=False)
    assert grad_array(a) is kept and not kept.any(), "set_to_none=False must zero the same array"
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_runs_the_closure_first_and_returns_its_loss():
    (a,) = params((2,))
    opt = optim.SGD([a], lr=0.1)

    def closure():
        mt().set_grad(a, 2 * a.data)  # gradient of sum(a²), at the current point
        return float(np.sum(a.data ** 2))

    loss = opt.step(closure)
    assert loss == 5.0
    np.testing.assert_allclose(a.data, [1.0 - 0.1 * 2.0, 2.0 - 0.1 * 4.0])


def test_add_param_group_takes_defaults_and_trains_the_new_group():
    a, b = params((2,), (2,))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    for p in (a, b):
        mt().set_grad(p, np.ones(2))
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, 1.9])
    np.testing.assert_allclose(b.data, [0.99, 1.99])


def test_named_parameters_keep_their_names_in_the_state_dict():
    a, b = params((2,), (3,))
    opt = optim.SGD([("layer.weight", a), ("layer.bias", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["layer.weight", "layer.bias"]
    with pytest.raises(ValueError, match="all parameters of a group"):
        optim.SGD([("w", a), b], lr=0.1)


def test_state_is_keyed_by_parameter_identity_not_value():
    a, b = params((2,), (2,))
    b.data[...] = a.data
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    mt().set_grad(a, np.ones(2))
    mt().set_grad(b, 3 * np.ones(2))
    opt.step()
    np.testing.assert_array_equal(opt.state[a]["momentum_buffer"], [1.0, 1.0])
    np.testing.assert_array_equal(opt.state[b]["momentum_buffer"], [3.0, 3.0])


def test_rmsprop_alias():
    assert optim.RMSProp is optim.RMSprop


def test_adamw_is_adam_with_decoupled_decay_and_differs_from_l2():
    (a,) = params((3,))
    (b,) = params((3,))
    adamw = optim.AdamW([a], lr=0.1, weight_decay=0.5)
    adam_l2 = optim.Adam([b], lr=0.1, weight_decay=0.5)
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
    for _ in range(3):
        for p, opt in ((a, adamw), (b, adam_l2)):
            mt().set_grad(p, np.array([1.0, -2.0, 0.5]))
            opt.step()
    assert not np.allclose(a.data, b.data), "decoupled decay should follow a different path than L2"


@pytest.mark.parametrize("case", [c for c in CASES if R.OPTIMIZER_CASES[c][1].get("maximize")])
def test_maximize_of_minus_loss_follows_the_same_path_as_minimizing_the_loss(case, monkeypatch, reference):
    # run_optimizer feeds a maximize case the gradient of -L; maximizing -L is minimizing L.
    cls, kwargs, groups = R.OPTIMIZER_CASES[case]
    minimizing = {key: value for key, value in kwargs.items() if key != "maximize"}
    monkeypatch.setitem(R.OPTIMIZER_CASES, "minimizing", (cls, minimizing, groups))
    descent, _ = R.run_optimizer(mt(), "minimizing")
    ascent, _ = R.run_optimizer(mt(), case)
    np.testing.assert_array_equal(ascent, descent)
    assert_close(descent, reference[case], rtol=RTOL, atol=ATOL, msg=f"{case}: minimizing L vs torch maximizing -L")


@pytest.mark.parametrize("case", ["sgd_nesterov", "rmsprop_centered", "adam_amsgrad_weight_decay", "adamw_groups"])
def test_training_with_minitorch_autograd_reproduces_torchs_trajectory(case, reference):
    import minitorch

    params = [minitorch.Tensor(np.array(v), requires_grad=True) for v in R.INITIAL]
    W1, b1, W2, b2, _ = params
    X, Y = minitorch.Tensor(R.X), minitorch.Tensor(R.Y)
    optimizer = R.build_optimizer(optim, params, case)
    rows = [np.concatenate([p.data.ravel() for p in params])]
    for _ in range(R.STEPS):
        optimizer.zero_grad()
        loss = ((((X @ W1.T + b1).tanh() @ W2.T + b2) - Y) ** 2).mean()
        loss.backward()
        optimizer.step()
        rows.append(np.concatenate([p.data.ravel() for p in params]))
    assert params[-1].grad is None, "the unused parameter should have received no gradient"
    assert_close(np.array(rows), reference[case], rtol=RTOL, atol=ATOL, msg=f"{case}: autograd training vs torch")


# ----------------------------------------------------------------------------- checkpoints
@pytest.mark.parametrize("case", CASES)
def test_resuming_from_a_state_dict_continues_exactly(case, reference):
    uninterrupted, _ = R.run_optimizer(mt(), case)
    first, optimizer = R.run_optimizer(mt(), case, steps=R.RESUME_AT)
    saved = optimizer.state_dict()
    rest, _ = R.run_optimizer(mt(), case, steps=R.STEPS - R.RESUME_AT,
                              start=R.unflatten(first[-1]), state_dict=saved)
    np.testing.assert_array_equal(np.concatenate([first, rest[1:]]), uninterrupted)
    assert_close(rest, reference[case][R.RESUME_AT:], rtol=RTOL, atol=ATOL, msg=f"{case}: resumed run vs torch")


def test_state_dict_is_a_snapshot_that_later_steps_do_not_change():
    _, optimizer = R.run_optimizer(mt(), "adam_amsgrad", steps=5)
    saved = optimizer.state_dict()
    exp_avg = saved["state"][0]["exp_avg"].copy()
    saved_lr = saved["param_groups"][0]["lr"]
    for group in optimizer.param_groups:
        group["lr"] = 123.0
    params_ = [p for g in optimizer.param_groups for p in g["params"]]
    mt().set_grad(params_[0], np.ones_like(params_[0].data))
    optimizer.step()
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"], exp_avg)
    assert saved["state"][0]["step"] == 5 and saved_lr == saved["param_groups"][0]["lr"] == 0.05


def test_loaded_state_is_cast_to_the_parameter_dtype():
    _, optimizer = R.run_optimizer(mt(np.float64), "adam_amsgrad", steps=3)
    values = [np.array(v, dtype=np.float32) for v in R.INITIAL]
    fresh = R.build_optimizer(optim, [mt(np.float32).make_param(v) for v in values], "adam_amsgrad")
    fresh.load_state_dict(optimizer.state_dict())
    for state in fresh.state.values():
        assert state["exp_avg"].dtype == np.float32 and state["step"] == 3


# ----------------------------------------------------------------------------- live PyTorch
@pytest.mark.torch
def test_live_every_case_matches_torch():
    pytest.importorskip("torch")
    worst = 0.0
    for case in CASES:
        expected, _ = R.run_optimizer(R.torch_side(np.float64), case)
        got, _ = R.run_optimizer(mt(), case)
        assert_close(got, expected, rtol=RTOL, atol=ATOL, msg=f"{case} (live torch)")
        worst = max(worst, float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-3))))
    assert worst < RTOL


@pytest.mark.torch
def test_live_float32_cases_match_torch():
    pytest.importorskip("torch")
    for case in R.FLOAT32_CASES:
        expected, _ = R.run_optimizer(R.torch_side(np.float32), case)
        got, _ = R.run_optimizer(mt(np.float32), case)
        assert_close(got, expected, rtol=RTOL32, atol=ATOL32, msg=f"{case} in float32 (live torch)")


@pytest.mark.torch
@pytest.mark.parametrize("case", ["sgd_nesterov", "rmsprop_centered_momentum", "adam_amsgrad_weight_decay",
                                  "adamw_groups", "sgd_groups"])
def test_live_a_torch_state_dict_loads_and_training_continues_like_torch(case):
    pytest.importorskip("torch")
    expected, _ = R.run_optimizer(R.torch_side(), case)
    first, torch_optimizer = R.run_optimizer(R.torch_side(), case, steps=R.RESUME_AT)
    rest, _ = R.run_optimizer(mt(), case, steps=R.STEPS - R.RESUME_AT, start=R.unflatten(first[-1]),
                              state_dict=torch_optimizer.state_dict())
    assert_close(rest, expected[R.RESUME_AT:], rtol=RTOL, atol=ATOL, msg=f"{case}: torch state loaded into minitorch")


@pytest.mark.torch
def test_live_invalid_arguments_are_rejected_by_both():
    torch = pytest.importorskip("torch")
    for cls, kwargs in R.INVALID_ARGUMENTS:
        with pytest.raises(ValueError):
            getattr(torch.optim, cls)([torch.zeros(2, requires_grad=True)], **kwargs)
        with pytest.raises(ValueError):
            getattr(optim, cls)(params((2,)), **kwargs)
