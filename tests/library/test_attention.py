"""Lesson 16's layers: gelu, layer_norm, scaled_dot_product_attention, MultiheadAttention,
TransformerEncoderLayer/Encoder, and the tensor ops triu, tril, masked_fill, erf.

* PyTorch's numbers: tests/references/attention_reference.npz (recorded from torch 2.13 by
  tests/references/record_attention.py, which drives both libraries through the same code) —
  outputs, attention weights, gradients of inputs and parameters, state_dict keys; live against
  torch when it is installed (``torch`` marker), including a trained state_dict loaded into torch.
* Finite differences (float64) for every op and layer, over random shapes and options.
* Semantics worked out by hand in numpy (masks, causal attention, dropout), and the errors.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_attention as R  # noqa: E402

import minitorch  # noqa: E402
import minitorch.nn.functional as F  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.tensor.special import erf_array, erfc_array  # noqa: E402
from minitorch.testing import assert_close, gradcheck, numerical_vjp  # noqa: E402

CASES = list(R.CASES)


def _tolerances(dtype: np.dtype) -> tuple[float, float]:
    # float32 through a whole encoder layer (several matmuls, softmax, LayerNorm, backward): the
    # last bits depend on the BLAS kernel (the test run uses OpenBLAS's Prescott kernel, the
    # references were recorded with PyTorch's oneDNN), measured up to 6e-5 relative on a gradient.
    return (1e-10, 1e-12) if dtype == np.float64 else (1e-4, 1e-5)


def _compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], case: str) -> None:
    if "state_dict_keys" in want:
        assert got["state_dict_keys"].tolist() == want["state_dict_keys"].tolist(), f"{case}: state_dict keys"
    keys = sorted(k for k in want if k.startswith(("out:", "grad:")))
    assert sorted(k for k in got if k.startswith(("out:", "grad:"))) == keys, f"{case}: outputs/gradients present"
    for key in keys:
        w, g = want[key], got[key]
        assert g.shape == w.shape, f"{case}: {key} has shape {g.shape}, PyTorch {w.shape}"
        if not w.size:
            continue
        assert g.dtype == w.dtype, f"{case}: {key} has dtype {g.dtype}, PyTorch {w.dtype}"
        assert (np.isnan(g) == np.isnan(w)).all(), f"{case}: {key} has NaNs where PyTorch has none, or vice versa"
        rtol, atol = _tolerances(w.dtype)
        assert_close(np.nan_to_num(g), np.nan_to_num(w), rtol=rtol, atol=atol, msg=f"{case}: {key}")


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load()


@pytest.mark.parametrize("case", CASES)
def test_matches_recorded_pytorch(case, reference):
    want = R.case_reference(reference, case)
    data = {key: value for key, value in want.items() if key.startswith(("x:", "mask:"))}
    _compare(R.run(R.minitorch_side(), case, data), want, case)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask and attn_mask is deprecated")
@pytest.mark.parametrize("case", CASES)
def test_matches_live_pytorch(case):
    pytest.importorskip("torch")
    _compare(R.run(R.minitorch_side(), case), R.run(R.torch_side(), case), case)


@pytest.mark.torch
@pytest.mark.parametrize("norm_first", [False, True])
def test_state_dict_loads_into_torch_and_gives_the_same_output(norm_first):
    torch = pytest.importorskip("torch")
    minitorch.manual_seed(3)
    ours = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first,
                                      activation="gelu")
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first,
                                              activation="gelu")
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype(np.float32)
    mask = np.triu(np.ones((5, 5), dtype=bool), 1)
    want = theirs(torch.from_numpy(x), src_mask=torch.from_numpy(mask), is_causal=True).detach().numpy()
    assert_close(ours(minitorch.tensor(x), src_mask=mask, is_causal=True), want, rtol=1e-5, atol=1e-5,
                 msg="a TransformerEncoderLayer's state_dict in torch")


def test_initialisation_follows_pytorch():
    """Xavier-uniform input projection, zero biases, Linear's init for out_proj."""
    minitorch.manual_seed(0)
    mha = nn.MultiheadAttention(64, 4)
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier on (3E, E): fan_in E, fan_out 3E
    w = mha.in_proj_weight.numpy()
    assert w.shape == (192, 64) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not mha.in_proj_bias.numpy().any() and not mha.out_proj.bias.numpy().any()
    assert np.abs(mha.out_proj.weight.numpy()).max() <= 1 / 8


# ----------------------------------------------------------------------------- erf, gelu
def test_erf_agrees_with_the_c_library_to_a_few_ulps():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 30, 2000), -np.geomspace(1e-300, 30, 2000)])
    want = np.array([math.erf(v) for v in x])
    ulps = np.abs(erf_array(x) - want) / np.spacing(np.maximum(np.abs(want), np.finfo(float).tiny))
    assert ulps.max() <= 4, f"erf is {ulps.max()} ulps from math.erf at x = {x[ulps.argmax()]}"
    wantc = np.array([math.erfc(v) for v in x])
    rel = np.abs(erfc_array(x) - wantc) / np.maximum(wantc, 1e-300)
    assert rel[wantc > 1e-290].max() < 1e-13, "erfc relative error"
    assert np.isnan(erf_array(np.array([np.nan]))).all() and erf_array(np.array([np.inf, -np.inf])).tolist() == [1, -1]
    assert erf_array(np.float32([0.5])).dtype == np.float32


def test_erf_tensor_function_and_gradient():
    x = minitorch.tensor(np.linspace(-3, 3, 13), requires_grad=True)
    assert_close(minitorch.erf(x), [math.erf(v) for v in x.numpy()], rtol=1e-14, atol=1e-15)
    assert gradcheck(minitorch.erf, x, atol=1e-8, rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), approximate=st.sampled_from(["none", "tanh"]),
       seed=st.integers(0, 10**6))
def test_gelu_gradient_matches_finite_differences(shape, approximate, seed):
    x = minitorch.tensor(np.random.default_rng(seed).normal(0, 3, shape), requires_grad=True)
    assert gradcheck(lambda t: F.gelu(t, approximate=approximate), x, atol=1e-7, rtol=1e-6)


def test_gelu_is_x_times_the_normal_cdf():
    x = np.linspace(-5, 5, 41)
    want = x * np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    assert_close(nn.GELU()(minitorch.tensor(x)), want, rtol=1e-13, atol=1e-15)
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"


# ----------------------------------------------------------------------------- layer norm
@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), features=st.lists(st.integers(1, 4), min_size=1, max_size=2),
       affine=st.booleans(), seed=st.integers(0, 10**6))
def test_layer_norm_gradients_match_finite_differences(batch, features, affine, seed):
    rng = np.random.default_rng(seed)
    features = tuple(features)
    if math.prod(features) < 2:
        features = features + (2,)
    x = minitorch.tensor(rng.normal(1.0, 2.0, tuple(batch) + features), requires_grad=True)
    w = minitorch.tensor(rng.normal(1.0, 0.5, features), requires_grad=True)
    b = minitorch.tensor(rng.normal(0.0, 0.5, features), requires_grad=True)
    if affine:
        assert gradcheck(lambda x, w, b: F.layer_norm(x, features, w, b, eps=1e-3), x, w, b, atol=1e-6, rtol=1e-4)
    else:
        assert gradcheck(lambda x: F.layer_norm(x, features, eps=1e-3), x, atol=1e-6, rtol=1e-4)


def test_layer_norm_gives_each_sample_mean_zero_and_variance_one():
    x = np.random.default_rng(1).normal(5.0, 3.0, (4, 7, 16))
    y = nn.LayerNorm(16, eps=0.0, dtype=np.float64)(minitorch.tensor(x)).numpy()
    assert_close(y.mean(-1), np.zeros((4, 7)), atol=1e-12)
    assert_close(y.var(-1), np.ones((4, 7)), rtol=1e-12)
    assert [k for k in nn.LayerNorm((3, 4)).state_dict()] == ["weight", "bias"]
    assert nn.LayerNorm(4, elementwise_affine=False).weight is None
    assert repr(nn.LayerNorm(4, bias=False)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=False)"


# ----------------------------------------------------------------------------- masks
@settings(max_examples=25, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 4), batch=st.integers(0, 2), diagonal=st.integers(-3, 3),
       seed=st.integers(0, 10**6))
def test_triu_tril_match_numpy_and_pass_gradients_where_kept(rows, cols, batch, diagonal, seed):
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(2,) * batch + (rows, cols))
    x = minitorch.tensor(data, requires_grad=True)
    assert_close(x.triu(diagonal), np.triu(data, diagonal), atol=0)
    assert_close(minitorch.tril(x, diagonal=diagonal), np.tril(data, diagonal), atol=0)
    assert gradcheck(lambda t: t.triu(diagonal) + 2 * t.tril(diagonal), x, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), seed=st.integers(0, 10**6))
def test_masked_fill_values_and_gradients(shape, seed):
    rng = np.random.default_rng(seed)
    data = rng.normal(size=shape)
    mask = rng.random(shape[-1:]) < 0.5  # broadcasts over the leading dimensions
    x = minitorch.tensor(data, requires_grad=True)
    value = minitorch.tensor(np.array(7.0), requires_grad=True)
    out = x.masked_fill(mask, value)
    assert_close(out, np.where(mask, 7.0, data), atol=0)
    assert gradcheck(lambda t, v: minitorch.masked_fill(t, mask, v), x, value, atol=1e-8)


@pytest.mark.torch
def test_masks_match_live_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    data, g = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    mask = rng.random((3, 4)) < 0.5
    for diagonal in (-1, 0, 2):
        ours, theirs = minitorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        out_ours = ours.triu(diagonal).masked_fill(mask, -3.0).tril(diagonal + 1)
        out_theirs = theirs.triu(diagonal).masked_fill(torch.from_numpy(mask), -3.0).tril(diagonal + 1)
        out_ours.backward(g)
        out_theirs.backward(torch.from_numpy(g))
        assert_close(out_ours, out_theirs.detach().numpy(), atol=0, msg=f"triu/masked_fill/tril, diagonal {diagonal}")
        assert_close(ours.grad, theirs.grad.numpy(), atol=0, msg=f"their gradient, diagonal {diagonal}")


def test_masked_fill_broadcasts_to_the_mask_shape_and_keeps_dtype():
    out = minitorch.zeros(3).masked_fill(np.ones((2, 3), dtype=bool), 1.0)
    assert out.shape == (2, 3) and out.numpy().tolist() == [[1, 1, 1], [1, 1, 1]]
    ints = minitorch.tensor([1, 2, 3]).masked_fill(minitorch.tensor([True, False, True]), 9)
    assert ints.dtype == np.int64 and ints.tolist() == [9, 2, 9]


# ----------------------------------------------------------------------------- attention by hand
def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_causal_attention_is_softmax_of_scaled_scores_with_the_future_hidden():
    rng = np.random.default_rng(5)
    q, k, v = rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 3))
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(6)
    scores[:, np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] = -np.inf
    want = _softmax(scores) @ v
    got = F.scaled_dot_product_attention(minitorch.tensor(q), minitorch.tensor(k), minitorch.tensor(v), is_causal=True)
    assert_close(got, want, rtol=1e-12, atol=1e-14)
    assert_close(got[:, 0], v[:, 0], rtol=1e-12, atol=1e-14)  # the first token can only see itself


@settings(max_examples=15, deadline=None)
@given(L=st.integers(1, 4), S=st.integers(1, 4), E=st.integers(1, 3), mask=st.sampled_from(["none", "bool", "float", "causal"]),
       seed=st.integers(0, 10**6))
def test_sdpa_gradients_match_finite_differences(L, S, E, mask, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (minitorch.tensor(rng.normal(size=shape), requires_grad=True)
               for shape in ((2, L, E), (2, S, E), (2, S, 2)))
    attn_mask = None
    if mask == "bool":
        attn_mask = rng.random((L, S)) < 0.6
        attn_mask[:, 0] = True
    elif mask == "float":
        attn_mask = rng.normal(size=(2, L, S))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask,
                                                                     is_causal=mask == "causal"),
                     q, k, v, atol=1e-7, rtol=1e-5)


def _check_module_gradients(module, call, *inputs):
    """Gradients of the inputs and of every parameter of ``call(*inputs)`` (which runs ``module``)
    against finite differences."""
    params = [p for _, p in module.named_parameters()]

    def first(out):
        return out[0] if isinstance(out, tuple) else out

    out = first(call(*inputs))
    v = np.random.default_rng(0).normal(size=out.shape)
    out.backward(gradient=v)
    originals = [p.data.copy() for p in params]

    def forward(*arrays):
        for p, a in zip(params, arrays[len(inputs):]):
            p.data[...] = a
        with minitorch.no_grad():
            return first(call(*(minitorch.tensor(a) for a in arrays[:len(inputs)]))).numpy()

    numeric = numerical_vjp(forward, [x.numpy() for x in inputs] + originals, v)
    for p, o in zip(params, originals):
        p.data[...] = o
    names = [f"input {i}" for i in range(len(inputs))] + [n for n, _ in module.named_parameters()]
    for name, t, n in zip(names, list(inputs) + params, numeric):
        assert_close(t.grad, n, rtol=1e-5, atol=1e-7, msg=f"gradient of {name}")


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_gradients_match_finite_differences(batch_first):
    minitorch.manual_seed(1)
    mha = nn.MultiheadAttention(4, 2, batch_first=batch_first, dtype=np.float64)
    rng = np.random.default_rng(1)
    q = minitorch.tensor(rng.normal(size=(2, 3, 4) if batch_first else (3, 2, 4)), requires_grad=True)  # L = 3
    kv = minitorch.tensor(rng.normal(size=(2, 2, 4)), requires_grad=True)  # N = S = 2
    pad = np.array([[False, False], [False, True]])  # sample 1 ignores its second key
    _check_module_gradients(mha, lambda q, kv: mha(q, kv, kv, key_padding_mask=pad), q, kv)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradients_match_finite_differences(norm_first):
    minitorch.manual_seed(2)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first, activation="gelu",
                                       batch_first=True, dtype=np.float64)
    x = minitorch.tensor(np.random.default_rng(2).normal(size=(2, 3, 4)), requires_grad=True)
    causal = np.triu(np.ones((3, 3), dtype=bool), 1)
    _check_module_gradients(layer, lambda x: layer(x, src_mask=causal, is_causal=True), x)


def test_attention_dropout_only_in_training_mode():
    minitorch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=1.0, batch_first=True)
    x = minitorch.randn(2, 5, 8)
    out, weights = mha(x, x, x)
    assert not weights.numpy().any(), "with p=1 every attention weight is dropped in training mode"
    assert_close(out, np.broadcast_to(mha.out_proj.bias.numpy(), (2, 5, 8)), atol=1e-7)
    mha.eval()
    _, weights = mha(x, x, x)
    assert_close(weights.sum(-1), np.ones((2, 5)), rtol=1e-6, msg="evaluation mode: no dropout, rows sum to 1")


def test_sdpa_dropout_is_reproducible_and_keeps_the_expectation():
    q = minitorch.randn(1, 1, 8)
    k, v = minitorch.randn(1, 400, 8), minitorch.ones(1, 400, 1)
    minitorch.manual_seed(1)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    minitorch.manual_seed(1)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert_close(a, b, atol=0)
    assert abs(a.item() - 1.0) < 0.2, "inverted dropout keeps the expected weighted sum (here 1)"


def test_transformer_encoder_copies_the_layer():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    encoder = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
    assert len(encoder.layers) == 3
    assert encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    assert_close(encoder.layers[0].linear1.weight, encoder.layers[2].linear1.weight, atol=0)
    assert list(encoder.state_dict())[-2:] == ["norm.weight", "norm.bias"]


# ----------------------------------------------------------------------------- errors, as PyTorch
def test_errors():
    x = minitorch.randn(2, 3)
    with pytest.raises(RuntimeError, match="boolean masks"):
        x.masked_fill(np.ones((2, 3)), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value"):
        x.masked_fill(x > 0, minitorch.ones(2))
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        x.masked_fill(np.ones(4, dtype=bool), 1.0)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        minitorch.triu(minitorch.zeros(3))
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\[2, 3\]"):
        nn.LayerNorm(4)(x)
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(x, approximate="sigmoid")
    q = minitorch.randn(1, 3, 4)
    with pytest.raises(RuntimeError, match="same last dimension"):
        F.scaled_dot_product_attention(q, minitorch.randn(1, 5, 3), minitorch.randn(1, 5, 4))
    with pytest.raises(RuntimeError, match="same sequence length"):
        F.scaled_dot_product_attention(q, minitorch.randn(1, 5, 4), minitorch.randn(1, 4, 4))
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), dtype=bool), is_causal=True)
    with pytest.raises(TypeError, match="bool and floating"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), dtype=np.int64))
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(5, 2)
    mha = nn.MultiheadAttention(4, 2)
    seq = minitorch.randn(3, 2, 4)
    with pytest.raises(RuntimeError, match="need attn_mask"):
        mha(seq, seq, seq, is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask should have shape"):
        mha(seq, seq, seq, attn_mask=np.ones((2, 3), dtype=bool))
    with pytest.raises(AssertionError, match="key_padding_mask"):
        mha(seq, seq, seq, key_padding_mask=np.ones((3, 2), dtype=bool))
    with pytest.raises(AssertionError, match="embedding dimension of 4"):
        mha(minitorch.randn(3, 2, 5), seq, seq)
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
