"""PyTorch's names and options that minitorch accepts, and the deliberate differences of
docs/pytorch-differences.md, each pinned. Expected values worked out by hand (or PyTorch's, noted)."""

import numpy as np
import pytest

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch import MLP, Layer, Neuron, Value
from minitorch.testing import assert_close


def test_inplace_change_of_any_input_of_an_op_written_as_a_closure_is_refused():
    w = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = w.cumsum(0).sum()  # cumsum does not need w's values: PyTorch would allow this backward
    with minitorch.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_empty_is_zeros():
    assert minitorch.empty(2, 3).tolist() == [[0.0] * 3] * 2 and minitorch.empty(2).dtype == np.float32


def test_multi_margin_loss_has_no_class_weights():
    with pytest.raises(ValueError, match="class weights"):
        nn.MultiMarginLoss(weight=minitorch.ones(3))


def test_load_accepts_torch_options(tmp_path):
    path = tmp_path / "w.npz"
    minitorch.save({"w": minitorch.ones(2)}, path)
    loaded = minitorch.load(path, map_location="cpu", weights_only=True)
    assert loaded["w"].tolist() == [1.0, 1.0]
    assert minitorch.ones(2).to("cpu").cpu().device == "cpu"


def test_loss_options_follow_pytorchs_positional_order():
    x, y = minitorch.tensor([1.0, 2.0]), minitorch.tensor([0.0, 0.0])
    assert nn.MSELoss("sum")(x, y).item() == 2.5  # size_average='sum' is truthy: PyTorch averages too
    assert nn.MSELoss(reduction="sum")(x, y).item() == 5.0
    assert nn.MSELoss(size_average=False)(x, y).item() == 5.0
    assert_close(nn.SmoothL1Loss()(x, y), (0.5 + 1.5) / 2)  # 0.5 d^2 for |d| < 1, |d| - 0.5 beyond
    assert_close(nn.SmoothL1Loss(beta=4.0)(x, y), (0.5 / 4 + 2.0 / 4) / 2)


def test_class_weights_and_pos_weight():
    logits = minitorch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]])
    target = minitorch.tensor([0, 2])
    w = minitorch.tensor([1.0, 2.0, 3.0])
    logp = F.log_softmax(logits, dim=1).data
    expected = -(1.0 * logp[0, 0] + 3.0 * logp[1, 2]) / (1.0 + 3.0)
    assert_close(nn.CrossEntropyLoss(weight=w)(logits, target), expected, rtol=1e-6)
    assert_close(nn.NLLLoss(weight=w)(F.log_softmax(logits, 1), target), expected, rtol=1e-6)
    x, t = minitorch.tensor([0.5, -1.0]), minitorch.tensor([1.0, 0.0])
    by_hand = (-2.0 * np.log(1 / (1 + np.exp(-0.5))) - np.log(1 - 1 / (1 + np.exp(1.0)))) / 2
    assert_close(nn.BCEWithLogitsLoss(pos_weight=minitorch.tensor([2.0]))(x, t), by_hand, rtol=1e-6)


def test_all_targets_ignored_gives_nan_loss_and_zero_gradient():
    logits = minitorch.randn(2, 3, requires_grad=True)
    loss = F.cross_entropy(logits, minitorch.tensor([-100, -100]))
    loss.backward()
    assert np.isnan(loss.item()) and logits.grad.tolist() == [[0.0] * 3] * 2


def test_batchnorm_loads_a_state_without_num_batches_tracked():
    bn = nn.BatchNorm1d(3)
    state = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    bn.num_batches_tracked.data[...] = 7
    assert bn.load_state_dict(state) == ([], [])
    assert int(bn.num_batches_tracked.item()) == 0


def test_module_dict_registers_its_modules():
    heads = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.Linear(2, 1)})
    heads["c"] = nn.Linear(2, 2)
    assert list(heads) == ["a", "b", "c"] and len(list(heads.parameters())) == 6
    assert sorted(heads.state_dict()) == ["a.bias", "a.weight", "b.bias", "b.weight", "c.bias", "c.weight"]


def test_names_pytorch_code_uses():
    x = minitorch.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert minitorch.float is minitorch.float32 and minitorch.long == np.int64 and minitorch.bool == np.bool_
    assert minitorch.argmax(x).item() == 1 and minitorch.max(x, 1).indices.tolist() == [1, 0]
    assert minitorch.equal(x, x.clone()) and not minitorch.equal(x, x.t())
    assert minitorch.transpose(x, 0, 1).tolist() == [[1.0, 3.0], [5.0, 2.0]]
    assert x.add(1, alpha=2).tolist() == [[3.0, 7.0], [5.0, 4.0]] and x.pow(2).sum().item() == 39
    b = minitorch.tensor([True, False])
    assert (b & ~b).tolist() == [False, False] and (b | ~b).tolist() == [True, True] and (b ^ b).any().item() is False
    g = minitorch.Generator().manual_seed(3)
    first = minitorch.rand(3, generator=g).tolist()
    assert minitorch.rand(3, generator=minitorch.Generator().manual_seed(3)).tolist() == first
    assert sorted(minitorch.randperm(5, generator=g).tolist()) == [0, 1, 2, 3, 4]


def test_micrograd_code_runs_unchanged():
    def cube(self):  # an op added the way micrograd's README does it
        out = Value(self.data**3, (self,), "cube")

        def _backward():
            self.grad += 3 * self.data**2 * out.grad

        out._backward = _backward
        return out

    x = Value(2.0)
    y = cube(x) * 2 + x
    y.backward()
    assert x.grad == 2 * 3 * 4 + 1
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value)
    assert Neuron(2, nonlin=False).activation is None and Neuron(2, nonlin=True).activation == "relu"
    assert isinstance(MLP(3, [4, 4, 1])([1.0, 2.0, 3.0]), Value)


def test_numpy_of_a_tensor_that_requires_grad():
    w = minitorch.ones(2, requires_grad=True)
    assert w.numpy() is w.data  # PyTorch raises RuntimeError here


def test_a_generator_is_accepted_where_pytorch_takes_one():
    from minitorch.data import DataLoader, TensorDataset, random_split

    ds = TensorDataset(minitorch.arange(10))

    def order(**kw):
        return [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, **kw)]

    assert order(generator=minitorch.Generator().manual_seed(4)) == order(generator=minitorch.Generator().manual_seed(4))
    assert order(generator=minitorch.Generator().manual_seed(4), num_workers=0, pin_memory=False) == \
        order(generator=minitorch.Generator().manual_seed(4))
    halves = [s.indices for s in random_split(ds, [0.5, 0.5], generator=minitorch.Generator().manual_seed(1))]
    assert sorted(halves[0] + halves[1]) == list(range(10))
    assert halves == [s.indices for s in random_split(ds, [5, 5], minitorch.Generator().manual_seed(1))]
    t = minitorch.zeros(4).uniform_(generator=minitorch.Generator().manual_seed(2))
    assert t.tolist() == minitorch.zeros(4).uniform_(generator=minitorch.Generator().manual_seed(2)).tolist()
    with pytest.raises(TypeError):
        DataLoader(ds, 5, True, True)  # PyTorch's 4th positional parameter is `sampler`: keyword-only here


def test_dropout_and_multi_margin_take_pytorchs_positional_order():
    x = minitorch.ones(1000)
    out = F.dropout(x, 0.5, True, True)  # the 4th positional is `inplace`, as in PyTorch
    assert out is x and set(np.unique(x.data).tolist()) <= {0.0, 2.0}
    g = minitorch.Generator().manual_seed(0)
    assert F.dropout(minitorch.ones(50), 0.5, generator=g).shape == (50,)
    scores, target = minitorch.tensor([[0.1, 0.2, 0.4, 0.8]]), minitorch.tensor([3])
    assert_close(F.multi_margin_loss(scores, target, 1, 1.0, None, None, None, "sum"),
                 (1 - 0.8 + 0.1 + 1 - 0.8 + 0.2 + 1 - 0.8 + 0.4) / 4)  # PyTorch's docstring example: 0.3250


# ------------------------------------------------------------------ lessons 13-17 (docs/pytorch-differences.md)
def test_pad_errors_use_value_and_runtime_errors_not_not_implemented():
    x = minitorch.zeros(1, 2, 3)
    with pytest.raises(ValueError, match="mode"):
        F.pad(x, (1, 1), mode="no-such-mode")
    with pytest.raises(RuntimeError):
        F.pad(minitorch.zeros(3), (1, 1), mode="reflect")  # torch: NotImplementedError for this rank


def test_conv_promotes_mixed_dtypes():
    conv = nn.Conv1d(2, 3, 3)  # float32 weights
    out = conv(minitorch.tensor(np.zeros((1, 2, 5))))  # float64 input: torch raises RuntimeError
    assert out.dtype == np.float64 and out.shape == (1, 3, 3)


def test_embedding_has_no_sparse_gradients():
    with pytest.raises(ValueError, match="sparse"):
        nn.Embedding(5, 2, sparse=True)


def test_multihead_attention_has_no_bias_kv_or_zero_attn():
    for option in ("add_bias_kv", "add_zero_attn"):
        with pytest.raises(ValueError, match=option):
            nn.MultiheadAttention(8, 2, **{option: True})


def test_transformer_encoder_accepts_and_ignores_nested_tensor_options():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    x = minitorch.randn(2, 3, 8)
    plain = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    nested = nn.TransformerEncoder(layer, 2, enable_nested_tensor=True, mask_check=False)
    nested.load_state_dict(plain.state_dict())
    assert_close(nested(x), plain(x))


def test_no_higher_order_gradients():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="create_graph=True is not supported"):
        minitorch.autograd.grad((x * x).sum(), x, create_graph=True)
    assert not hasattr(minitorch.autograd.function.FunctionCtx, "mark_dirty")


def test_no_grad_decorates_with_or_without_parentheses():
    w = minitorch.ones(2, requires_grad=True)

    @minitorch.no_grad
    def bare(x):
        return x * 2

    @minitorch.no_grad()
    def called(x):
        return x * 2

    assert not bare(w).requires_grad and not called(w).requires_grad and bare.__name__ == "bare"
    assert minitorch.is_grad_enabled()


def test_diagonal_and_unfold_return_copies_not_views():
    x = minitorch.zeros(3, 3)
    x.diagonal()[0] = 5.0  # PyTorch: writes into x (a view); here a copy
    x.unfold(0, 2, 1)[0, 0, 0] = 5.0
    assert x.sum().item() == 0.0
    assert x.new_empty(2).tolist() == [0.0, 0.0]  # new_empty, as empty, returns zeros


def test_vector_products_need_one_dtype_but_matmul_promotes():
    ints, floats = minitorch.tensor([1, 2]), minitorch.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="dot: expected all operands to have the same dtype"):
        minitorch.dot(ints, floats)  # as PyTorch
    assert (ints @ floats).dtype == minitorch.float32  # the documented difference of matmul
    assert minitorch.outer(ints, floats).dtype == minitorch.float32  # as PyTorch (a product, like *)
