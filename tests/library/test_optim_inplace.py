"""The optimizers update in place with reused scratch arrays -- and give, bit for bit, the numbers of the
textbook out-of-place formulas.

The references below are the update rules written the plain way (``m = m + (1 - b1) * (g - m)``, new
arrays everywhere), as each optimizer's docstring states them and as minitorch computed them before
its updates were made in place. The comparison is exact (the bytes of every parameter and state
array after every step), over every option, in float32 and float64. Agreement with PyTorch's numbers
is tested separately (test_optim.py, against tests/references/optim_reference.npz).
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch import nn, optim

SHAPES = [(5, 4), (4,), ()]
STEPS = 12


def sgd_reference(p: np.ndarray, grad: np.ndarray, s: dict[str, Any], lr: float, momentum: float,
                  dampening: float, weight_decay: float, nesterov: bool, maximize: bool) -> None:
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        b = s.get("momentum_buffer")
        b = g.copy() if b is None else momentum * b + (1 - dampening) * g
        s["momentum_buffer"] = b
        g = g + momentum * b if nesterov else b
    p -= lr * g


def adam_reference(p: np.ndarray, grad: np.ndarray, s: dict[str, Any], lr: float, betas: tuple[float, float],
                   eps: float, weight_decay: float, amsgrad: bool, maximize: bool, decoupled: bool) -> None:
    beta1, beta2 = betas
    if not s:
        s.update(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
        if amsgrad:
            s["max_exp_avg_sq"] = np.zeros_like(p)
    s["step"] += 1
    t = s["step"]
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m = s["exp_avg"] = s["exp_avg"] + (1 - beta1) * (g - s["exp_avg"])
    v = s["exp_avg_sq"] = beta2 * s["exp_avg_sq"] + (1 - beta2) * g * g
    step_size = lr / (1 - beta1 ** t)
    if amsgrad:
        v = s["max_exp_avg_sq"] = np.maximum(s["max_exp_avg_sq"], v)
    p -= step_size * m / (np.sqrt(v) / (1 - beta2 ** t) ** 0.5 + eps)


def rmsprop_reference(p: np.ndarray, grad: np.ndarray, s: dict[str, Any], lr: float, alpha: float, eps: float,
                      weight_decay: float, momentum: float, centered: bool, maximize: bool) -> None:
    if not s:
        s.update(step=0, square_avg=np.zeros_like(p))
        if momentum > 0:
            s["momentum_buffer"] = np.zeros_like(p)
        if centered:
            s["grad_avg"] = np.zeros_like(p)
    s["step"] += 1
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * p
    v = s["square_avg"] = alpha * s["square_avg"] + (1 - alpha) * g * g
    if centered:
        g_avg = s["grad_avg"] = s["grad_avg"] + (1 - alpha) * (g - s["grad_avg"])
        v = v - g_avg * g_avg
    denominator = np.sqrt(v) + eps
    if momentum > 0:
        b = s["momentum_buffer"] = momentum * s["momentum_buffer"] + g / denominator
        p -= lr * b
    else:
        p -= lr * g / denominator


def same_bits(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def run_both(make_optimizer: Any, reference: Any, options: dict[str, Any], dtype: type, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    params = [nn.Parameter(minitorch.tensor(v.copy())) for v in values]
    opt = make_optimizer(params)
    expected = [v.copy() for v in values]
    states: list[dict[str, Any]] = [{} for _ in values]
    for step in range(STEPS):
        grads = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
        for param, g in zip(params, grads):
            param.grad = minitorch.tensor(g) if step % 2 else g  # a Tensor or a bare ndarray
        opt.step()
        for i, g in enumerate(grads):
            reference(expected[i], g, states[i], **options)
            assert same_bits(params[i].data, expected[i]), f"{options} {dtype.__name__}: parameter {i}, step {step + 1}"
            for key, value in states[i].items():
                assert same_bits(opt.state[params[i]][key], value), f"{options}: state {key!r} of parameter {i}"


DTYPES = st.sampled_from([np.float32, np.float64])


@settings(max_examples=40, deadline=None)
@given(momentum=st.sampled_from([0.0, 0.9]), dampening=st.sampled_from([0.0, 0.3]), nesterov=st.booleans(),
       weight_decay=st.sampled_from([0.0, 0.1]), maximize=st.booleans(), dtype=DTYPES, seed=st.integers(0, 99))
def test_sgd_is_bit_identical_to_the_out_of_place_formula(momentum, dampening, nesterov, weight_decay, maximize,
                                                          dtype, seed):
    nesterov = nesterov and momentum > 0 and dampening == 0
    options = dict(lr=0.05, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                   maximize=maximize)
    run_both(lambda ps: optim.SGD(ps, **options), sgd_reference, options, dtype, seed)


@settings(max_examples=40, deadline=None)
@given(weight_decay=st.sampled_from([0.0, 0.1]), amsgrad=st.booleans(), maximize=st.booleans(),
       decoupled=st.booleans(), dtype=DTYPES, seed=st.integers(0, 99))
def test_adam_and_adamw_are_bit_identical_to_the_out_of_place_formula(weight_decay, amsgrad, maximize, decoupled,
                                                                       dtype, seed):
    options = dict(lr=0.01, betas=(0.8, 0.95), eps=1e-8, weight_decay=weight_decay, amsgrad=amsgrad,
                   maximize=maximize)
    cls = optim.AdamW if decoupled else optim.Adam
    run_both(lambda ps: cls(ps, **options), adam_reference, {**options, "decoupled": decoupled}, dtype, seed)


@settings(max_examples=40, deadline=None)
@given(momentum=st.sampled_from([0.0, 0.9]), centered=st.booleans(), weight_decay=st.sampled_from([0.0, 0.1]),
       maximize=st.booleans(), dtype=DTYPES, seed=st.integers(0, 99))
def test_rmsprop_is_bit_identical_to_the_out_of_place_formula(momentum, centered, weight_decay, maximize, dtype,
                                                              seed):
    options = dict(lr=0.01, alpha=0.9, eps=1e-8, weight_decay=weight_decay, momentum=momentum, centered=centered,
                   maximize=maximize)
    run_both(lambda ps: optim.RMSprop(ps, **options), rmsprop_reference, options, dtype, seed)


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True),
    lambda ps: optim.Adam(ps, weight_decay=0.01, amsgrad=True, maximize=True),
    lambda ps: optim.AdamW(ps),
    lambda ps: optim.RMSprop(ps, momentum=0.9, centered=True, weight_decay=0.01, maximize=True),
], ids=["SGD", "Adam", "AdamW", "RMSprop"])
def test_a_step_updates_state_in_place_and_allocates_no_parameter_sized_array(make):
    """After the first step (which creates the state and the scratch arrays), a step allocates
    nothing the size of a parameter, and the state arrays stay the same objects, as in PyTorch."""
    rng = np.random.default_rng(0)
    params = [nn.Parameter(minitorch.tensor(rng.standard_normal((400, 250)))) for _ in range(2)]  # 800 kB each
    for p in params:
        p.grad = minitorch.tensor(rng.standard_normal(p.shape))
    opt = make(params)
    opt.step()
    arrays = {id(v) for p in params for v in opt.state[p].values() if isinstance(v, np.ndarray)}
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < params[0].data.nbytes / 4, f"a step allocated {peak} bytes (a parameter is {params[0].data.nbytes})"
    assert {id(v) for p in params for v in opt.state[p].values() if isinstance(v, np.ndarray)} == arrays


def test_scratch_arrays_are_not_saved_and_do_not_leak_into_the_state():
    (p,) = [nn.Parameter(minitorch.tensor(np.ones((3, 2))))]
    p.grad = minitorch.tensor(np.full((3, 2), 0.5))
    opt = optim.Adam([p])
    opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq"}
    assert set(opt.state_dict()["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}


def test_parameters_of_one_shape_in_two_dtypes_each_get_scratch_of_their_own_dtype():
    """``_scratch`` finds its buffers by shape and checks the dtype: float32 and float64 parameters
    of the same shape, updated one after the other, are each computed in their own precision (bit for
    bit the reference) and, after the first step, allocate nothing parameter-sized."""
    rng = np.random.default_rng(3)
    dtypes = [np.float32, np.float64, np.float32, np.float64]
    values = [rng.standard_normal((400, 250)).astype(dtype) for dtype in dtypes]
    params = [nn.Parameter(minitorch.tensor(v.copy())) for v in values]
    options = dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, nesterov=False, maximize=True)
    opt = optim.SGD(params, **options)
    expected, states = [v.copy() for v in values], [{} for _ in values]
    for step in range(3):
        grads = [rng.standard_normal((400, 250)).astype(dtype) for dtype in dtypes]
        for param, g in zip(params, grads):
            param.grad = minitorch.tensor(g)
        if step == 2:
            tracemalloc.start()
        try:
            opt.step()
            peak = tracemalloc.get_traced_memory()[1] if step == 2 else 0
        finally:
            tracemalloc.stop()
        assert peak < values[0].nbytes / 4, f"step {step + 1} allocated {peak} bytes"
        for i, g in enumerate(grads):
            sgd_reference(expected[i], g, states[i], **options)
            assert same_bits(params[i].data, expected[i]), f"parameter {i} ({dtypes[i].__name__}), step {step + 1}"
