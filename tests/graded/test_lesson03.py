"""Graded tests for lesson 03 (backpropagation). Each test takes ``nb``, the notebook's namespace.

The lesson gives the learner a forward-only ``Value``; the exercises add the backward parts. Tests for
03.2 and part of 03.3 build graphs with the constructor, ``nb.Value(data, parents, op)``, and their own
backward steps, so that each exercise is graded on its own code. Expected gradients come from central
finite differences (``minitorch.testing.numerical_gradient``) or from counting, never from the learner's code.
"""

import random

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, assert_node_gradients, numerical_gradient

EXERCISES = [
    Exercise("03.1", "Local backward steps of + and *", points=3,
             hints=("Each backward step passes out's gradient to its inputs, multiplied by the local "
                    "derivative: 1 for either input of +, and 'the other input' for *. It adds to what the "
                    "input already has instead of replacing it.",
                    "inside _backward of +: each input's grad increases by out.grad. Of *: each input's grad "
                    "increases by (the other input's data) × out.grad.",
                    "self.grad += other.data * out.grad   # one of the four lines")),
    Exercise("03.2", "Topological order, iteratively", points=3,
             hints=("A node may be listed only after all of its parents are. Do a depth-first walk with an "
                    "explicit stack, where each node is visited twice: once on the way in (to push its parents)"
                    " and once on the way out (to list it).",
                    "push (root, False). Loop: pop (node, done). If done: append node to the order. Otherwise, "
                    "if the node was already entered, skip it; else mark it, push (node, True), then push "
                    "(parent, False) for each parent not yet entered.",
                    "stack.append((node, True))   # before pushing the parents")),
    Exercise("03.3", "backward()", points=3, needs=("03.1", "03.2"),
             hints=("Every node must hand on its gradient only after it has received everything from the nodes "
                    "that use it: walk the topological order from the end. The output's own gradient, "
                    "d(self)/d(self), is 1.",
                    "get the topological order of self; set self's grad to 1; go through the order in reverse "
                    "and run each node's _backward.",
                    "for node in reversed(order): node._backward()")),
    Exercise("03.4", "Gradient by hand vs autograd", points=2,
             hints=("Name the error e = w·x + b − y, so L = e². dL/de = 2e; then multiply by how e changes with"
                    " each input.",
                    "compute e; dL/dw = 2e · (de/dw), dL/dx = 2e · (de/dx), dL/db = 2e · (de/db), where de/dw "
                    "is x, de/dx is w and de/db is 1.",
                    "return {\"w\": 2 * e * x, \"x\": 2 * e * w, \"b\": 2 * e}")),
]


# ------------------------------------------------------------------------------------------- 03.1
def _step(nb, op, xa, xb, upstream, start=(0.0, 0.0)):
    """Build out = a op b, give out the gradient `upstream`, run out's backward step; return a, b, out."""
    a, b = nb.Value(xa), nb.Value(xb)
    a.grad, b.grad = start
    out = a + b if op == "+" else a * b
    out.grad = upstream
    out._backward()
    return a, b, out


@graded("03.1")
def test_add_passes_the_gradient_unchanged_to_both_inputs(nb):
    rng = random.Random(11)
    for _ in range(5):
        xa, xb, g = rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-2, 2)
        a, b, out = _step(nb, "+", xa, xb, g)
        assert_close(out.data, xa + xb, msg=f"({xa:.3f} + {xb:.3f}).data")
        assert_close(a.grad, g, msg=f"out = a + b with out.grad = {g:.4f}: after out._backward(), a.grad")
        assert_close(b.grad, g, msg=f"out = a + b with out.grad = {g:.4f}: after out._backward(), b.grad")


@graded("03.1", hint="d(a·b)/da = b: each input of * receives the *other* input's value times the output's "
                     "gradient.")
def test_mul_gives_each_input_the_other_input_times_the_gradient(nb):
    rng = random.Random(12)
    for _ in range(5):
        xa, xb, g = rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-2, 2)
        a, b, out = _step(nb, "*", xa, xb, g)
        assert_close(out.data, xa * xb, msg=f"({xa:.3f} * {xb:.3f}).data")
        assert_close(a.grad, xb * g, msg=f"out = a * b at a={xa:.3f}, b={xb:.3f}, out.grad={g:.4f}: a.grad")
        assert_close(b.grad, xa * g, msg=f"out = a * b at a={xa:.3f}, b={xb:.3f}, out.grad={g:.4f}: b.grad")


@graded("03.1", hint="Read out.grad inside _backward when it runs (out.grad), and multiply by the wrapped "
                     "constant's .data: (a * 3) passes 3 * out.grad to a.")
def test_a_constant_operand_is_wrapped_and_scales_the_gradient(nb):
    a = nb.Value(1.5)
    out = a * 3
    out.grad = 2.0
    out._backward()
    assert_close(a.grad, 6.0, msg="out = a * 3 with out.grad = 2: a.grad")
    a = nb.Value(1.5)
    out = 4 + a
    out.grad = -0.5
    out._backward()
    assert_close(a.grad, -0.5, msg="out = 4 + a with out.grad = -0.5: a.grad")


@graded("03.1", hint="Use +=, not =: a backward step adds its share to whatever gradient the input already has.")
def test_backward_steps_add_to_the_gradient_already_there(nb):
    for op in "+*":
        a, b, out = _step(nb, op, 2.0, -3.0, 1.0, start=(0.5, -1.0))
        want_a = 0.5 + (1.0 if op == "+" else -3.0)
        want_b = -1.0 + (1.0 if op == "+" else 2.0)
        assert_close(a.grad, want_a, msg=f"a.grad was 0.5 before the backward step of a {op} b (a=2, b=-3, "
                                         "out.grad=1); it should have grown by its share")
        assert_close(b.grad, want_b, msg=f"b.grad was -1.0 before the backward step of a {op} b (a=2, b=-3, "
                                         "out.grad=1); it should have grown by its share")


@graded("03.1", hint="In a + a and a * a, self and other are the same object: with += both shares add up.")
def test_an_operand_used_twice_receives_both_shares(nb):
    a = nb.Value(3.0)
    out = a + a
    out.grad = 1.0
    out._backward()
    assert_close(a.grad, 2.0, msg="out = a + a: d(out)/da = 2, so after out._backward() with out.grad = 1, a.grad")
    a = nb.Value(3.0)
    out = a * a
    out.grad = 1.0
    out._backward()
    assert_close(a.grad, 6.0, msg="out = a * a at a = 3: d(out)/da = 2a = 6, so a.grad")


# ------------------------------------------------------------------------------------------- 03.2
def _random_dag(nb, rng, max_leaves=4, max_ops=30):
    """A random DAG built with the constructor; `pool` lists its nodes oldest first (a topological order)."""
    pool = [nb.Value(float(i)) for i in range(rng.randint(1, max_leaves))]
    for _ in range(rng.randint(1, max_ops)):
        parents = tuple(rng.choice(pool) for _ in range(rng.randint(1, 3)))  # repeats allowed, like a + a
        pool.append(nb.Value(0.0, parents, rng.choice("+*")))
    return pool


def _reachable_ids(pool, root):
    reachable = {id(root)}
    for node in reversed(pool):  # children come after their parents in pool
        if id(node) in reachable:
            reachable.update(id(p) for p in node._prev)
    return reachable


def _check_order(nb, order, root, reachable, what):
    order = list(order)
    ids = [id(n) for n in order]
    assert len(ids) == len(set(ids)), f"{what}: some node appears more than once in the order"
    assert set(ids) == reachable, \
        f"{what}: the order should hold the {len(reachable)} nodes reachable from the root, it holds {len(ids)}"
    assert order[-1] is root, f"{what}: the root should come last"
    position = {i: k for k, i in enumerate(ids)}
    for node, parents in zip(order, nb.attributes(order, "_prev")):
        for parent in parents:
            assert position[id(parent)] < position[id(node)], \
                f"{what}: a node at position {position[id(node)]} comes before its parent " \
                f"at position {position[id(parent)]}; every node must come after all of its parents"


def _order(nb, root, what):
    try:
        return nb.topological_order(root)
    except RecursionError:
        raise AssertionError(f"{what}: topological_order raised RecursionError — use a loop with an explicit "
                             "stack instead of a function that calls itself") from None


@graded("03.2")
def test_a_leaf_is_its_own_order(nb):
    leaf = nb.Value(1.0)
    order = list(_order(nb, leaf, "a single leaf"))
    assert len(order) == 1 and order[0] is leaf, f"topological_order(leaf) should be [leaf], got {order!r}"


@graded("03.2", hint="Check `seen` when you pop an entry to enter, not only when you push it: in a diamond "
                     "both users push the shared node before it is entered.")
def test_diamonds_place_each_node_once_after_its_parents(nb):
    V = nb.Value
    x = V(1.0)
    nodes = [x]
    for _ in range(300):  # x -> (l, r) -> x': a chain of 300 diamonds
        left, right = V(0.0, (x,), "l"), V(0.0, (x,), "r")
        x = V(0.0, (left, right), "+")
        nodes += [left, right, x]
    _check_order(nb, _order(nb, x, "a chain of 300 diamonds"), x, {id(n) for n in nodes}, "a chain of 300 diamonds")
    a = V(2.0)
    sq = V(4.0, (a, a), "*")
    y = V(6.0, (sq, a), "+")
    _check_order(nb, _order(nb, y, "y = a*a + a"), y, {id(a), id(sq), id(y)}, "y = a*a + a")


@graded("03.2")
def test_random_graphs_are_ordered_parents_first(nb):
    rng = random.Random(21)
    for trial in range(30):
        pool = _random_dag(nb, rng)
        root = pool[rng.randrange(len(pool) // 2, len(pool))]  # sometimes leaves out the newest nodes
        what = f"random graph {trial}"
        _check_order(nb, _order(nb, root, what), root, _reachable_ids(pool, root), what)


def _chain(nb, n):
    """A chain of n additions of one leaf and the list of its nodes, built with the learner's constructor;
    ``nb.run`` builds it where the notebook's objects live (in the grader: one request instead of 2n)."""
    V = nb.Value
    one, x = V(1.0), V(0.0)
    chain = [one, x]
    for _ in range(n):
        x = V(x.data + 1.0, (x, one), "+")
        chain.append(x)
    return x, chain


def _sum_chain(nb, n):
    """x = a + a + ... + a (n + 1 terms) with the learner's +, built where the notebook's objects live."""
    a = nb.Value(0.5)
    x = a
    for _ in range(n):
        x = x + a
    return a, x


@graded("03.2", hint="A recursive function needs one Python frame per level, and Python allows about 1000: "
                     "keep the pending work in a list (stack) and loop.")
def test_a_chain_of_20000_operations_needs_no_recursion(nb):
    x, chain = nb.run(_chain, 20_000)
    _check_order(nb, _order(nb, x, "a chain of 20 000 additions"), x, {id(n) for n in chain}, "a chain of 20 000 additions")


# ------------------------------------------------------------------------------------------- 03.3
def _backward_of(nb, root, what):
    try:
        root.backward()
    except RecursionError:
        raise AssertionError(f"{what}: backward() raised RecursionError — it should use your iterative "
                             "topological_order") from None


@graded("03.3", hint="Seed the root's own gradient first, then run every node's backward step in reverse "
                     "topological order: a node may pass its gradient on only after every node that uses it has"
                     " passed its share to it.")
def test_each_step_runs_once_after_all_users_of_its_node(nb):
    # Every node's step passes its whole gradient to each parent (like +), so a node's final gradient is the
    # number of paths from it to the root — but only if it ran after all its users, exactly once, from a seed of 1.
    rng = random.Random(31)
    for trial in range(20):
        pool = _random_dag(nb, rng)
        root = pool[rng.randrange(len(pool) // 2, len(pool))]
        calls = []

        def make_step(node):
            def step():
                calls.append(id(node))
                for parent in node._prev:
                    parent.grad += node.grad
            return step

        for node in pool:
            node._backward = make_step(node)
        _backward_of(nb, root, f"random graph {trial}")
        reachable = _reachable_ids(pool, root)
        inner = [n for n in pool if n._prev and id(n) in reachable]
        for node in inner:
            count = calls.count(id(node))
            assert count == 1, f"random graph {trial}: the backward step of a node ran {count} times, expected once"
        assert all(i in reachable for i in calls), \
            f"random graph {trial}: backward() ran the step of a node the root does not depend on"
        paths = {id(root): 1}
        for node in reversed(pool):
            for parent in node._prev:
                paths[id(parent)] = paths.get(id(parent), 0) + paths.get(id(node), 0)
        for node in pool:
            if id(node) in reachable:
                assert node.grad == paths[id(node)], \
                    f"random graph {trial}: with steps that copy the gradient to every parent, a node should end " \
                    f"with grad {paths[id(node)]} (its number of paths to the root), got {node.grad}; " \
                    "was the root seeded with 1.0 and every step run after all users of its node?"


@graded("03.3")
def test_the_lesson_expression_gets_the_chain_rule_gradients(nb):
    V = nb.Value
    a, b, c, f = V(2.0, label="a"), V(-3.0, label="b"), V(10.0, label="c"), V(-2.0, label="f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    _backward_of(nb, L, "L = (a*b + c)*f")
    # Every node's gradient vs finite differences; on failure check() draws the graph, wrong nodes in red.
    assert_node_gradients(L, "L = (a*b + c)*f at a=2, b=-3, c=10, f=-2")
    assert_close(L.grad, 1.0, msg="after L.backward(), L.grad (dL/dL)")
    for name, v, want in [("a", a, 6.0), ("b", b, -4.0), ("c", c, -2.0), ("f", f, 4.0)]:
        assert_close(v.grad, want, msg=f"L = (a*b + c)*f at a=2, b=-3, c=10, f=-2: dL/d{name}")


@graded("03.3", hint="A value used by several operations must receive the sum of all their contributions; "
                     "that works when every _backward step adds (+=) and backward() runs each step once.")
def test_reused_nodes_accumulate_their_gradients(nb):
    V = nb.Value
    a = V(3.0, label="a")
    b = a + a; b.label = "b"
    _backward_of(nb, b, "b = a + a")
    assert_node_gradients(b, "b = a + a at a = 3")
    assert_close(a.grad, 2.0, msg="b = a + a: db/da")
    x = V(3.0, label="x")
    xx = x * x; xx.label = "x*x"
    y = xx + x; y.label = "y"
    _backward_of(nb, y, "y = x*x + x")
    assert_node_gradients(y, "y = x*x + x at x = 3")
    assert_close(x.grad, 7.0, msg="y = x*x + x at x = 3: dy/dx = 2x + 1")


def _random_program(rng, n_inputs, n_ops):
    steps = []
    for k in range(n_ops):
        size = n_inputs + k
        j = rng.randrange(size) if rng.random() < 0.7 else None  # None: a constant operand
        steps.append((rng.choice("+*"), rng.randrange(size), j, round(rng.uniform(-2, 2), 2)))
    return steps


def _run_program(steps, inputs):
    """Works on floats and on Values alike: both support + and * with numbers."""
    values = list(inputs)
    for op, i, j, const in steps:
        rhs = values[j] if j is not None else const
        values.append(values[i] + rhs if op == "+" else values[i] * rhs)
    return values[-1]


@graded("03.3")
def test_gradients_match_finite_differences_on_random_expressions(nb):
    rng = random.Random(33)
    checked = 0
    while checked < 15:
        steps = _random_program(rng, 3, rng.randint(3, 9))
        point = [rng.uniform(-1.5, 1.5) for _ in range(3)]
        if abs(_run_program(steps, point)) > 1e3:  # keep finite differences accurate
            continue
        checked += 1
        inputs = [nb.Value(v) for v in point]
        out = _run_program(steps, inputs)
        _backward_of(nb, out, "a random expression")
        assert_node_gradients(out, f"the expression {steps} (ops as (op, left, right or None, constant))",
                              rtol=1e-4, atol=1e-5)
        want = numerical_gradient(lambda vs: _run_program(steps, vs), point)
        got = [v.grad for v in inputs]
        assert_close(got, want, rtol=1e-4, atol=1e-5,
                     msg=f"gradient of the expression {steps} (ops as (op, left, right or None, constant)) "
                         f"at {[round(v, 3) for v in point]} vs finite differences")


@graded("03.3")
def test_a_chain_of_20000_operations_backpropagates(nb):
    a, x = nb.run(_sum_chain, 20_000)
    _backward_of(nb, x, "x = a + a + ... + a (20 001 terms)")
    assert_close(a.grad, 20_001.0, msg="x = a + a + ... + a with 20 001 terms: dx/da")


# ------------------------------------------------------------------------------------------- 03.4
@graded("03.4")
def test_hand_gradients_at_a_simple_point(nb):
    got = nb.squared_error_grads(0.5, 2.0, -1.0, 3.0)
    assert isinstance(got, dict) and set(got) == {"w", "x", "b"}, \
        f"squared_error_grads should return a dict with keys 'w', 'x', 'b', got {got!r}"
    # e = 0.5*2 - 1 - 3 = -3
    for name, want in {"w": -12.0, "x": -3.0, "b": -6.0}.items():
        assert_close(got[name], want, msg=f"L = (w*x + b - y)^2 at w=0.5, x=2, b=-1, y=3: dL/d{name}")


@graded("03.4", hint="L = e*e uses e twice, so dL/de = 2e; multiply by de/dw = x, de/dx = w, de/db = 1.")
def test_hand_gradients_match_finite_differences(nb):
    rng = random.Random(34)
    for _ in range(10):
        w, x, b, y = (rng.uniform(-2, 2) for _ in range(4))
        got = nb.squared_error_grads(w, x, b, y)
        want = numerical_gradient(lambda v: (v[0] * v[1] + v[2] - y) ** 2, [w, x, b])
        for name, value in zip("wxb", want):
            assert_close(got[name], value, rtol=1e-5, atol=1e-6,
                         msg=f"dL/d{name} at w={w:.3f}, x={x:.3f}, b={b:.3f}, y={y:.3f}")
