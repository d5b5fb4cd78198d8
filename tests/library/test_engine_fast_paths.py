"""The invariants behind the engine's speed-ups (issue 18; benchmarks/ENGINE_PLAN.md).

* A Python number meeting a floating tensor is not wrapped into a constant Tensor: the result
  keeps the tensor's dtype and equals, bit for bit, the same op with the number as a 0-d tensor of
  that dtype; gradients match finite differences.
* backward() adds gradients in place only into arrays it allocated itself: an array the caller,
  a hook, ``autograd.grad`` or another tensor can see is never written to.
* ``nn.Module`` mirrors its registries in the instance ``__dict__``: after any change — through
  attributes, ``register_*``, ``del``, or the registry dicts themselves — ``module.name`` is what
  PyTorch's lookup would give (the first registry holding the name), and nothing stale is left.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch
from minitorch import nn
from minitorch.testing import gradcheck

examples = settings(max_examples=40, deadline=None)

# ---------------------------------------------------------------------- Python numbers as operands
NUMBER_OPS = {
    "x + c": (lambda x, c: x + c, np.add, False),
    "c + x": (lambda x, c: c + x, np.add, True),
    "x - c": (lambda x, c: x - c, np.subtract, False),
    "c - x": (lambda x, c: c - x, np.subtract, True),
    "x * c": (lambda x, c: x * c, np.multiply, False),
    "c * x": (lambda x, c: c * x, np.multiply, True),
    "x / c": (lambda x, c: x / c, np.true_divide, False),
    "c / x": (lambda x, c: c / x, np.true_divide, True),
}
NUMBERS = st.one_of(st.floats(-3, 3, allow_nan=False).filter(lambda c: abs(c) > 0.1),
                    st.integers(-5, 5).filter(lambda c: c != 0))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", list(NUMBER_OPS))
@examples
@given(data=st.data())
def test_a_python_number_keeps_the_tensor_dtype_and_the_exact_values(name, dtype, data):
    op, ufunc, reflected = NUMBER_OPS[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), label="shape")
    values = data.draw(hnp.arrays(dtype, shape, elements=st.floats(0.25, 4, width=16)), label="x")
    c = data.draw(NUMBERS, label="c")
    out = op(minitorch.tensor(values), c)
    assert out.dtype == dtype, f"{name} on {np.dtype(dtype)} gave {out.dtype}"
    # the reference: numpy with the number as a 0-d array of the tensor's dtype (the old path)
    number = np.asarray(c, dtype=dtype)
    expected = ufunc(number, values) if reflected else ufunc(values, number)
    np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("name", list(NUMBER_OPS))
@examples
@given(data=st.data())
def test_gradients_of_python_number_operands_match_finite_differences(name, data):
    op = NUMBER_OPS[name][0]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), label="shape")
    values = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0.5, 2.0)), label="x")  # away from 0 (c / x)
    c = data.draw(NUMBERS, label="c")
    assert gradcheck(lambda x: op(x, c), minitorch.tensor(values, requires_grad=True))


def test_a_python_number_is_not_a_graph_input_but_integer_and_bool_tensors_still_promote():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    assert len((x * 0.5)._prev) == 1 and len((2 - x)._prev) == 1  # no constant leaf for the number
    assert (minitorch.tensor([1, 2]) * 0.5).dtype == np.float32  # int tensor * float: PyTorch's float32
    assert (minitorch.tensor([1, 2], dtype=np.int32) + 1).dtype == np.int32
    assert (minitorch.tensor([True, False]) + 1).dtype == np.int64
    assert (minitorch.tensor([1.0, 2.0]) * True).dtype == np.float32  # bool is not taken as a number here
    with pytest.raises(TypeError, match="cannot combine a Tensor with str"):
        minitorch.tensor([1.0]) * "2"


@pytest.mark.parametrize("name", list(NUMBER_OPS))
def test_a_drawing_still_shows_a_python_number_as_a_box(name):
    op, _, reflected = NUMBER_OPS[name]
    x = minitorch.tensor([1.0, 2.0], requires_grad=True, label="x")
    c = minitorch.tensor(0.5)  # what the number used to become: a 0-d constant of x's dtype
    with_number = minitorch.draw_graph(op(x, 0.5))
    with_tensor = minitorch.draw_graph(op(x, c))
    assert with_number.source == with_tensor.source
    assert "0.5000" in with_number.source


# ---------------------------------------------------------------------- in-place accumulation
def test_a_weight_used_many_times_gets_the_exact_sum_of_its_contributions():
    rng = np.random.default_rng(0)
    w = minitorch.tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True)
    xs = [rng.standard_normal((3, 3)).astype(np.float32) for _ in range(20)]
    total = None
    for x in xs:
        term = (w * minitorch.tensor(x)).sum()
        total = term if total is None else total + term
    total.backward()
    expected = xs[0].copy()
    for x in xs[1:]:
        expected = expected + x  # the same additions in the same order, out of place
    np.testing.assert_array_equal(w.grad.data, expected)


def test_backward_never_writes_into_the_callers_gradient():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = x + x + x + x  # fan-in 4 on x; the seed flows unchanged through every add
    seed = minitorch.tensor([1.0, 10.0, 100.0])
    before = seed.data.copy()
    out.backward(seed)
    np.testing.assert_array_equal(seed.data, before)
    np.testing.assert_array_equal(x.grad.data, 4 * before)


@pytest.mark.parametrize("h_first", [True, False])
def test_a_gradient_seen_by_a_hook_or_kept_by_retain_grad_is_not_changed_afterwards(h_first):
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    h = x + 0.0  # h's gradient goes on to x as it is (the same array)
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g) or None)
    through_h = (h * 2.0).sum() + (h * 3.0).sum() + (h * 4.0).sum()
    direct = (x * 5.0).sum() + (x * 6.0).sum()  # more gradient for x, before or after h's
    (through_h + direct if h_first else direct + through_h).backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0].data, [9.0, 9.0])
    np.testing.assert_array_equal(h.grad.data, [9.0, 9.0])
    np.testing.assert_array_equal(x.grad.data, [20.0, 20.0])


def test_leaves_never_share_their_grad_arrays():
    a = minitorch.tensor(np.ones((2, 3)), requires_grad=True)
    b = minitorch.tensor(np.ones((2, 3)), requires_grad=True)
    c = minitorch.tensor(np.ones(3), requires_grad=True)
    out = a + b + c + c + a  # add hands the very same array to both inputs
    out.sum().backward()
    arrays = [a.grad.data, b.grad.data, c.grad.data]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.shares_memory(arrays[i], arrays[j])
    a.grad.data[...] = 0  # what an optimizer's in-place update may do
    np.testing.assert_array_equal(b.grad.data, np.ones((2, 3)))


def test_autograd_grad_results_are_not_written_to_later():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    out = (h + h + h).sum() + (h * x).sum()
    (gh, gx) = minitorch.autograd.grad(out, (h, x))
    np.testing.assert_array_equal(gh.data, 3 + x.data)
    np.testing.assert_array_equal(gx.data, 3 * (3 + x.data) + h.data)


def test_an_error_part_way_through_backward_leaves_no_gradient_waiting():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    e = y.exp()  # saves its output, which is then changed in place
    loss = (e * 2.0).sum() + (y * 3.0).sum()
    with minitorch.no_grad():
        e.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    assert x._pending is None and y._pending is None
    x.grad = None
    (y * 3.0).sum().backward()  # a fresh graph through y: only its own gradient arrives
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_a_fresh_weight_gradient_becomes_grad_without_a_copy_and_is_shared_with_nothing():
    rng = np.random.default_rng(1)
    x = minitorch.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    w = minitorch.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = minitorch.tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    h = nn.functional.linear(x, w, b)
    h.retain_grad()
    (h * h).sum().backward()
    g = 2 * (x.data @ w.data.T + b.data)  # dL/dh, by hand
    np.testing.assert_allclose(w.grad.data, g.T @ x.data, rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, g @ w.data, rtol=1e-6)
    np.testing.assert_allclose(b.grad.data, g.sum(axis=0), rtol=1e-6)
    arrays = [x.grad.data, w.grad.data, b.grad.data, h.grad.data, x.data, w.data, b.data]
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            assert not np.shares_memory(arrays[i], arrays[j]), (i, j)


@pytest.mark.parametrize("order", ["mine first", "mine last", "mine alone"])
def test_an_array_a_closure_backward_kept_is_never_written_into(order):
    kept = np.full(3, 5.0)

    def backward(g):
        return (kept,)  # an op of one's own returning an array it holds on to: not listed as fresh

    x = minitorch.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    y = minitorch.Tensor._from_op(x.data * 2, (x,), "mine", backward)
    loss = {"mine first": lambda: y.sum() + (x * 7.0).sum(), "mine last": lambda: (x * 7.0).sum() + y.sum(),
            "mine alone": lambda: y.sum()}[order]()
    loss.backward()
    np.testing.assert_array_equal(kept, [5.0, 5.0, 5.0])
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0, 5.0] if order == "mine alone" else [12.0, 12.0, 12.0])
    x.grad.data[...] = 0
    np.testing.assert_array_equal(kept, [5.0, 5.0, 5.0])


def test_the_engines_fresh_backwards_return_new_arrays_distinct_from_g_and_each_other():
    from minitorch.tensor.autograd import _FRESH
    from minitorch.nn.functional import _linear_backward
    from minitorch.tensor.tensor import Tensor as T

    rng = np.random.default_rng(2)
    g, a, b, out = (rng.uniform(1, 2, (2, 3)) for _ in range(4))
    sq = rng.uniform(1, 2, (3, 3))
    calls = {  # every backward declared fresh, with the arguments its op saves
        T._sub_backward: (g,), T._mul_backward: (g, a, b), T._div_backward: (g, b, out, True, True),
        T._matmul_backward: (g, a, sq, True, True), T._neg_backward: (g,), T._pow_backward: (g, a, 2.5),
        T._exp_backward: (g, out), T._log_backward: (g, a), T._sqrt_backward: (g, out), T._tanh_backward: (g, out),
        T._sigmoid_backward: (g, out), T._relu_backward: (g, out), T._abs_backward: (g, a),
        T._mul_number_backward: (g, 0.5), T._rmul_number_backward: (g, 0.5), T._div_number_backward: (g, 0.5),
        T._rsub_number_backward: (g, 0.5), T._rdiv_number_backward: (g, 0.5, a, out),
        _linear_backward: (g, rng.uniform(1, 2, (2, 4)), rng.uniform(1, 2, (3, 4)), False),
    }
    assert set(calls) == _FRESH
    for backward, args in calls.items():
        results = [r for r in backward(*args) if r is not None and r is not g]
        assert results, backward.__name__
        for i, r in enumerate(results):
            assert all(not np.shares_memory(r, x) for x in args if isinstance(x, np.ndarray)), backward.__name__
            assert all(not np.shares_memory(r, s) for s in results[i + 1:]), backward.__name__


# ---------------------------------------------------------------------- Module attribute mirror
NAMES = ["a", "b", "c"]
REGISTRIES = ("_parameters", "_buffers", "_modules")


def _value(kind: str):
    if kind == "parameter":
        return nn.Parameter(minitorch.zeros(2))
    if kind == "buffer":
        return minitorch.zeros(2)
    if kind == "module":
        return nn.Linear(1, 1)
    return None


def _apply(m: nn.Module, plain: set[str], action: tuple) -> None:
    """One mutation; ``plain`` tracks the names that are plain attributes (in ``__dict__`` but in no
    registry). Errors the library raises on purpose (e.g. a kind change through assignment) are
    part of the behaviour and leave the module as it was."""
    how, name, kind = action
    value = _value(kind)
    registry = {"parameter": "_parameters", "buffer": "_buffers", "module": "_modules"}.get(kind, "_buffers")
    registered = any(name in m.__dict__[r] for r in REGISTRIES)
    try:
        if how == "setattr":
            if kind == "buffer" and name not in m._buffers:
                value = 3  # a plain attribute (a Tensor assigned to a new name is plain too, in PyTorch)
            setattr(m, name, value)
            if isinstance(value, (nn.Parameter, nn.Module)):
                plain.discard(name)
            elif not registered:
                plain.add(name)
        elif how == "register":
            {"parameter": m.register_parameter, "buffer": m.register_buffer,
             "module": m.add_module}[kind](name, value)
        elif how == "delattr":
            delattr(m, name)
            plain.discard(name)
        elif name in plain:
            return  # editing a registry under a plain attribute's name: out of scope (see the module docstring)
        elif how == "dict_set":
            getattr(m, registry)[name] = value
        elif how == "dict_pop":
            getattr(m, registry).pop(name, None)
        elif how == "dict_del":
            del getattr(m, registry)[name]
        elif how == "dict_update":
            getattr(m, registry).update({name: value})
        elif how == "dict_clear":
            getattr(m, registry).clear()
    except (TypeError, KeyError, AttributeError):
        pass


def _check_mirror(m: nn.Module, plain: set[str]) -> None:
    for name in NAMES:
        holders = [r for r in REGISTRIES if name in m.__dict__[r]]
        if holders:  # PyTorch's lookup: the first registry that has the name
            expected = m.__dict__[holders[0]][name]
            assert m.__dict__[name] is expected and getattr(m, name) is expected
        elif name not in plain:
            assert name not in m.__dict__
            with pytest.raises(AttributeError):
                getattr(m, name)


ACTIONS = st.tuples(st.sampled_from(["setattr", "register", "delattr", "dict_set", "dict_pop", "dict_del",
                                     "dict_update", "dict_clear"]),
                    st.sampled_from(NAMES), st.sampled_from(["parameter", "buffer", "module", "none"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(ACTIONS, max_size=25))
def test_the_attribute_mirror_follows_every_change_of_the_registries(actions):
    m = nn.Module()
    plain: set[str] = set()
    for action in actions:
        _apply(m, plain, action)
        _check_mirror(m, plain)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        _check_mirror(clone, plain)
        for name in NAMES:  # the copy's registries update the copy's mirror, not the original's
            if name in clone._parameters:
                clone._parameters[name] = None
                assert clone.__dict__[name] is None
                _check_mirror(m, plain)


def test_the_mirror_survives_the_everyday_paths():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    lin = model[0]
    calls = []
    handle = lin.register_forward_hook(lambda mod, args, out: calls.append(out.shape))
    model(minitorch.zeros(4, 2))
    assert calls == [(4, 3)]
    handle.remove()
    model.load_state_dict({k: v.data + 1 for k, v in model.state_dict().items()})
    model.apply(lambda mod: None).double()
    assert lin.weight is lin._parameters["weight"] and lin.weight.dtype == np.float64
    lin.bias = None
    assert lin.bias is None and lin._parameters["bias"] is None and "bias" in lin.__dict__
    with pytest.raises(TypeError, match="it is a parameter"):
        lin.weight = minitorch.zeros(3, 2)  # a plain Tensor cannot replace a parameter
    new = nn.Parameter(minitorch.ones(3, 2))
    lin.weight = new
    assert lin.weight is new and [p is new for p in lin.parameters()] == [True]
    del lin.weight
    assert "weight" not in lin.__dict__ and "weight" not in lin._parameters
    copied = lin._parameters.copy()  # a copy belongs to no module
    copied["bias"] = nn.Parameter(minitorch.ones(1))
    assert lin.bias is None
    model._modules.pop("2")
    assert len(model) == 2 and "2" not in model.__dict__


def test_a_shallow_copy_shares_the_registries_and_sees_every_change():
    lin = nn.Linear(2, 3)
    twin = copy.copy(lin)
    assert twin._parameters is lin._parameters and twin.weight is lin.weight
    new = nn.Parameter(minitorch.ones(3, 2))
    twin.weight = new
    twin._parameters["bias"] = None
    assert lin.weight is new and twin.weight is new and lin.bias is None and twin.bias is None
    del lin.weight
    with pytest.raises(AttributeError):
        twin.weight


def test_a_registry_entry_edited_in_under_a_plain_attribute_wins():
    """docs/pytorch-differences.md: PyTorch would return the plain attribute here."""
    m = nn.Module()
    m.scale = 3
    p = nn.Parameter(minitorch.ones(1))
    m._parameters["scale"] = p  # only possible by editing the registry directly
    assert m.scale is p


def test_a_module_without_forward_still_says_so():
    class NoForward(nn.Module):
        pass

    with pytest.raises(TypeError, match="NoForward has no forward method"):
        NoForward()(minitorch.zeros(1))
