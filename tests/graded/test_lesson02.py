"""Graded tests for lesson 02 (the Value class). Each test takes ``nb``, the notebook's namespace.

Graphs for exercise 02.3 are built with the learner's constructor, ``nb.Value(data, parents, op)``, not
with their operators, so that a slip in 02.2 does not also cost the points of 02.3.
"""

import random

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("02.1", "The Value class", points=2,
             hints=("A Value stores what it was given: its number (always as a float), its gradient (zero for "
                    "now), its parents (as a tuple), its op and its label. The repr shows the data, and the "
                    "label only when there is one.",
                    "__init__: five attributes (data converted to float, grad 0.0, _prev as a tuple, _op, "
                    "label). __repr__: an f-string 'Value(data=...)', with ', label=...' (using !r) before the "
                    "')' when label is not empty.",
                    "return f\"Value(data={self.data})\"   # the version without a label")),
    Exercise("02.2", "+ and * with numbers on either side", points=3,
             hints=("An operation never changes its inputs: it returns a new Value whose data is the result and"
                    " whose parents are the two operands. A plain number must first become a Value (a leaf). "
                    "For 2 + a, Python asks a's reflected method.",
                    "__add__/__mul__: if other is not a Value, wrap it in one; return a new Value(result, "
                    "(self, other), op symbol). __radd__/__rmul__: + and * commute, so reuse the forward "
                    "operator.",
                    "return self + other   # the whole of __radd__")),
    Exercise("02.3", "Trace a graph iteratively", points=3,
             hints=("Walk the graph from the root backwards with a to-do list (a stack) instead of recursion, "
                    "and remember which nodes you have already put on it, so that a node reached along two "
                    "paths is listed once — but every edge is recorded.",
                    "stack and seen start with the root; while the stack is not empty: pop a node and list it; "
                    "for each of its parents record the edge (parent, node), and push the parent only if you "
                    "have not seen it before (mark it seen when you push).",
                    "if id(parent) not in seen:   # then mark it and push it")),
    Exercise("02.4", "A neuron's weighted sum", points=2,
             hints=("Build the sum out of Value operations on the weights and inputs themselves, so that the "
                    "result's graph reaches every weight and the bias.",
                    "multiply each weight with its input (zip them), add the products up, add the bias.",
                    "sum(w * x for w, x in zip(ws, xs))   # ... then the bias")),
]


def _ids(values):
    return sorted(id(v) for v in values)


# ------------------------------------------------------------------------------------------- 02.1
@graded("02.1")
def test_a_leaf_stores_its_number_and_has_no_parents(nb):
    v = nb.Value(2.5)
    assert v.data == 2.5, f"Value(2.5).data should be 2.5, got {v.data!r}"
    assert v._prev == () and isinstance(v._prev, tuple), f"a leaf's _prev should be the empty tuple (), got {v._prev!r}"
    assert v._op == "", f"a leaf's _op should be '', got {v._op!r}"
    assert v.label == "", f"the default label should be '', got {v.label!r}"
    assert v.grad == 0.0, f"grad should start at 0.0, got {v.grad!r}"


@graded("02.1", hint="Convert with float(data): Value(3).data must be the float 3.0, not the int 3.")
def test_data_is_stored_as_a_float(nb):
    v = nb.Value(3)
    assert isinstance(v.data, float) and v.data == 3.0, \
        f"Value(3).data should be the float 3.0, got {v.data!r} of type {type(v.data).__name__}"


@graded("02.1", hint="Store tuple(_prev): the parents in the order given, as a tuple, even when a list was passed.")
def test_parents_op_and_label_are_recorded_in_order(nb):
    a, b = nb.Value(1.0), nb.Value(2.0)
    v = nb.Value(3.0, [b, a], "+", label="v")
    assert isinstance(v._prev, tuple), f"_prev should be a tuple, got a {type(v._prev).__name__}"
    assert len(v._prev) == 2 and v._prev[0] is b and v._prev[1] is a, \
        f"Value(3.0, [b, a], '+')._prev should be (b, a) in that order, got {v._prev!r}"
    assert v._op == "+", f"_op should be '+', got {v._op!r}"
    assert v.label == "v", f"label should be 'v', got {v.label!r}"
    twice = nb.Value(2.0, (a, a), "+")
    assert len(twice._prev) == 2, f"a value used twice is two parents: Value(2.0, (a, a), '+')._prev has {len(twice._prev)}"


@graded("02.1")
def test_repr_shows_data_and_label(nb):
    got = repr(nb.Value(2.5))
    assert got == "Value(data=2.5)", f"repr(Value(2.5)) should be 'Value(data=2.5)', got {got!r}"
    got = repr(nb.Value(-1.0, label="a"))
    assert got == "Value(data=-1.0, label='a')", \
        f"repr(Value(-1.0, label='a')) should be \"Value(data=-1.0, label='a')\", got {got!r}"


# ------------------------------------------------------------------------------------------- 02.2
def _assert_node(v, data, parents, op, what):
    assert isinstance(v, type(parents[0])), f"{what} should be a Value, got {type(v).__name__}"
    assert_close(v.data, data, msg=f"{what}: data")
    assert v._op == op, f"{what}: _op should be {op!r}, got {v._op!r}"
    assert len(v._prev) == len(parents) and all(p is q for p, q in zip(v._prev, parents)), \
        f"{what}: _prev should be the operands themselves, in order ({len(parents)} of them), got {v._prev!r}"


@graded("02.2")
def test_add_and_mul_record_their_operands_in_order(nb):
    a, b = nb.Value(2.0), nb.Value(-3.0)
    _assert_node(a + b, -1.0, (a, b), "+", "a + b")
    _assert_node(b + a, -1.0, (b, a), "+", "b + a")
    _assert_node(a * b, -6.0, (a, b), "*", "a * b")
    _assert_node(a * a, 4.0, (a, a), "*", "a * a")


@graded("02.2", hint="An operation returns a new Value; it must not change self.data or other.data.")
def test_operations_leave_their_inputs_unchanged(nb):
    a, b = nb.Value(2.0), nb.Value(5.0)
    out = a * b + a
    assert out is not a and out is not b, "a * b + a should be a new Value, not one of its inputs"
    assert (a.data, b.data) == (2.0, 5.0), f"after a * b + a the inputs changed to a={a.data}, b={b.data}"
    assert a._prev == () and b._prev == (), "after a * b + a the leaves a and b should still have no parents"


def _assert_wrapped(v, operand, number, op, data, what):
    assert_close(v.data, data, msg=f"{what}: data")
    assert v._op == op, f"{what}: _op should be {op!r}, got {v._op!r}"
    parents = list(v._prev)
    assert len(parents) == 2 and any(p is operand for p in parents), \
        f"{what}: _prev should hold the Value operand and the wrapped number, got {v._prev!r}"
    other = parents[1] if parents[0] is operand else parents[0]
    assert isinstance(other, type(operand)), \
        f"{what}: the number {number} should be wrapped in a Value, but the parent is {other!r}"
    assert other.data == number and other._prev == (), \
        f"{what}: the wrapped number should be a leaf holding {float(number)}, got {other!r}"


@graded("02.2", hint="A plain number must become a Value (a leaf with no parents) before it can be an operand: "
                     "check what type `other` has.")
def test_a_number_on_the_right_is_wrapped_in_a_leaf(nb):
    a = nb.Value(3.0)
    _assert_wrapped(a + 1, a, 1, "+", 4.0, "a + 1")
    _assert_wrapped(a * 2.5, a, 2.5, "*", 7.5, "a * 2.5")


@graded("02.2", hint="Python calls a.__radd__(2) for 2 + a, because int + Value is not defined: return self + other.")
def test_a_number_on_the_left_uses_the_reflected_operator(nb):
    a = nb.Value(3.0)
    _assert_wrapped(2 + a, a, 2, "+", 5.0, "2 + a")
    _assert_wrapped(4 * a, a, 4, "*", 12.0, "4 * a")
    total = sum([a, a, nb.Value(1.0)])  # sum starts from the int 0
    assert_close(total.data, 7.0, msg="sum([a, a, Value(1.0)]) with a = 3")


@graded("02.2")
def test_expressions_compute_the_same_numbers_as_floats(nb):
    rng = random.Random(2)
    for _ in range(10):
        xa, xb, xc, xf = (rng.uniform(-3, 3) for _ in range(4))
        a, b, c, f = nb.Value(xa), nb.Value(xb), nb.Value(xc), nb.Value(xf)
        got = (a * b + c) * f + 2 * a + 1
        want = (xa * xb + xc) * xf + 2 * xa + 1
        assert_close(got.data, want, msg=f"(a*b + c)*f + 2*a + 1 at a={xa:.3f}, b={xb:.3f}, c={xc:.3f}, f={xf:.3f}")


# ------------------------------------------------------------------------------------------- 02.3
def _lesson01_graph(nb):
    """L = (a*b + c) * f, built with the constructor only."""
    V = nb.Value
    a, b, c, f = V(2.0, label="a"), V(-3.0, label="b"), V(10.0, label="c"), V(-2.0, label="f")
    e = V(-6.0, (a, b), "*", label="e")
    d = V(4.0, (e, c), "+", label="d")
    L = V(-8.0, (d, f), "*", label="L")
    return L, [a, b, c, f, e, d, L], [(a, e), (b, e), (e, d), (c, d), (d, L), (f, L)]


def _edge_ids(edges):
    return sorted((id(p), id(c)) for p, c in edges)


def _call_trace(nb, root):
    result = nb.trace(root)
    assert isinstance(result, tuple) and len(result) == 2, \
        f"trace(root) should return a pair (nodes, edges), got {type(result).__name__} {result!r:.80}"
    nodes, edges = result
    nodes, edges = list(nodes), list(edges)
    assert all(isinstance(e, tuple) and len(e) == 2 for e in edges), \
        "every edge should be a (parent, child) tuple"
    return nodes, edges


@graded("02.3")
def test_a_leaf_is_one_node_and_no_edges(nb):
    leaf = nb.Value(1.0)
    nodes, edges = _call_trace(nb, leaf)
    assert len(nodes) == 1 and nodes[0] is leaf, f"trace(leaf) should give nodes [leaf], got {nodes!r}"
    assert edges == [], f"trace(leaf) should give no edges, got {edges!r}"


@graded("02.3")
def test_finds_every_node_and_edge_of_the_lesson_graph(nb):
    L, want_nodes, want_edges = _lesson01_graph(nb)
    nodes, edges = _call_trace(nb, L)
    labels = sorted(getattr(n, "label", "?") for n in nodes)
    assert _ids(nodes) == _ids(want_nodes), \
        f"L = (a*b + c)*f has the 7 nodes a, b, c, d, e, f, L (each once); trace found {labels}"
    assert _edge_ids(edges) == _edge_ids(want_edges), \
        "L = (a*b + c)*f has the 6 edges a→e, b→e, e→d, c→d, d→L, f→L as (parent, child) pairs; trace found " + \
        str(sorted(f"{getattr(p, 'label', '?')}→{getattr(c, 'label', '?')}" for p, c in edges))


@graded("02.3", hint="Mark a node as seen when you first push it, and never push it again: "
                     "each node must appear in nodes exactly once, however many paths lead to it.")
def test_a_reused_node_is_listed_once_but_every_use_is_an_edge(nb):
    V = nb.Value
    x = V(3.0, label="x")
    sq = V(9.0, (x, x), "*", label="sq")
    y = V(12.0, (sq, x), "+", label="y")
    nodes, edges = _call_trace(nb, y)
    assert _ids(nodes) == _ids([x, sq, y]), \
        f"y = x*x + x has 3 distinct nodes; trace returned {len(nodes)}: {sorted(getattr(n, 'label', '?') for n in nodes)}"
    assert _edge_ids(edges) == _edge_ids([(x, sq), (x, sq), (sq, y), (x, y)]), \
        "y = x*x + x has 4 edges: x→sq twice (x is both parents of x*x), sq→y and x→y; trace found " + \
        str(sorted(f"{getattr(p, 'label', '?')}→{getattr(c, 'label', '?')}" for p, c in edges))


@graded("02.3")
def test_random_dags_give_each_reachable_node_once(nb):
    rng = random.Random(5)
    V = nb.Value
    for trial in range(20):
        pool = [V(float(i)) for i in range(rng.randint(1, 4))]
        for _ in range(rng.randint(1, 30)):
            parents = tuple(rng.choice(pool) for _ in range(rng.randint(1, 3)))
            pool.append(V(0.0, parents, "+"))
        root = pool[-1]
        # The reference: which nodes are reachable, found by scanning the pool from newest to oldest.
        reachable = {id(root)}
        for node in reversed(pool):
            if id(node) in reachable:
                reachable.update(id(p) for p in node._prev)
        want_edges = sorted((id(p), id(n)) for n in pool if id(n) in reachable for p in n._prev)
        nodes, edges = _call_trace(nb, root)
        assert len(nodes) == len({id(n) for n in nodes}), f"random graph {trial}: a node appears more than once in nodes"
        assert sorted(id(n) for n in nodes) == sorted(reachable), \
            f"random graph {trial}: expected the {len(reachable)} reachable nodes, got {len(nodes)}"
        assert _edge_ids(edges) == want_edges, \
            f"random graph {trial}: expected {len(want_edges)} edges (one per entry of each node's _prev), got {len(edges)}"


def _chain(nb, n):
    """x = 0 + 1 + 1 + ... (n additions of one leaf), built with the learner's constructor; ``nb.run`` builds it
    where the notebook's objects live (in the grader: one request instead of 2n)."""
    V = nb.Value
    one = V(1.0)
    x = V(0.0)
    for _ in range(n):
        x = V(x.data + 1.0, (x, one), "+")
    return x


@graded("02.3", hint="Use a while loop over an explicit stack (a list you push to and pop from), not a function "
                     "that calls itself: Python allows only about 1000 nested calls.")
def test_a_chain_of_20000_operations_needs_no_recursion(nb):
    x = nb.run(_chain, 20_000)
    try:
        nodes, edges = _call_trace(nb, x)
    except RecursionError:
        raise AssertionError("trace raised RecursionError on a chain of 20 000 operations: "
                             "walk the graph with a loop and an explicit stack instead of recursion") from None
    assert len(nodes) == 20_002, f"a chain of 20 000 additions of one leaf to a start leaf has 20 002 nodes, got {len(nodes)}"
    assert len(edges) == 40_000, f"a chain of 20 000 additions has 40 000 edges (two parents each), got {len(edges)}"


# ------------------------------------------------------------------------------------------- 02.4
def _reachable(root):
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop()._prev:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())


@graded("02.4")
def test_weighted_sum_matches_the_float_formula(nb):
    rng = random.Random(7)
    for k in [1, 2, 5]:
        w = [rng.uniform(-2, 2) for _ in range(k)]
        x = [rng.uniform(-2, 2) for _ in range(k)]
        bias = rng.uniform(-1, 1)
        got = nb.weighted_sum([nb.Value(v) for v in w], x, nb.Value(bias))
        want = sum(wi * xi for wi, xi in zip(w, x)) + bias
        assert_close(got.data, want, msg=f"weighted_sum with {k} inputs, ws={[round(v, 3) for v in w]}, "
                                         f"xs={[round(v, 3) for v in x]}, b={bias:.3f}")


@graded("02.4", hint="Use the weights and bias themselves in the expression (w * x), never Value(w.data): "
                     "a copy is a different node, and its gradient would never reach the weight.")
def test_weights_and_bias_are_nodes_of_the_graph(nb):
    ws = [nb.Value(0.5), nb.Value(-1.0), nb.Value(2.0)]
    bias = nb.Value(0.1)
    xs = [nb.Value(1.0), 2.0, 3]
    out = nb.weighted_sum(ws, xs, bias)
    assert_close(out.data, 0.5 - 2.0 + 6.0 + 0.1, msg="weighted_sum([0.5, -1, 2], [1, 2, 3], 0.1)")
    found = {id(n) for n in _reachable(out)}
    for name, v in [("w0", ws[0]), ("w1", ws[1]), ("w2", ws[2]), ("b", bias), ("x0", xs[0])]:
        assert id(v) in found, f"{name} itself (not a copy) should be a node of the graph of weighted_sum(...)"
    products = [n for n in _reachable(out) if n._op == "*"]
    assert len(products) == 3, f"a neuron with 3 inputs should make 3 multiplications, the graph has {len(products)}"
