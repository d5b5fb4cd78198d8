"""minitorch.Tensor: creation and dtypes, factories and seeding, autograd semantics (accumulation,
retain_graph, no_grad, detach, hooks, freed graphs, memory), indexing, errors, stability, drawing.

Gradient *values* are checked against finite differences in test_tensor_gradients.py and against
PyTorch in test_tensor_torch.py; this file checks behaviour.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F
from minitorch import Tensor
from minitorch.testing import assert_close
from minitorch.viz import draw_graph, to_svg


# ---------------------------------------------------------------------- creation and dtypes
def test_python_floats_become_float32_ints_int64_and_bools_bool():
    assert minitorch.tensor([1.0, 2.5]).dtype == np.float32
    assert minitorch.tensor(3.0).dtype == minitorch.float32
    assert minitorch.tensor([[1, 2], [3, 4]]).dtype == np.int64
    assert minitorch.tensor([True, False]).dtype == np.bool_
    assert minitorch.tensor([1, 2.5]).dtype == np.float32  # mixed: float wins


def test_numpy_arrays_keep_their_dtype_and_dtype_argument_converts():
    assert minitorch.tensor(np.ones(3)).dtype == np.float64
    assert minitorch.tensor(np.ones(3, dtype=np.int32)).dtype == np.int32
    assert minitorch.tensor([1, 2], dtype=minitorch.float64).dtype == np.float64
    assert minitorch.tensor(np.ones(2), dtype=np.float32).dtype == np.float32


def test_an_explicit_float64_dtype_keeps_python_floats_exact():
    assert minitorch.tensor([0.1], dtype=minitorch.float64).item() == 0.1  # not float32's 0.10000000149


def test_tensor_copies_its_data_but_from_numpy_shares_it():
    source = np.zeros(3)
    copied, shared = minitorch.tensor(source), minitorch.from_numpy(source)
    source[0] = 7.0
    assert copied.data[0] == 0.0 and shared.data[0] == 7.0


def test_tensor_of_a_tensor_copies_but_the_constructor_shares_like_parameter():
    t = minitorch.ones(2)
    assert minitorch.tensor(t).data is not t.data
    assert Tensor(t, requires_grad=True).data is t.data


def test_unsupported_or_ragged_data_is_rejected_naming_the_op():
    with pytest.raises(TypeError, match=r"tensor: unsupported data type <U1"):
        minitorch.tensor(["a", "b"])
    with pytest.raises(ValueError, match="tensor: cannot make a tensor from this data"):
        minitorch.tensor([[1.0, 2.0], [3.0]])


def test_only_floating_point_tensors_can_require_grad():
    with pytest.raises(RuntimeError, match="only floating-point tensors can require gradients, got dtype int64"):
        minitorch.tensor([1, 2], requires_grad=True)
    assert minitorch.tensor([1, 2]).float().requires_grad_().requires_grad


def test_attributes_follow_pytorch():
    x = minitorch.zeros(2, 3)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(-1) == 3 and x.ndim == 2 and x.dim() == 2
    assert x.numel() == 6 and len(x) == 2 and x.T.shape == (3, 2) and x.is_leaf
    assert isinstance(x.data, np.ndarray) and x.numpy() is x.data and x.grad is None
    assert minitorch.tensor([[2.5]]).item() == 2.5 and minitorch.tensor([1, 2]).tolist() == [1, 2]
    assert np.asarray(x) is x.data and np.array(x) is not x.data
    assert ((x + 2) ** np.float32(2.0)).tolist() == [[4.0] * 3] * 2  # numpy scalars work as exponents


def test_repr_reads_like_pytorch():
    assert repr(minitorch.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(minitorch.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"
    assert repr(minitorch.tensor(np.array([0.5]))) == "tensor([0.5], dtype=float64)"


# ---------------------------------------------------------------------- factories and seeding
def test_manual_seed_makes_every_random_factory_reproducible():
    def draw():
        return [minitorch.rand(3).data, minitorch.randn(2, 2).data, minitorch.randint(0, 10, (4,)).data,
                minitorch.randperm(5).data, minitorch.randn_like(minitorch.zeros(2)).data]

    minitorch.manual_seed(123)
    first = draw()
    minitorch.manual_seed(123)
    again = draw()
    minitorch.manual_seed(124)
    other = draw()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])
    assert minitorch.initial_seed() == 124


def test_random_factories_have_the_requested_distribution_shape_and_dtype():
    minitorch.manual_seed(0)
    u, z = minitorch.rand(100_000), minitorch.randn(100, 1000)
    assert u.dtype == np.float32 and z.dtype == np.float32 and z.shape == (100, 1000)
    assert 0.0 <= u.data.min() and u.data.max() < 1.0 and abs(u.data.mean() - 0.5) < 0.01
    assert abs(z.data.mean()) < 0.01 and abs(z.data.std() - 1.0) < 0.01
    ints = minitorch.randint(3, 7, (1000,))
    assert ints.dtype == np.int64 and set(np.unique(ints.data)) == {3, 4, 5, 6}
    assert sorted(minitorch.randperm(10).tolist()) == list(range(10))
    assert minitorch.randn(2, dtype=minitorch.float64).dtype == np.float64


def test_a_generator_argument_leaves_the_global_generator_alone():
    minitorch.manual_seed(5)
    expected = minitorch.randn(3).data
    minitorch.manual_seed(5)
    minitorch.randn(100, generator=np.random.default_rng(0))
    assert np.array_equal(minitorch.randn(3).data, expected)


def test_factories_take_sizes_as_arguments_or_a_tuple_and_set_dtypes():
    assert minitorch.zeros(2, 3).shape == minitorch.ones((2, 3)).shape == (2, 3)
    assert minitorch.zeros(()).shape == ()
    assert minitorch.full((2,), 1.5).dtype == np.float32 and minitorch.full((2,), 7).dtype == np.int64
    assert minitorch.arange(4).tolist() == [0, 1, 2, 3] and minitorch.arange(4).dtype == np.int64
    assert minitorch.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert minitorch.arange(1, 2.0).dtype == np.float32
    assert minitorch.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.array_equal(minitorch.eye(3).data, np.eye(3)) and minitorch.eye(2, 3).shape == (2, 3)
    like = minitorch.zeros(2, dtype=minitorch.float64)
    assert minitorch.ones_like(like).dtype == np.float64 and minitorch.full_like(like, 3.0).tolist() == [3.0, 3.0]
    assert minitorch.zeros_like(like, requires_grad=True).requires_grad


def test_factories_reject_bad_sizes_naming_the_factory():
    with pytest.raises(RuntimeError, match=r"zeros: sizes must be non-negative, got \(2, -1\)"):
        minitorch.zeros(2, -1)
    with pytest.raises(TypeError, match="randn: expected ints"):
        minitorch.randn(2.5)
    with pytest.raises(ValueError, match="manual_seed: seed must be a non-negative int"):
        minitorch.manual_seed(-1)


# ---------------------------------------------------------------------- dtype rules of ops
@pytest.mark.parametrize("make, expected", [
    (lambda: minitorch.ones(2) * 2.5, np.float32),  # a Python float never widens a tensor
    (lambda: minitorch.ones(2, dtype=np.float64) * 2, np.float64),
    (lambda: minitorch.arange(3) * 2.5, np.float32),  # int tensor meets a float: default float
    (lambda: minitorch.arange(3) / 2, np.float32),  # true division of ints is float
    (lambda: minitorch.arange(3) + 1, np.int64),
    (lambda: minitorch.ones(2) + minitorch.ones(2, dtype=np.float64), np.float64),
    (lambda: minitorch.ones(2) * minitorch.tensor(2.0, dtype=np.float64), np.float32),  # 0-d doesn't widen
    (lambda: minitorch.arange(3).exp(), np.float32),
    (lambda: minitorch.ones(2) > 0, np.bool_),
    (lambda: minitorch.tensor([True]).sum(), np.int64),
])
def test_result_dtypes_follow_pytorch_promotion(make, expected):
    assert make().dtype == expected


def test_a_float32_and_float64_product_gives_each_input_a_gradient_of_its_own_dtype():
    a = minitorch.ones(2, requires_grad=True)
    b = minitorch.ones(2, dtype=np.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


# ---------------------------------------------------------------------- autograd semantics
def test_gradients_accumulate_across_backward_calls():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert_close(x.grad, [2 * 1 + 3, 2 * 2 + 3])


def test_a_tensor_used_twice_gets_the_sum_of_both_paths():
    x = minitorch.tensor([3.0], requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert_close(x.grad, [7.0])


def test_backward_of_a_non_scalar_needs_a_gradient_argument():
    y = minitorch.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"gradient can be omitted only for a one-element .* shape \(2, 3\)"):
        y.backward()


def test_backward_with_a_gradient_gives_the_vector_jacobian_product():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(gradient=minitorch.tensor([1.0, 0.0, -1.0]))
    assert_close(x.grad, [2.0, 0.0, -6.0])
    with pytest.raises(RuntimeError, match=r"gradient has shape \(2,\) but the output has shape \(3,\)"):
        (x * 2).backward(gradient=np.ones(2))


def test_a_one_element_output_of_any_shape_backpropagates_without_a_gradient():
    x = minitorch.tensor([[2.0]], requires_grad=True)
    (x * x).backward()
    assert_close(x.grad, [[4.0]])


def test_backward_of_a_tensor_without_graph_says_why():
    with pytest.raises(RuntimeError, match="does not require grad and has no graph"):
        (minitorch.ones(2) * 2).sum().backward()


def test_the_graph_is_freed_by_backward_and_a_second_backward_says_so():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    loss = h.sum()
    loss.backward()
    assert loss._prev == () and h._prev == () and not loss.is_leaf  # still a result, but its graph is gone
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward_and_gradients_add_up():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert_close(x.grad, [4.0, 8.0])


def test_after_backward_intermediate_results_are_released():
    gc.disable()  # no cycles to collect: reference counting alone must free the graph
    try:
        x = minitorch.randn(3, requires_grad=True)
        hidden = x.tanh()
        watch = weakref.ref(hidden)
        loss = (hidden * 2).sum()
        del hidden
        assert watch() is not None  # alive: the graph holds it for backward
        loss.backward()
        assert watch() is None  # backward dropped the graph, and with it the intermediate
    finally:
        gc.enable()


def test_a_training_loop_keeps_memory_flat():
    minitorch.manual_seed(0)
    w = minitorch.randn(64, 32, requires_grad=True)
    b = minitorch.zeros(64, requires_grad=True)
    x, y = minitorch.randn(16, 32), minitorch.randint(0, 64, (16,))

    def step():
        w.grad = b.grad = None
        F.cross_entropy(F.linear(x, w, b).relu(), y).backward()
        w.data -= 0.01 * w.grad.data
        b.data -= 0.01 * b.grad.data

    for _ in range(1500):  # warm up: interpreter and numpy free lists fill up to their caps
        step()
    tracemalloc.start()
    try:
        for _ in range(100):
            step()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(500):
            step()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, f"memory grew by {grown} bytes over 500 training steps"


def test_no_grad_records_no_graph_and_restores_the_mode():
    x = minitorch.ones(2, requires_grad=True)
    with minitorch.no_grad():
        y = x * 2
        with minitorch.enable_grad():
            z = x * 2
        assert not minitorch.is_grad_enabled()
    assert minitorch.is_grad_enabled()
    assert not y.requires_grad and y._prev == () and y.is_leaf
    assert z.requires_grad


def test_no_grad_works_as_a_decorator_and_restores_on_error():
    @minitorch.no_grad()
    def evaluate(t):
        return t * 2

    assert not evaluate(minitorch.ones(1, requires_grad=True)).requires_grad
    with pytest.raises(ZeroDivisionError):
        with minitorch.no_grad():
            1 / 0
    assert minitorch.is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph():
    x = minitorch.ones(2, requires_grad=True)
    d = (x * 3).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 3
    assert y.detach().data is y.data


def test_only_leaves_keep_grad_unless_retain_grad_is_called():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    h, kept = x * 2, x * 3
    kept.retain_grad()
    (h * kept).sum().backward()
    assert h.grad is None
    assert_close(kept.grad, [2.0, 4.0])  # d(sum(h*kept))/dkept = h


def test_register_hook_sees_the_gradient_and_can_replace_it():
    x = minitorch.tensor([1.0, -2.0], requires_grad=True)
    seen = []
    h = x * 2
    h.register_hook(lambda g: seen.append(g.data.copy()))
    handle = x.register_hook(lambda g: g * 10)
    (h * h).sum().backward()  # d/dh = 2h = [4, -8]
    assert_close(seen[0], [4.0, -8.0])
    assert_close(x.grad, [80.0, -160.0])  # 2 * [4, -8], then x's hook multiplies by 10
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert_close(x.grad, [1.0, 1.0])


def test_a_hook_returning_the_wrong_shape_is_an_error():
    x = minitorch.ones(3, requires_grad=True)
    x.register_hook(lambda g: minitorch.ones(2))
    with pytest.raises(RuntimeError, match=r"hook returned a gradient of shape \(2,\), expected .* \(3,\)"):
        (x * 2).sum().backward()


def test_each_leaf_grad_owns_its_array():
    a, b = minitorch.ones(3, requires_grad=True), minitorch.ones(3, requires_grad=True)
    (a + b).sum().backward()  # add hands the same gradient array to both inputs
    a.grad.data *= 5  # e.g. gradient clipping in place
    assert_close(b.grad, [1.0, 1.0, 1.0])


def test_inputs_without_requires_grad_get_no_gradient():
    x, c = minitorch.ones(2, requires_grad=True), minitorch.ones(2)
    (x * c).sum().backward()
    assert c.grad is None and x.grad is not None


def test_a_graph_a_hundred_thousand_ops_deep_needs_no_recursion():
    x = minitorch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_requires_grad_cannot_be_switched_off_on_a_result():
    y = minitorch.ones(1, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="can only be switched off on a leaf"):
        y.requires_grad = False


# ---------------------------------------------------------------------- ops: behaviour
def test_repeated_integer_indices_accumulate_their_gradients():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert_close(x.grad, [3.0, 0.0, 1.0])


def test_boolean_mask_and_mixed_indexing():
    x = minitorch.arange(12).reshape(3, 4).float().requires_grad_()
    x[x > 8].sum().backward()
    assert_close(x.grad, (np.arange(12).reshape(3, 4) > 8).astype(float))
    assert x[1:, [0, 3]].tolist() == [[4.0, 7.0], [8.0, 11.0]]
    assert x[..., None, 0].shape == (3, 1) and x[-1, ::-2].tolist() == [11.0, 9.0]


def test_max_and_min_with_dim_return_values_and_indices_like_pytorch():
    x = minitorch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2] and indices.dtype == np.int64
    result = x.min(dim=0, keepdim=True)
    assert result.values.tolist() == [[1.0, 2.0, 3.0]] and result.indices.tolist() == [[0, 1, 0]]
    values.sum().backward()
    assert_close(x.grad, [[0, 1, 0], [0, 0, 1]])
    assert x.argmax().item() == 5 and x.argmin(dim=1).tolist() == [0, 1]


def test_max_of_all_elements_shares_the_gradient_among_ties():
    x = minitorch.tensor([2.0, 1.0, 2.0], requires_grad=True)
    x.max().backward()
    assert_close(x.grad, [0.5, 0.0, 0.5])


def test_maximum_and_minimum_split_the_gradient_of_ties():
    a = minitorch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    b = minitorch.tensor([2.0, 3.0, 1.0], requires_grad=True)
    minitorch.maximum(a, b).sum().backward()
    assert_close(a.grad, [0.0, 0.5, 1.0])
    assert_close(b.grad, [1.0, 0.5, 0.0])


def test_clip_passes_the_gradient_at_the_bounds_and_blocks_it_outside():
    x = minitorch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    y = x.clip(-1.0, 1.0)
    assert y.tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    y.sum().backward()
    assert_close(x.grad, [0, 1, 1, 1, 0])
    assert minitorch.clamp(x, min=0.5).tolist() == [0.5, 0.5, 0.5, 1.0, 2.0]


def test_where_cat_stack_and_shape_ops():
    a, b = minitorch.tensor([1.0, 2.0]), minitorch.tensor([10.0, 20.0])
    assert minitorch.where(a > 1, a, b).tolist() == [10.0, 2.0]
    assert minitorch.where(a > 1, a, 0.0).tolist() == [0.0, 2.0]
    assert minitorch.cat([a, b]).tolist() == [1.0, 2.0, 10.0, 20.0]
    assert minitorch.stack([a, b], dim=1).tolist() == [[1.0, 10.0], [2.0, 20.0]]
    x = minitorch.arange(24).reshape(2, 3, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3) and x.transpose(0, 2).shape == (4, 3, 2)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12) and x.view(-1, 4).shape == (6, 4)
    assert x.unsqueeze(1).shape == (2, 1, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert minitorch.zeros(1, 3, 1).squeeze().shape == (3,) and minitorch.zeros(1, 3, 1).squeeze(0).shape == (3, 1)
    assert minitorch.zeros(3, 1).expand(3, 4).shape == (3, 4) and minitorch.zeros(3, 1).expand(2, -1, 5).shape == (2, 3, 5)
    assert x.mT.shape == (2, 4, 3) and x.T.shape == (4, 3, 2)


def test_batched_matmul_broadcasts_batch_dimensions():
    a, b = minitorch.randn(5, 1, 2, 3), minitorch.randn(4, 3, 6)
    assert (a @ b).shape == (5, 4, 2, 6)
    np.testing.assert_allclose((a @ b).data, a.data @ b.data, rtol=1e-6)
    assert (minitorch.ones(3) @ minitorch.ones(3)).shape == ()
    assert (minitorch.ones(2, 3) @ minitorch.ones(3)).shape == (2,)


def test_comparisons_give_bool_tensors_without_graph_and_tensors_hash_by_identity():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    eq = x == minitorch.tensor([1.0, 0.0])
    assert eq.tolist() == [True, False] and not eq.requires_grad
    assert (x >= 2).tolist() == [False, True] and (x != 1).tolist() == [False, True]
    assert len({x: 1, x * 1: 2}) == 2


def test_numpy_arrays_combine_with_tensors_from_either_side_keeping_the_graph():
    x = minitorch.ones(2, requires_grad=True)
    y = np.array([1.0, 2.0]) * x
    assert isinstance(y, Tensor) and y.requires_grad


def test_setitem_on_a_leaf_that_requires_grad_needs_no_grad():
    x = minitorch.zeros(3)
    x[1] = 5.0
    assert x.tolist() == [0.0, 5.0, 0.0]
    w = minitorch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem: a leaf Variable that requires grad is being used in an "
                                           "in-place operation"):
        w[0] = 1.0
    with minitorch.no_grad():
        w[0] = 1.0
    assert w.tolist() == [1.0, 0.0, 0.0]


def test_integer_tensors_work_as_class_labels():
    labels = minitorch.tensor([2, 0, 1])
    assert labels.dtype == np.int64 and (labels == 1).sum().item() == 1
    logits = minitorch.tensor([[0.0, 0.0, 9.0], [9.0, 0.0, 0.0], [0.0, 9.0, 0.0]])
    accuracy = (logits.argmax(dim=1) == labels).float().mean()
    assert accuracy.item() == 1.0


# ---------------------------------------------------------------------- errors name the op and shapes
@pytest.mark.parametrize("bad, error, message", [
    (lambda: minitorch.ones(3, 4) @ minitorch.ones(5, 6), RuntimeError,
     "matmul: (3, 4) @ (5, 6): inner dimensions 4 and 5 differ"),
    (lambda: minitorch.ones(2, 3, 4) @ minitorch.ones(5, 4, 6), RuntimeError,
     "matmul: (2, 3, 4) @ (5, 4, 6): batch dimensions (2,) and (5,) cannot be broadcast together"),
    (lambda: minitorch.ones(3) @ minitorch.tensor(2.0), RuntimeError, "matmul: (3,) @ (): both operands need"),
    (lambda: minitorch.ones(3, 4) + minitorch.ones(5), RuntimeError,
     "add: shapes (3, 4) and (5,) cannot be broadcast together: dimension -1 has sizes 4 vs 5"),
    (lambda: minitorch.ones(2, 3) * minitorch.ones(4, 1, 2), RuntimeError, "mul: shapes (2, 3) and (4, 1, 2)"),
    (lambda: minitorch.ones(3) + "a", TypeError, "add: cannot combine a Tensor with str"),
    (lambda: minitorch.ones(2, 3).reshape(4, -1), RuntimeError, "reshape: shape [4, -1] is invalid for input of size 6"),
    (lambda: minitorch.ones(2, 3).sum(dim=2), IndexError,
     "sum: dim 2 is out of range for a tensor with 2 dimension(s) (expected -2 to 1)"),
    (lambda: minitorch.ones(2, 3).permute(0, 0), RuntimeError, "permute: (0, 0) repeats a dim"),
    (lambda: minitorch.cat([minitorch.ones(2, 3), minitorch.ones(2, 4)]), RuntimeError,
     "cat: tensor 1 has shape (2, 4) but tensor 0 has shape (2, 3)"),
    (lambda: minitorch.stack([minitorch.ones(2), minitorch.ones(3)]), RuntimeError,
     "stack: expects tensors of equal shape, got (2,) at position 0 and (3,) at position 1"),
    (lambda: minitorch.where(minitorch.ones(2), 1.0, 0.0), RuntimeError, "where: condition must be a bool tensor"),
    (lambda: minitorch.ones(3)[5], IndexError, "getitem: index 5 is out of bounds for axis 0 with size 3 (tensor shape (3,))"),
    (lambda: minitorch.ones(3).item(), RuntimeError, "item: only a tensor with exactly one element"),
    (lambda: bool(minitorch.ones(3)), RuntimeError, "the truth value of a tensor with 3 elements is ambiguous"),
    (lambda: minitorch.ones(3).clip(), RuntimeError, "clip: at least one of 'min' or 'max' must not be None"),
    (lambda: minitorch.ones(3, 1).expand(3, 4, 2), RuntimeError, "expand: cannot expand shape (3, 1) to (3, 4, 2)"),
    (lambda: minitorch.ones(2).max(dim=1.5), TypeError, "max: dim must be an int"),
    (lambda: minitorch.arange(3).mean(), RuntimeError, "mean: needs a floating-point tensor, got int64"),
    (lambda: F.softmax(minitorch.tensor(1.0), dim=1), IndexError, "softmax: dim 1 is out of range for a tensor with 0"),
    (lambda: F.linear(minitorch.ones(2, 3), minitorch.ones(4, 5)), RuntimeError,
     "linear: input (2, 3) and weight (4, 5)"),
    (lambda: F.cross_entropy(minitorch.ones(4, 10), minitorch.tensor([1, 2, 12, 3])), IndexError,
     "cross_entropy: target contains class 12, but the input (shape (4, 10)) has 10 classes"),
    (lambda: F.cross_entropy(minitorch.ones(4, 10), minitorch.tensor([1, 2])), ValueError,
     "cross_entropy: target shape (2,) does not match input shape (4, 10): expected (4,)"),
    (lambda: F.cross_entropy(minitorch.ones(4, 10), minitorch.ones(4)), RuntimeError,
     "cross_entropy: probability targets must have the input's shape (4, 10), got (4,)"),
    (lambda: F.nll_loss(minitorch.ones(4, 10), minitorch.ones(4)), RuntimeError,
     "nll_loss: target must hold integer class indices"),
    (lambda: F.cross_entropy(minitorch.ones(4, 10), minitorch.tensor([1, 2, 3, 4]), reduction="avg"), ValueError,
     "cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (lambda: F.mse_loss(minitorch.ones(3, 1), minitorch.ones(3)), RuntimeError,
     "mse_loss: input shape (3, 1) and target shape (3,) differ"),
])
def test_bad_input_gets_an_error_naming_the_op_and_shapes(bad, error, message):
    with pytest.raises(error) as info:
        bad()
    assert message in str(info.value)


# ---------------------------------------------------------------------- numerical stability
def test_softmax_log_softmax_and_cross_entropy_are_stable_for_logits_of_1e4():
    logits = minitorch.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # overflow, inf - inf, log 0 ...
        assert_close(F.softmax(logits, dim=1), [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
        assert_close(F.log_softmax(logits, dim=1), [[0.0, -1e4, -2e4], [-np.log(3)] * 3], rtol=1e-6)
        loss = F.cross_entropy(logits, minitorch.tensor([1, 0]))
        loss.backward()
    assert_close(loss, (1e4 + np.log(3)) / 2, rtol=1e-6)
    assert np.isfinite(logits.grad.data).all()


def test_sigmoid_does_not_overflow_for_large_inputs():
    x = minitorch.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = x.sigmoid()
        y.sum().backward()
    assert_close(y, [0.0, 0.5, 1.0])
    assert_close(x.grad, [0.0, 0.25, 0.0])


# ---------------------------------------------------------------------- drawing
def _graph():
    x = minitorch.tensor(np.ones((4, 3)), dtype=minitorch.float32, label="x")
    w = minitorch.randn(2, 3, requires_grad=True)
    b = minitorch.zeros(2, requires_grad=True)
    w.label, b.label = "W", "b"
    loss = F.linear(x, w, b).relu().sum()
    loss.label = "loss"
    return w, loss


def test_draw_graph_shows_op_nodes_and_tensor_shapes_and_dtypes():
    _, loss = _graph()
    src = draw_graph(loss).source
    assert src.count("shape=ellipse") == 3  # linear, relu, sum
    for text in ("label=linear", "label=relu", "label=sum", "W|(2, 3) float32", "x|(4, 3) float32", "b|(2,) float32"):
        assert text in src, text


def test_draw_graph_shows_gradients_after_a_backward_that_keeps_the_graph():
    w, loss = _graph()
    assert "grad None" in draw_graph(loss).source
    loss.backward(retain_graph=True)
    src = draw_graph(loss).source
    assert "W|(2, 3) float32|grad" in src and "W|(2, 3) float32|grad None" not in src
    assert "x|(4, 3) float32|grad None" in src  # an input that needs no gradient


def test_draw_graph_shows_values_on_request_and_caps_big_graphs():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True, label="x")
    src = draw_graph(x * 2, show_values=True).source
    assert "data [1, 2]" in src and "data [2, 4]" in src
    y = x
    for _ in range(50):
        y = y * 1.5
    capped = draw_graph(y, max_nodes=10).source
    assert capped.count("shape=record") == 10 and "more nodes" in capped


def test_a_tensor_graph_with_index_labels_renders_to_svg():
    x = minitorch.randn(3, 4, requires_grad=True)
    svg = to_svg(draw_graph(x[1:, [0, 2]].sum(dim=0)))
    assert svg.lstrip().startswith("<") and "<svg" in svg and "[1:, idx]" in svg
