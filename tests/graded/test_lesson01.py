"""Graded tests for lesson 01 (derivatives). Each test takes ``nb``, the notebook's namespace."""

import math
import random

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("01.1", "Numerical derivative", points=2,
             hints=("Look both ways: nudge x a little up and a little down, and divide the change in f by the "
                    "distance between the two points.",
                    "f at x + h, minus f at x - h, divided by the distance between those two points, which is "
                    "2h.",
                    "return (f(x + h) - f(x - h)) / (2 * h)")),
    Exercise("01.2", "Gradient by nudging", points=2, needs=("01.1",),
             hints=("A partial derivative is the 1-D derivative of f along one input while every other input "
                    "stays fixed: do 01.1 once per input.",
                    "for each position i: make two copies of the point, move input i up by h in one and down by"
                    " h in the other, take the central difference of f over the two copies (unpack a copy with "
                    "f(*copy)), collect the results.",
                    "plus = list(xs)   # a copy you may change; then move its element i")),
    Exercise("01.3", "Chain rule by hand", points=3,
             hints=("Call the inner node d (everything before the multiplication by f), so L = d · f. The "
                    "derivative of L with respect to f is whatever multiplies f; for a, b and c go through d "
                    "with the chain rule.",
                    "dL/df = d;  dL/dd = f;  dL/dc = dL/dd · dd/dc;  dL/da = dL/dd · dd/da (and dd/da is b);  "
                    "dL/db likewise.",
                    "return {\"a\": f * b, \"b\": f * a, \"c\": f, \"f\": a * b + c}")),
    Exercise("01.4", "Gradient descent in 1-D", points=2, needs=("01.1",),
             hints=("Each step moves x a little against the slope: downhill. Keep every x you visit, the start "
                    "included.",
                    "path starts as [x0]; repeat `steps` times: estimate the slope at x with your "
                    "numerical_derivative, move x by -lr times the slope, append the new x; return path.",
                    "x = x - lr * numerical_derivative(f, x)")),
]


@graded("01.1")
def test_derivative_of_a_square(nb):
    got = nb.numerical_derivative(lambda x: x**2, 3.0)
    assert_close(got, 6.0, atol=1e-6, msg="numerical_derivative(lambda x: x**2, 3.0)")


@graded("01.1")
def test_derivative_of_sin_and_exp(nb):
    for x in [-1.3, 0.0, 0.7, 2.0]:
        assert_close(nb.numerical_derivative(math.sin, x), math.cos(x), atol=1e-7,
                     msg=f"numerical_derivative(math.sin, {x})")
        assert_close(nb.numerical_derivative(math.exp, x), math.exp(x), rtol=1e-6,
                     msg=f"numerical_derivative(math.exp, {x})")


@graded("01.1", hint="A forward difference is only accurate to O(h): look both ways from x, one step each side,"
                     " and divide by the distance between them.")
def test_uses_the_central_difference(nb):
    # With h = 1e-3 the forward difference of x**3 at 1 is off by ~3e-3; the central one by 1e-6.
    got = nb.numerical_derivative(lambda x: x**3, 1.0, h=1e-3)
    assert_close(got, 3.0, atol=1e-5, msg="numerical_derivative(lambda x: x**3, 1.0, h=1e-3)")


@graded("01.2")
def test_gradient_of_ab_plus_c(nb):
    got = nb.numerical_gradient(lambda a, b, c: a * b + c, [2.0, -3.0, 10.0])
    assert isinstance(got, (list, tuple)) and len(got) == 3, \
        f"numerical_gradient should return a list of 3 partials for 3 inputs, got {got!r}"
    assert_close(got, [-3.0, 2.0, 1.0], atol=1e-6, msg="gradient of a*b + c at (2, -3, 10)")


@graded("01.2")
def test_gradient_at_random_points(nb):
    rng = random.Random(1)
    for _ in range(5):
        x, y = rng.uniform(-2, 2), rng.uniform(-2, 2)
        got = nb.numerical_gradient(lambda x, y: math.sin(x) * y**2, [x, y])
        want = [math.cos(x) * y**2, 2 * y * math.sin(x)]
        assert_close(got, want, atol=1e-6, msg=f"gradient of sin(x)*y**2 at ({x:.3f}, {y:.3f})")


@graded("01.2", hint="Don't modify the caller's list xs: work on copies (list(xs)).")
def test_gradient_leaves_the_input_alone(nb):
    xs = [1.0, 2.0]
    nb.numerical_gradient(lambda a, b: a * b, xs)
    assert xs == [1.0, 2.0], f"numerical_gradient changed its input list to {xs}"


@graded("01.3")
def test_chain_rule_at_the_lesson_point(nb):
    got = nb.manual_gradients(2.0, -3.0, 10.0, -2.0)
    assert isinstance(got, dict) and set(got) == {"a", "b", "c", "f"}, \
        f"manual_gradients should return a dict with keys 'a', 'b', 'c', 'f', got {got!r}"
    for name, want in {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}.items():
        assert_close(got[name], want, msg=f"dL/d{name} at a=2, b=-3, c=10, f=-2")


@graded("01.3")
def test_chain_rule_agrees_with_finite_differences(nb):
    rng = random.Random(3)
    for _ in range(10):
        point = [rng.uniform(-3, 3) for _ in range(4)]
        got = nb.manual_gradients(*point)
        h = 1e-6
        for i, name in enumerate("abcf"):
            plus, minus = list(point), list(point)
            plus[i] += h; minus[i] -= h
            loss = lambda a, b, c, f: (a * b + c) * f  # noqa: E731
            want = (loss(*plus) - loss(*minus)) / (2 * h)
            assert_close(got[name], want, atol=1e-5, msg=f"dL/d{name} at {[round(p, 3) for p in point]}")


@graded("01.4")
def test_descent_path_has_every_step(nb):
    path = nb.gradient_descent(lambda x: (x - 3) ** 2, 0.0, lr=0.1, steps=5)
    assert len(path) == 6, f"5 steps should visit 6 points (x0 included), got {len(path)}"
    assert path[0] == 0.0, f"the path should start at x0 = 0.0, got {path[0]}"
    # x_{k+1} = x_k - 0.1 * 2 (x_k - 3)  =>  x_1 = 0.6
    assert_close(path[1], 0.6, atol=1e-6, msg="the first step from x0 = 0 with lr = 0.1 on (x-3)**2")


@graded("01.4")
def test_descent_converges_to_the_minimum(nb):
    path = nb.gradient_descent(lambda x: (x + 1.5) ** 2 + 2, 4.0, lr=0.2, steps=60)
    assert_close(path[-1], -1.5, atol=1e-4, msg="after 60 steps on (x + 1.5)**2 + 2 the end point")
