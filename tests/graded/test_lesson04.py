"""Graded tests for lesson 04 (more operations). Each test takes ``nb``, the notebook's namespace.

Expected values come from ``math`` and from central differences of ``math`` functions, never from the
learner's code. Each exercise is tested only through its own operations (plus the given ``+`` and ``*``),
except 04.2, whose short solutions may use 04.1's ``**`` — its hint says so.
"""

import math
import random

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, assert_node_gradients, numerical_gradient

EXERCISES = [
    Exercise("04.1", "Powers with a number or a Value exponent", points=3,
             hints=("Two cases. A number exponent n has one parent and the power rule. A Value exponent y has "
                    "two parents: d(x^y)/dx = y·x^(y−1) and d(x^y)/dy = x^y·ln x, which needs x > 0 — check "
                    "that first and raise ValueError.",
                    "if other is a Value: refuse a non-positive base; out has parents (self, other); _backward "
                    "adds the two local derivatives above, each times out.grad. Else: out has parent (self,) "
                    "and op like '**2'; _backward adds n·x^(n−1)·out.grad.",
                    "self.grad += other * self.data ** (other - 1) * out.grad   # the number-exponent case")),
    Exercise("04.2", "Negation, subtraction, division (and reflected)", points=2, needs=("04.1",),
             hints=("None of these needs a new backward step: write each one with operations you already have "
                    "(*, + and ** from 04.1).",
                    "−a is a times −1; a − b is a plus (−b); a / b is a times b to the power −1; for the "
                    "reflected ones the number is on the left.",
                    "return self * other**-1   # __truediv__")),
    Exercise("04.3", "exp and log", points=2,
             hints=("exp is its own derivative, so its backward can reuse the output's data; the derivative of "
                    "log x is 1/x and log needs x > 0 — refuse anything else with a clear ValueError that says "
                    "'log'.",
                    "exp: out = Value(e^x, (self,), 'exp'); _backward adds out.data × out.grad. log: check x > "
                    "0; out = Value(ln x, ...); _backward adds out.grad / x.",
                    "self.grad += out.grad / self.data   # log's backward step")),
    Exercise("04.4", "tanh, sigmoid and relu that never overflow", points=3,
             hints=("tanh' = 1 − tanh², sigmoid' = s(1 − s), relu' = 1 where x > 0 and 0 elsewhere. To avoid "
                    "overflow, never exponentiate a large positive number: math.tanh is safe, and sigmoid can "
                    "be written two ways.",
                    "sigmoid: for x ≥ 0 use 1/(1 + e^(−x)); for x < 0 use e^x/(1 + e^x). Each op: compute the "
                    "result, make out with parent (self,), and a _backward that adds local derivative × "
                    "out.grad.",
                    "self.grad += s * (1 - s) * out.grad   # sigmoid's backward step")),
    Exercise("04.5", "A gradient checker", points=3, needs=("04.1", "04.2", "04.3", "04.4"),
             hints=("Compare, input by input, the gradient that backward() computes with the central difference"
                    " of lesson 01, allowing atol + rtol·|numeric| of disagreement.",
                    "make leaf Values from xs, call f on them and backward(); for each i: copies of xs moved by"
                    " ±h at i, evaluate f on fresh Values of each copy, central difference; if it differs from "
                    "leaf i's grad by more than the tolerance, return False. Return True at the end.",
                    "if abs(leaf.grad - numeric) > atol + rtol * abs(numeric): return False")),
]


def _run(nb, op, *xs):
    leaves = [nb.Value(x, label=f"x{i}" if len(xs) > 1 else "x") for i, x in enumerate(xs)]
    out = op(*leaves)
    out.backward()
    return leaves, out


def forward_and_grads(nb, op, *xs):
    """Run op on fresh Values of the notebook's class; return (output data, [grad of each input])."""
    leaves, out = _run(nb, op, *xs)
    return out.data, [v.grad for v in leaves]


def assert_matches_math(nb, op, ref, xs, what, rtol=1e-5, atol=1e-7):
    """Forward equals ref(*xs) and gradients equal central differences of ref (the independent referee)."""
    leaves, out = _run(nb, op, *xs)
    assert_close(out.data, ref(*xs), rtol=1e-9, atol=1e-12, msg=f"{what}: the value at {xs}")
    expected = numerical_gradient(lambda v: ref(*v), list(xs), eps=1e-6)
    try:
        assert_close([v.grad for v in leaves], expected, rtol=rtol, atol=atol, msg=f"{what}: the gradients at {xs}")
    except AssertionError:
        # Node by node (for a composed op, e.g. x / y = x * y**-1): check() then draws where it goes wrong.
        assert_node_gradients(out, f"{what} at {[round(x, 4) for x in xs]}", rtol=rtol, atol=atol)
        raise


def points(n, lo, hi, seed, dims=1):
    rng = random.Random(seed)
    return [[rng.uniform(lo, hi) for _ in range(dims)] for _ in range(n)]


# ------------------------------------------------------------------------------------------- 04.1
@graded("04.1")
def test_power_with_a_number_exponent(nb):
    for n in [2, 3, -1, 0.5, 1.5]:
        for (x,) in points(3, 0.2, 3.0, seed=1):
            assert_matches_math(nb, lambda v: v**n, lambda x: x**n, [x], f"x ** {n}")


@graded("04.1", hint="x**3 at x = -2 is -8 with derivative 3 * (-2)**2 = 12: a negative base works with "
                     "integer exponents.")
def test_power_of_a_negative_base_with_an_integer_exponent(nb):
    data, (grad,) = forward_and_grads(nb, lambda v: v**3, -2.0)
    assert_close(data, -8.0, msg="(-2) ** 3")
    assert_close(grad, 12.0, msg="d/dx x**3 at x = -2")


@graded("04.1")
def test_power_with_a_value_exponent(nb):
    for x, y in points(6, 0.2, 3.0, seed=2, dims=2):
        assert_matches_math(nb, lambda a, b: a**b, lambda a, b: a**b, [x, y], "x ** y (y a Value)")


@graded("04.1", hint="With a Value exponent, check the base before computing anything and raise ValueError "
                     "saying the base must be positive.")
def test_value_exponent_with_a_non_positive_base_is_a_clear_error(nb):
    for base in [-2.0, 0.0]:
        try:
            nb.Value(base) ** nb.Value(0.5)
        except ValueError as err:
            assert "positive" in str(err), f"the ValueError should say a positive base is needed, got {str(err)!r}"
        else:
            raise AssertionError(f"Value({base}) ** Value(0.5) should raise ValueError, but it returned normally")


# ------------------------------------------------------------------------------------------- 04.2
@graded("04.2")
def test_negation_and_subtraction(nb):
    for x, y in points(5, -5, 5, seed=3, dims=2):
        assert_matches_math(nb, lambda a: -a, lambda a: -a, [x], "-x")
        assert_matches_math(nb, lambda a, b: a - b, lambda a, b: a - b, [x, y], "x - y")


@graded("04.2")
def test_division(nb):
    for x, y in points(5, 0.5, 4, seed=4, dims=2):
        assert_matches_math(nb, lambda a, b: a / b, lambda a, b: a / b, [x, -y], "x / y")


@graded("04.2", hint="In __rsub__ and __rtruediv__ the number is on the LEFT: 3 - v is v.__rsub__(3) and "
                     "must compute 3 - v, not v - 3.")
def test_numbers_on_either_side(nb):
    V = nb.Value
    cases = [("v - 1", lambda v: v - 1, lambda x: x - 1), ("1 - v", lambda v: 1 - v, lambda x: 1 - x),
             ("v / 2", lambda v: v / 2, lambda x: x / 2), ("2 / v", lambda v: 2 / v, lambda x: 2 / x)]
    for what, op, ref in cases:
        assert_matches_math(nb, op, ref, [1.7], what)
    assert isinstance(3 - V(1.0), V) and isinstance(3 / V(1.0), V), "3 - v and 3 / v should be Values"


# ------------------------------------------------------------------------------------------- 04.3
@graded("04.3")
def test_exp_matches_math(nb):
    for (x,) in points(6, -5, 5, seed=5):
        assert_matches_math(nb, lambda v: v.exp(), math.exp, [x], "exp(x)")


@graded("04.3")
def test_log_matches_math(nb):
    for (x,) in points(6, 0.05, 20, seed=6):
        assert_matches_math(nb, lambda v: v.log(), math.log, [x], "log(x)", atol=1e-6)


@graded("04.3", hint="Raise ValueError yourself for a non-positive input, with a message that says 'log' "
                     "(math's own error says 'math domain error', which names nothing).")
def test_log_of_a_non_positive_number_is_a_clear_error(nb):
    for x in [0.0, -1.5]:
        try:
            nb.Value(x).log()
        except ValueError as err:
            assert "log" in str(err), f"the ValueError for log({x}) should name log, got {str(err)!r}"
        else:
            raise AssertionError(f"Value({x}).log() should raise ValueError, but it returned normally")


# ------------------------------------------------------------------------------------------- 04.4
def sigmoid(x):
    return 1 / (1 + math.exp(-x))


@graded("04.4")
def test_tanh_and_sigmoid_match_math(nb):
    for (x,) in points(6, -4, 4, seed=7):
        assert_matches_math(nb, lambda v: v.tanh(), math.tanh, [x], "tanh(x)")
        assert_matches_math(nb, lambda v: v.sigmoid(), sigmoid, [x], "sigmoid(x)")


@graded("04.4", hint="relu passes the gradient where x > 0 and blocks it where x < 0.")
def test_relu(nb):
    for x in [-2.5, -0.1, 0.3, 4.0]:
        data, (grad,) = forward_and_grads(nb, lambda v: v.relu(), x)
        assert_close(data, max(0.0, x), msg=f"relu({x})")
        assert_close(grad, 1.0 if x > 0 else 0.0, msg=f"d relu/dx at {x}")


@graded("04.4", hint="math.exp(1000) overflows. tanh has a safe library function; for sigmoid at x < 0 rewrite "
                     "the formula so that it only exponentiates a negative number.")
def test_tanh_and_sigmoid_do_not_overflow_at_plus_minus_1000(nb):
    for x, t, s in [(1000.0, 1.0, 1.0), (-1000.0, -1.0, 0.0)]:
        data, (grad,) = forward_and_grads(nb, lambda v: v.tanh(), x)
        assert_close([data, grad], [t, 0.0], msg=f"tanh({x:g}) and its gradient")
        data, (grad,) = forward_and_grads(nb, lambda v: v.sigmoid(), x)
        assert_close([data, grad], [s, 0.0], msg=f"sigmoid({x:g}) and its gradient")


# ------------------------------------------------------------------------------------------- 04.5
def _checker_result(nb, f, xs, **kwargs):
    result = nb.gradient_check(f, xs, **kwargs)
    assert result is True or result is False, f"gradient_check should return True or False, got {result!r}"
    return result


@graded("04.5")
def test_checker_accepts_correct_gradients(nb):
    assert _checker_result(nb, lambda a, b: a * b + a * a * 3.0, [1.5, -2.0]) is True, \
        "gradient_check said False for f(a, b) = a*b + 3a², whose autograd gradient is correct"


@graded("04.5", hint="Compare every input, and return False as soon as one differs by more than the tolerance.")
def test_checker_rejects_a_wrong_gradient(nb):
    V = nb.Value

    def cube_with_a_wrong_gradient(a):  # forward a**3, backward claims 2a instead of 3a²
        out = V(a.data**3, (a,), "cube")

        def _backward():
            a.grad += 2 * a.data * out.grad

        out._backward = _backward
        return out

    assert _checker_result(nb, lambda a, b: a * 2.0 + cube_with_a_wrong_gradient(b), [1.0, 1.5]) is False, \
        "gradient_check said True, but the gradient of the second input is wrong (2b instead of 3b²)"


@graded("04.5", hint="Use the central difference (f(x+h) - f(x-h)) / 2h: with h = 1e-3 the forward "
                     "difference of x³ at 1 is off by 3e-3, the central one by 1e-6.")
def test_checker_uses_the_central_difference_and_its_arguments(nb):
    assert _checker_result(nb, lambda a: a * a * a, [1.0], h=1e-3, rtol=0.0, atol=1e-5) is True, \
        "gradient_check(x³, [1.0], h=1e-3, rtol=0, atol=1e-5) should be True with a central difference"
    assert _checker_result(nb, lambda a: a * a * a, [1.0], h=1e-3, rtol=0.0, atol=1e-8) is False, \
        "with atol=1e-8 the O(h²) error of the central difference (1e-6) should be reported as a mismatch"


@graded("04.5", hint="Work on copies (list(xs)): the caller's list must not change.")
def test_checker_leaves_its_input_alone(nb):
    xs = [0.5, 2.0]
    _checker_result(nb, lambda a, b: a * b, xs)
    assert xs == [0.5, 2.0], f"gradient_check changed its input list to {xs}"
