"""Record PyTorch's optimizer trajectories and learning-rate schedules, for minitorch's parity tests.

    .venv/bin/python tests/references/record_optim.py      # needs torch; rewrites the two files below

writes

* ``optim_reference.npz`` -- for every optimizer option combination in ``OPTIMIZER_CASES``: the
  parameters after each of ``STEPS`` steps on a small non-convex problem (float64; a few cases also
  in float32), the optimizer's final state and param groups, the defaults of each optimizer class,
  and which invalid arguments PyTorch rejects;
* ``lr_scheduler_reference.npz`` -- for every case in ``SCHEDULER_CASES``: the learning rates
  (and cycled momenta) after creation and after each of ``SCHEDULE_STEPS`` steps.

This module is also imported by the tests (tests/library/test_optim.py, test_lr_scheduler.py):
the problem, the cases and the drivers below run minitorch and PyTorch through *the same code*, so
the only thing that differs between the two runs is the library. torch is imported only when
recording or in the live tests.

The problem: a 2-4-1 tanh network regressing a fixed target, loss L = mean((tanh(X W1ᵀ + b1) W2ᵀ
+ b2 - y)²). Its gradient is computed here with numpy, from the current parameter values, and
assigned to ``.grad`` on both sides: the comparison tests the optimizers, not two autograds. A fifth
parameter never gets a gradient, to check that both libraries skip it.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
OPTIM_FILE = HERE / "optim_reference.npz"
SCHEDULER_FILE = HERE / "lr_scheduler_reference.npz"

STEPS = 50            # optimizer steps recorded per case
SCHEDULE_STEPS = 60   # scheduler steps recorded per case
RESUME_AT = 25        # where the checkpoint/resume tests save and restore

# ----------------------------------------------------------------------------- the problem
_rng = np.random.default_rng(20261101)
X = _rng.uniform(-2.0, 2.0, size=(24, 2))
Y = (np.sin(1.5 * X[:, 0]) * np.cos(X[:, 1]))[:, None]                  # (24, 1)
INITIAL = [
    _rng.normal(0.0, 0.8, size=(4, 2)),   # W1
    _rng.normal(0.0, 0.1, size=(4,)),     # b1
    _rng.normal(0.0, 0.8, size=(1, 4)),   # W2
    _rng.normal(0.0, 0.1, size=(1,)),     # b2
    np.array([0.5, -1.5, 2.5]),           # never receives a gradient
]
N_TRAINED = 4


def loss_and_grads(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """L and dL/d(W1, b1, W2, b2) of the tanh network, in float64 (backprop written out by hand)."""
    W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
    h = np.tanh(X @ W1.T + b1)                    # (24, 4)
    out = h @ W2.T + b2                           # (24, 1)
    r = out - Y
    n = len(X)
    d_out = 2.0 * r / n                           # dL/d(out)
    d_W2 = d_out.T @ h                            # (1, 4)
    d_b2 = d_out.sum(axis=0)                      # (1,)
    d_pre = (d_out @ W2) * (1.0 - h * h)          # through tanh
    d_W1 = d_pre.T @ X                            # (4, 2)
    d_b1 = d_pre.sum(axis=0)                      # (4,)
    return float(np.mean(r * r)), [d_W1, d_b1, d_W2, d_b2]


# ----------------------------------------------------------------------------- optimizer cases
# name -> (optimizer class, keyword arguments, parameter groups or None). A group lists parameter
# indices into INITIAL. Each combination of options PyTorch implements differently has a case.
_TWO_GROUPS = [{"params": [0, 1, 4]}, {"params": [2, 3], "lr": 0.02}]
OPTIMIZER_CASES: dict[str, tuple[str, dict[str, Any], list[dict[str, Any]] | None]] = {
    "sgd_defaults": ("SGD", {}, None),
    "sgd_plain": ("SGD", dict(lr=0.1), None),
    "sgd_momentum": ("SGD", dict(lr=0.05, momentum=0.9), None),
    "sgd_dampening": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3), None),
    "sgd_nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True), None),
    "sgd_weight_decay": ("SGD", dict(lr=0.1, weight_decay=0.05), None),
    "sgd_momentum_weight_decay": ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.05), None),
    "sgd_maximize": ("SGD", dict(lr=0.02, momentum=0.5, weight_decay=0.1, maximize=True), None),
    "sgd_groups": ("SGD", dict(lr=0.1, momentum=0.9),
                   [{"params": [0, 1, 4]}, {"params": [2, 3], "lr": 0.02, "momentum": 0.5, "nesterov": True}]),
    "rmsprop_defaults": ("RMSprop", {}, None),
    "rmsprop_plain": ("RMSprop", dict(lr=0.005, alpha=0.9), None),
    "rmsprop_centered": ("RMSprop", dict(lr=0.005, centered=True), None),
    "rmsprop_momentum": ("RMSprop", dict(lr=0.002, momentum=0.9), None),
    "rmsprop_centered_momentum": ("RMSprop", dict(lr=0.002, alpha=0.95, momentum=0.8, centered=True), None),
    "rmsprop_weight_decay": ("RMSprop", dict(lr=0.005, weight_decay=0.1, eps=1e-6), None),
    "rmsprop_maximize": ("RMSprop", dict(lr=0.002, weight_decay=0.1, maximize=True), None),
    "rmsprop_groups": ("RMSprop", dict(lr=0.005), [{"params": [0, 1, 4], "centered": True},
                                                   {"params": [2, 3], "lr": 0.001, "momentum": 0.5}]),
    "adam_defaults": ("Adam", {}, None),
    "adam_plain": ("Adam", dict(lr=0.05, betas=(0.8, 0.99)), None),
    "adam_amsgrad": ("Adam", dict(lr=0.05, amsgrad=True), None),
    "adam_weight_decay": ("Adam", dict(lr=0.05, weight_decay=0.1), None),
    "adam_maximize": ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True), None),
    "adam_amsgrad_weight_decay": ("Adam", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.05,
                                               amsgrad=True), None),
    "adam_groups": ("Adam", dict(lr=0.05), [{"params": [0, 1, 4], "amsgrad": True},
                                            {"params": [2, 3], "lr": 0.01, "betas": (0.7, 0.95)}]),
    "adamw_defaults": ("AdamW", {}, None),
    "adamw_plain": ("AdamW", dict(lr=0.05, weight_decay=0.1), None),
    "adamw_amsgrad": ("AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True), None),
    "adamw_maximize": ("AdamW", dict(lr=0.01, weight_decay=0.1, maximize=True), None),
    "adamw_groups": ("AdamW", dict(lr=0.05), [{"params": [0, 1, 4], "weight_decay": 0.5},
                                              {"params": [2, 3], "lr": 0.01}]),
}
#: Cases also recorded in float32 (the update is computed in the parameters' dtype).
FLOAT32_CASES = ["sgd_nesterov", "sgd_maximize", "rmsprop_centered_momentum", "rmsprop_weight_decay",
                 "adam_amsgrad_weight_decay", "adam_maximize", "adamw_plain"]
#: The hyper-parameters minitorch keeps in a group (PyTorch adds foreach/fused/... flags).
GROUP_KEYS = {"SGD": ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"],
              "RMSprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"],
              "Adam": ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"],
              "AdamW": ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"]}

# Arguments every optimizer must reject: (optimizer, keyword arguments).
INVALID_ARGUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", dict(lr=-0.1)),
    ("SGD", dict(lr=0.1, momentum=-0.5)),
    ("SGD", dict(lr=0.1, weight_decay=-1e-4)),
    ("SGD", dict(lr=0.1, nesterov=True)),                              # Nesterov without momentum
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),  # Nesterov with dampening
    ("RMSprop", dict(lr=-0.01)),
    ("RMSprop", dict(alpha=-0.9)),
    ("RMSprop", dict(eps=-1e-8)),
    ("RMSprop", dict(momentum=-0.1)),
    ("RMSprop", dict(weight_decay=-0.1)),
    ("Adam", dict(lr=-1e-3)),
    ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(eps=-1e-8)),
    ("Adam", dict(weight_decay=-0.1)),
    ("AdamW", dict(lr=-1e-3)),
    ("AdamW", dict(betas=(0.9, 1.5))),
    ("AdamW", dict(weight_decay=-0.01)),
]


# ----------------------------------------------------------------------------- the two libraries
def torch_side(dtype: Any = np.float64) -> SimpleNamespace:
    """How to make, read and feed parameters in PyTorch."""
    import torch

    def make_param(value: np.ndarray) -> Any:
        return torch.tensor(value, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)

    def set_grad(param: Any, grad: np.ndarray) -> None:
        param.grad = torch.from_numpy(np.array(grad, dtype=dtype))

    return SimpleNamespace(optim=torch.optim, lr_scheduler=torch.optim.lr_scheduler, make_param=make_param,
                           set_grad=set_grad, read=lambda p: p.detach().numpy().copy(), dtype=dtype)


def minitorch_side(dtype: Any = np.float64) -> SimpleNamespace:
    """How to make, read and feed parameters in minitorch."""
    import minitorch
    import minitorch.optim

    def make_param(value: np.ndarray) -> Any:
        return minitorch.Tensor(np.array(value, dtype=dtype), requires_grad=True)

    def set_grad(param: Any, grad: np.ndarray) -> None:
        param.grad = minitorch.Tensor(np.array(grad, dtype=dtype))

    return SimpleNamespace(optim=minitorch.optim, lr_scheduler=minitorch.optim.lr_scheduler, make_param=make_param,
                           set_grad=set_grad, read=lambda p: np.array(p.data), dtype=dtype)


def build_optimizer(optim: Any, params: list[Any], case: str) -> Any:
    """The case's optimizer, built by ``optim`` (``torch.optim`` or ``minitorch.optim``)."""
    cls, kwargs, groups = OPTIMIZER_CASES[case]
    if groups is None:
        return getattr(optim, cls)(params, **kwargs)
    param_groups = [{**group, "params": [params[i] for i in group["params"]]} for group in groups]
    return getattr(optim, cls)(param_groups, **kwargs)


def run_optimizer(side: SimpleNamespace, case: str, steps: int = STEPS, start: list[np.ndarray] | None = None,
                  state_dict: dict[str, Any] | None = None) -> tuple[np.ndarray, Any]:
    """Train the problem for ``steps`` steps; return the parameters after each step, one row per
    step (row 0 is the start, each row all parameters flattened in order), and the optimizer.

    ``start`` and ``state_dict`` resume a run: the parameters start from those values and the new
    optimizer loads that state before its first step.
    """
    values = [np.array(v, dtype=side.dtype) for v in (start if start is not None else INITIAL)]
    params = [side.make_param(v) for v in values]
    optimizer = build_optimizer(side.optim, params, case)
    if state_dict is not None:
        optimizer.load_state_dict(state_dict)
    # A maximize case ascends -L (maximizing L itself diverges): same path, opposite-sign gradients.
    sign = -1.0 if OPTIMIZER_CASES[case][1].get("maximize") else 1.0
    rows = [np.concatenate([side.read(p).ravel() for p in params])]
    for _ in range(steps):
        optimizer.zero_grad()
        _, grads = loss_and_grads(*[side.read(p) for p in params[:N_TRAINED]])
        for param, grad in zip(params, grads):
            side.set_grad(param, sign * grad)
        optimizer.step()
        rows.append(np.concatenate([side.read(p).ravel() for p in params]))
    return np.array(rows), optimizer


def unflatten(row: np.ndarray) -> list[np.ndarray]:
    """One trajectory row back into the list of parameter arrays."""
    out, i = [], 0
    for v in INITIAL:
        out.append(row[i:i + v.size].reshape(v.shape))
        i += v.size
    return out


# ----------------------------------------------------------------------------- scheduler cases
def _sgd(optim: Any, params: list[Any]) -> Any:
    return optim.SGD([{"params": params[:1], "lr": 0.1}, {"params": params[1:], "lr": 0.02}], momentum=0.9)


def _adam(optim: Any, params: list[Any]) -> Any:
    return optim.Adam([{"params": params[:1], "lr": 0.01}, {"params": params[1:], "lr": 0.003}], betas=(0.9, 0.99))


def _resumable(optimizer: Any) -> Any:
    """An optimizer whose groups hold ``initial_lr``, as after loading a checkpoint."""
    for group in optimizer.param_groups:
        group.setdefault("initial_lr", group["lr"])
    return optimizer


def _decay(epoch: int) -> float:
    return 0.95 ** epoch


def _warmup(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 10)


def _plateau_losses(n: int) -> list[float]:
    """A validation loss that falls, stalls, creeps down by less than the threshold, and bounces."""
    losses, loss = [], 1.0
    for t in range(n):
        phase = (t // 8) % 4
        if phase == 0:
            loss *= 0.9                  # improving
        elif phase == 1:
            loss *= 1.0                  # flat
        elif phase == 2:
            loss *= 1 - 2e-5             # improving by less than a relative threshold of 1e-4
        else:
            loss *= 1.01 if t % 2 else 0.995   # noisy
        losses.append(round(loss, 12))
    return losses


Case = Callable[[Any, Any, list[Any]], tuple[Any, Any]]


def _cases() -> dict[str, Case]:
    def sgd(make):  # a case that schedules the two-group SGD
        return lambda optim, S, params: (lambda opt: (opt, make(S, opt)))(_sgd(optim, params))

    def adam(make):
        return lambda optim, S, params: (lambda opt: (opt, make(S, opt)))(_adam(optim, params))

    return {
        "LambdaLR": sgd(lambda S, o: S.LambdaLR(o, _decay)),
        "LambdaLR_per_group": sgd(lambda S, o: S.LambdaLR(o, [_decay, _warmup])),
        "MultiplicativeLR": sgd(lambda S, o: S.MultiplicativeLR(o, lambda epoch: 0.97 if epoch % 3 else 0.9)),
        "StepLR": sgd(lambda S, o: S.StepLR(o, step_size=7, gamma=0.5)),
        "MultiStepLR": sgd(lambda S, o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)),
        "ConstantLR": sgd(lambda S, o: S.ConstantLR(o, factor=0.25, total_iters=8)),
        "ConstantLR_defaults": sgd(lambda S, o: S.ConstantLR(o)),
        "LinearLR_warmup": sgd(lambda S, o: S.LinearLR(o, start_factor=0.1, total_iters=10)),
        "LinearLR_decay": sgd(lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=40)),
        "ExponentialLR": sgd(lambda S, o: S.ExponentialLR(o, gamma=0.93)),
        "PolynomialLR": sgd(lambda S, o: S.PolynomialLR(o, total_iters=40, power=2.0)),
        "PolynomialLR_defaults": sgd(lambda S, o: S.PolynomialLR(o)),
        "CosineAnnealingLR": sgd(lambda S, o: S.CosineAnnealingLR(o, T_max=20, eta_min=1e-3)),
        "CosineAnnealingWarmRestarts": sgd(lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=10)),
        "CosineAnnealingWarmRestarts_T_mult": sgd(lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                                            eta_min=1e-4)),
        "CosineAnnealingWarmRestarts_fractional": sgd(lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=3)),
        "OneCycleLR": sgd(lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=SCHEDULE_STEPS)),
        "OneCycleLR_linear_three_phase": sgd(lambda S, o: S.OneCycleLR(
            o, max_lr=0.8, epochs=6, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear",
            three_phase=True, base_momentum=0.8, max_momentum=[0.95, 0.9], div_factor=10.0, final_div_factor=100.0)),
        "OneCycleLR_adam_betas": adam(lambda S, o: S.OneCycleLR(o, max_lr=0.05, total_steps=SCHEDULE_STEPS + 5)),
        "OneCycleLR_no_momentum": sgd(lambda S, o: S.OneCycleLR(o, max_lr=0.3, total_steps=SCHEDULE_STEPS,
                                                                cycle_momentum=False)),
        "CyclicLR_triangular": sgd(lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7)),
        "CyclicLR_triangular2": sgd(lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.002], max_lr=[0.1, 0.05],
                                                            step_size_up=5, step_size_down=9, mode="triangular2")),
        "CyclicLR_exp_range": sgd(lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6,
                                                          mode="exp_range", gamma=0.97)),
        "CyclicLR_scale_fn": sgd(lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                         scale_fn=lambda x: 1 / (1 + 0.1 * x),
                                                         scale_mode="iterations", base_momentum=0.7)),
        "CyclicLR_adam_betas": adam(lambda S, o: S.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=8)),
        "SequentialLR_warmup_cosine": sgd(lambda S, o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=50)], milestones=[5])),
        "SequentialLR_three": sgd(lambda S, o: S.SequentialLR(
            o, [S.ConstantLR(o, factor=0.5, total_iters=10), S.ExponentialLR(o, gamma=0.9),
                S.StepLR(o, step_size=5, gamma=0.5)], milestones=[4, 20])),
        "SequentialLR_lambda": sgd(lambda S, o: S.SequentialLR(
            o, [S.LambdaLR(o, _warmup), S.MultiStepLR(o, milestones=[10, 25])], milestones=[10])),
        "ChainedScheduler": sgd(lambda S, o: S.ChainedScheduler(
            [S.ConstantLR(o, factor=0.1, total_iters=4), S.ExponentialLR(o, gamma=0.9)])),
        "ChainedScheduler_linear_cosine": sgd(lambda S, o: S.ChainedScheduler(
            [S.LinearLR(o, start_factor=0.2, total_iters=8), S.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
             S.StepLR(o, step_size=12, gamma=0.7)], optimizer=o)),
        "ReduceLROnPlateau": sgd(lambda S, o: S.ReduceLROnPlateau(o, factor=0.5, patience=3)),
        "ReduceLROnPlateau_cooldown_min_lr": sgd(lambda S, o: S.ReduceLROnPlateau(
            o, factor=0.3, patience=1, cooldown=3, min_lr=[0.005, 0.001])),
        "ReduceLROnPlateau_abs": sgd(lambda S, o: S.ReduceLROnPlateau(
            o, factor=0.5, patience=2, threshold=0.01, threshold_mode="abs", eps=1e-3)),
        "ReduceLROnPlateau_max": sgd(lambda S, o: S.ReduceLROnPlateau(o, mode="max", factor=0.7, patience=0,
                                                                      threshold=0.05)),
        # Created with last_epoch >= 0, as when resuming without load_state_dict.
        "CosineAnnealingLR_last_epoch": sgd(lambda S, o: S.CosineAnnealingLR(_resumable(o), T_max=15, last_epoch=6)),
        "ExponentialLR_last_epoch": sgd(lambda S, o: S.ExponentialLR(_resumable(o), gamma=0.9, last_epoch=3)),
        "LinearLR_last_epoch": sgd(lambda S, o: S.LinearLR(_resumable(o), start_factor=0.1, total_iters=10,
                                                           last_epoch=4)),
        # step(epoch): the deprecated explicit-epoch path uses each scheduler's closed form.
        "StepLR_epochs": sgd(lambda S, o: S.StepLR(o, step_size=4, gamma=0.5)),
        "MultiStepLR_epochs": sgd(lambda S, o: S.MultiStepLR(o, milestones=[3, 9, 9], gamma=0.5)),
        "CosineAnnealingLR_epochs": sgd(lambda S, o: S.CosineAnnealingLR(o, T_max=12)),
        "LinearLR_epochs": sgd(lambda S, o: S.LinearLR(o, start_factor=0.3, total_iters=9)),
        "PolynomialLR_epochs": sgd(lambda S, o: S.PolynomialLR(o, total_iters=20, power=0.5)),
    }


SCHEDULER_CASES = _cases()
PLATEAU_LOSSES = _plateau_losses(SCHEDULE_STEPS)
# For the *_epochs cases: the epoch passed to step(), with jumps and repeats.
EXPLICIT_EPOCHS = [1, 2, 3, 5, 8, 9, 9, 10, 11, 15, 16, 20, 21, 22, 30] + list(range(31, 76))
FRACTIONAL_EPOCHS = [0.25 * (i + 1) for i in range(SCHEDULE_STEPS)]


def _momentum(group: dict[str, Any]) -> float:
    if "betas" in group:
        return float(group["betas"][0])
    return float(group["momentum"]) if "momentum" in group else math.nan


def _step(scheduler: Any, case: str, t: int) -> None:
    """The case's t-th (0-based) scheduler step."""
    if case.startswith("ReduceLROnPlateau"):
        scheduler.step(PLATEAU_LOSSES[t])
    elif case.endswith("_epochs"):
        scheduler.step(EXPLICIT_EPOCHS[t])
    elif case.endswith("_fractional"):
        scheduler.step(FRACTIONAL_EPOCHS[t])
    else:
        scheduler.step()


def _record(optimizer: Any, scheduler: Any) -> list[list[float]]:
    """[last_lr per group, lr per group, momentum per group (NaN when the optimizer has none)]."""
    return [[float(lr) for lr in scheduler.get_last_lr()],
            [float(g["lr"]) for g in optimizer.param_groups],
            [_momentum(g) for g in optimizer.param_groups]]


def run_schedule(side: SimpleNamespace, case: str, steps: int = SCHEDULE_STEPS, start: int = 0,
                 resume: tuple[dict[str, Any], dict[str, Any]] | None = None) -> np.ndarray:
    """Create the case's optimizer and scheduler and step them; return, after creation and after
    each step, the scheduler's last lrs, the groups' lrs and their (cycled) momenta: an array of
    shape (steps + 1, 3, groups).

    ``resume = (optimizer_state, scheduler_state)`` restores a run saved after ``start`` steps (the
    scheduler is created first, then both states are loaded, as PyTorch's docs prescribe).
    """
    params = [side.make_param(np.zeros(2)), side.make_param(np.zeros(3))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the deprecated step(epoch) path warns, by design
        optimizer, scheduler = SCHEDULER_CASES[case](side.optim, side.lr_scheduler, params)
        if resume is not None:
            optimizer.load_state_dict(resume[0])
            scheduler.load_state_dict(resume[1])
        records = [_record(optimizer, scheduler)]
        for t in range(start, start + steps):
            optimizer.step()
            _step(scheduler, case, t)
            records.append(_record(optimizer, scheduler))
    return np.array(records, dtype=np.float64)


def run_schedule_objects(side: SimpleNamespace, case: str, steps: int) -> tuple[Any, Any]:
    """Like :func:`run_schedule`, but return the optimizer and scheduler after ``steps`` steps."""
    params = [side.make_param(np.zeros(2)), side.make_param(np.zeros(3))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer, scheduler = SCHEDULER_CASES[case](side.optim, side.lr_scheduler, params)
        for t in range(steps):
            optimizer.step()
            _step(scheduler, case, t)
    return optimizer, scheduler


# ----------------------------------------------------------------------------- recording
def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        return value.item()
    return value


def record_optimizers() -> dict[str, np.ndarray]:
    import torch

    torch.set_num_threads(1)
    arrays: dict[str, np.ndarray] = {}
    for case in OPTIMIZER_CASES:
        cls = OPTIMIZER_CASES[case][0]
        trajectory, optimizer = run_optimizer(torch_side(np.float64), case)
        arrays[case] = trajectory
        state = optimizer.state_dict()
        for index, entries in state["state"].items():
            for key, value in entries.items():
                arrays[f"{case}/state/{index}/{key}"] = np.asarray(value.detach().numpy() if hasattr(value, "detach")
                                                                   else value)
        groups = [{**{key: _jsonable(group[key]) for key in GROUP_KEYS[cls]}, "params": group["params"]}
                  for group in state["param_groups"]]
        arrays[f"{case}/param_groups"] = np.array(json.dumps(groups))
    for case in FLOAT32_CASES:
        arrays[f"{case}@float32"], _ = run_optimizer(torch_side(np.float32), case)

    param = [torch.zeros(2, requires_grad=True)]
    defaults = {cls: {key: _jsonable(getattr(torch.optim, cls)(param).defaults[key]) for key in keys}
                for cls, keys in GROUP_KEYS.items()}
    arrays["defaults"] = np.array(json.dumps(defaults))
    rejected = []
    for cls, kwargs in INVALID_ARGUMENTS:
        try:
            getattr(torch.optim, cls)(param, **kwargs)
            rejected.append(None)
        except Exception as error:  # noqa: BLE001 - record whatever torch raises
            rejected.append(type(error).__name__)
    arrays["invalid_arguments"] = np.array(json.dumps(rejected))
    return arrays


def record_schedulers() -> dict[str, np.ndarray]:
    return {case: run_schedule(torch_side(np.float64), case) for case in SCHEDULER_CASES}


def load_optim_reference() -> dict[str, np.ndarray]:
    with np.load(OPTIM_FILE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files if key != "torch_version"}


def load_scheduler_reference() -> dict[str, np.ndarray]:
    with np.load(SCHEDULER_FILE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files if key != "torch_version"}


def main() -> int:
    import torch

    np.savez_compressed(OPTIM_FILE, torch_version=np.array(torch.__version__), **record_optimizers())
    np.savez_compressed(SCHEDULER_FILE, torch_version=np.array(torch.__version__), **record_schedulers())
    for path in (OPTIM_FILE, SCHEDULER_FILE):
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({path.stat().st_size / 1024:.0f} KB)")
    print(f"torch {torch.__version__}: {len(OPTIMIZER_CASES)} optimizer cases (+{len(FLOAT32_CASES)} in float32), "
          f"{len(SCHEDULER_CASES)} scheduler cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
