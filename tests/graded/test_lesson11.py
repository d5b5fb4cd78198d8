"""Graded tests for lesson 11 (learning-rate schedules). Each test takes ``nb``, the notebook's namespace.

Expected values are independent of the learner's code: rates worked out by hand (in the comments),
``minitorch.optim.lr_scheduler`` schedulers that build the same schedule (checked against PyTorch
step for step in tests/library/test_lr_scheduler.py), and a plain-numpy training loop with the
gradients written out. 11.2 is compared with the library, not with the learner's 11.1, so each
exercise is graded on its own (11.2 does call the learner's ``warmup_cosine``, as the lesson asks).
"""

import math

import numpy as np

import minitorch
import minitorch.nn.functional as F
from minitorch import nn, optim
from minitorch.course import Exercise, graded
from minitorch.data import DataLoader, TensorDataset
from minitorch.optim import lr_scheduler
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("11.1", "Warm-up + cosine, as a formula", points=2,
             hints=("Three phases: a linear ramp up to base_lr during warm-up, half a cosine wave from base_lr "
                    "down to min_lr, then min_lr for ever.",
                    "warm-up (step < warmup_steps): base_lr·(step + 1)/warmup_steps. After total_steps: min_lr."
                    " Between: progress p from 0 to 1 over the cosine part, rate = min_lr + (base_lr − "
                    "min_lr)·½(1 + cos πp).",
                    "return min_lr + (base_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))")),
    Exercise("11.2", "A warm-up + cosine scheduler", points=3, needs=("11.1",),
             hints=("A scheduler writes a rate into every parameter group: once when it is created (step 0) and"
                    " again at every step(), from each group's own starting rate.",
                    "__init__: keep the settings, base_lrs = each group's lr, last_step = 0, write your "
                    "warmup_cosine at step 0 into each group. step(): last_step += 1 and write the new rates.",
                    "group['lr'] = warmup_cosine(self.last_step, base_lr, self.warmup_steps, self.total_steps, "
                    "self.min_lr)")),
    Exercise("11.3", "Reduce on plateau", points=2,
             hints=("Count the steps in a row without a real improvement (better than best by the relative "
                    "threshold); when the count exceeds patience, cut every group's rate by factor (not below "
                    "min_lr) and start counting again.",
                    "if metric < best·(1 − threshold): best = metric, counter = 0; else counter += 1. If "
                    "counter > patience: each group's lr = max(lr·factor, min_lr); counter = 0.",
                    "group['lr'] = max(group['lr'] * self.factor, self.min_lr)")),
    Exercise("11.4", "A training loop with a per-step scheduler", points=2,
             hints=("The usual training step, with one more line: the scheduler steps after every optimizer "
                    "step. Record the rate that each step actually used.",
                    "per epoch, per batch: zero_grad; loss; backward; record param_groups[0]['lr']; "
                    "optimizer.step(); scheduler.step() if there is one; record loss.item(). Return (losses, "
                    "lrs).",
                    "lrs.append(optimizer.param_groups[0]['lr'])   # before optimizer.step()")),
]


class Param:
    """The least an optimizer needs: values in ``.data``, a gradient in ``.grad``."""

    def __init__(self, values):
        self.data = np.array(values, dtype=np.float64)
        self.grad = None


def optimizer_with_groups(*lrs):
    """SGD over one parameter per group, with the given initial learning rates."""
    return optim.SGD([{"params": [Param([0.0])], "lr": lr} for lr in lrs])


def library_warmup_cosine(opt, warmup, total, min_lr):
    """The same schedule from library parts: LinearLR from 1/warmup to 1 over warmup - 1 steps, then cosine."""
    return lr_scheduler.SequentialLR(
        opt, [lr_scheduler.LinearLR(opt, start_factor=1 / warmup, total_iters=warmup - 1),
              lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)], milestones=[warmup])


def library_rates(make_scheduler, lrs, steps):
    """Rates of every group for steps 0..steps-1 under a library scheduler."""
    opt = optimizer_with_groups(*lrs)
    scheduler = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append([group["lr"] for group in opt.param_groups])
        opt.step()
        scheduler.step()
    return np.array(out)


# ------------------------------------------------------------------------------------------- 11.1
@graded("11.1")
def test_warmup_cosine_at_the_landmarks(nb):
    # base 1, warm-up 4, total 12: warm-up gives 1/4, 2/4, 3/4, 4/4 at steps 0-3; the cosine runs over steps 4..12,
    # so step 4 is at its top (1), step 8 halfway (0.5), step 12 at the bottom (min_lr = 0); later steps stay there.
    for step, want in [(0, 0.25), (1, 0.5), (3, 1.0), (4, 1.0), (8, 0.5), (12, 0.0), (20, 0.0)]:
        got = nb.warmup_cosine(step, 1.0, 4, 12)
        assert_close(got, want, atol=1e-12, msg=f"warmup_cosine(step={step}, base_lr=1, warmup_steps=4, total_steps=12)")


@graded("11.1", hint="The cosine goes from base_lr down to min_lr, not to 0; and after total_steps the rate "
                     "stays at min_lr.")
def test_warmup_cosine_respects_min_lr(nb):
    # base 0.5, no warm-up, total 10, min 0.1: a quarter of the way the cosine factor is (1 + cos(π/4)) / 2.
    assert_close(nb.warmup_cosine(0, 0.5, 0, 10, min_lr=0.1), 0.5, msg="warmup_cosine(0, 0.5, 0, 10, min_lr=0.1)")
    assert_close(nb.warmup_cosine(2.5, 0.5, 0, 10, min_lr=0.1), 0.1 + 0.4 * (1 + math.cos(math.pi / 4)) / 2,
                 msg="warmup_cosine(2.5, 0.5, 0, 10, min_lr=0.1)")
    for step in [10, 11, 50]:
        assert_close(nb.warmup_cosine(step, 0.5, 0, 10, min_lr=0.1), 0.1,
                     msg=f"warmup_cosine({step}, 0.5, 0, 10, min_lr=0.1): at or past total_steps")


@graded("11.1")
def test_warmup_cosine_matches_linear_then_cosine_annealing(nb):
    for warmup, total, min_lr in [(3, 10, 1e-3), (5, 40, 0.0), (2, 7, 0.05)]:
        want = library_rates(lambda o: library_warmup_cosine(o, warmup, total, min_lr), [0.1], total + 1)[:, 0]
        got = [nb.warmup_cosine(t, 0.1, warmup, total, min_lr) for t in range(total + 1)]
        assert_close(got, want, rtol=1e-12, atol=1e-15,
                     msg=f"warmup_cosine(t, 0.1, {warmup}, {total}, {min_lr}) for t = 0..{total}, vs "
                         "SequentialLR(LinearLR, CosineAnnealingLR)")
    want = library_rates(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.01), [0.3], 21)[:, 0]
    got = [nb.warmup_cosine(t, 0.3, 0, 20, 0.01) for t in range(21)]
    assert_close(got, want, rtol=1e-12, atol=1e-15, msg="warmup_cosine(t, 0.3, 0, 20, 0.01) vs CosineAnnealingLR(T_max=20)")


# ------------------------------------------------------------------------------------------- 11.2
def nb_rates(nb, lrs, steps, **kwargs):
    opt = optimizer_with_groups(*lrs)
    scheduler = nb.WarmupCosine(opt, **kwargs)
    out = []
    for _ in range(steps):
        out.append([group["lr"] for group in opt.param_groups])
        opt.step()
        scheduler.step()
    return np.array(out), scheduler, opt


@graded("11.2", hint="Creating the scheduler must already write step 0's rate (base_lr / warmup_steps) into every "
                     "group, so that the first optimizer.step() uses it.")
def test_creating_the_scheduler_sets_the_first_rate(nb):
    opt = optimizer_with_groups(0.1, 0.02)
    scheduler = nb.WarmupCosine(opt, warmup_steps=4, total_steps=10)
    assert_close([g["lr"] for g in opt.param_groups], [0.025, 0.005],
                 msg="the groups' lr right after WarmupCosine(opt, warmup_steps=4, total_steps=10) (base 0.1 and 0.02)")
    assert_close(scheduler.base_lrs, [0.1, 0.02], msg="scheduler.base_lrs (each group's lr when it was created)")


@graded("11.2")
def test_rates_of_two_groups_match_the_library(nb):
    for warmup, total, min_lr in [(3, 10, 1e-3), (6, 30, 0.0)]:
        got, scheduler, _ = nb_rates(nb, [0.1, 0.02], total + 1, warmup_steps=warmup, total_steps=total, min_lr=min_lr)
        want = library_rates(lambda o: library_warmup_cosine(o, warmup, total, min_lr), [0.1, 0.02], total + 1)
        assert_close(got, want, rtol=1e-12, atol=1e-15,
                     msg=f"rates of groups with lr 0.1 and 0.02 over steps 0..{total} (warmup_steps={warmup}, "
                         f"total_steps={total}, min_lr={min_lr}) vs SequentialLR(LinearLR, CosineAnnealingLR)")
        assert_close(scheduler.get_last_lr(), want[-1], msg="get_last_lr() after the last step")


@graded("11.2", hint="After total_steps every group stays at min_lr.")
def test_rates_stay_at_min_lr_after_the_schedule(nb):
    got, _, _ = nb_rates(nb, [0.1, 0.02], 16, warmup_steps=2, total_steps=10, min_lr=0.004)
    assert_close(got[10:], np.full((6, 2), 0.004), msg="rates of both groups at steps 10..15 (total_steps=10, min_lr=0.004)")


@graded("11.2")
def test_the_optimizer_trains_with_the_scheduled_rates(nb):
    # A parameter with gradient 1 at every step moves by exactly the sum of the rates used.
    p = Param([0.0])
    opt = optim.SGD([p], lr=0.2)
    scheduler = nb.WarmupCosine(opt, warmup_steps=2, total_steps=6)
    for _ in range(6):
        p.grad = np.ones(1)
        opt.step()
        scheduler.step()
    # rates: 0.1, 0.2, then cosine over 4 steps: 0.2 · (1 + cos(kπ/4)) / 2 for k = 0..3
    used = [0.1, 0.2] + [0.2 * (1 + math.cos(k * math.pi / 4)) / 2 for k in range(4)]
    assert_close(p.data, [-sum(used)], msg="an SGD parameter with gradient 1 after 6 scheduled steps (minus the sum of rates)")


# ------------------------------------------------------------------------------------------- 11.3
def plateau_rates(make, metrics, lrs=(0.1, 0.02)):
    opt = optimizer_with_groups(*lrs)
    scheduler = make(opt)
    out = []
    for m in metrics:
        scheduler.step(m)
        out.append([group["lr"] for group in opt.param_groups])
    return np.array(out)


@graded("11.3", hint="The cut comes when num_bad_steps becomes *greater* than patience: with patience=2 that is the "
                     "third step in a row without improvement.")
def test_patience_by_hand(nb):
    # patience 2: metric 1 improves on inf; the next three 1s are bad steps 1, 2, 3 -> the cut at the 4th metric.
    got = plateau_rates(lambda o: nb.ReduceOnPlateau(o, factor=0.5, patience=2), [1.0, 1.0, 1.0, 1.0, 1.0], lrs=(0.1,))
    assert_close(got[:, 0], [0.1, 0.1, 0.1, 0.05, 0.05],
                 msg="lr after each of the metrics 1, 1, 1, 1, 1 with factor=0.5, patience=2")


@graded("11.3", hint="Reset num_bad_steps to 0 after cutting the rate, and whenever the metric improves.")
def test_counter_resets_after_a_cut_and_an_improvement(nb):
    # patience 1: cut at the 3rd metric (2 bad steps), the count restarts, cut again at the 5th;
    # then 0.5 improves (reset), one bad step (no cut), a second bad step -> cut at the 8th.
    metrics = [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6]
    got = plateau_rates(lambda o: nb.ReduceOnPlateau(o, factor=0.1, patience=1), metrics, lrs=(1.0,))
    assert_close(got[:, 0], [1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001],
                 msg=f"lr after each of the metrics {metrics} with factor=0.1, patience=1")


@graded("11.3", hint="A metric counts as an improvement only below best * (1 - threshold).")
def test_threshold_and_min_lr(nb):
    # threshold 0.1: 0.95 is not below 1 · 0.9, so it is a bad step; patience 0 cuts at once; min_lr 0.03 floors it.
    got = plateau_rates(lambda o: nb.ReduceOnPlateau(o, factor=0.5, patience=0, threshold=0.1, min_lr=0.03),
                        [1.0, 0.95, 0.8, 0.79, 0.78], lrs=(0.1,))
    assert_close(got[:, 0], [0.1, 0.05, 0.05, 0.03, 0.03],
                 msg="lr after metrics 1, 0.95, 0.8, 0.79, 0.78 with factor=0.5, patience=0, threshold=0.1, min_lr=0.03")


@graded("11.3")
def test_matches_reduce_lr_on_plateau_on_a_long_run(nb):
    rng = np.random.default_rng(0)
    metrics = list(np.maximum(1.0 - 0.05 * np.arange(60), 0.3) + 0.02 * rng.random(60))
    for kwargs in [dict(factor=0.5, patience=3), dict(factor=0.2, patience=1, threshold=0.01, min_lr=1e-3)]:
        got = plateau_rates(lambda o: nb.ReduceOnPlateau(o, **kwargs), metrics)
        want = plateau_rates(lambda o: lr_scheduler.ReduceLROnPlateau(o, **kwargs), metrics)
        assert_close(got, want, rtol=1e-12, msg=f"rates of two groups over 60 noisy metrics with {kwargs}, "
                                                "vs minitorch.optim.lr_scheduler.ReduceLROnPlateau")


# ------------------------------------------------------------------------------------------- 11.4
def regression_problem():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=12)
    return X, y.reshape(-1, 1)


def sgd_by_hand(W, b, X, y, batch_size, lrs):
    """Mini-batch SGD on mean squared error with the gradients written out; batches in order."""
    losses = []
    batches = [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    for lr, (xb, yb) in zip(lrs, batches * len(lrs)):
        r = xb @ W.T + b - yb                                  # residuals, (n, 1)
        losses.append(float(np.mean(r**2)))
        W = W - lr * 2 * r.T @ xb / len(xb)
        b = b - lr * 2 * r.sum(axis=0) / len(xb)
    return W, b, losses


def linear_model(X):
    minitorch.manual_seed(0)
    model = nn.Linear(X.shape[1], 1, dtype=minitorch.float64)
    return model, model.weight.data.copy(), model.bias.data.copy()


@graded("11.4", hint="Record the group's rate before optimizer.step(): that is the rate the step uses.")
def test_steps_match_sgd_by_hand_under_step_lr(nb):
    X, y = regression_problem()
    model, W0, b0 = linear_model(X)
    loader = DataLoader(TensorDataset(minitorch.tensor(X), minitorch.tensor(y)), batch_size=4)   # 3 batches, in order
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    losses, lrs = nb.train(model, loader, F.mse_loss, opt, scheduler, epochs=2)
    want_lrs = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert_close(lrs, want_lrs, msg="the learning rate used by each of the 6 steps (StepLR(step_size=2, gamma=0.5) from 0.1)")
    W, b, want_losses = sgd_by_hand(W0, b0, X, y, 4, want_lrs)
    assert_close(losses, want_losses, rtol=1e-9, msg="the loss of each of the 6 steps")
    assert_close(model.weight.data, W, rtol=1e-9, msg="the weights after 2 epochs")
    assert_close(model.bias.data, b, rtol=1e-9, msg="the bias after 2 epochs")


@graded("11.4", hint="Without a scheduler (scheduler=None) just skip scheduler.step().")
def test_without_scheduler_and_one_entry_per_step(nb):
    X, y = regression_problem()
    model, W0, b0 = linear_model(X)
    loader = DataLoader(TensorDataset(minitorch.tensor(X), minitorch.tensor(y)), batch_size=5)   # 5, 5, 2
    losses, lrs = nb.train(model, loader, F.mse_loss, optim.SGD(model.parameters(), lr=0.05), epochs=3)
    assert len(losses) == 9 and len(lrs) == 9, \
        f"3 epochs of 3 batches are 9 steps: expected 9 losses and 9 rates, got {len(losses)} and {len(lrs)}"
    assert all(isinstance(v, float) for v in losses), "record loss.item() (a float), not the loss tensor"
    assert_close(lrs, [0.05] * 9, msg="the rates with no scheduler")
    rng_free = [(X[0:5], y[0:5]), (X[5:10], y[5:10]), (X[10:12], y[10:12])]
    W, b, want = W0, b0, []
    for xb, yb in rng_free * 3:
        W, b, step_losses = sgd_by_hand(W, b, xb, yb, len(xb), [0.05])
        want += step_losses
    assert_close(losses, want, rtol=1e-9, msg="the loss of each of the 9 steps (gradients cleared every step)")
