"""The ops of pointwise.py, reductions.py, sorting.py, linalg.py, indexing.py and methods.py:
gradients against finite differences (hypothesis over shapes, dims and options), and the
behaviour the conformance sweep cannot show (views, named tuples, exports, errors' messages).

Values are kept away from the points where an op has no derivative (ties for sort/median/norm-inf,
zero for abs-like kinks, the domain edges of asin/log): there finite differences mean nothing.
The values themselves are compared with PyTorch by the conformance sweep (test_conformance.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch
from minitorch.testing import gradcheck

examples = settings(max_examples=20, deadline=None)
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def reals(shape, lo=-2.0, hi=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False,
                                                               allow_subnormal=False))


def distinct(shape):
    """Values on a 0.1 grid, all different and at least 0.1 from 0 (no ties, no kinks)."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-40, 40).filter(bool).map(lambda k: k / 10), unique=True)


def check(fn, *arrays):
    assert gradcheck(fn, *[minitorch.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays])


def a_dim(shape):
    return st.integers(-len(shape), len(shape) - 1)


# ---------------------------------------------------------------------- elementwise
SMOOTH = {
    "sin": (lambda x: x.sin(), -3, 3), "cos": (lambda x: minitorch.cos(x), -3, 3), "tan": (lambda x: x.tan(), -1.2, 1.2),
    "asin": (lambda x: x.asin(), -0.9, 0.9), "acos": (lambda x: x.acos(), -0.9, 0.9), "atan": (lambda x: x.atan(), -3, 3),
    "sinh": (lambda x: x.sinh(), -2, 2), "cosh": (lambda x: x.cosh(), -2, 2), "log1p": (lambda x: x.log1p(), -0.5, 3),
    "expm1": (lambda x: x.expm1(), -2, 2), "log2": (lambda x: x.log2(), 0.2, 3), "log10": (lambda x: x.log10(), 0.2, 3),
    "reciprocal": (lambda x: x.reciprocal(), 0.3, 3), "rsqrt": (lambda x: x.rsqrt(), 0.3, 3),
    "frac": (lambda x: x.frac(), 0.05, 0.95), "nan_to_num": (lambda x: x.nan_to_num(), -2, 2),
}


@pytest.mark.parametrize("name", SMOOTH)
@examples
@given(data=st.data())
def test_elementwise_gradients(name, data):
    fn, lo, hi = SMOOTH[name]
    check(fn, data.draw(reals(data.draw(SHAPES), lo, hi)))


@examples
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3), data=st.data())
def test_binary_gradients_with_broadcasting(shapes, data):
    a = data.draw(reals(shapes.input_shapes[0], 0.3, 2.0))
    b = data.draw(reals(shapes.input_shapes[1], 0.3, 2.0))
    check(lambda x, y: minitorch.atan2(x, y), a, b)
    check(lambda x, y: minitorch.logaddexp(x, y), a, b)
    check(lambda x, y: x.lerp(y, 0.3), a, b)
    check(lambda x, y: minitorch.hypot(x, y), a, b)
    check(lambda x, y: x.addcmul(y, y, value=0.5).addcdiv(x, y + 1), a, b)


@examples
@given(data=st.data())
def test_fmod_and_remainder_gradients_away_from_the_jumps(data):
    shape = data.draw(SHAPES)
    y = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.5, 0.7, 2.0])))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(-30, 30).map(lambda k: k / 10 + 0.013)))
    check(lambda a, b: minitorch.fmod(a, b), x, y)
    check(lambda a, b: a % b, x, y)


def test_step_functions_have_zero_gradient():
    x = minitorch.tensor([-1.5, 0.5, 2.5], requires_grad=True)
    (x.floor() + x.ceil() + x.round() + x.trunc() + x.sign()).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_sin_of_an_int_tensor_is_float32_and_floor_keeps_ints():
    assert minitorch.sin(minitorch.tensor([0, 1])).dtype == minitorch.float32
    assert minitorch.tensor([1, 2]).floor().dtype == minitorch.int64
    assert minitorch.tensor([2.5, -0.5]).round().tolist() == [2.0, -0.0]  # halves to even


# ---------------------------------------------------------------------- reductions
@examples
@given(data=st.data(), keepdim=st.booleans(), correction=st.sampled_from([0, 1, 2]))
def test_var_std_logsumexp_norm_gradients(data, keepdim, correction):
    shape = data.draw(SHAPES)
    dim = data.draw(a_dim(shape))
    x = data.draw(distinct(shape))
    if shape[dim] > correction:
        check(lambda t: t.var(dim, keepdim=keepdim, correction=correction), x)
        check(lambda t: t.std(dim, keepdim=keepdim, correction=correction), x)
    check(lambda t: t.logsumexp(dim, keepdim), x)
    check(lambda t: t.norm(dim=dim, keepdim=keepdim), x)
    check(lambda t: t.norm(3, dim=dim), x)
    check(lambda t: t.norm(math.inf, dim=dim), x)
    check(lambda t: t.nansum(dim) + t.nanmean(dim), x)


@examples
@given(data=st.data())
def test_prod_cumsum_cumprod_gradients_including_zeros(data):
    shape = data.draw(SHAPES)
    dim = data.draw(a_dim(shape))
    x = data.draw(reals(shape, -1.5, 1.5))
    if data.draw(st.booleans()):  # exact zeros: the product-of-others path
        x.flat[data.draw(st.integers(0, x.size - 1))] = 0.0
    check(lambda t: t.prod(), x)
    check(lambda t: t.prod(dim, keepdim=True), x)
    check(lambda t: t.cumsum(dim), x)
    check(lambda t: t.cumprod(dim), x)


def test_std_and_norm_gradients_at_zero_are_zero_as_pytorch():
    x = minitorch.zeros(3, requires_grad=True)
    (x.std() + x.norm()).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_var_accepts_both_of_pytorchs_spellings():
    x = minitorch.tensor([[1.0, 2.0, 4.0], [0.0, 1.0, 5.0]])
    assert minitorch.allclose(x.var(1, False), x.var(1, correction=0))
    assert minitorch.allclose(x.var(False), x.var(correction=0))
    with pytest.raises(TypeError, match="both unbiased and correction"):
        x.var(unbiased=True, correction=1)
    with pytest.raises(RuntimeError, match="floating-point"):
        minitorch.arange(3).var()


def test_logsumexp_is_stable_and_minus_inf_when_empty():
    assert minitorch.tensor([1000.0, 1000.0]).logsumexp(0).item() == pytest.approx(1000 + math.log(2))
    assert minitorch.zeros(0).logsumexp(0).item() == -math.inf


# ---------------------------------------------------------------------- sorting
@examples
@given(data=st.data(), descending=st.booleans())
def test_sort_topk_median_route_gradients_by_indices(data, descending):
    shape = data.draw(SHAPES)
    dim = data.draw(a_dim(shape))
    x = data.draw(distinct(shape))
    k = data.draw(st.integers(1, shape[dim]))
    check(lambda t: t.sort(dim, descending=descending).values, x)
    check(lambda t: t.topk(k, dim, largest=not descending).values, x)
    check(lambda t: t.median(dim).values, x)
    check(lambda t: t.kthvalue(k, dim).values, x)


def test_sort_returns_named_values_indices_and_is_stable():
    out = minitorch.tensor([3.0, 1.0, 3.0, math.nan]).sort(descending=True)
    assert isinstance(out, minitorch.ValuesIndices)
    assert out.indices.tolist() == [3, 0, 2, 1]  # NaN largest; equal 3s keep their order
    v, i = minitorch.tensor([[1.0, 9.0, 5.0]]).topk(2)
    assert v.tolist() == [[9.0, 5.0]] and i.tolist() == [[1, 2]]
    with pytest.raises(RuntimeError, match="topk: selected index k=4 out of range"):
        minitorch.ones(3).topk(4)


# ---------------------------------------------------------------------- products
@examples
@given(n=st.integers(1, 4), m=st.integers(1, 4), p=st.integers(1, 4), b=st.integers(1, 3), data=st.data())
def test_products_gradients(n, m, p, b, data):
    A, B = data.draw(reals((n, m))), data.draw(reals((m, p)))
    bias, v, w = data.draw(reals((p,))), data.draw(reals((m,))), data.draw(reals((m,)))
    check(lambda x, y: minitorch.mm(x, y), A, B)
    check(lambda c, x, y: minitorch.addmm(c, x, y, beta=0.5, alpha=2), bias, A, B)
    check(lambda x, y: minitorch.mv(x, y), A, v)
    check(lambda x, y: minitorch.dot(x, y), v, w)
    check(lambda x, y: minitorch.outer(x, y), v, w)
    check(lambda x, y: minitorch.kron(x, y), A, B)
    check(lambda x, y: minitorch.tensordot(x, y, dims=1), A, B)
    S1, S2 = data.draw(reals((b, n, m))), data.draw(reals((b, m, p)))
    check(lambda x, y: minitorch.bmm(x, y), S1, S2)
    check(lambda c, x, y: minitorch.baddbmm(c, x, y, alpha=0.5), data.draw(reals((n, p))), S1, S2)


EINSUMS = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,i->", [(3,), (3,)]),
           ("i,j->ij", [(2,), (3,)]), ("ij->ji", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
           ("ij->", [(2, 3)]), ("ij,ij->i", [(2, 3), (2, 3)]), ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
           ("i,ij,j", [(2,), (2, 3), (3,)]), ("ij,k->ik", [(2, 3), (4,)]), ("iij->ij", [(2, 2, 3)])]


@pytest.mark.parametrize("equation,shapes", EINSUMS)
def test_einsum_matches_numpy_and_its_gradient_finite_differences(equation, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    out = minitorch.einsum(equation, *[minitorch.tensor(a) for a in arrays])
    np.testing.assert_allclose(out.numpy(), np.einsum(equation, *arrays), rtol=1e-12)
    check(lambda *ts: minitorch.einsum(equation, *ts), *arrays)


def test_einsum_sublist_format_and_errors():
    a, b = minitorch.arange(6.0).reshape(2, 3), minitorch.arange(3.0)
    assert minitorch.einsum(a, [0, 1], b, [1], [0]).tolist() == (a @ b).tolist()
    with pytest.raises(RuntimeError, match="einsum: 'ij,jk->ik' does not fit operands"):
        minitorch.einsum("ij,jk->ik", minitorch.ones(2, 3), minitorch.ones(4, 5))


@examples
@given(data=st.data())
def test_diagonal_trace_cross_cdist_gradients(data):
    n = data.draw(st.integers(1, 4))
    x = data.draw(reals((n, n + 1)))
    offset = data.draw(st.integers(-1, 1))
    check(lambda t: t.diagonal(offset), x)
    check(lambda t: t[:, :n].trace(), x)
    check(lambda t: t[0].diag(offset), x)
    u, v = data.draw(reals((n, 3))), data.draw(reals((n, 3)))
    check(lambda a, b: minitorch.cross(a, b, dim=1), u, v)
    check(lambda a, b: minitorch.cdist(a, b), data.draw(distinct((n, 2))), data.draw(distinct((2, 2))) + 5)


# ---------------------------------------------------------------------- indexing
@examples
@given(data=st.data())
def test_indexing_gradients(data):
    shape = data.draw(SHAPES)
    dim = data.draw(a_dim(shape))
    x = data.draw(reals(shape))
    n = shape[dim]
    index = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, n - 1)))
    idx = minitorch.tensor(index)
    check(lambda t: t.gather(dim, idx), x)  # repeated indices: gradients add up
    check(lambda t: t.scatter_add(dim, idx, t * 2), x)
    check(lambda t: t.index_select(dim, idx.reshape(-1)[:3]), x)
    check(lambda t: t.take(idx.reshape(-1)), x)
    check(lambda t: t.flip(dim) * minitorch.arange(1.0, t.numel() + 1, dtype=minitorch.float64).reshape(shape), x)
    check(lambda t: t.roll(1, dim), x)
    check(lambda t: t.repeat(2, *([1] * len(shape))), x)
    check(lambda t: t.tile((2,)), x)
    check(lambda t: t.repeat_interleave(2, dim), x)
    check(lambda t: minitorch.cat(t.split(1, dim)[::-1], dim), x)
    check(lambda t: minitorch.stack(t.chunk(2, dim)[:1], 0), x)
    check(lambda t: t.narrow(dim, 0, 1), x)
    check(lambda t: t.unfold(dim, 1, 1), x)
    check(lambda t: t.movedim(dim, 0), x)
    check(lambda t: minitorch.diff(t, dim=dim), x)


@examples
@given(data=st.data())
def test_scatter_gradient_with_distinct_indices(data):
    n, m = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3))
    x, src = data.draw(reals((n, m))), data.draw(reals((n, m)))
    perm = minitorch.tensor(np.stack([np.random.default_rng(c).permutation(n) for c in range(m)], axis=1))
    check(lambda a, s: a.scatter(0, perm, s), x, src)


def test_split_chunk_unbind_return_views_and_gather_checks_indices():
    x = minitorch.arange(6.0).reshape(2, 3)
    first, _ = x.split([1, 2], dim=1)
    first[0, 0] = 100.0  # a view: written through to x
    assert x[0, 0].item() == 100.0
    assert [t.shape for t in minitorch.ones(5).chunk(3)] == [(2,), (2,), (1,)]
    assert len(minitorch.unbind(x, 1)) == 3
    with pytest.raises(RuntimeError, match="gather: index 3 is out of bounds for dimension 1 with size 3"):
        x.gather(1, minitorch.tensor([[3]]))
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes"):
        x.split([1, 1], dim=1)


def test_meshgrid_and_stacks():
    gx, gy = minitorch.meshgrid(minitorch.tensor([1, 2, 3]), minitorch.tensor([4, 5]), indexing="xy")
    ex, ey = np.meshgrid([1, 2, 3], [4, 5], indexing="xy")
    assert gx.tolist() == ex.tolist() and gy.tolist() == ey.tolist()
    assert minitorch.hstack([minitorch.ones(2), minitorch.zeros(1)]).shape == (3,)
    assert minitorch.vstack([minitorch.ones(2), minitorch.zeros(2)]).shape == (2, 2)


# ---------------------------------------------------------------------- small methods
def test_new_factories_take_the_dtype_of_self():
    x = minitorch.ones(2, dtype=minitorch.float64)
    assert x.new_zeros(2, 3).dtype == minitorch.float64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0] and x.new_ones(1, dtype=minitorch.long).dtype == minitorch.int64
    assert x.new_tensor([1, 2]).dtype == minitorch.float64 and x.new_empty(3).shape == (3,)
    assert x.new_zeros(2, requires_grad=True).requires_grad


def test_small_methods():
    x = minitorch.arange(6.0).reshape(2, 3)
    assert x.stride() == (3, 1) and x.t().stride() == (1, 3) and x.stride(-1) == 1
    assert x.nelement() == 6 and x.ndimension() == 2 and x.type() == "torch.FloatTensor"
    assert x.type(minitorch.float64).dtype == minitorch.float64
    assert x.where(x > 2, 0.0).tolist() == [[0.0, 0.0, 0.0], [3.0, 4.0, 5.0]]
    assert x.nonzero().tolist() == [[0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    assert x.H.shape == (3, 2)
    y = minitorch.zeros(3)
    y.masked_fill_(minitorch.tensor([True, False, True]), 1.0).addcmul_(minitorch.ones(3), minitorch.ones(3), value=2)
    assert y.tolist() == [3.0, 2.0, 3.0]


def test_inplace_forms_follow_autograd_rules():
    w = minitorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.masked_fill_(minitorch.tensor([True, False, True]), 0.0)
    a = minitorch.tensor([0.5, 1.0], requires_grad=True)
    b = a * 1
    b.sin_()
    b.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.cos([0.5, 1.0]), rtol=1e-6)


def test_function_forms_are_exported_with_the_methods_docs_and_out():
    for name in ("sin", "std", "sort", "gather", "einsum", "meshgrid", "cdist", "logsumexp", "tensordot"):
        assert name in minitorch.__all__ and callable(getattr(minitorch, name))
    assert minitorch.std.__doc__ == minitorch.Tensor.std.__doc__
    out = minitorch.zeros(2)
    assert minitorch.sin(minitorch.zeros(2), out=out) is out
    with pytest.raises(TypeError, match="sin\\(\\): argument 'input' must be a Tensor"):
        minitorch.sin([1.0])


# ---------------------------------------------------------------------- more: linear algebra, cumulative extremes, index_*
@examples
@given(n=st.integers(1, 4), b=st.integers(1, 2), data=st.data())
def test_inverse_det_matrix_power_gradients(n, b, data):
    a = data.draw(reals((b, n, n), -1, 1)) + 3 * np.eye(n)  # well conditioned
    check(lambda t: t.inverse(), a)
    check(lambda t: t.det(), a)
    check(lambda t: t.matrix_power(3), a)
    check(lambda t: t.matrix_power(-2), a)


def test_det_gradient_of_a_singular_matrix_is_the_adjugate():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank 1: det 0, gradient adj(A)^T = [[4, -2], [-2, 1]]
    x = minitorch.tensor(a, requires_grad=True)
    x.det().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    with pytest.raises(RuntimeError, match="singular"):
        minitorch.tensor(a).inverse()


@examples
@given(data=st.data())
def test_cummax_index_ops_and_more_elementwise_gradients(data):
    shape = data.draw(SHAPES)
    dim = data.draw(a_dim(shape))
    x = data.draw(distinct(shape))
    n = shape[dim]
    idx = minitorch.tensor(np.arange(n)[::-1].copy())
    check(lambda t: t.cummax(dim).values, x)
    check(lambda t: t.cummin(dim).values, x)
    check(lambda t: t.index_add(dim, idx, t * 2, alpha=0.5), x)
    check(lambda t: t.index_copy(dim, idx[:1], t.narrow(dim, 0, 1) * 3), x)
    check(lambda t: t.index_fill(dim, idx[:1], 0.0), x)
    check(lambda t: t.masked_scatter(t > 0, t * 10), x)
    check(lambda t: t.sum_to_size((1,) * len(shape)), x)
    p = data.draw(reals(shape, 0.1, 0.9))
    check(lambda t: t.logit(), p)
    check(lambda t: t.xlogy(t + 1), p)
    check(lambda t: t.sinc() + t.exp2() + t.deg2rad() + t.copysign(-1.0), x)


def test_ops_without_a_derivative_refuse_backward_as_pytorch():
    x = minitorch.ones(3, requires_grad=True)
    out = x.scatter(0, minitorch.tensor([0, 0]), minitorch.full((2,), 3.0), reduce="multiply")
    assert out.tolist() == [9.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="reduce='multiply' is not implemented"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="floor_divide: the derivative is not implemented"):
        (x // 2).sum().backward()


@examples
@given(data=st.data(), k=st.integers(-5, 5))
def test_rot90_block_diag_nanmedian_gradients(data, k):
    x = data.draw(distinct((data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))))
    check(lambda t: t.rot90(k) * minitorch.arange(1.0, t.numel() + 1, dtype=minitorch.float64).reshape(t.rot90(k).shape), x)
    np.testing.assert_array_equal(minitorch.tensor(x).rot90(k).numpy(), np.rot90(x, k))
    check(lambda a, b: minitorch.block_diag(a, b), x, x[0])
    with_nan = x.copy()
    with_nan.flat[0] = np.nan
    grad_input = minitorch.tensor(with_nan, requires_grad=True)
    grad_input.nanmedian().backward()
    assert np.isfinite(grad_input.nanmedian().item()) or with_nan.size == 1
    assert grad_input.grad.numpy()[~np.isnan(with_nan)].sum() == (1.0 if with_nan.size > 1 else 0.0)


def test_searchsorted_bucketize_bincount_histc():
    seq = minitorch.tensor([1.0, 3.0, 5.0, 7.0])
    values = minitorch.tensor([3.0, 6.0, math.nan])
    assert minitorch.searchsorted(seq, values).tolist() == [1, 3, 4]  # NaN goes past everything
    assert minitorch.bucketize(values, seq, right=True).tolist() == [2, 3, 4]
    assert minitorch.tensor([0, 2, 2]).bincount(minlength=4).tolist() == [1, 0, 2, 0]
    assert minitorch.tensor([1.0, 2.0, 1.0]).histc(bins=4, min=0, max=3).tolist() == [0.0, 2.0, 1.0, 0.0]
    with pytest.raises(RuntimeError, match="heaviside: the derivative is not implemented"):
        minitorch.heaviside(minitorch.ones(2, requires_grad=True), minitorch.tensor(0.5)).sum().backward()
