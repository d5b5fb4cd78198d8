"""The scalar engine's storage (issue 18): parents and local derivatives in slots, seen through
read-only ``_prev`` / ``_local_grads``; what that must not change, and what it must guarantee.

* ``_prev`` and ``_local_grads`` give the same tuples, in the same order, as the tuple-based engine
  (lessons 02-05 and ``draw_graph`` read them).
* ``draw_graph`` draws the same SVG as for an independent, tuple-based Value written here
  (``TupleValue``: micrograd's representation), op for op, after backward as well.
* Gradients over random expression DAGs (shared sub-expressions, leaves used many times) agree with
  central finite differences computed from plain ``math`` on floats.
* A graph is freed by reference counting alone when its root is dropped (no cycles).
"""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minitorch import Value
from minitorch.scalar import no_gc
from minitorch.testing import assert_close, numerical_gradient
from minitorch.viz import draw_graph, to_svg


# ---------------------------------------------------------------------------- _prev and _local_grads
def test_prev_and_local_grads_are_the_operands_and_derivatives_in_order():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    cases = {  # op: (result, parents, local derivatives written out by hand)
        "a + b": (a + b, (a, b), (1.0, 1.0)),
        "a - b": (a - b, (a, b), (1.0, -1.0)),
        "a * b": (a * b, (a, b), (-3.0, 2.0)),
        "b / a": (b / a, (b, a), (0.5, 3.0 / 4.0)),
        "a ** b": (a**b, (a, b), (-3.0 * 2.0**-4, 2.0**-3 * math.log(2.0))),
        "-a": (-a, (a,), (-1.0,)),
        "a ** 3": (a**3, (a,), (12.0,)),
        "a.exp()": (a.exp(), (a,), (math.exp(2.0),)),
        "a.log()": (a.log(), (a,), (0.5,)),
        "a.tanh()": (a.tanh(), (a,), (1 - math.tanh(2.0) ** 2,)),
        "a.relu()": (a.relu(), (a,), (1.0,)),
        "b.relu()": (b.relu(), (b,), (0.0,)),
    }
    for what, (out, parents, local) in cases.items():
        assert type(out._prev) is tuple and len(out._prev) == len(parents), f"{what}: _prev {out._prev!r}"
        assert all(p is q for p, q in zip(out._prev, parents)), f"{what}: _prev should be {parents}, got {out._prev}"
        assert_close(list(out._local_grads), list(local), rtol=1e-12, msg=f"{what}: _local_grads")
    assert a._prev == () and a._local_grads == (), "a leaf has no parents and no local derivatives"


def test_a_number_operand_becomes_a_leaf_on_its_side():
    a = Value(2.0)
    for out, number_first in [(a + 5, False), (5 + a, False), (a * 5, False), (5 * a, False),
                               (a - 5, False), (5 - a, True), (a / 5, False), (5 / a, True)]:
        parents = out._prev
        number, value = (parents[0], parents[1]) if number_first else (parents[1], parents[0])
        assert value is a and type(number) is Value and number.data == 5.0 and number._prev == (), \
            f"{out._op}: parents should be a and a leaf holding 5.0, got {parents}"


def test_an_operand_used_twice_is_two_parents():
    a = Value(3.0)
    assert (a + a)._prev == (a, a) and (a * a)._local_grads == (3.0, 3.0)


def test_prev_and_local_grads_are_read_only():
    out = Value(1.0) * Value(2.0)
    for name in ("_prev", "_local_grads"):
        with pytest.raises(AttributeError):
            setattr(out, name, ())


def test_constructor_builds_the_same_node_as_the_op():
    a, b = Value(2.0), Value(5.0)
    made = Value(10.0, (a, b), "*", _local_grads=(5.0, 2.0))
    assert made._prev == (a, b) and made._local_grads == (5.0, 2.0) and made._op == "*"
    made.backward()
    assert (a.grad, b.grad) == (5.0, 2.0)


def test_constructor_without_local_grads_passes_nothing_back_unless_given_a_backward():
    a = Value(2.0)
    out = Value(8.0, [a], "cube")  # micrograd's way: no local derivatives, a _backward assigned later (or not)
    assert out._prev == (a,) and out._local_grads == ()
    out.backward()
    assert a.grad == 0.0, "a node without local derivatives or a _backward passes no gradient"


@pytest.mark.parametrize("children, local", [((Value(1.0),) * 3, ()), ((Value(1.0), Value(2.0)), (1.0,))])
def test_constructor_rejects_three_parents_and_mismatched_local_grads(children, local):
    with pytest.raises(ValueError, match="one or two parents with one local derivative each"):
        Value(1.0, children, "f", _local_grads=local)


# ---------------------------------------------------------------------------- drawing unchanged
class TupleValue:
    """An independent reference: micrograd's representation (parents in a tuple, a closure per op)."""

    def __init__(self, data, _prev=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, tuple(_prev), _op, label
        self._backward = lambda: None

    def _make(self, data, parents, op, local):
        out = TupleValue(data, parents, op)

        def _backward():
            for p, d in zip(parents, local):
                p.grad += d * out.grad

        out._backward = _backward
        return out

    def _wrap(self, other):
        return other if isinstance(other, TupleValue) else TupleValue(other)

    def __add__(self, other):
        other = self._wrap(other)
        return self._make(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        return self._make(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __sub__(self, other):
        other = self._wrap(other)
        return self._make(self.data - other.data, (self, other), "-", (1.0, -1.0))

    def __rsub__(self, other):
        return self._wrap(other) - self

    __radd__, __rmul__ = __add__, __mul__

    def tanh(self):
        t = math.tanh(self.data)
        return self._make(t, (self,), "tanh", (1 - t * t,))

    def relu(self):
        return self._make(max(self.data, 0.0), (self,), "relu", (1.0 if self.data > 0 else 0.0,))

    def __pow__(self, n):
        return self._make(self.data**n, (self,), f"**{n}", (n * self.data ** (n - 1),))

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for p in v._prev:
                    visit(p)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def _lesson_graphs(cls):
    """A few graphs like the lessons draw: lesson 01's L, a neuron, a diamond with constants."""
    a, b, c, f = cls(2.0, label="a"), cls(-3.0, label="b"), cls(10.0, label="c"), cls(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    x1, x2, w1, w2, bias = (cls(v, label=n) for v, n in [(2.0, "x1"), (0.0, "x2"), (-3.0, "w1"), (1.0, "w2"),
                                                        (6.8813735870195432, "b")])
    n = x1 * w1 + x2 * w2 + bias
    o = n.tanh()
    o.label = "o"
    x = cls(0.5, label="x")
    y = (x * 3 + 1) * (1 - x) + (x**2).relu()
    return [L, o, y]


@pytest.mark.parametrize("after_backward", [False, True])
def test_draw_graph_draws_what_a_tuple_based_value_draws(after_backward):
    ours, reference = _lesson_graphs(Value), _lesson_graphs(TupleValue)
    for i, (mine, ref) in enumerate(zip(ours, reference)):
        if after_backward:
            mine.backward()
            ref.backward()
        assert draw_graph(mine).source == draw_graph(ref).source, f"graph {i}: DOT source differs"
        assert to_svg(draw_graph(mine)) == to_svg(draw_graph(ref)), f"graph {i}: SVG differs"


# ---------------------------------------------------------------------------- gradients, random DAGs
# Each op: (arity, on Values, on floats). Smooth everywhere and bounded enough not to overflow.
OPS = {
    "add": (2, lambda a, b: a + b, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b, lambda a, b: a * b),
    "div": (2, lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    "rsub": (1, lambda a: 0.5 - a, lambda a: 0.5 - a),
    "neg": (1, lambda a: -a, lambda a: -a),
    "tanh": (1, lambda a: a.tanh(), math.tanh),
    "sigmoid": (1, lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a))),
    "exp_tanh": (1, lambda a: a.tanh().exp(), lambda a: math.exp(math.tanh(a))),
    "log1p_sq": (1, lambda a: (a * a + 1).log(), lambda a: math.log(a * a + 1)),
    "square": (1, lambda a: a**2, lambda a: a**2),
}


@st.composite
def expression_dags(draw):
    """Three leaves, then up to 12 ops whose operands are any earlier node (so nodes are shared)."""
    leaves = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3))
    steps = []
    for i in range(draw(st.integers(1, 12))):
        name = draw(st.sampled_from(sorted(OPS)))
        operands = [draw(st.integers(0, 3 + i - 1)) for _ in range(OPS[name][0])]
        steps.append((name, operands))
    return leaves, steps


def evaluate(steps, leaves, on_values):
    nodes = list(leaves)
    for name, operands in steps:
        arity, value_fn, float_fn = OPS[name]
        nodes.append((value_fn if on_values else float_fn)(*(nodes[j] for j in operands)))
    total = nodes[-1]
    for node in nodes[3:-1]:  # every intermediate feeds the root, so every path is checked
        total = total + node * 0.25
    return total


@settings(max_examples=150, deadline=None)
@given(expression_dags())
def test_gradients_of_random_expression_dags_match_finite_differences(dag):
    xs, steps = dag
    leaves = [Value(x) for x in xs]
    root = evaluate(steps, leaves, on_values=True)
    assert_close(root.data, evaluate(steps, xs, on_values=False), rtol=1e-12, atol=1e-12, msg="forward")
    root.backward()
    expected = numerical_gradient(lambda v: evaluate(steps, v, on_values=False), xs, eps=1e-6)
    got = [leaf.grad for leaf in leaves]
    assert_close(got, expected, rtol=1e-4, atol=1e-6, msg=f"gradients of {steps}")
    root.backward()  # the graph is kept: a second pass adds the same gradients again
    assert_close([leaf.grad for leaf in leaves], [2 * g for g in got], rtol=1e-12, atol=1e-15,
                 msg="a second backward() accumulates into the leaves")


# ---------------------------------------------------------------------------- memory
def test_a_graph_is_freed_by_reference_counting_when_its_root_is_dropped():
    was_enabled = gc.isenabled()
    gc.disable()  # no cyclic collector: only reference counting may free the graph
    try:
        w, x = Value(0.5, label="w"), Value(2.0, label="x")
        h = (w * x + 1).tanh()
        root = h * h - w
        root.backward()
        watched = [weakref.ref(node) for node in root._topological_order() if node._prev]
        constant = weakref.ref(h._prev[0]._prev[1])  # the 1 of "+ 1", a leaf only the graph holds
        del h, root
        assert all(ref() is None for ref in watched), "every intermediate node is freed with its root"
        assert constant() is None, "a number wrapped into a leaf is freed with the graph"
        assert w.grad != 0.0 and x.grad != 0.0, "the leaves the user holds keep their gradients"
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("enabled_before", [True, False])
def test_no_gc_pauses_the_collector_and_restores_its_state(enabled_before):
    was_enabled = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        with pytest.raises(RuntimeError, match="inside"):
            with no_gc():
                assert not gc.isenabled(), "the collector is paused inside the block"
                raise RuntimeError("inside")
        assert gc.isenabled() is enabled_before, "after the block (even after an error) the collector is as before"
    finally:
        (gc.enable if was_enabled else gc.disable)()
