"""Every tensor op's gradient against finite differences, on random shapes and values (hypothesis).

gradcheck differentiates ``sum(v * f(x))`` for a fixed random ``v`` both ways, in float64. Shapes
include broadcastable pairs, so the engine's un-broadcasting is checked by every binary op.
Values are kept away from the points where an op has no derivative (kinks of relu/abs, ties of
max/maximum, clip's bounds, x <= 0 for log/sqrt) — there finite differences mean nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch
import minitorch.nn.functional as F
from minitorch import Tensor
from minitorch.testing import gradcheck
from minitorch.tensor import unbroadcast

# Per test, not a global profile: other test files keep their own hypothesis settings.
examples = settings(max_examples=30, deadline=None)

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


def reals(shape, lo: float = -2.0, hi: float = 2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False,
                                                               allow_subnormal=False))


def positive(shape):
    return reals(shape, 0.5, 2.0)


def away_from_zero(shape):
    """Values at least 0.1 from 0 (relu's and abs's kink)."""
    return hnp.arrays(np.float64, shape, elements=st.one_of(st.floats(0.1, 2.0), st.floats(-2.0, -0.1)))


def distinct(shape, offset: float = 0.0):
    """Values on a 0.1 grid (shifted by ``offset``), all different: no ties within the array."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-60, 60).map(lambda k: k / 10 + offset), unique=True)


def check(fn, *arrays, nograd=()):
    """gradcheck ``fn`` on float64 tensors made from ``arrays``; indices in ``nograd`` get no gradient."""
    tensors = [minitorch.tensor(a, dtype=np.float64, requires_grad=i not in nograd) for i, a in enumerate(arrays)]
    assert gradcheck(fn, *tensors)


# ---------------------------------------------------------------------- the checker itself
def test_gradcheck_catches_a_wrong_backward():
    def doubled_exp(x: Tensor) -> Tensor:
        out = np.exp(x.data)
        return Tensor._from_op(out, (x,), "bad_exp", lambda g: (2 * g * out,))  # wrong by a factor 2

    with pytest.raises(AssertionError, match=r"gradient of input 0 \(shape \(2, 3\)\) is wrong at index"):
        gradcheck(doubled_exp, minitorch.randn(2, 3, requires_grad=True))


def test_engine_unbroadcasts_for_any_op_and_gradcheck_catches_a_wrong_sum():
    def add_without_sum(a: Tensor, b: Tensor) -> Tensor:
        return Tensor._from_op(a.data + b.data, (a, b), "+", lambda g: (g, g))

    # The op returns gradients in the output's shape; the engine sums b's over the broadcast rows.
    a, b = minitorch.randn(4, 3, requires_grad=True), minitorch.randn(3, requires_grad=True)
    assert gradcheck(add_without_sum, a, b)

    def add_summing_rows(a: Tensor, b: Tensor) -> Tensor:
        return Tensor._from_op(a.data + b.data, (a, b), "+", lambda g: (g, g.sum(axis=1)))  # wrong axis

    with pytest.raises(AssertionError, match="gradient of input 1"):
        gradcheck(add_summing_rows, minitorch.randn(3, 3, requires_grad=True), minitorch.randn(3, requires_grad=True))


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="no input has requires_grad=True"):
        gradcheck(lambda x: x * 2, minitorch.randn(3))


# ---------------------------------------------------------------------- unbroadcast
@examples
@given(st.data(), PAIRS)
def test_unbroadcast_sums_each_input_element_over_all_its_copies(data, pair):
    small, _ = pair.input_shapes
    big = pair.result_shape
    grad = data.draw(reals(big))
    # Independent reference: label every element of the small array, broadcast the labels, and
    # add up the gradient that lands on each label.
    labels = np.broadcast_to(np.arange(int(np.prod(small))).reshape(small), big)
    expected = np.bincount(labels.ravel(), weights=grad.ravel(), minlength=int(np.prod(small)))
    got = unbroadcast(grad, small)
    assert got.shape == small
    np.testing.assert_allclose(got.ravel(), expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------- arithmetic, with broadcasting
@examples
@given(st.data(), PAIRS)
def test_add_sub_mul_gradients_with_broadcasting(data, pair):
    sa, sb = pair.input_shapes
    a, b = data.draw(reals(sa)), data.draw(reals(sb))
    check(lambda x, y: x + y, a, b)
    check(lambda x, y: x - y, a, b)
    check(lambda x, y: x * y, a, b)


@examples
@given(st.data(), PAIRS)
def test_div_gradient_with_broadcasting(data, pair):
    sa, sb = pair.input_shapes
    check(lambda x, y: x / y, data.draw(reals(sa)), data.draw(positive(sb)))


@examples
@given(st.data(), PAIRS)
def test_tensor_power_gradient_in_base_and_exponent(data, pair):
    sa, sb = pair.input_shapes
    check(lambda x, y: x**y, data.draw(positive(sa)), data.draw(reals(sb, -1.5, 1.5)))


@examples
@given(st.data(), SHAPES, st.sampled_from([2, 3, 0.5, -1, -2.5]))
def test_scalar_power_gradient(data, shape, exponent):
    check(lambda x: x**exponent, data.draw(positive(shape)))


@examples
@given(st.data(), SHAPES, st.floats(-3, 3))
def test_reflected_ops_with_python_numbers(data, shape, c):
    x = data.draw(positive(shape))
    check(lambda t: c + t, x)
    check(lambda t: c - t, x)
    check(lambda t: c * t, x)
    check(lambda t: c / t, x)
    check(lambda t: 2.0**t, x)
    check(lambda t: -t, x)


@examples
@given(st.data(), PAIRS)
def test_maximum_and_minimum_gradients(data, pair):
    sa, sb = pair.input_shapes
    a, b = data.draw(distinct(sa)), data.draw(distinct(sb, offset=0.05))  # never equal
    check(minitorch.maximum, a, b)
    check(minitorch.minimum, a, b)


@examples
@given(st.data(), hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
def test_where_gradient_goes_to_the_chosen_side(data, shapes):
    sc, sa, sb = shapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, sc))
    check(lambda x, y: minitorch.where(minitorch.tensor(cond), x, y), data.draw(reals(sa)), data.draw(reals(sb)))


# ---------------------------------------------------------------------- elementwise functions
# Each function with the values where it is differentiable: log and sqrt need x > 0; relu and
# abs have a kink at 0.
UNARY = [(Tensor.exp, reals), (Tensor.tanh, reals), (Tensor.sigmoid, reals), (Tensor.clone, reals),
         (Tensor.log, positive), (Tensor.sqrt, positive), (Tensor.relu, away_from_zero), (Tensor.abs, away_from_zero)]


@pytest.mark.parametrize("fn, values", UNARY, ids=[fn.__name__ for fn, _ in UNARY])
@examples
@given(st.data(), SHAPES)
def test_unary_function_gradients(fn, values, data, shape):
    check(fn, data.draw(values(shape)))


@examples
@given(st.data(), SHAPES, st.sampled_from([(-0.5, 0.5), (None, 0.3), (-1.0, None), (0.0, 1.0)]))
def test_clip_gradient_passes_inside_the_bounds_only(data, shape, bounds):
    x = data.draw(distinct(shape, offset=0.05))  # never exactly on a bound
    check(lambda t: t.clip(*bounds), x)


# ---------------------------------------------------------------------- reductions
@st.composite
def shape_and_dims(draw, min_dims=0):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4))
    dims = draw(st.none() | st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True, max_size=len(shape))
                .map(tuple) | st.integers(-len(shape), max(len(shape) - 1, 0)))
    return shape, dims if shape else None


@examples
@given(st.data(), shape_and_dims(), st.booleans())
def test_sum_and_mean_gradients_over_any_dims(data, shape_dims, keepdim):
    shape, dims = shape_dims
    x = data.draw(reals(shape))
    check(lambda t: t.sum(dim=dims, keepdim=keepdim), x)
    check(lambda t: t.mean(dim=dims, keepdim=keepdim), x)


@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), st.booleans())
def test_max_and_min_gradients_along_a_dim(data, shape, keepdim):
    x = data.draw(distinct(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    check(lambda t: t.max(dim=dim, keepdim=keepdim).values, x)
    check(lambda t: t.min(dim=dim, keepdim=keepdim).values, x)
    check(lambda t: t.max() * t.min(), x)


# ---------------------------------------------------------------------- shapes
@examples
@given(st.data(), SHAPES)
def test_reshape_flatten_and_transpose_gradients(data, shape):
    x = data.draw(reals(shape))
    check(lambda t: t.reshape(-1) * minitorch.arange(t.numel(), dtype=np.float64), x)
    check(lambda t: t.view(tuple(reversed(t.shape))), x)
    check(lambda t: t.T, x)
    if len(shape) >= 2:
        check(lambda t: t.flatten(1) * 1.5, x)
        check(lambda t: t.transpose(0, -1).mT, x)


@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
def test_permute_gradient(data, shape):
    order = data.draw(st.permutations(range(len(shape))))
    x = data.draw(reals(shape))
    weights = data.draw(reals(tuple(shape[i] for i in order)))
    check(lambda t: t.permute(*order) * minitorch.tensor(weights), x)


@examples
@given(st.data(), SHAPES)
def test_unsqueeze_squeeze_and_expand_gradients(data, shape):
    x = data.draw(reals(shape))
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(lambda t: t.unsqueeze(dim).squeeze(dim), x)
    check(lambda t: t.unsqueeze(dim).expand(*((2,) + t.unsqueeze(dim).shape[1:])) if dim in (0, -len(shape) - 1)
          else t.unsqueeze(0).expand(3, *t.shape), x)
    ones = tuple(1 if i % 2 else n for i, n in enumerate(shape))
    y = data.draw(reals(ones))
    check(lambda t: t.expand(*shape) * minitorch.tensor(x), y)  # a broadcast copy: gradients add up
    check(lambda t: t.squeeze(), y)


# ---------------------------------------------------------------------- matmul
@examples
@given(st.data(), hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3),
       st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
def test_batched_matmul_gradient_with_broadcast_batch_dims(data, batch, n, k, m):
    ba, bb = batch.input_shapes
    a, b = data.draw(reals(ba + (n, k))), data.draw(reals(bb + (k, m)))
    check(lambda x, y: x @ y, a, b)


@examples
@given(st.data(), st.integers(1, 4), st.integers(1, 4), st.lists(st.integers(1, 3), max_size=2).map(tuple))
def test_matmul_gradient_with_vectors(data, k, m, batch):
    v, w = data.draw(reals((k,))), data.draw(reals((k,)))
    mat = data.draw(reals(batch + (k, m)))
    left = data.draw(reals(batch + (m, k)))
    check(lambda x, y: x @ y, v, w)      # vector . vector -> scalar
    check(lambda x, y: x @ y, v, mat)    # vector @ (batch of) matrix
    check(lambda x, y: x @ y, left, v)   # (batch of) matrix @ vector


@examples
@given(st.data(), st.lists(st.integers(1, 3), max_size=2).map(tuple), st.integers(1, 4), st.integers(1, 4),
       st.booleans())
def test_linear_gradient(data, batch, fan_in, fan_out, with_bias):
    x, w = data.draw(reals(batch + (fan_in,))), data.draw(reals((fan_out, fan_in)))
    if with_bias:
        check(F.linear, x, w, data.draw(reals((fan_out,))))
    else:
        check(F.linear, x, w)
    check(lambda t: F.linear(t, minitorch.tensor(w)), x)  # only the input needs a gradient


# ---------------------------------------------------------------------- indexing
@st.composite
def basic_index(draw, shape):
    parts = []
    for n in shape[: draw(st.integers(0, len(shape)))]:
        parts.append(draw(st.integers(-n, n - 1) | st.builds(slice, st.none() | st.integers(-n, n),
                                                              st.none() | st.integers(-n, n),
                                                              st.none() | st.sampled_from([1, 2, -1]))))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return tuple(parts)


@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_basic_indexing_gradient(data, shape):
    index = data.draw(basic_index(shape))
    check(lambda t: t[index], data.draw(reals(shape)))


@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_integer_array_indexing_gradient_adds_repeated_reads(data, shape):
    n = shape[0]
    rows = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))  # repeats likely
    x = data.draw(reals(shape))
    check(lambda t: t[rows], x)
    check(lambda t: t[minitorch.tensor(rows)], x)
    if len(shape) >= 2:
        cols = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=len(rows), max_size=len(rows)))
        check(lambda t: t[rows, cols], x)
        check(lambda t: t[:, cols], x)


@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_boolean_mask_indexing_gradient(data, shape):
    mask = data.draw(hnp.arrays(np.bool_, shape))
    check(lambda t: t[minitorch.tensor(mask)], data.draw(reals(shape)))


# ---------------------------------------------------------------------- joining
@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), st.integers(1, 3))
def test_cat_and_stack_gradients(data, shape, count):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    pieces = []
    for _ in range(count):
        piece_shape = list(shape)
        piece_shape[dim] = data.draw(st.integers(1, 3))
        pieces.append(data.draw(reals(tuple(piece_shape))))
    check(lambda *ts: minitorch.cat(list(ts), dim=dim), *pieces)
    same = [data.draw(reals(shape)) for _ in range(count)]
    check(lambda *ts: minitorch.stack(ts, dim=dim), *same)


# ---------------------------------------------------------------------- nn.functional
@examples
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_softmax_and_log_softmax_gradients(data, shape):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = data.draw(reals(shape, -5, 5))
    check(lambda t: F.softmax(t, dim=dim), x)
    check(lambda t: F.log_softmax(t, dim=dim), x)


@examples
@given(st.data(), st.integers(1, 5), st.integers(1, 5), st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_and_nll_loss_gradients(data, n, c, reduction):
    logits = data.draw(reals((n, c), -5, 5))
    target = minitorch.tensor(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    check(lambda t: F.cross_entropy(t, target, reduction=reduction), logits)
    check(lambda t: F.nll_loss(F.log_softmax(t, dim=1), target, reduction=reduction), logits)
    probs = data.draw(reals((n, c), 0.0, 1.0))
    check(lambda t, p: F.cross_entropy(t, p, reduction=reduction), logits, probs)  # soft labels: both


@examples
@given(st.data(), st.integers(1, 3), st.integers(2, 4), st.integers(1, 3))
def test_cross_entropy_gradient_with_extra_dims_and_ignored_targets(data, n, c, d):
    logits = data.draw(reals((n, c, d), -5, 5))
    target = data.draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, c - 1)))
    if n * d > 1:  # (with every target ignored the mean is 0/0)
        target[0, 0] = -100  # ignored: contributes nothing
    check(lambda t: F.cross_entropy(t, minitorch.tensor(target)), logits)


@examples
@given(st.data(), SHAPES)
def test_mse_loss_gradient(data, shape):
    check(F.mse_loss, data.draw(reals(shape)), data.draw(reals(shape)))


def test_a_two_layer_network_loss_gradient_for_every_parameter():
    rng = np.random.default_rng(1)
    x = minitorch.tensor(rng.standard_normal((5, 3)))
    y = minitorch.tensor(rng.integers(0, 4, 5))

    def loss(w1, b1, w2, b2):
        return F.cross_entropy(F.linear(F.linear(x, w1, b1).tanh(), w2, b2), y)

    check(loss, rng.standard_normal((6, 3)), rng.standard_normal(6), rng.standard_normal((4, 6)),
          rng.standard_normal(4))
