"""minitorch.Value: every op against math (forward) and central finite differences (backward).

References are independent of the code under test: forward values come from ``math``, gradients
from central differences of those same ``math`` functions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minitorch import Value
from minitorch.testing import assert_close, numerical_gradient


def finite(lo: float, hi: float, away_from: float | None = None, margin: float = 1e-3) -> st.SearchStrategy:
    s = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if away_from is not None:
        s = s.filter(lambda x: abs(x - away_from) > margin)
    return s


def numeric_grad(f, xs: list[float]) -> list[float]:
    """Central differences with a step relative to each input's size."""
    h = 1e-6 * max(1.0, *(abs(x) for x in xs))
    return numerical_gradient(lambda v: f(*v), xs, eps=h)


def check_op(op, ref, *xs: float, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    leaves = [Value(x) for x in xs]
    out = op(*leaves)
    assert_close(out.data, ref(*xs), rtol=1e-12, atol=1e-300, msg=f"forward at {xs}")
    out.backward()
    assert_close([v.grad for v in leaves], numeric_grad(ref, list(xs)), rtol=rtol, atol=atol,
                 msg=f"gradient at {xs}")


SMOOTH_UNARY = {
    "neg": (lambda v: -v, lambda x: -x, finite(-100, 100)),
    "exp": (lambda v: v.exp(), math.exp, finite(-20, 20)),
    "log": (lambda v: v.log(), math.log, finite(0.01, 100)),
    "tanh": (lambda v: v.tanh(), math.tanh, finite(-5, 5)),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), finite(-20, 20)),
    # relu is smooth away from its kink at 0
    "relu": (lambda v: v.relu(), lambda x: max(0.0, x), finite(-10, 10, away_from=0.0)),
}


@pytest.mark.parametrize("name", SMOOTH_UNARY)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_unary_op_matches_math_and_finite_differences(name, data):
    op, ref, domain = SMOOTH_UNARY[name]
    check_op(op, ref, data.draw(domain, label="x"))


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, finite(-100, 100), finite(-100, 100)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, finite(-100, 100), finite(-100, 100)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, finite(-100, 100), finite(-100, 100)),
    "truediv": (lambda a, b: a / b, lambda a, b: a / b, finite(-100, 100), finite(-10, 10, away_from=0.0, margin=0.1)),
    "pow with a Value exponent": (lambda a, b: a**b, lambda a, b: a**b, finite(0.1, 10), finite(-3, 3)),
}


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_binary_op_matches_math_and_finite_differences(name, data):
    op, ref, left, right = BINARY[name]
    check_op(op, ref, data.draw(left, label="a"), data.draw(right, label="b"))


REFLECTED = {  # a plain number on the left: Python calls Value.__r<op>__
    "radd": (lambda c, v: c + v, finite(-100, 100)),
    "rsub": (lambda c, v: c - v, finite(-100, 100)),
    "rmul": (lambda c, v: c * v, finite(-100, 100)),
    "rtruediv": (lambda c, v: c / v, finite(-10, 10, away_from=0.0, margin=0.1)),
    "rpow": (lambda c, v: c**v, finite(-3, 3)),
}


@pytest.mark.parametrize("name", REFLECTED)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_reflected_op_with_a_number_on_the_left(name, data):
    op, domain = REFLECTED[name]
    c = data.draw(finite(0.1, 10) if name == "rpow" else finite(-10, 10), label="c")
    x = data.draw(domain, label="x")
    check_op(lambda v: op(c, v), lambda x: op(c, x), x)


@settings(max_examples=80, deadline=None)
@given(x=finite(0.05, 20), n=st.sampled_from([-3, -2, -1, -0.5, 0.5, 1, 1.5, 2, 3]))
def test_pow_with_a_number_exponent(x, n):
    check_op(lambda v: v**n, lambda x: x**n, x)


@settings(max_examples=40, deadline=None)
@given(x=finite(-20, -0.05), n=st.sampled_from([-2, -1, 2, 3, 4.0]))
def test_pow_of_a_negative_base_with_an_integer_exponent(x, n):
    check_op(lambda v: v**n, lambda x: x**n, x)


@settings(max_examples=60, deadline=None)
@given(a=finite(-3, 3), b=finite(-3, 3), c=finite(0.5, 3))
def test_composite_expression_matches_finite_differences(a, b, c):
    def ref(a, b, c):
        return math.tanh(a * b + c) * math.exp(-b / c) + math.log(c) ** 2 - 1 / (1 + math.exp(-a))

    check_op(lambda a, b, c: (a * b + c).tanh() * (-b / c).exp() + c.log() ** 2 - a.sigmoid(), ref, a, b, c)


# ---------------------------------------------------------------------------- accumulation
def test_a_plus_a_gives_gradient_two():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0, f"d(a + a)/da should be 2, got {a.grad}"


def test_a_times_a_gives_gradient_two_a():
    a = Value(-1.5)
    (a * a).backward()
    assert a.grad == -3.0, f"d(a * a)/da at a = -1.5 should be -3, got {a.grad}"


def test_diamond_sums_both_paths():
    # a feeds b and c, which meet again in d = b * c:  dd/da = 2 c + b
    a = Value(2.0)
    b = a * 2
    c = a + 3
    d = b * c
    d.backward()
    assert a.grad == 2 * 5.0 + 4.0, f"dd/da should be 2c + b = 14, got {a.grad}"
    assert (b.grad, c.grad) == (5.0, 4.0), f"dd/db = c = 5 and dd/dc = b = 4, got {(b.grad, c.grad)}"


def test_a_node_used_many_times_accumulates_every_use():
    x = Value(0.7)
    y = x
    for _ in range(10):
        y = y * x  # x ** 11, x used 11 times
    y.backward()
    assert_close(x.grad, 11 * 0.7**10, msg="d(x^11)/dx via repeated multiplication")


def test_second_backward_accumulates_into_leaves_and_resets_intermediates():
    a, b = Value(2.0), Value(-3.0)
    mid = a * b
    out = mid.tanh()
    out.backward()
    first = (a.grad, b.grad, mid.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1]), \
        f"leaves accumulate across backward calls: expected {(2 * first[0], 2 * first[1])}, got {(a.grad, b.grad)}"
    assert mid.grad == first[2], f"intermediate grads are reset each backward: expected {first[2]}, got {mid.grad}"
    assert out.grad == 1.0, f"the root's grad is d(out)/d(out) = 1 after each backward, got {out.grad}"


def test_backward_on_a_leaf_sets_its_grad_to_one():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0, f"d(a)/d(a) = 1, got {a.grad}"


def test_a_chain_of_100000_ops_backprops_without_recursion_error():
    x, w = Value(1.0), Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * w
    y.backward()  # a recursive topological sort would raise RecursionError here
    assert (x.grad, w.grad) == (1.0, 100_000.0), f"expected (1, 100000), got {(x.grad, w.grad)}"


def test_topological_order_puts_every_node_after_its_parents():
    a, b = Value(1.0), Value(2.0)
    out = ((a * b + a).exp() * b - a).relu()
    order = out._topological_order()
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order), "every node appears once"
    for node in order:
        for parent in node._prev:
            assert position[id(parent)] < position[id(node)], f"{parent} comes after its child {node}"
    assert order[-1] is out, "the root comes last"


# ---------------------------------------------------------------------------- numerics
@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, -1.0)])
def test_tanh_saturates_without_overflow(x, expected):
    v = Value(x)
    out = v.tanh()
    out.backward()
    assert (out.data, v.grad) == (expected, 0.0), f"tanh({x}) = {expected} with gradient 0, got {(out.data, v.grad)}"


@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, 0.0)])
def test_sigmoid_saturates_without_overflow(x, expected):
    v = Value(x)
    out = v.sigmoid()
    out.backward()
    assert (out.data, v.grad) == (expected, 0.0), \
        f"sigmoid({x}) = {expected} with gradient 0, got {(out.data, v.grad)}"


def test_sigmoid_keeps_tiny_values_for_large_negative_inputs():
    # The naive 1 / (1 + exp(-x)) overflows exp(700) long before this; exp(-700) is still representable.
    assert_close(Value(-700.0).sigmoid().data, math.exp(-700.0), rtol=1e-12, msg="sigmoid(-700)")


def test_exp_overflows_to_inf_with_inf_gradient():
    v = Value(1000.0)
    out = v.exp()
    out.backward()
    assert out.data == math.inf and v.grad == math.inf, f"exp(1000) -> (inf, grad inf), got {(out.data, v.grad)}"
    assert Value(-1000.0).exp().data == 0.0, "exp(-1000) underflows to 0"


def test_pow_overflows_to_signed_inf():
    assert (Value(10.0) ** 400).data == math.inf, "10 ** 400 overflows to inf"
    assert (Value(-10.0) ** 401).data == -math.inf, "(-10) ** 401 overflows to -inf"


def test_pow_edge_cases_at_zero():
    for n, value, grad in [(0, 1.0, 0.0), (2, 0.0, 0.0), (1, 0.0, 1.0), (0.5, 0.0, math.inf)]:
        x = Value(0.0)
        out = x**n
        out.backward()
        assert (out.data, x.grad) == (value, grad), f"0 ** {n}: expected value {value}, grad {grad}; got {(out.data, x.grad)}"


def test_relu_gradient_at_the_kink_is_zero():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0, f"relu'(0) is taken as 0 (like PyTorch), got {x.grad}"


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", ["1.5", None, [1.0], True, 1 + 2j])
def test_constructor_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=r"Value\(data\): expected a real number"):
        Value(bad)


def test_constructor_rejects_a_value_and_says_how_to_copy_it():
    with pytest.raises(TypeError, match=r"v\.data"):
        Value(Value(1.0))


@pytest.mark.parametrize("op, symbol", [
    (lambda v: v + "a", r"\+"), (lambda v: "a" + v, r"\+"), (lambda v: v - [1], "-"), (lambda v: [1] - v, "-"),
    (lambda v: v * None, r"\*"), (lambda v: None * v, r"\*"), (lambda v: v / "2", "/"), (lambda v: "2" / v, "/"),
    (lambda v: v ** "2", r"\*\*"), (lambda v: "2" ** v, r"\*\*"), (lambda v: v + True, r"\+"),
])
def test_non_numbers_raise_type_error_naming_the_op(op, symbol):
    with pytest.raises(TypeError, match=rf"^{symbol}: "):
        op(Value(2.0))


@pytest.mark.parametrize("x", [0.0, -1.0, -math.inf])
def test_log_of_a_non_positive_number_is_a_value_error(x):
    with pytest.raises(ValueError, match="log: input must be positive"):
        Value(x).log()


@pytest.mark.parametrize("base", [0.0, -2.0])
def test_value_exponent_needs_a_positive_base(base):
    with pytest.raises(ValueError, match=r"\*\*: a Value exponent needs a positive base"):
        Value(base) ** Value(2.0)
    with pytest.raises(ValueError, match=r"\*\*: a Value exponent needs a positive base"):
        base ** Value(2.0)


def test_negative_base_with_a_fractional_exponent_is_a_value_error():
    with pytest.raises(ValueError, match=r"not a real number"):
        Value(-8.0) ** 0.5


def test_zero_to_a_negative_power_and_division_by_zero_raise_zero_division_error():
    with pytest.raises(ZeroDivisionError, match=r"\*\*: 0 \*\* -1"):
        Value(0.0) ** -1
    with pytest.raises(ZeroDivisionError, match="/: cannot divide 3 by zero"):
        Value(3.0) / 0
    with pytest.raises(ZeroDivisionError, match="/: cannot divide 1 by zero"):
        1 / Value(0.0)


# ---------------------------------------------------------------------------- the object itself
def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.0)) == "Value(data=2, grad=0)"
    v = Value(-0.125, label="w")
    v.grad = 1.5
    assert repr(v) == "Value(data=-0.125, grad=1.5, label='w')"


def test_graph_structure_records_parents_in_order_and_op_names():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert (a - b)._prev == (a, b) and (a - b)._op == "-"
    assert (b / a)._prev == (b, a) and (b / a)._op == "/"
    assert (a**3)._op == "**3" and (a**0.5)._op == "**0.5" and (a**b)._op == "**"
    assert [(op(a))._op for op in (Value.exp, Value.log, Value.tanh, Value.sigmoid, Value.relu, Value.__neg__)] == \
        ["exp", "log", "tanh", "sigmoid", "relu", "neg"]
    assert a._prev == () and a._op == "", "a leaf has no parents and no op"


def test_numbers_of_any_real_type_are_accepted_and_stored_as_float():
    for x in [3, 2.5, np.float32(1.5), np.int64(4), np.float64(-2.0)]:
        v = Value(x)
        assert type(v.data) is float and v.data == float(x), f"Value({x!r}).data should be float {float(x)}"
    assert (Value(1.0) + np.float32(2.0)).data == 3.0
