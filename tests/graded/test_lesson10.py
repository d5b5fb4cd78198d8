"""Graded tests for lesson 10 (optimizers). Each test takes ``nb``, the notebook's namespace.

Expected values are independent of the learner's code: first steps worked out by hand (in the
comments), plain-numpy loops with analytic gradients, and ``minitorch.optim`` run on the same
problem — the library's optimizers are checked against ``torch.optim`` step for step in
tests/library/test_optim.py. 10.1 drives ``minitorch.optim`` optimizers, so a slip in 10.2-10.5 does
not cost the points of the run loop.
"""

import contextlib

import numpy as np

import minitorch.optim as optim
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("10.1", "An optimization run", points=2,
             hints=("An optimization run is the training loop on one point: clear the gradient, evaluate, "
                    "backward, step — and snapshot the point after every step (the optimizer changes it in "
                    "place).",
                    "point = a float64 tensor of start that requires grad; optimizer = make_optimizer([point]);"
                    " path = [copy of its data]; repeat: zero_grad, f(point).backward(), step, append a copy; "
                    "return the stacked path.",
                    "path.append(point.data.copy())")),
    Exercise("10.2", "SGD with momentum, dampening, Nesterov and weight decay", points=3,
             hints=("Momentum keeps a running direction b; dampening scales how much of the new gradient enters"
                    " it; Nesterov looks ahead along b; weight decay adds λθ to the gradient first. PyTorch's "
                    "first buffer is the gradient itself.",
                    "g = grad (+ weight_decay·param). If momentum: b = copy of g on the first step, else "
                    "momentum·b + (1 − dampening)·g; store b; direction = g + momentum·b if nesterov else b. "
                    "Without momentum the direction is g. param −= lr·direction. All options come from "
                    "group[...].",
                    "buf = momentum * state['momentum_buffer'] + (1 - dampening) * g")),
    Exercise("10.3", "RMSProp", points=2,
             hints=("RMSProp divides each step by a running root-mean-square of past gradients: big, noisy "
                    "gradients get smaller steps.",
                    "g = grad (+ weight_decay·param); v = alpha·v + (1 − alpha)·g² (v starts at zeros, kept in "
                    "state['square_avg']); param −= lr · g / (√v + eps).",
                    "param -= lr * g / (np.sqrt(v) + eps)")),
    Exercise("10.4", "Adam with bias correction", points=3,
             hints=("Adam keeps running averages of the gradient (m) and of its square (v); both start at 0, so"
                    " early on they are too small — bias correction divides by 1 − βᵗ, with t counting this "
                    "step.",
                    "t += 1 first; m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; store m and v; m̂ = m/(1−β₁ᵗ), v̂ = "
                    "v/(1−β₂ᵗ) (when bias_correction is on); param −= lr·m̂/(√v̂ + eps).",
                    "param -= lr * m_hat / (np.sqrt(v_hat) + eps)")),
    Exercise("10.5", "AdamW", points=2, needs=("10.4",),
             hints=("AdamW shrinks the weights directly (decoupled decay) and then takes a plain Adam step "
                    "whose gradient knows nothing about the decay.",
                    "multiply param in place by (1 − lr·weight_decay); then call Adam's update with a copy of "
                    "the group whose weight_decay is 0.",
                    "param *= 1 - group['lr'] * group['weight_decay']")),
]

RTOL, ATOL = 1e-9, 1e-12


class Param:
    """The least a parameter needs: values in ``.data``, a gradient in ``.grad``."""

    def __init__(self, values):
        self.data = np.array(values, dtype=np.float64)
        self.grad = None


# A quadratic with its gradient written out by hand: f = Σ ½ a ⊙ θ² + c ⊙ θ over two parameters of
# different shapes (so that state must be kept per parameter).
SHAPES = [(3,), (2, 2)]
START = [np.array([1.0, -2.0, 0.5]), np.array([[3.0, -1.0], [0.25, 2.0]])]
CURVATURE = [np.array([1.0, 10.0, 0.1]), np.array([[4.0, 0.5], [2.0, 30.0]])]
SHIFT = [np.array([0.3, 0.0, -1.0]), np.array([[0.0, 1.0], [-0.5, 0.2]])]


def gradient(k, theta):
    return CURVATURE[k] * theta + SHIFT[k]


def trajectory(make_optimizer, steps=25, groups=None):
    """Run an optimizer on the quadratic; return the concatenated parameters after every step.

    groups: None for one group, or a list of per-group option dicts (one parameter per group).
    """
    params = [Param(s) for s in START]
    if groups is None:
        opt = make_optimizer(params)
    else:
        opt = make_optimizer([{"params": [p], **options} for p, options in zip(params, groups)])
    rows = []
    for _ in range(steps):
        for k, p in enumerate(params):
            p.grad = gradient(k, p.data)
        opt.step()
        rows.append(np.concatenate([p.data.ravel() for p in params]))
    _assert_parameters_moved(rows[-1], np.concatenate([s.ravel() for s in START]))
    return np.array(rows)


def _assert_parameters_moved(now, start):
    if np.array_equal(now, start):
        raise AssertionError("the parameters never changed: update_parameter must change the array `param` in "
                             "place (with -=, *= or param[...] = ...); `param = param - ...` only gives the local "
                             "name a new array, which nobody else sees")


def first_steps(make_optimizer, grads, start=1.0):
    """Values of one scalar parameter after a step with each gradient of ``grads`` (no loss: grads given)."""
    p = Param([start])
    opt = make_optimizer([p])
    values = []
    for g in grads:
        p.grad = np.array([g])
        opt.step()
        values.append(float(p.data[0]))
    if any(g != 0 for g in grads):
        _assert_parameters_moved(np.array(values), np.full(len(values), float(start)))
    return values


def compare_with_library(nb_class, library_class, configs, label):
    for kwargs in configs:
        got = trajectory(lambda ps: nb_class(ps, **kwargs))
        want = trajectory(lambda ps: library_class(ps, **kwargs))
        assert_close(got, want, rtol=RTOL, atol=ATOL,
                     msg=f"{label}({kwargs}): parameters after each of 25 steps on a quadratic, vs minitorch.optim")


def compare_groups(nb_class, library_class, defaults, groups, label):
    got = trajectory(lambda gs: nb_class(gs, **defaults), groups=groups)
    want = trajectory(lambda gs: library_class(gs, **defaults), groups=groups)
    assert_close(got, want, rtol=RTOL, atol=ATOL,
                 msg=f"{label} with two parameter groups {groups} (defaults {defaults}): parameters after each step")


# ------------------------------------------------------------------------------------------- 10.1
def rosenbrock_tensor(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def rosenbrock_gradient(x, y):
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def gradient_descent_by_hand(start, lr, steps):
    path = [np.array(start, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * rosenbrock_gradient(*path[-1]))
    return np.array(path)


@graded("10.1")
def test_path_starts_at_the_start_and_has_one_row_per_step(nb):
    path = nb.run_optimizer(lambda ps: optim.SGD(ps, lr=1e-3), rosenbrock_tensor, [-1.5, 2.0], 5)
    path = np.asarray(path)
    assert path.shape == (6, 2), f"5 steps should give a path of shape (6, 2) (start included), got {path.shape}"
    assert_close(path[0], [-1.5, 2.0], msg="the first row of the path (the start)")


@graded("10.1", hint="The optimizer changes the point's array in place: store a copy of it at each step, not "
                     "the array itself.")
def test_each_row_is_a_snapshot(nb):
    path = np.asarray(nb.run_optimizer(lambda ps: optim.SGD(ps, lr=1e-3), rosenbrock_tensor, [-1.5, 2.0], 3))
    assert not np.allclose(path[0], path[-1]), \
        f"the start and the end of the path are the same point {path[0]}: are all rows the same (final) array?"


def gradient_descent_with_stale_gradients(start, lr, steps):
    """The path when .grad is never cleared: each step uses the sum of every gradient so far."""
    path, total = [np.array(start, dtype=float)], np.zeros(2)
    for _ in range(steps):
        total = total + rosenbrock_gradient(*path[-1])
        path.append(path[-1] - lr * total)
    return np.array(path)


@graded("10.1", hint="Each step has four parts, in order: clear the old gradient, evaluate f at the point, "
                     "backpropagate, let the optimizer step. Check which one is missing or out of place.")
def test_gradient_descent_path_matches_a_hand_computed_one(nb):
    got = np.asarray(nb.run_optimizer(lambda ps: optim.SGD(ps, lr=1e-3), rosenbrock_tensor, [-1.5, 2.0], 20))
    want = gradient_descent_by_hand([-1.5, 2.0], 1e-3, 20)
    if got.shape == want.shape and got.dtype != np.float64:
        raise AssertionError(f"the path is {got.dtype}, so it cannot match a float64 computation to 1e-9: make the "
                             "starting point a float64 tensor")
    if got.shape == want.shape and np.allclose(got, gradient_descent_with_stale_gradients([-1.5, 2.0], 1e-3, 20)):
        raise AssertionError("each step used the sum of all gradients so far: backward() adds to .grad, so the "
                             "old gradient must be cleared before every backward()")
    assert_close(got, want, rtol=1e-9, atol=1e-12, msg="gradient descent (lr=1e-3) on Rosenbrock from (-1.5, 2): the path")


@graded("10.1")
def test_runs_in_float64_with_a_stateful_optimizer(nb):
    # Adam's first step moves every coordinate by lr against the gradient's sign, whatever its size: from
    # (-1.5, 2) the gradient is (-155, -50) -> the first step goes to (-1.5 + 0.1, 2 + 0.1).
    path = np.asarray(nb.run_optimizer(lambda ps: optim.Adam(ps, lr=0.1), rosenbrock_tensor, (-1.5, 2.0), 30))
    assert path.dtype == np.float64, f"the path should be float64 (start the point as float64), got {path.dtype}"
    assert_close(path[1], [-1.4, 2.1], rtol=1e-7, msg="the point after Adam's first step (lr=0.1)")


# ------------------------------------------------------------------------------------------- 10.2
@graded("10.2")
def test_plain_sgd_steps_by_hand(nb):
    # θ = 1, gradients 2 then -1, lr 0.1: 1 - 0.2 = 0.8, then 0.8 + 0.1 = 0.9.
    got = first_steps(lambda ps: nb.SGD(ps, lr=0.1), [2.0, -1.0])
    assert_close(got, [0.8, 0.9], msg="SGD(lr=0.1) from 1 with gradients 2, -1")


@graded("10.2", hint="On the first step the momentum buffer is the gradient itself — dampening does not apply "
                     "yet. Check whether the state already has a buffer.")
def test_momentum_and_dampening_steps_by_hand(nb):
    # momentum 0.9, gradient 1 each step, lr 0.1: b = 1, 1.9, 2.71 -> θ = 0.9, 0.71, 0.439.
    got = first_steps(lambda ps: nb.SGD(ps, lr=0.1, momentum=0.9), [1.0, 1.0, 1.0])
    assert_close(got, [0.9, 0.71, 0.439], msg="SGD(lr=0.1, momentum=0.9) from 1 with gradient 1 three times")
    # dampening 0.5: b = 1 (first step undampened), 0.9 + 0.5 = 1.4 -> θ = 0.9, 0.76.
    got = first_steps(lambda ps: nb.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), [1.0, 1.0])
    assert_close(got, [0.9, 0.76], msg="SGD(lr=0.1, momentum=0.9, dampening=0.5) from 1 with gradient 1 twice")


@graded("10.2", hint="With nesterov the step direction is g + momentum * b, where b is the buffer *after* this "
                     "step's update.")
def test_nesterov_steps_by_hand(nb):
    # b = 1 -> direction 1 + 0.9 = 1.9 -> θ = 0.81; b = 1.9 -> direction 1 + 1.71 = 2.71 -> θ = 0.539.
    got = first_steps(lambda ps: nb.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), [1.0, 1.0])
    assert_close(got, [0.81, 0.539], msg="SGD(lr=0.1, momentum=0.9, nesterov=True) from 1 with gradient 1 twice")


@graded("10.2", hint="Weight decay adds weight_decay * param to the gradient before anything else.")
def test_weight_decay_steps_by_hand(nb):
    # θ = 1, gradient 0, weight_decay 0.5, lr 0.1: g = 0.5 -> θ = 0.95; g = 0.475 -> θ = 0.9025.
    got = first_steps(lambda ps: nb.SGD(ps, lr=0.1, weight_decay=0.5), [0.0, 0.0])
    assert_close(got, [0.95, 0.9025], msg="SGD(lr=0.1, weight_decay=0.5) from 1 with zero gradients")


@graded("10.2")
def test_sgd_trajectories_match_minitorch_optim(nb):
    compare_with_library(nb.SGD, optim.SGD, [
        dict(lr=0.05),
        dict(lr=0.02, momentum=0.9),
        dict(lr=0.02, momentum=0.8, dampening=0.3, weight_decay=0.1),
        dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.05),
    ], "SGD")


@graded("10.2", hint="Read the hyper-parameters from `group` (group['lr'], ...), not from the constructor's "
                     "arguments: each parameter group can have its own.")
def test_sgd_uses_each_groups_own_options(nb):
    compare_groups(nb.SGD, optim.SGD, dict(lr=0.02, momentum=0.9),
                   [{"lr": 0.05}, {"momentum": 0.5, "nesterov": True}], "SGD")


@graded("10.2", hint="Store a copy (g.copy()) as the first buffer: the gradient array belongs to the caller.")
def test_sgd_leaves_the_gradient_array_alone(nb):
    p = Param([1.0, 2.0])
    grad = np.array([0.5, -0.5])
    opt = nb.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    for _ in range(3):
        p.grad = grad
        opt.step()
    assert_close(grad, [0.5, -0.5], msg="the .grad array after three momentum steps (it must not be modified)")


# ------------------------------------------------------------------------------------------- 10.3
@graded("10.3")
def test_rmsprop_first_steps_by_hand(nb):
    # alpha 0.9, lr 0.1, θ = 1, gradient 2: v = 0.1 * 4 = 0.4 -> θ = 1 - 0.1 * 2 / √0.4 = 0.683772...
    # gradient 2 again: v = 0.36 + 0.4 = 0.76 -> θ -= 0.1 * 2 / √0.76.
    got = first_steps(lambda ps: nb.RMSProp(ps, lr=0.1, alpha=0.9, eps=0.0), [2.0, 2.0])
    first = 1 - 0.1 * 2 / np.sqrt(0.4)
    assert_close(got, [first, first - 0.1 * 2 / np.sqrt(0.76)],
                 msg="RMSProp(lr=0.1, alpha=0.9, eps=0) from 1 with gradient 2 twice")


@graded("10.3", hint="eps is added after the square root, not inside it.")
def test_rmsprop_eps_is_outside_the_root(nb):
    # gradient 0 at the first step: v = 0, so the step is 0 / (0 + eps) = 0 whatever eps; then gradient 1e-4
    # with alpha 0.5, eps 1e-4: v = 0.5e-8, √v ≈ 7.07e-5, step = 0.1 * 1e-4 / (7.07e-5 + 1e-4).
    got = first_steps(lambda ps: nb.RMSProp(ps, lr=0.1, alpha=0.5, eps=1e-4), [0.0, 1e-4])
    assert_close(got, [1.0, 1.0 - 0.1 * 1e-4 / (np.sqrt(0.5e-8) + 1e-4)],
                 msg="RMSProp(lr=0.1, alpha=0.5, eps=1e-4) from 1 with gradients 0, 1e-4")


@graded("10.3")
def test_rmsprop_trajectories_match_minitorch_optim(nb):
    compare_with_library(nb.RMSProp, optim.RMSprop, [
        dict(lr=0.01),
        dict(lr=0.05, alpha=0.9, eps=1e-6),
        dict(lr=0.02, weight_decay=0.1),
    ], "RMSProp")
    compare_groups(nb.RMSProp, optim.RMSprop, dict(lr=0.01), [{"alpha": 0.5}, {"lr": 0.1}], "RMSProp")


# ------------------------------------------------------------------------------------------- 10.4
def adam_by_hand(grads, lr, beta1, beta2, eps, bias_correction, start=1.0, slip=None):
    """Adam's first steps on one scalar; ``slip`` names a common mistake to reproduce instead (for diagnosis)."""
    theta, m, v, values = start, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        tc = t - 1 if slip == "t from 0" else t
        correct = bias_correction and slip != "no correction"
        m_hat, v_hat = (m / (1 - beta1**tc), v / (1 - beta2**tc)) if correct and tc > 0 else (m, v)
        if slip == "stores corrected":
            m, v = m_hat, v_hat
        root = np.sqrt(v_hat + eps) if slip == "eps inside" else np.sqrt(v_hat) + eps
        theta -= lr * m_hat / root
        values.append(theta)
    return values


ADAM_SLIPS = {
    "eps inside": "eps belongs outside the square root: the denominator is √v̂ + eps",
    "no correction": "the bias correction is missing: m and v start at 0, so divide them by 1 - beta**t",
    "t from 0": "the step count t must include this step (t = 1 at the first update) when you correct",
    "stores corrected": "store the running averages m and v in the state, not the corrected m̂ and v̂",
}


@graded("10.4", hint="With bias correction m̂_1 = g and v̂_1 = g², so the first step is lr * g / (|g| + eps): "
                     "about lr, whatever the size of g.")
def test_adam_first_step_is_lr_against_the_gradient_sign(nb):
    for g in [0.01, 5.0, -300.0]:
        got = first_steps(lambda ps: nb.Adam(ps, lr=0.1), [g])
        assert_close(got[0], 1.0 - 0.1 * np.sign(g), atol=1e-6,
                     msg=f"Adam(lr=0.1) from 1 after one step with gradient {g}")


@graded("10.4", hint="state['step'] counts the updates (1 at the first one); the correction divides by "
                     "1 - beta**t, with t the count *including* this step.")
def test_adam_steps_by_hand(nb):
    grads = [1.0, -2.0, 0.5, 3.0]
    for bias_correction in [True, False]:
        got = first_steps(lambda ps: nb.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8,
                                             bias_correction=bias_correction), grads)
        want = adam_by_hand(grads, 0.1, 0.8, 0.9, 1e-8, bias_correction)
        _diagnose_adam(got, want, grads, 1e-8, bias_correction)
        assert_close(got, want, rtol=1e-9, msg=f"Adam(lr=0.1, betas=(0.8, 0.9), bias_correction={bias_correction}) "
                                               f"from 1 with gradients {grads}")


def _diagnose_adam(got, want, grads, eps, bias_correction):
    """If the values are off in the way a known slip makes them, say which slip."""
    if np.allclose(got, want, rtol=1e-9, atol=0):
        return
    for slip, message in ADAM_SLIPS.items():
        if np.allclose(got, adam_by_hand(grads, 0.1, 0.8, 0.9, eps, bias_correction, slip=slip), rtol=1e-9, atol=0):
            raise AssertionError(f"Adam(lr=0.1, betas=(0.8, 0.9), eps={eps}, bias_correction={bias_correction}) from 1 "
                                 f"with gradients {grads}: your values {np.round(got, 6).tolist()} are what you get "
                                 f"when {message}")


@graded("10.4", hint="Look at where eps enters the step: it only protects the division from a zero denominator.")
def test_adam_eps_is_outside_the_root(nb):
    grads = [0.5, -0.25, 1.0]
    got = first_steps(lambda ps: nb.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=0.5), grads)
    want = adam_by_hand(grads, 0.1, 0.8, 0.9, 0.5, True)
    _diagnose_adam(got, want, grads, 0.5, True)
    assert_close(got, want, rtol=1e-9, msg=f"Adam(lr=0.1, betas=(0.8, 0.9), eps=0.5) from 1 with gradients {grads}")


@graded("10.4")
def test_adam_trajectories_match_minitorch_optim(nb):
    compare_with_library(nb.Adam, optim.Adam, [
        dict(lr=0.01),
        dict(lr=0.05, betas=(0.5, 0.99), eps=1e-6),
        dict(lr=0.02, weight_decay=0.1),
    ], "Adam")
    compare_groups(nb.Adam, optim.Adam, dict(lr=0.01), [{"betas": (0.8, 0.9)}, {"lr": 0.1}], "Adam")


@graded("10.4", hint="Keep one step counter per parameter (in its own state dict), not one for the optimizer.")
def test_adam_keeps_state_per_parameter(nb):
    # The second parameter receives its first gradient at step 3: its first step must be the bias-corrected
    # first step, lr against the gradient's sign.
    a, b = Param([1.0]), Param([1.0])
    opt = nb.Adam([a, b], lr=0.1)
    for step in range(3):
        a.grad = np.array([1.0])
        b.grad = np.array([2.0]) if step == 2 else None
        opt.step()
    assert_close(b.data, [0.9], rtol=1e-6, msg="a parameter's first Adam step (lr=0.1), taken at the optimizer's 3rd step")


# ------------------------------------------------------------------------------------------- 10.5
@contextlib.contextmanager
def _blaming_your_adam(nb):
    """AdamW is built on the notebook's Adam: when an AdamW check fails and that Adam is wrong, say so
    instead of blaming AdamW. (A stub's NotImplementedError passes through: not attempted.)"""
    try:
        yield
    except AssertionError:
        try:
            ok = np.allclose(trajectory(lambda ps: nb.Adam(ps, lr=0.02, weight_decay=0.1), steps=5),
                             trajectory(lambda ps: optim.Adam(ps, lr=0.02, weight_decay=0.1), steps=5),
                             rtol=RTOL, atol=ATOL)
        except Exception as e:  # the learner's Adam raised
            raise AssertionError(f"AdamW builds on your Adam from 10.4, which raised {type(e).__name__}: make "
                                 "10.4 pass first") from None
        if not ok:
            raise AssertionError("AdamW builds on your Adam from 10.4, which does not match minitorch.optim.Adam "
                                 "yet: make 10.4 pass first, then come back") from None
        raise


@graded("10.5", hint="With a zero gradient Adam's step is 0, so AdamW must only shrink: θ ← θ (1 - lr * weight_decay).")
def test_adamw_with_zero_gradient_only_decays(nb):
    with _blaming_your_adam(nb):
        got = first_steps(lambda ps: nb.AdamW(ps, lr=0.1, weight_decay=0.5), [0.0, 0.0, 0.0], start=2.0)
        assert_close(got, [2.0 * 0.95, 2.0 * 0.95**2, 2.0 * 0.95**3],
                     msg="AdamW(lr=0.1, weight_decay=0.5) from 2 with zero gradients: 2 * 0.95^t")


@graded("10.5")
def test_adamw_default_weight_decay_is_one_percent(nb):
    with _blaming_your_adam(nb):
        got = first_steps(lambda ps: nb.AdamW(ps, lr=0.1), [0.0], start=1.0)
        assert_close(got, [1.0 - 0.1 * 1e-2], msg="AdamW(lr=0.1) from 1 with a zero gradient (default weight_decay=1e-2)")


@graded("10.5", hint="Decay the weights first, directly; then take Adam's step with the weight decay switched off "
                     "in the group it sees, so that the decay never enters m and v.")
def test_adamw_trajectories_match_minitorch_optim(nb):
    with _blaming_your_adam(nb):
        compare_with_library(nb.AdamW, optim.AdamW, [
            dict(lr=0.01),
            dict(lr=0.05, weight_decay=0.3),
            dict(lr=0.02, betas=(0.5, 0.99), eps=1e-6, weight_decay=0.1),
        ], "AdamW")
        compare_groups(nb.AdamW, optim.AdamW, dict(lr=0.01), [{"weight_decay": 0.5}, {"lr": 0.1}], "AdamW")


@graded("10.5")
def test_adamw_is_not_adam_with_l2(nb):
    with _blaming_your_adam(nb):
        decoupled = trajectory(lambda ps: nb.AdamW(ps, lr=0.05, weight_decay=0.3))
        l2 = trajectory(lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.3))
        assert np.abs(decoupled - l2).max() > 1e-3, \
            "AdamW(weight_decay=0.3) followed Adam's L2 trajectory: the decay should not be added to the gradient"
