"""Graded tests for lesson 06 (tensors). Each test takes ``nb``, the notebook's namespace.

The learner's ``Tensor`` holds a float64 numpy array in ``data`` and a gradient of the same shape in
``grad``. Each operation's backward step is tested on its own: the test sets ``out.grad`` to a random
array ``G`` and runs ``out._backward()``, so the result is ``d(sum(G * out))/d(input)``. Expected
gradients come from central finite differences of plain numpy functions
(``minitorch.testing.numerical_vjp``), never from the learner's code. Shapes and values are drawn
from seeded generators, so every run checks the same cases.
"""

import numpy as np

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, assert_node_gradients, numerical_vjp

EXERCISES = [
    Exercise("06.1", "A numerical gradient for arrays", points=2,
             hints=("Same idea as lesson 01, one array element at a time: nudge one element up and down, "
                    "measure f, put it back.",
                    "grad = zeros of x's shape; for each index i of x (np.ndindex): remember x[i]; set it to "
                    "old + h, evaluate; to old − h, evaluate; restore it; grad[i] = the central difference.",
                    "for i in np.ndindex(x.shape):")),
    Exercise("06.2", "Backward steps of + and *", points=3,
             hints=("The same local derivatives as lesson 03, now elementwise on arrays: + passes the output's "
                    "gradient through unchanged; * multiplies it by the other input. Add, never replace.",
                    "+: each input's grad increases by out.grad. *: self's grad increases by other's data × "
                    "out.grad (elementwise), and the other way round.",
                    "other.grad += self.data * out.grad   # one of the four lines")),
    Exercise("06.3", "backward(gradient=None)", points=2,
             hints=("backward() of a scalar starts from d(out)/d(out) = 1; for a non-scalar output the caller "
                    "must say which vector-Jacobian product they want by passing `gradient` of the output's "
                    "shape. Then run the steps in reverse topological order.",
                    "if gradient is None: the output must have one element (else ValueError naming its shape), "
                    "seed = ones; otherwise seed = gradient as a float64 array, which must have the output's "
                    "shape. Set self.grad = seed, then every node's _backward in reversed topological order.",
                    "seed = np.ones_like(self.data)   # when gradient is None")),
    Exercise("06.4", "tanh, relu and sum", points=3,
             hints=("Local derivatives, elementwise: tanh' = 1 − tanh², relu' = 1 where the input is positive, "
                    "and the sum gives every element a derivative of 1 — so every element receives the output's"
                    " (0-d) gradient.",
                    "tanh: add (1 − out²) × out.grad; relu: add (input > 0) × out.grad; sum: add out.grad "
                    "itself — numpy broadcasts the 0-d array over every element.",
                    "self.grad += (1 - out.data ** 2) * out.grad   # tanh")),
    Exercise("06.5", "The backward step of @", points=3,
             hints=("For C = A @ B with upstream gradient G (C's shape), each input's gradient must have that "
                    "input's shape — let the shapes tell you which transposes go where.",
                    "A's gradient is G times B transposed, (n, m) @ (m, k); B's gradient is A transposed times "
                    "G, (k, n) @ (n, m). Add both to what is there.",
                    "self.grad += out.grad @ other.data.T")),
]

SHAPES = [(), (4,), (2, 3), (3, 1, 2)]


def numeric_vjp(fn, arrays, G, i):
    """d sum(G * fn(*arrays)) / d arrays[i], by central differences."""
    return numerical_vjp(fn, arrays, G, wrt=[i])[0]


def one_step(nb, op, arrays, seed, start=None):
    """Make Tensors, apply op, set out.grad to a random G, run out's backward step; return inputs, out, G."""
    inputs = [nb.Tensor(a) for a in arrays]
    if start is not None:
        for t, s in zip(inputs, start):
            t.grad = np.array(s, dtype=np.float64)
    out = op(*inputs)
    G = np.random.default_rng(seed).standard_normal(np.shape(out.data))
    out.grad = G.copy()
    out._backward()
    return inputs, out, G


def assert_grad(t, expected, what):
    grad = np.asarray(t.grad)
    assert grad.shape == np.shape(expected), \
        f"{what}: the gradient should have the input's shape {np.shape(expected)}, got shape {grad.shape}"
    assert_close(grad, expected, rtol=1e-6, atol=1e-7, msg=what)


# ------------------------------------------------------------------------------------------- 06.1
@graded("06.1")
def test_gradient_of_a_weighted_sum_of_sines(nb):
    rng = np.random.default_rng(1)
    for shape in SHAPES:
        x, w = rng.standard_normal(shape), rng.standard_normal(shape)
        got = nb.numerical_grad(lambda a: np.sum(w * np.sin(a)), x.copy())
        got = np.asarray(got)
        assert got.shape == shape, f"numerical_grad of an array of shape {shape} should have that shape, got {got.shape}"
        assert_close(got, w * np.cos(x), atol=1e-7, msg=f"numerical_grad of sum(w * sin(x)) for x of shape {shape}")


@graded("06.1")
def test_gradient_of_a_matrix_product(nb):
    rng = np.random.default_rng(2)
    A, B, G = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    got = nb.numerical_grad(lambda a: np.sum(G * (a @ B)), A.copy())
    assert_close(got, G @ B.T, atol=1e-7, msg="numerical_grad of sum(G * (A @ B)) with respect to A (3, 4)")


@graded("06.1", hint="You may nudge x in place, but remember the element's old value and restore it before "
                     "moving on.")
def test_the_input_is_left_as_it_was(nb):
    x = np.random.default_rng(3).standard_normal((2, 3)) * 1e3
    before = x.copy()
    nb.numerical_grad(lambda a: float(np.sum(a ** 2)), x)
    assert np.array_equal(x, before), \
        f"numerical_grad changed its input: the largest change is {np.max(np.abs(x - before)):.3g}"


@graded("06.1", hint="A forward difference is only accurate to O(h): use (f(x + h) - f(x - h)) / (2h).")
def test_uses_the_central_difference(nb):
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    got = nb.numerical_grad(lambda a: np.sum(a ** 3), x.copy(), h=1e-3)
    assert_close(got, 3 * x ** 2, atol=1e-5, msg="numerical_grad of sum(x**3) with h=1e-3")


# ------------------------------------------------------------------------------------------- 06.2
@graded("06.2")
def test_add_gives_both_inputs_the_output_gradient(nb):
    rng = np.random.default_rng(11)
    for k, shape in enumerate(SHAPES):
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        (ta, tb), out, G = one_step(nb, lambda x, y: x + y, [a, b], seed=k)
        assert_close(out.data, a + b, msg=f"(a + b).data for shape {shape}")
        assert_grad(ta, G, f"out = a + b, shape {shape}: a.grad")
        assert_grad(tb, G, f"out = a + b, shape {shape}: b.grad")


@graded("06.2", hint="d(a·b)/da = b, elementwise: each input receives the other input's values times the "
                     "output's gradient.")
def test_mul_gradients_match_finite_differences(nb):
    rng = np.random.default_rng(12)
    for k, shape in enumerate(SHAPES):
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        (ta, tb), out, G = one_step(nb, lambda x, y: x * y, [a, b], seed=k)
        assert_close(out.data, a * b, msg=f"(a * b).data for shape {shape}")
        assert_grad(ta, numeric_vjp(np.multiply, [a, b], G, 0), f"out = a * b, shape {shape}: a.grad")
        assert_grad(tb, numeric_vjp(np.multiply, [a, b], G, 1), f"out = a * b, shape {shape}: b.grad")


@graded("06.2", hint="Use +=: a backward step adds its share to the gradient already there.")
def test_backward_steps_add_to_the_gradient_already_there(nb):
    rng = np.random.default_rng(13)
    a, b, s0, s1 = (rng.standard_normal((2, 2)) for _ in range(4))
    for name, op in [("+", lambda x, y: x + y), ("*", lambda x, y: x * y)]:
        (ta, tb), out, G = one_step(nb, op, [a, b], seed=5, start=[s0, s1])
        share_a = G if name == "+" else G * b
        share_b = G if name == "+" else G * a
        assert_grad(ta, s0 + share_a, f"a.grad was already nonzero before the backward step of a {name} b; "
                                      "it should have grown by its share")
        assert_grad(tb, s1 + share_b, f"b.grad was already nonzero before the backward step of a {name} b; "
                                      "it should have grown by its share")


@graded("06.2", hint="In x * x both parents are the same tensor: with += it receives both shares, 2 * x * G.")
def test_a_tensor_used_twice_receives_both_shares(nb):
    x = np.random.default_rng(14).standard_normal((3, 2))
    (tx,), _, G = one_step(nb, lambda t: t * t, [x], seed=6)
    assert_grad(tx, 2 * x * G, "out = x * x: x.grad")
    (tx,), _, G = one_step(nb, lambda t: t + t, [x], seed=7)
    assert_grad(tx, 2 * G, "out = x + x: x.grad")


@graded("06.2")
def test_a_number_operand_scales_the_gradient(nb):
    x = np.random.default_rng(15).standard_normal((2, 3))
    (tx,), out, G = one_step(nb, lambda t: t * 3.0, [x], seed=8)
    assert_close(out.data, 3 * x, msg="(x * 3).data")
    assert_grad(tx, 3 * G, "out = x * 3: x.grad")
    (tx,), _, G = one_step(nb, lambda t: 2.0 + t, [x], seed=9)
    assert_grad(tx, G, "out = 2 + x: x.grad")


# ------------------------------------------------------------------------------------------- 06.3
def _node(nb, data, parents, step):
    """A node made with the constructor whose backward step is step(node) (the test's own, not the learner's)."""
    node = nb.Tensor(data, tuple(parents), "f")
    node._backward = lambda: step(node)
    return node


def _diamond(nb, x):
    """L = sum(2x + 3x) built from nodes with the test's own backward steps: dL/dx = 5 everywhere."""
    def spread(p, k):
        def step(node):
            p.grad += k * node.grad
        return step

    X = nb.Tensor(x)
    y1 = _node(nb, 2 * x, [X], spread(X, 2.0))
    y2 = _node(nb, 3 * x, [X], spread(X, 3.0))
    z = nb.Tensor(5 * x, (y1, y2), "+")

    def z_step(node):
        y1.grad += node.grad
        y2.grad += node.grad

    z._backward = lambda: z_step(z)

    def l_step(node):
        z.grad += node.grad  # a 0-d array, spread over z's shape by numpy

    L = _node(nb, np.sum(5 * x), [z], l_step)
    return X, L


@graded("06.3")
def test_a_scalar_output_is_seeded_with_one(nb):
    x = np.random.default_rng(21).standard_normal((2, 3))
    X, L = _diamond(nb, x)
    L.backward()
    assert np.shape(L.grad) == np.shape(L.data), \
        f"the root's grad should have the root's shape {np.shape(L.data)}, got {np.shape(L.grad)}"
    assert_close(L.grad, 1.0, msg="the root's grad after L.backward() (dL/dL)")
    assert_grad(X, np.full(x.shape, 5.0), "L = sum(2x + 3x) through nodes used along two paths: x.grad")


@graded("06.3", hint="Run the backward steps in reverse topological order, so that every node has its complete "
                     "gradient before passing it on.")
def test_every_node_runs_after_all_of_its_users(nb):
    x = np.arange(4.0).reshape(2, 2)
    X, L = _diamond(nb, x)
    ran = []
    for node in [L, *L._prev, *L._prev[0]._prev]:
        step = node._backward
        node._backward = (lambda s, n: (lambda: (ran.append(id(n)), s())))(step, node)
    L.backward()
    assert ran and ran[0] == id(L), "backward() should run the root's backward step first"
    assert len(ran) == len(set(ran)) == 4, \
        f"backward() should run each of the 4 non-leaf nodes' steps exactly once, it ran {len(ran)} steps"
    assert_grad(X, np.full(x.shape, 5.0), "L = sum(2x + 3x): x.grad")


@graded("06.3", hint="Without `gradient`, only an output with exactly one element can be the start; otherwise "
                     "raise ValueError and name the output's shape.")
def test_a_non_scalar_output_without_gradient_is_an_error(nb):
    X = nb.Tensor(np.ones((2, 3)))
    Y = _node(nb, np.ones((2, 3)), [X], lambda node: None)
    try:
        Y.backward()
    except ValueError as e:
        assert "(2, 3)" in str(e), f"the ValueError should name the output's shape (2, 3); its message is: {e}"
        return
    raise AssertionError("Y.backward() on an output of shape (2, 3) should raise ValueError: there is no single "
                         "dL/dY to start from without gradient=")


@graded("06.3")
def test_the_gradient_argument_is_the_seed(nb):
    rng = np.random.default_rng(22)
    x, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    X = nb.Tensor(x)

    def step(node):
        X.grad += 2.0 * node.grad

    Y = _node(nb, 2 * x, [X], step)
    Y.backward(v)
    assert_close(Y.grad, v, msg="after Y.backward(v), Y.grad should be v")
    assert_grad(X, 2 * v, "Y = 2X, Y.backward(v): X.grad")
    X2 = nb.Tensor(x)
    Y2 = _node(nb, 2 * x, [X2], lambda node: None)
    try:
        Y2.backward(np.ones((3, 2)))
    except ValueError:
        return
    raise AssertionError("Y.backward(gradient) with a gradient of shape (3, 2) for an output of shape (2, 3) "
                         "should raise ValueError")


# ------------------------------------------------------------------------------------------- 06.4
@graded("06.4", hint="The derivative of tanh is 1 − tanh²; you already have tanh(x): it is the output's data.")
def test_tanh_gradient_matches_finite_differences(nb):
    rng = np.random.default_rng(31)
    for k, shape in enumerate(SHAPES):
        x = rng.standard_normal(shape) * 1.5
        (tx,), out, G = one_step(nb, lambda t: t.tanh(), [x], seed=k)
        assert_close(out.data, np.tanh(x), msg=f"x.tanh().data for shape {shape}")
        assert_grad(tx, numeric_vjp(np.tanh, [x], G, 0), f"out = x.tanh(), shape {shape}: x.grad")


@graded("06.4", hint="relu lets the gradient through where its input was positive and blocks it elsewhere: "
                     "multiply by a mask.")
def test_relu_gradient_passes_only_where_the_input_is_positive(nb):
    rng = np.random.default_rng(32)
    for k, shape in enumerate(SHAPES[1:]):
        x = rng.standard_normal(shape)
        x[np.abs(x) < 0.05] = 0.5  # keep finite differences away from the kink at 0
        (tx,), out, G = one_step(nb, lambda t: t.relu(), [x], seed=k)
        assert_close(out.data, np.maximum(x, 0), msg=f"x.relu().data for shape {shape}")
        assert_grad(tx, numeric_vjp(lambda a: np.maximum(a, 0), [x], G, 0), f"out = x.relu(), shape {shape}: x.grad")


@graded("06.4", hint="d(Σx)/dxᵢ = 1 for every i: every element receives the output's gradient (a 0-d array "
                     "broadcasts).")
def test_sum_gives_every_element_the_output_gradient(nb):
    rng = np.random.default_rng(33)
    for k, shape in enumerate(SHAPES):
        x = rng.standard_normal(shape)
        (tx,), out, G = one_step(nb, lambda t: t.sum(), [x], seed=k)
        assert np.shape(out.data) == (), f"x.sum() should be a 0-d tensor (shape ()), got shape {np.shape(out.data)}"
        assert_close(out.data, np.sum(x), msg=f"x.sum().data for shape {shape}")
        assert_grad(tx, np.full(shape, float(G)), f"out = x.sum(), shape {shape}, out.grad = {float(G):.4f}: x.grad")


@graded("06.4", hint="Use += in all three backward steps.")
def test_unary_steps_add_to_the_gradient_already_there(nb):
    rng = np.random.default_rng(34)
    x, s = rng.standard_normal((2, 3)) + 0.1, rng.standard_normal((2, 3))
    for name, op, ref in [("tanh", lambda t: t.tanh(), np.tanh), ("relu", lambda t: t.relu(), lambda a: np.maximum(a, 0)),
                          ("sum", lambda t: t.sum(), np.sum)]:
        (tx,), _, G = one_step(nb, op, [x], seed=3, start=[s])
        assert_grad(tx, s + numeric_vjp(ref, [x], G, 0),
                    f"x.grad was already nonzero before the backward step of x.{name}(); it should have grown by its share")


# ------------------------------------------------------------------------------------------- 06.5
@graded("06.5", hint="Each gradient must have its input's shape: for A (n, k) and B (k, m) with upstream G (n, "
                     "m), combine G with the other factor transposed so the shapes work out.")
def test_matmul_gradients_match_finite_differences_for_random_shapes(nb):
    rng = np.random.default_rng(41)
    for k in range(6):
        n, inner, m = (int(d) for d in rng.integers(1, 5, size=3))
        A, B = rng.standard_normal((n, inner)), rng.standard_normal((inner, m))
        (tA, tB), out, G = one_step(nb, lambda a, b: a @ b, [A, B], seed=k)
        assert_close(out.data, A @ B, msg=f"(A @ B).data for shapes {A.shape} @ {B.shape}")
        assert_grad(tA, numeric_vjp(np.matmul, [A, B], G, 0), f"out = A @ B with A {A.shape}, B {B.shape}: A.grad")
        assert_grad(tB, numeric_vjp(np.matmul, [A, B], G, 1), f"out = A @ B with A {A.shape}, B {B.shape}: B.grad")


@graded("06.5")
def test_row_times_column_and_column_times_row(nb):
    rng = np.random.default_rng(42)
    row, col = rng.standard_normal((1, 4)), rng.standard_normal((4, 1))
    for A, B in [(row, col), (col, row)]:
        (tA, tB), _, G = one_step(nb, lambda a, b: a @ b, [A, B], seed=1)
        assert_grad(tA, numeric_vjp(np.matmul, [A, B], G, 0), f"out = A @ B with A {A.shape}, B {B.shape}: A.grad")
        assert_grad(tB, numeric_vjp(np.matmul, [A, B], G, 1), f"out = A @ B with A {A.shape}, B {B.shape}: B.grad")


@graded("06.5", hint="In A @ A the same tensor is both factors: it must receive both shares, the one as the "
                     "left factor and the one as the right, added together.")
def test_a_matrix_times_itself_receives_both_shares(nb):
    A = np.random.default_rng(43).standard_normal((3, 3))
    (tA,), _, G = one_step(nb, lambda a: a @ a, [A], seed=2)
    assert_grad(tA, numeric_vjp(lambda a: a @ a, [A], G, 0), "out = A @ A: A.grad")


@graded("06.5", hint="Use += in both lines, so that gradients already there are kept.")
def test_matmul_adds_to_the_gradient_already_there(nb):
    rng = np.random.default_rng(44)
    A, B = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    sA, sB = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    (tA, tB), _, G = one_step(nb, lambda a, b: a @ b, [A, B], seed=3, start=[sA, sB])
    assert_grad(tA, sA + numeric_vjp(np.matmul, [A, B], G, 0), "A.grad was already nonzero before the backward step "
                                                              "of A @ B; it should have grown by its share")
    assert_grad(tB, sB + numeric_vjp(np.matmul, [A, B], G, 1), "B.grad was already nonzero before the backward step "
                                                              "of A @ B; it should have grown by its share")


@graded("06.5", hint="Follow the shapes through the chain: H = X @ W1 hands X and W1 gradients of their own shapes, "
                     "built from H's gradient, which O = H @ W2 handed to H.")
def test_two_products_in_a_chain_get_every_gradient_right(nb):
    # The learner's @ twice; the sum at the end and the order of the steps are the test's own, so only 06.5 is
    # graded. Every node's gradient is compared with finite differences of L (check() draws the wrong ones).
    rng = np.random.default_rng(45)
    X, W1, W2 = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((2, 1))
    tX, tW1, tW2 = nb.Tensor(X, label="X"), nb.Tensor(W1, label="W1"), nb.Tensor(W2, label="W2")
    H = tX @ tW1
    H.label = "H"
    O = H @ tW2
    O.label = "O"

    def sum_step(node):
        O.grad += node.grad  # d sum(O)/dO = 1 everywhere

    L = nb.Tensor(np.sum(O.data), (O,), "sum", label="L")
    L._backward = lambda: sum_step(L)
    L.grad = np.ones(())
    for node in (L, O, H):
        node._backward()
    assert_node_gradients(L, "L = sum((X @ W1) @ W2)")
    assert_grad(tW1, numeric_vjp(lambda w: (X @ w) @ W2, [W1], np.ones((3, 1)), 0), "L = sum((X @ W1) @ W2): W1.grad")
