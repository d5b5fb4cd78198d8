"""Graded tests for lesson 07 (broadcasting). Each test takes ``nb``, the notebook's namespace.

The lesson gives the learner lesson 06's complete ``Tensor``; the exercises add broadcasting and the
shape-changing operations. Each operation is tested on its own backward step: the test sets
``out.grad = G`` (random) and runs ``out._backward()``, so each input's gradient must be
``d sum(G * out) / d input``. Expected values come from numpy (forward), from central finite
differences of numpy functions (``minitorch.testing.numerical_vjp``) or from an explicit loop
(``unbroadcast``) — never from the learner's code. Shapes and values come from seeded generators.
"""

import numpy as np

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, numerical_vjp

EXERCISES = [
    Exercise("07.1", "The broadcast result shape", points=2,
             hints=("Line the two shapes up at the right. Going from the right, two sizes fit if they are equal"
                    " or one of them is 1; a missing size counts as 1. Anything else is an error.",
                    "pad the shorter shape on the left with 1s; for each pair (x, y): equal → x; one of them 1 "
                    "→ the other; otherwise raise ValueError naming both shapes. Careful with 0: (0,) and (1,) "
                    "give (0,).",
                    "padded_a = (1,) * (n - len(a)) + tuple(a)   # padding on the left (keep a for the message)")),
    Exercise("07.2", "unbroadcast", points=3,
             hints=("Broadcasting copied the input along some axes; the gradient must add those copies back up."
                    " Two kinds of axes were added: extra leading axes, and axes where the input had size 1.",
                    "sum grad over its first (grad.ndim − len(shape)) axes; then for each axis i where shape[i]"
                    " is 1 but grad's is not, sum over it keeping the dimension.",
                    "grad = grad.sum(axis=i, keepdims=True)   # for such an axis i")),
    Exercise("07.3", "Broadcasting + and *", points=3, needs=("07.2",),
             hints=("Each input's share is computed exactly as in lesson 06, in the output's shape; then it "
                    "must be brought back to the input's shape with your unbroadcast from 07.2.",
                    "+: self.grad += unbroadcast(out.grad, self.shape), same for other. *: "
                    "unbroadcast(other.data × out.grad, self.shape), and the mirror image for other.",
                    "other.grad += unbroadcast(self.data * out.grad, other.shape)")),
    Exercise("07.4", "sum and mean over dimensions", points=3,
             hints=("Every element that went into a sum receives the sum's gradient; for a mean, a 1/count "
                    "share of it. Without keepdim the reduced axes are missing from out.grad: put them back as "
                    "size 1 so numpy can broadcast.",
                    "g = out.grad (divided by count for mean); if dim was given and keepdim is False, re-insert"
                    " the reduced axes as size 1 (np.expand_dims); add g to self.grad.",
                    "g = np.expand_dims(g, dim)")),
    Exercise("07.5", "reshape and transpose", points=2,
             hints=("reshape and transpose only move numbers around, so their backward moves the gradient back:"
                    " reshape it to the input's shape; swap the same two axes again.",
                    "reshape: self.grad += out.grad reshaped to self.shape. transpose: self.grad += out.grad "
                    "with dim0 and dim1 swapped.",
                    "self.grad += np.swapaxes(out.grad, dim0, dim1)")),
    Exercise("07.6", "Indexing with repeated indices", points=3,
             hints=("Indexing copies picked elements into the output; the backward adds each output gradient "
                    "back to the element it came from — once per pick, so an element picked twice gets two "
                    "shares. Plain `+=` on a fancy index does not do that.",
                    "numpy has an unbuffered 'add at these indices' that adds once for every occurrence of an "
                    "index: use it to add out.grad into self.grad at `index`.",
                    "np.add.at(self.grad, index, out.grad)")),
]


def finite_difference_grads(fn, arrays, G):
    """[d sum(G * fn(*arrays)) / d a for a in arrays], each by central differences."""
    return numerical_vjp(fn, arrays, G)


def run_step(nb, op, arrays, seed, start=None):
    """Tensors of arrays, out = op(*tensors), out.grad = random G, out._backward(); returns (tensors, out, G)."""
    tensors = [nb.Tensor(a) for a in arrays]
    for t, s in zip(tensors, start or []):
        t.grad = np.array(s, dtype=np.float64)
    out = op(*tensors)
    G = np.random.default_rng(seed).standard_normal(np.shape(out.data))
    out.grad = G.copy()
    out._backward()
    return tensors, out, G


def assert_forward(out, expected, what):
    data = np.asarray(out.data)
    assert data.shape == np.shape(expected), f"{what}: the result should have shape {np.shape(expected)}, got {data.shape}"
    assert_close(data, expected, msg=what)


def assert_grads(tensors, expected, what):
    for k, (t, e) in enumerate(zip(tensors, expected)):
        grad = np.asarray(t.grad)
        assert grad.shape == np.shape(e), (f"{what}: the gradient of input {k} should have the input's shape "
                                           f"{np.shape(e)}, got shape {grad.shape}")
        assert_close(grad, e, rtol=1e-6, atol=1e-7, msg=f"{what}: gradient of input {k} (shape {np.shape(e)})")


def check_op(nb, op, ref, arrays, seed, what):
    """Forward equals ref(*arrays); every gradient has its input's shape and matches finite differences of ref."""
    tensors, out, G = run_step(nb, op, arrays, seed)
    assert_forward(out, ref(*arrays), what)
    assert_grads(tensors, finite_difference_grads(ref, arrays, G), what)


def random_broadcast_pair(rng):
    """Two shapes that broadcast: drop leading axes of a random result shape and set some sizes to 1."""
    result = tuple(int(n) for n in rng.integers(2, 5, size=rng.integers(0, 4)))

    def operand():
        shape = list(result[rng.integers(0, len(result) + 1):])
        return tuple(1 if rng.random() < 0.4 else n for n in shape)

    return operand(), operand(), result


# ------------------------------------------------------------------------------------------- 07.1
TABLE = [((3, 1), (4,), (3, 4)), ((2, 3, 4), (3, 1), (2, 3, 4)), ((), (2, 3), (2, 3)),
         ((64, 32), (32,), (64, 32)), ((3,), (3, 1), (3, 3)), ((1,), (1, 1, 1), (1, 1, 1))]


@graded("07.1")
def test_the_worked_examples(nb):
    for a, b, want in TABLE:
        got = nb.broadcast_shape(a, b)
        assert tuple(got) == want, f"broadcast_shape({a}, {b}) should be {want}, got {got!r}"


@graded("07.1")
def test_random_shapes_agree_with_numpy(nb):
    rng = np.random.default_rng(71)
    for _ in range(40):
        a, b, _ = random_broadcast_pair(rng)
        want = np.broadcast_shapes(a, b)
        got = nb.broadcast_shape(a, b)
        assert isinstance(got, tuple) and got == want, f"broadcast_shape({a}, {b}) should be the tuple {want}, got {got!r}"


@graded("07.1", hint="An axis of size 1 stretches to whatever the other size is, 0 included: nothing is ever "
                     "stretched *to* 1 unless both sizes are 1.")
def test_empty_axes_broadcast_to_empty(nb):
    for a, b, want in [((0,), (1,), (0,)), ((1,), (0,), (0,)), ((2, 0), (1,), (2, 0)), ((0, 1), (1, 3), (0, 3))]:
        got = nb.broadcast_shape(a, b)
        assert tuple(got) == want, f"broadcast_shape({a}, {b}) should be {want} (numpy agrees), got {got!r}"


@graded("07.1", hint="The rule does not depend on how many dimensions there are: write it for any length of shape, "
                     "with your own loop over the aligned sizes.")
def test_the_rule_holds_for_any_number_of_dimensions(nb):
    # numpy's arrays stop at 64 dimensions; the broadcasting rule itself does not.
    a, b = (1,) * 69 + (3,), (2,) + (1,) * 69
    want = (2,) + (1,) * 68 + (3,)
    try:
        got = nb.broadcast_shape(a, b)
    except NotImplementedError:
        raise
    except Exception as e:
        raise AssertionError(f"broadcast_shape of two 70-dimensional shapes raised {type(e).__name__}: {e} — "
                             "the rule is about sizes, not arrays; does your code build arrays?") from None
    assert tuple(got) == want, f"broadcast_shape of (1,)*69 + (3,) and (2,) + (1,)*69 should be (2, 1, ..., 1, 3)"


@graded("07.1", hint="Sizes must be equal or one of them 1, compared from the right: (5, 4) vs (3,) compares 4 with 3. "
                     "The message names the shapes as they were given, before any padding.")
def test_incompatible_shapes_raise_a_clear_error(nb):
    for a, b in [((5, 4), (3,)), ((2, 3), (3, 2)), ((4, 1, 2), (3, 3))]:
        try:
            got = nb.broadcast_shape(a, b)
        except ValueError as e:
            assert str(a) in str(e) and str(b) in str(e), \
                f"the ValueError for shapes {a} and {b} should name both shapes as given (not padded); its message is: {e}"
            continue
        raise AssertionError(f"broadcast_shape({a}, {b}) should raise ValueError (they don't broadcast), got {got!r}")


# ------------------------------------------------------------------------------------------- 07.2
def loop_unbroadcast(grad, shape):
    """The reference: add every entry of grad into the input element it was copied from."""
    out = np.zeros(shape)
    lead = grad.ndim - len(shape)
    for index in np.ndindex(grad.shape):
        source = tuple(0 if n == 1 else i for i, n in zip(index[lead:], shape))
        out[source] += grad[index]
    return out


@graded("07.2")
def test_a_bias_a_column_and_a_scalar(nb):
    G = np.arange(1.0, 13.0).reshape(3, 4)
    for shape, want in [((4,), G.sum(axis=0)), ((3, 1), G.sum(axis=1, keepdims=True)), ((), G.sum()),
                        ((1, 4), G.sum(axis=0, keepdims=True)), ((1, 1), G.sum(keepdims=True)), ((3, 4), G)]:
        got = np.asarray(nb.unbroadcast(G.copy(), shape))
        assert got.shape == shape, f"unbroadcast(G of shape (3, 4), {shape}) should have shape {shape}, got {got.shape}"
        assert_close(got, want, msg=f"unbroadcast(G of shape (3, 4), {shape}) with G = 1..12 row by row")


@graded("07.2", hint="Two steps: sum away the extra leading axes, then sum (keepdims=True) the axes where shape has a 1.")
def test_random_shapes_match_an_explicit_loop(nb):
    rng = np.random.default_rng(72)
    for _ in range(30):
        a, _, result = random_broadcast_pair(rng)
        grad = rng.standard_normal(result)
        got = np.asarray(nb.unbroadcast(grad.copy(), a))
        assert got.shape == a, f"unbroadcast(grad of shape {result}, {a}) should have shape {a}, got {got.shape}"
        assert_close(got, loop_unbroadcast(grad, a), msg=f"unbroadcast(grad of shape {result}, {a})")


@graded("07.2", hint="Keep size-1 axes with keepdims=True: summing (2, 3, 4) down to (3, 1) must give (3, 1), not (3,).")
def test_stretched_axes_inside_the_shape_are_kept(nb):
    grad = np.random.default_rng(73).standard_normal((2, 3, 4))
    for shape in [(3, 1), (2, 1, 4), (1, 3, 1)]:
        got = np.asarray(nb.unbroadcast(grad.copy(), shape))
        assert got.shape == shape, f"unbroadcast(grad of shape (2, 3, 4), {shape}) should have shape {shape}, got {got.shape}"
        assert_close(got, loop_unbroadcast(grad, shape), msg=f"unbroadcast(grad of shape (2, 3, 4), {shape})")


# ------------------------------------------------------------------------------------------- 07.3
PAIRS = [((3, 1), (4,)), ((2, 3, 4), (3, 1)), ((), (2, 3)), ((2, 3), ()), ((5, 3), (3,)), ((3,), (3, 1)),
         ((1,), (2, 2)), ((2, 3), (2, 3))]


@graded("07.3")
def test_add_broadcasts_and_sums_gradients_back(nb):
    rng = np.random.default_rng(81)
    for k, (sa, sb) in enumerate(PAIRS):
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        check_op(nb, lambda x, y: x + y, np.add, [a, b], seed=k, what=f"a + b with a {sa}, b {sb}")


@graded("07.3", hint="For *, each input's share (the other input times the upstream gradient) has the output's "
                     "shape: bring it back to the input's shape with your unbroadcast.")
def test_mul_broadcasts_and_sums_gradients_back(nb):
    rng = np.random.default_rng(82)
    for k, (sa, sb) in enumerate(PAIRS):
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        check_op(nb, lambda x, y: x * y, np.multiply, [a, b], seed=k, what=f"a * b with a {sa}, b {sb}")


@graded("07.3")
def test_random_broadcasting_shapes(nb):
    rng = np.random.default_rng(83)
    for k in range(12):
        sa, sb, _ = random_broadcast_pair(rng)
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        op, ref, name = [(lambda x, y: x + y, np.add, "+"), (lambda x, y: x * y, np.multiply, "*")][k % 2]
        check_op(nb, op, ref, [a, b], seed=k, what=f"a {name} b with a {sa}, b {sb}")


@graded("07.3")
def test_numbers_on_either_side(nb):
    x = np.random.default_rng(84).standard_normal((2, 3))
    check_op(nb, lambda t: t * 2.5, lambda a: a * 2.5, [x], seed=1, what="x * 2.5")
    check_op(nb, lambda t: 3.0 + t, lambda a: 3.0 + a, [x], seed=2, what="3.0 + x")


@graded("07.3", hint="Use += on the unbroadcast shares, so that gradients already there are kept.")
def test_gradients_accumulate_in_the_input_shape(nb):
    rng = np.random.default_rng(85)
    a, b, s0, s1 = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((4, 3)), rng.standard_normal(3)
    tensors, _, G = run_step(nb, lambda x, y: x * y, [a, b], seed=3, start=[s0, s1])
    ga, gb = finite_difference_grads(np.multiply, [a, b], G)
    assert_grads(tensors, [s0 + ga, s1 + gb], "a * b with a (4, 3), b (3,), both grads already nonzero")


# ------------------------------------------------------------------------------------------- 07.4
REDUCTIONS = [((2, 3), None, False), ((2, 3), 0, False), ((2, 3), 1, True), ((2, 3, 4), -1, False),
              ((2, 3, 4), (0, 2), False), ((2, 3, 4), (0, -1), True), ((4,), 0, False), ((3, 1, 2), 1, False)]


def _reduction_cases(nb, name, ref):
    rng = np.random.default_rng(91 if name == "sum" else 92)
    for k, (shape, dim, keepdim) in enumerate(REDUCTIONS):
        x = rng.standard_normal(shape)
        check_op(nb, lambda t: getattr(t, name)(dim=dim, keepdim=keepdim),
                 lambda a: ref(a, axis=dim, keepdims=keepdim), [x], seed=k,
                 what=f"x.{name}(dim={dim}, keepdim={keepdim}) for x of shape {shape}")


@graded("07.4", hint="Without keepdim the reduced axes are missing from out.grad: put them back as axes of size"
                     " 1, and numpy's broadcasting spreads the gradient over them.")
def test_sum_over_dims_spreads_the_gradient_back(nb):
    _reduction_cases(nb, "sum", np.sum)


@graded("07.4", hint="mean = sum / count, so its backward spreads out.grad / count (count is given).")
def test_mean_over_dims_spreads_a_share_of_the_gradient_back(nb):
    _reduction_cases(nb, "mean", np.mean)


@graded("07.4")
def test_reductions_accumulate(nb):
    rng = np.random.default_rng(93)
    x, s = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for name, ref in [("sum", np.sum), ("mean", np.mean)]:
        tensors, _, G = run_step(nb, lambda t: getattr(t, name)(dim=1), [x], seed=4, start=[s])
        (g,) = finite_difference_grads(lambda a: ref(a, axis=1), [x], G)
        assert_grads(tensors, [s + g], f"x.{name}(dim=1) with x.grad already nonzero")


# ------------------------------------------------------------------------------------------- 07.5
@graded("07.5")
def test_reshape_sends_the_gradient_back_in_the_input_shape(nb):
    rng = np.random.default_rng(101)
    for k, (shape, new) in enumerate([((2, 3), (3, 2)), ((2, 3, 4), (6, 4)), ((2, 3, 4), (-1,)), ((4,), (2, 1, 2)),
                                      ((), (1, 1))]):
        x = rng.standard_normal(shape)
        check_op(nb, lambda t: t.reshape(*new), lambda a: a.reshape(*new), [x], seed=k,
                 what=f"x.reshape{new} for x of shape {shape}")


@graded("07.5", hint="Swapping the same two axes a second time undoes a transpose.")
def test_transpose_swaps_the_gradient_back(nb):
    rng = np.random.default_rng(102)
    for k, (shape, d0, d1) in enumerate([((2, 3), 0, 1), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, -2), ((2, 3, 4), 1, 1)]):
        x = rng.standard_normal(shape)
        check_op(nb, lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1), [x], seed=k,
                 what=f"x.transpose({d0}, {d1}) for x of shape {shape}")


@graded("07.5")
def test_reshape_and_transpose_accumulate(nb):
    rng = np.random.default_rng(103)
    x, s = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    for what, op, ref in [("x.reshape(3, 2)", lambda t: t.reshape(3, 2), lambda a: a.reshape(3, 2)),
                          ("x.transpose(0, 1)", lambda t: t.transpose(0, 1), lambda a: a.T)]:
        tensors, _, G = run_step(nb, op, [x], seed=5, start=[s])
        assert_grads(tensors, [s + finite_difference_grads(ref, [x], G)[0]], f"{what} with x.grad already nonzero")


# ------------------------------------------------------------------------------------------- 07.6
INDICES = [(1, "x[1]"), ((slice(None), slice(1, 3)), "x[:, 1:3]"), ((0, 2), "x[0, 2]"), ([2, 0, 3], "x[[2, 0, 3]]"),
           ((Ellipsis, -1), "x[..., -1]")]


@graded("07.6")
def test_basic_and_integer_array_indexing(nb):
    rng = np.random.default_rng(111)
    for k, (index, what) in enumerate(INDICES):
        x = rng.standard_normal((4, 3))
        check_op(nb, lambda t: t[index], lambda a: a[index], [x], seed=k, what=f"{what} for x of shape (4, 3)")


@graded("07.6", hint="With fancy indexing, `grad[index] += g` writes a repeated element only once. numpy has an"
                     " unbuffered 'add at' that counts every occurrence.")
def test_repeated_indices_add_up(nb):
    rng = np.random.default_rng(112)
    x = rng.standard_normal((5, 3))
    for index, what in [([1, 3, 1, 1], "x[[1, 3, 1, 1]]"), (np.array([[0, 1], [1, 1]]), "x[[[0, 1], [1, 1]]]"),
                        (([0, 0, 2], [1, 1, 2]), "x[[0, 0, 2], [1, 1, 2]]")]:
        check_op(nb, lambda t: t[index], lambda a: a[index], [x], seed=3, what=f"{what} for x of shape (5, 3)")
    (tx,), _, G = run_step(nb, lambda t: t[[2, 2, 2]], [np.zeros((4, 2))], seed=4)
    assert_close(np.asarray(tx.grad)[2], G.sum(axis=0), msg="x[[2, 2, 2]] picks row 2 three times; its gradient "
                                                            "should be the sum of the three rows of out.grad")


@graded("07.6", hint="Add into the existing gradient; don't replace it.")
def test_indexing_accumulates(nb):
    rng = np.random.default_rng(113)
    x, s = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    tensors, _, G = run_step(nb, lambda t: t[[0, 0, 2]], [x], seed=6, start=[s])
    (g,) = finite_difference_grads(lambda a: a[[0, 0, 2]], [x], G)
    assert_grads(tensors, [s + g], "x[[0, 0, 2]] with x.grad already nonzero")
