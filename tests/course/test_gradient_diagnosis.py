"""Show where a backward pass is wrong: planted mistakes highlight exactly the nodes whose gradient is off.

The expected gradients come from ``minitorch.testing.node_gradients`` (central differences of the root
with respect to each node, on a float64 replay of the forward pass); the expected numbers in these tests
are worked out by hand in the comments.
"""

import re

import numpy as np
import pytest

import minitorch
from minitorch.course.check import check
from minitorch.course.exercises import find_exercise, run_exercise
from minitorch.testing import GradientMismatch, assert_node_gradients, node_gradients


def make_value(mistake=None):
    """Lesson 03's Value with its backward, as a learner writes it, with one planted mistake (or none)."""

    class Value:
        def __init__(self, data, _prev=(), _op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, tuple(_prev), _op, label
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other), "+")

            def _backward():
                if mistake == "assign":
                    self.grad = out.grad
                    other.grad = out.grad
                else:
                    self.grad += out.grad
                    other.grad += out.grad

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")

            def _backward():
                if mistake == "assign":
                    self.grad = other.data * out.grad
                    other.grad = self.data * out.grad
                elif mistake == "own data":  # a wrong local derivative: d(ab)/da taken as a
                    self.grad += self.data * out.grad
                    other.grad += other.data * out.grad
                else:
                    self.grad += other.data * out.grad
                    other.grad += self.data * out.grad

            out._backward = _backward
            return out

        __radd__, __rmul__ = __add__, __mul__

        def backward(self):
            order, seen = [], set()

            def visit(node):
                if id(node) not in seen:
                    seen.add(id(node))
                    for parent in node._prev:
                        visit(parent)
                    order.append(node)

            visit(self)
            if mistake != "no seed":
                self.grad = 1.0
            for node in reversed(order):
                node._backward()

    return Value


def lesson_graph(Value):
    """L = (a*b + c)*f at a=2, b=-3, c=10, f=-2: e = a*b = -6, d = e + c = 4, L = d*f = -8."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    return L


def mismatch(root):
    with pytest.raises(GradientMismatch) as info:
        assert_node_gradients(root, "the graph")
    return info.value


def highlighted_labels(graph):
    """The first field (the label) of every node drawn with the highlight border, from the DOT source."""
    return sorted(re.match(r'\s*\w+ \[label="\{?([^|"]*)', line).group(1)
                  for line in graph.body if "penwidth=3" in line)


def notes(error):
    return {n.name: n.describe() for n in error.wrong}


def test_a_right_backward_passes_and_every_node_is_compared():
    L = lesson_graph(make_value())
    L.backward()
    assert_node_gradients(L)
    expected = {n.name: float(n.expected) for n in node_gradients(L)}
    # By the chain rule: dL/dd = f, dL/df = d, dL/de = dL/dc = f, dL/da = b f, dL/db = a f.
    assert expected == pytest.approx({"L": 1, "d": -2, "f": 4, "e": -2, "c": -2, "a": 6, "b": -4}, abs=1e-6)


def test_assignment_instead_of_accumulation_marks_only_the_reused_node():
    Value = make_value("assign")
    x = Value(3.0, label="x")
    xx = x * x; xx.label = "xx"
    y = xx + x; y.label = "y"
    y.backward()
    # The + step sets x.grad = 1, then the * step overwrites it twice with 3 * 1: x.grad = 3; dy/dx = 2x + 1 = 7.
    error = mismatch(y)
    assert notes(error) == {"x": "got 3, expected 7"}
    graph = error.draw()
    assert highlighted_labels(graph) == ["x"]
    assert "x|data 3.0000|grad 3.0000|got 3, expected 7" in graph.source
    assert "look at the backward step of * and +" in str(error)


def test_a_wrong_local_derivative_of_mul_marks_every_node_it_reaches():
    L = lesson_graph(make_value("own data"))
    L.backward()
    # L = d*f hands d its own data 4 (should be f = -2) and f its own -2 (should be d = 4); + copies d's 4 to e
    # and c (should be -2); e = a*b hands a 2*4 = 8 (should be b*(-2) = 6) and b -3*4 = -12 (should be -4).
    error = mismatch(L)
    assert notes(error) == {"d": "got 4, expected -2", "f": "got -2, expected 4", "e": "got 4, expected -2",
                            "c": "got 4, expected -2", "a": "got 8, expected 6", "b": "got -12, expected -4"}
    assert highlighted_labels(error.draw()) == ["a", "b", "c", "d", "e", "f"]
    assert "backward step of *" in str(error)


def test_a_missing_seed_marks_the_root_first():
    L = lesson_graph(make_value("no seed"))
    L.backward()
    error = mismatch(L)
    assert notes(error) == {"L": "got 0, expected 1", "d": "got 0, expected -2", "f": "got 0, expected 4",
                            "e": "got 0, expected -2", "c": "got 0, expected -2", "a": "got 0, expected 6",
                            "b": "got 0, expected -4"}
    assert highlighted_labels(error.draw()) == ["L", "a", "b", "c", "d", "e", "f"]
    assert "Nearest the root: L, got 0, expected 1" in str(error)
    assert "should be 1" in str(error)


def test_unlabelled_nodes_are_named_by_their_expression():
    Value = make_value("assign")
    a = Value(3.0)
    b = a + a
    b.backward()
    error = mismatch(b)
    assert notes(error) == {"3": "got 1, expected 2"}
    assert "3 + 3" in str(error) or "Nearest the root: 3," in str(error)


def test_tensor_gradients_are_compared_entry_by_entry():
    x = minitorch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=minitorch.float64, requires_grad=True, label="x")
    w = minitorch.tensor([[2.0], [-1.0]], dtype=minitorch.float64, requires_grad=True, label="w")
    loss = ((x @ w).relu() * 3.0).sum()
    loss.backward(retain_graph=True)  # keep the graph, to inspect it afterwards
    assert_node_gradients(loss)  # the reference engine: right everywhere (intermediate grads are not kept)
    w.grad.data[1, 0] += 0.5  # now one entry of one leaf is wrong
    error = mismatch(loss)
    # x @ w = [4, -3.5]: only the first row is active, so dloss/dw = 3 * x[0] = [6, -6].
    assert [n.name for n in error.wrong] == ["w"]
    assert error.wrong[0].describe() == "at (1, 0) got -5.5, expected -6"


def test_an_unknown_op_gives_no_expectation_instead_of_a_wrong_one():
    Value = make_value()
    a = Value(2.0, label="a")
    out = a * a
    strange = Value(out.data + 1.0, (out,), "my_op", label="s")  # an op the replay does not know
    strange._backward = lambda: setattr(out, "grad", out.grad + 999.0)  # wrong, but cannot be judged
    strange.backward()
    nodes = {n.name: n for n in node_gradients(strange)}
    assert nodes["a"].expected is None and not nodes["a"].wrong
    assert nodes["s"].expected == 1.0


def test_check_draws_the_graph_in_a_notebook_and_prints_text_elsewhere(capsys, monkeypatch):
    variables = {"Value": make_value("no seed"), "topological_order": lambda root: [], "In": []}
    check("03.3", variables)
    printed = capsys.readouterr().out
    assert "❌" in printed and "should be 1" in printed  # text, no picture, no traceback

    shown = []

    class Shell:
        kernel = object()

    monkeypatch.setattr("IPython.get_ipython", lambda: Shell())
    monkeypatch.setattr("IPython.display.display", shown.append)
    check("03.3", variables)
    assert len(shown) == 1
    assert highlighted_labels(shown[0]) == ["L", "a", "b", "c", "d", "e", "f"]


def test_the_exercise_run_carries_the_diagnosis():
    exercise, tests = find_exercise("03.3")
    result = run_exercise(exercise, tests, {"Value": make_value("own data"), "topological_order": lambda r: []})
    diagnoses = [o.diagnosis for o in result.outcomes if o.diagnosis is not None]
    assert diagnoses and isinstance(diagnoses[0], GradientMismatch)
    assert {n.name for n in diagnoses[0].wrong} == {"a", "b", "c", "d", "e", "f"}


def test_a_root_that_is_not_a_number_is_refused():
    t = minitorch.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="single number"):
        node_gradients(t * 2.0)


def test_lesson04_composed_division_with_a_wrong_power_marks_the_divisor():
    Value = make_value()

    def power(self, n):  # the planted mistake: n x^n instead of n x^(n-1)
        out = Value(self.data**n, (self,), f"**{n}")

        def _backward():
            self.grad += n * self.data**n * out.grad

        out._backward = _backward
        return out

    Value.__pow__ = power
    x, y = Value(6.0, label="x"), Value(4.0, label="y")
    q = x * y**-1
    q.label = "q"
    q.backward()
    # q = x / y: dq/dx = 1/y = 0.25 is right (only the * step hands it on); dq/dy = -x/y^2 = -0.375, but the
    # ** step hands y (-1 * 4^-1) * x = -1.5; y**-1 = 0.25 itself gets x = 6 from *, which is right.
    error = mismatch(q)
    assert notes(error) == {"y": "got -1.5, expected -0.375"}
    assert "look at the backward step of **-1" in str(error)


def make_tensor(forget_b=False):
    """Lesson 06's Tensor with @ only; with forget_b, the backward step of @ never updates its right factor."""

    class Tensor:
        def __init__(self, data, _prev=(), _op="", label=""):
            self.data = np.array(data, dtype=np.float64)
            self.grad = np.zeros_like(self.data)
            self._prev, self._op, self.label = tuple(_prev), _op, label
            self._backward = lambda: None

        @property
        def shape(self):
            return self.data.shape

        def __matmul__(self, other):
            out = Tensor(self.data @ other.data, (self, other), "@")

            def _backward():
                self.grad += out.grad @ other.data.T
                if not forget_b:
                    other.grad += self.data.T @ out.grad

            out._backward = _backward
            return out

    return Tensor


def test_lesson06_a_matmul_that_forgets_its_right_factor_marks_both_weights():
    exercise, tests = find_exercise("06.5")
    assert run_exercise(exercise, tests, {"Tensor": make_tensor()}).status == "passed"
    result = run_exercise(exercise, tests, {"Tensor": make_tensor(forget_b=True)})
    error = next(o.diagnosis for o in result.outcomes if o.diagnosis is not None)
    assert [n.name for n in error.wrong] == ["W2", "W1"] or [n.name for n in error.wrong] == ["W1", "W2"]
    assert all(n.describe().startswith("at (0, 0) got 0, expected") for n in error.wrong)
    assert highlighted_labels(error.draw()) == ["W1", "W2"]


def test_lesson03_assignment_is_pictured_on_the_smallest_graph_that_shows_it():
    exercise, tests = find_exercise("03.3")
    result = run_exercise(exercise, tests, {"Value": make_value("assign"), "topological_order": lambda r: []})
    first = next(o for o in result.outcomes if not o.passed)
    assert first.name == "reused nodes accumulate their gradients"
    assert "b = a + a at a = 3" in first.message and "a, got 1, expected 2" in first.message
    assert highlighted_labels(first.diagnosis.draw()) == ["a"]
