"""``minitorch.autograd``: custom Functions, ``grad``, ``backward`` and ``Tensor.backward(inputs=...)``.

Gradients are checked against finite differences (``gradcheck``) and against the built-in ops'
autograd; PyTorch's behaviour (which errors, which results) is compared live when torch is installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch.autograd import Function, backward, grad
from minitorch.testing import assert_close, gradcheck


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        return grad_out * out


def test_a_function_whose_saved_output_changed_in_place_refuses_backward():
    x = minitorch.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    Exp.apply(x).sum().backward()
    assert_close(x.grad, np.exp([1.0, 2.0]))
    y = Exp.apply(x)
    with minitorch.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="saved tensor 0 of 'Exp'.*modified|modified by an inplace operation"):
        y.sum().backward()


class ScaledMul(Function):
    """a * b * k, with a float k: three positional arguments, two of them tensors."""

    calls = 0

    @staticmethod
    def forward(ctx, a, b, k):
        ctx.save_for_backward(a, b)
        ctx.k = k
        ctx.flags = ctx.needs_input_grad
        return a * b * k

    @staticmethod
    def backward(ctx, g):
        ScaledMul.calls += 1
        a, b = ctx.saved_tensors
        return (g * b * ctx.k if ctx.needs_input_grad[0] else None,
                g * a * ctx.k if ctx.needs_input_grad[1] else None, None)


class SumAndProduct(Function):
    """Two outputs; backward must run once per backward pass, with both gradients."""

    calls = 0

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a + b, a * b

    @staticmethod
    def backward(ctx, g_sum, g_prod):
        SumAndProduct.calls += 1
        a, b = ctx.saved_tensors
        return g_sum + g_prod * b, g_sum + g_prod * a


def _t(*shape, seed=0, requires_grad=True):
    data = np.random.default_rng(seed).normal(size=shape)
    return minitorch.tensor(data, requires_grad=requires_grad)


# ------------------------------------------------------------------------------ Function
@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=0, max_size=3), st.integers(0, 2**16))
def test_custom_function_gradients_match_finite_differences(shape, seed):
    x = _t(*shape, seed=seed)
    gradcheck(lambda t: Exp.apply(t) * 2, x)
    a, b = _t(*shape, seed=seed + 1), _t(*shape, seed=seed + 2)
    gradcheck(lambda p, q: ScaledMul.apply(p, q, 1.5), a, b)


def test_broadcast_gradient_is_summed_down_to_the_input_shape():
    a, b = _t(3, 4), _t(4, seed=1)
    gradcheck(lambda p, q: ScaledMul.apply(p, q, -0.5), a, b)


def test_multi_output_backward_runs_once_with_every_output_gradient():
    a, b = _t(3), _t(3, seed=1)
    SumAndProduct.calls = 0
    s, p = SumAndProduct.apply(a, b)
    assert s._op == "SumAndProduct[0]" and p._op == "SumAndProduct[1]"
    (s * 2 + p * 3).sum().backward()
    assert SumAndProduct.calls == 1
    assert_close(a.grad, 2 + 3 * b.data, rtol=1e-12)
    assert_close(b.grad, 2 + 3 * a.data, rtol=1e-12)
    gradcheck(lambda x, y: SumAndProduct.apply(x, y)[1] * 2 + SumAndProduct.apply(x, y)[0], a, b)


def test_an_unused_output_gets_zeros_by_default_and_none_without_materialize():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g0, g1):
            seen.append(g1)
            return g0 * 2, None

    x = _t(2)
    Two.apply(x, True)[0].sum().backward()
    Two.apply(x, False)[0].sum().backward()
    assert_close(seen[0], np.zeros(2))
    assert seen[1] is None


def test_needs_input_grad_and_non_tensor_arguments():
    a, b = _t(2), _t(2, seed=1, requires_grad=False)
    ScaledMul.calls = 0
    y = ScaledMul.apply(a, b, 3.0)
    y.sum().backward()
    assert ScaledMul.calls == 1
    assert_close(a.grad, 3 * b.data, rtol=1e-12)
    assert b.grad is None


def test_op_name_is_the_class_name_and_draw_graph_shows_it():
    x = _t(2)
    x.label = "x"
    y = Exp.apply(x)
    assert y._op == "Exp" and y._prev == (x,)
    assert "Exp" in minitorch.draw_graph(y).source


def test_no_graph_under_no_grad_or_without_inputs_that_need_grad():
    x = _t(2)
    with minitorch.no_grad():
        y = Exp.apply(x)
    assert not y.requires_grad and y._prev == ()
    z = Exp.apply(_t(2, requires_grad=False))
    assert not z.requires_grad


def test_forward_runs_without_recording_a_graph():
    inside = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            out = x * 2
            inside.append(out.requires_grad)
            return out

        @staticmethod
        def backward(ctx, g):
            return g * 2

    Probe.apply(_t(2))
    assert inside == [False]


def test_tensor_hooks_see_the_custom_ops_gradients():
    x = _t(3)
    y = Exp.apply(x)
    y.register_hook(lambda g: g * 0)
    y.sum().backward()
    assert_close(x.grad, np.zeros(3))


def test_mark_non_differentiable_and_integer_outputs_get_no_gradient():
    class SortWithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.data)
            ctx.order = order
            values = minitorch.tensor(x.data[order])
            flag = minitorch.tensor(x.data[order] > 0)
            ctx.mark_non_differentiable(flag)
            return values, minitorch.tensor(order), flag

        @staticmethod
        def backward(ctx, g, g_index, g_flag):
            out = np.zeros_like(g.data)
            out[ctx.order] = g.data
            return minitorch.tensor(out)

    x = minitorch.tensor([3.0, -1.0, 2.0], requires_grad=True)
    values, index, flag = SortWithIndex.apply(x)
    assert values.requires_grad and not index.requires_grad and not flag.requires_grad
    (values * minitorch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert_close(x.grad, [3.0, 1.0, 2.0])


def test_wrong_number_of_gradients_is_a_runtime_error():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"BadBackward returned an incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(_t(2), _t(2, seed=1)).sum().backward()


def test_trailing_nones_beyond_the_arguments_are_tolerated():
    class Extra(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    x = _t(2)
    Extra.apply(x).sum().backward()
    assert_close(x.grad, [2.0, 2.0])


def test_gradient_of_an_incompatible_shape_is_a_runtime_error():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return minitorch.ones(5)

    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[5\] but expected shape compatible with \[2, 3\]"):
        WrongShape.apply(_t(2, 3)).sum().backward()


def test_non_tensor_gradient_is_a_type_error_and_functions_are_not_instantiated():
    class Number(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return 2.0

    with pytest.raises(TypeError, match="NumberBackward returned a float"):
        Number.apply(_t(2)).sum().backward()
    with pytest.raises(RuntimeError, match="apply"):
        Number()


def test_save_for_backward_takes_only_tensors():
    class SavesFloat(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a, 2.0)
            return a

    with pytest.raises(TypeError, match="save_for_backward can only save tensors"):
        SavesFloat.apply(_t(2))


# ------------------------------------------------------------------------------ grad / backward
def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    x, w = _t(3), _t(3, seed=1)
    loss = (x * w).sum() + (w ** 2).sum()
    gx, gw = grad(loss, [x, w])
    assert x.grad is None and w.grad is None
    assert_close(gx, w.data, rtol=1e-12)
    assert_close(gw, x.data + 2 * w.data, rtol=1e-12)
    assert not gx.requires_grad


def test_grad_of_several_outputs_is_the_grad_of_their_weighted_sum():
    x = _t(2, 3)
    a, b = (x ** 2).sum(dim=1), x.exp().sum()
    v = np.array([0.5, -2.0])
    (together,) = grad([a, b], x, grad_outputs=[minitorch.tensor(v), None], retain_graph=True)
    (summed,) = grad((a * minitorch.tensor(v)).sum() + b, x)
    assert_close(together, summed, rtol=1e-12)


def test_grad_with_respect_to_an_inner_tensor_stops_there():
    x = _t(3)
    h = x * 2
    y = (h ** 2).sum()
    (gh,) = grad(y, h)
    assert_close(gh, 2 * h.data, rtol=1e-12)
    assert x.grad is None


def test_grad_unused_input_errors_unless_allowed():
    x, unused = _t(2), _t(2, seed=1)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        grad(y, [x, unused], retain_graph=True)
    assert grad(y, [x, unused], allow_unused=True, retain_graph=True)[1] is None
    assert_close(grad(y, [unused], materialize_grads=True)[0], np.zeros(2))


def test_grad_errors_as_pytorch():
    x = _t(3)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        grad(x * 2, x)
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(minitorch.ones(2).sum(), x)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        grad(x * 2, x, grad_outputs=minitorch.ones(2))
    with pytest.raises(RuntimeError, match="create_graph=True is not supported"):
        grad((x * 2).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="create_graph=True is not supported"):
        (x * 2).sum().backward(create_graph=True)
    y = (x * 2).sum()
    grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        grad(y, x)


def test_backward_inputs_accumulates_only_into_those():
    x, w = _t(3), _t(3, seed=1)
    h = x * w
    h.retain_grad()
    (h.sum() * 3).backward(inputs=[w])
    assert x.grad is None
    assert_close(w.grad, 3 * x.data, rtol=1e-12)
    assert_close(h.grad, np.full(3, 3.0))  # retain_grad() holds on the path that ran, as in PyTorch
    (x * w).sum().backward(inputs=w)
    assert_close(w.grad, 4 * x.data, rtol=1e-12)


def test_backward_inputs_may_be_an_inner_tensor():
    x = _t(3)
    h = x * 2
    (h ** 2).sum().backward(inputs=[h])
    assert_close(h.grad, 2 * h.data, rtol=1e-12)
    assert x.grad is None


def test_autograd_backward_of_several_losses_equals_backward_of_their_sum():
    x = _t(4)
    backward([(x ** 2).sum(), x.exp().sum()])
    together = x.grad.numpy().copy()
    x.grad = None
    ((x ** 2).sum() + x.exp().sum()).backward()
    assert_close(together, x.grad, rtol=1e-12)


def test_backward_inputs_must_require_grad_and_not_be_empty():
    x = _t(2)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * 2).sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).sum().backward(inputs=[minitorch.ones(2)])


# ------------------------------------------------------------------------------ live, vs PyTorch
@pytest.mark.torch
def test_custom_function_and_grad_match_pytorch():
    torch = pytest.importorskip("torch")

    class TorchScaledMul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            ctx.k = k
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b * ctx.k, g * a * ctx.k, None

    a_np, b_np = np.random.default_rng(3).normal(size=(2, 3, 4))
    a, b = minitorch.tensor(a_np, requires_grad=True), minitorch.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    y, ty = ScaledMul.apply(a, b, 0.7), TorchScaledMul.apply(ta, tb, 0.7)
    mine = grad((y.exp() * y).sum(), [a, b])
    theirs = torch.autograd.grad((ty.exp() * ty).sum(), [ta, tb])
    for m, t in zip(mine, theirs):
        assert_close(m, t.numpy(), rtol=1e-12)

    class TorchBad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"returned an incorrect number of gradients \(expected 2, got 1\)"):
        TorchBad.apply(ta, tb).sum().backward()
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        torch.autograd.grad((ta * 2).sum(), [ta, tb])
    # backward(inputs=...) fills only the named tensors, inner ones included
    th = ta * tb
    th.retain_grad()
    (th.sum() * 3).backward(inputs=[tb])
    assert ta.grad is None
    assert_close(th.grad.numpy(), np.full((3, 4), 3.0))
    # autograd.grad too fills the .grad of retain_grad() tensors on its path, and no other
    h = a * b
    h.retain_grad()
    grad((h.sum() * 3), [b])
    assert a.grad is None
    assert_close(h.grad, np.full((3, 4), 3.0))
