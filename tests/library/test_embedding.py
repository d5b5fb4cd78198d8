"""nn.Embedding / F.embedding: lookup, index-accumulated gradients, padding_idx, max_norm, from_pretrained.

Reference numbers come from tests/references/embedding_reference.npz, recorded from torch 2.13 by
tests/references/record_embedding.py (which drives both libraries through the same code). Tests
marked ``torch`` rerun the comparison against a live PyTorch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_embedding as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn import functional as F  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load(R.EMBEDDING_FILE)


def _compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], case: str) -> None:
    assert got["state_dict_keys"].tolist() == want["state_dict_keys"].tolist()
    for key in ("y", "dweight", "weight_after"):
        assert got[key].dtype == np.float32, f"{case}: {key} should be float32, got {got[key].dtype}"
        assert_close(got[key], want[key], rtol=1e-6, atol=1e-6, msg=f"{case}: {key}")


@pytest.mark.parametrize("case", list(R.CASES))
def test_matches_recorded_pytorch(case, reference):
    want = R.case_reference(reference, case)
    _compare(R.minitorch_run(case, {k: want[k] for k in ("weight0", "ids", "g")}), want, case)


@pytest.mark.torch
@pytest.mark.parametrize("case", list(R.CASES))
def test_matches_live_pytorch(case):
    pytest.importorskip("torch")
    _compare(R.minitorch_run(case), R.torch_run(case), case)


def test_forward_is_row_lookup_and_gradient_accumulates_repeated_ids():
    weight = minitorch.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    ids = minitorch.tensor([[1, 3, 1], [0, 1, 2]])
    out = F.embedding(ids, weight)
    assert out.shape == (2, 3, 3)
    assert np.array_equal(out.numpy()[0, 1], [9.0, 10.0, 11.0])
    g = np.ones((2, 3, 3), dtype=np.float32) * np.arange(1, 7, dtype=np.float32).reshape(2, 3, 1)
    out.backward(g)
    # id 1 is read at positions with gradients 1, 3 and 5; id 3 at 2; id 0 at 4; id 2 at 6.
    assert np.array_equal(weight.grad.numpy()[:, 0], [4.0, 9.0, 6.0, 2.0])


def test_padding_row_starts_at_zero_and_never_gets_a_gradient():
    minitorch.manual_seed(3)
    layer = nn.Embedding(6, 5, padding_idx=2)
    assert np.array_equal(layer.weight.numpy()[2], np.zeros(5)), "the padding row is initialised to zeros"
    assert np.abs(layer.weight.numpy()[[0, 1, 3]]).min() > 0, "the other rows are drawn from N(0, 1)"
    out = layer(minitorch.tensor([2, 2, 1, 2]))
    assert np.array_equal(out.numpy()[0], np.zeros(5))
    (out * out + out).sum().backward()
    assert np.array_equal(layer.weight.grad.numpy()[2], np.zeros(5)), "padding_idx must get no gradient"
    assert np.abs(layer.weight.grad.numpy()[1]).sum() > 0


def test_negative_padding_idx_counts_from_the_end():
    assert nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4


@settings(max_examples=20, deadline=None)
@given(num=st.integers(1, 6), dim=st.integers(1, 4), shape=st.sampled_from([(), (3,), (2, 4)]),
       padding=st.booleans(), by_freq=st.booleans(), seed=st.integers(0, 10**6))
def test_gradient_matches_finite_differences(num, dim, shape, padding, by_freq, seed):
    rng = np.random.default_rng(seed)
    weight = minitorch.tensor(rng.normal(size=(num, dim)), requires_grad=True)
    ids = minitorch.tensor(rng.integers(0, num, shape))
    padding_idx = int(rng.integers(0, num)) if padding else None

    def f(w):
        return F.embedding(ids, w, padding_idx=padding_idx, scale_grad_by_freq=by_freq)

    if padding_idx is None and not by_freq:
        assert gradcheck(f, weight)
    else:  # these options change the gradient on purpose: compare with the rule, built by hand
        v = rng.normal(size=shape + (dim,))
        f(weight).backward(v)
        expected = np.zeros((num, dim))
        counts = np.bincount(ids.numpy().reshape(-1), minlength=num)
        for i, row in zip(ids.numpy().reshape(-1), v.reshape(-1, dim)):
            expected[i] += row / (counts[i] if by_freq else 1)
        if padding_idx is not None:
            expected[padding_idx] = 0
        assert_close(weight.grad, expected, rtol=1e-10, atol=1e-12)


def test_max_norm_rescales_only_looked_up_rows_in_place():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [30.0, 40.0]])
    layer = nn.Embedding.from_pretrained(minitorch.tensor(w), freeze=False, max_norm=2.0)
    out = layer(minitorch.tensor([0, 1, 0]))
    table = layer.weight.numpy()
    assert_close(table[0], np.array([3.0, 4.0]) * 2.0 / (5.0 + 1e-7), rtol=1e-12, msg="row 0 rescaled to norm 2")
    assert_close(table[1], [0.3, 0.4], rtol=0, msg="row 1 is short enough: untouched")
    assert_close(table[2:], w[2:], rtol=0, msg="rows not looked up are untouched")
    assert_close(out.numpy()[0], table[0], rtol=0, msg="the output uses the rescaled row")


def test_from_pretrained_shares_the_weight_freezes_it_and_keeps_the_padding_row():
    w = minitorch.tensor(np.ones((3, 2), dtype=np.float32))
    frozen = nn.Embedding.from_pretrained(w, padding_idx=1)
    assert not frozen.weight.requires_grad and frozen.weight.data is w.data
    assert np.array_equal(frozen.weight.numpy()[1], [1.0, 1.0]), "from_pretrained does not zero the padding row"
    assert not frozen(minitorch.tensor([0, 1])).requires_grad
    trainable = nn.Embedding.from_pretrained(w, freeze=False)
    assert trainable.weight.requires_grad
    assert (trainable.num_embeddings, trainable.embedding_dim) == (3, 2)


def test_state_dict_repr_and_dtype():
    layer = nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, dtype=minitorch.float64)
    assert list(layer.state_dict()) == ["weight"] and layer.weight.shape == (10, 3)
    assert layer.weight.dtype == np.float64
    assert repr(layer) == "Embedding(10, 3, padding_idx=0, max_norm=1.0)"
    assert repr(nn.Embedding(4, 2)) == "Embedding(4, 2)"


def test_errors_name_the_problem():
    layer = nn.Embedding(5, 2)
    with pytest.raises(RuntimeError, match="integer ids"):
        layer(minitorch.tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match="index 5 is out of range"):
        layer(minitorch.tensor([1, 5]))
    with pytest.raises(IndexError, match="index -1"):
        layer(minitorch.tensor([-1]))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="2-D"):
        nn.Embedding.from_pretrained(minitorch.zeros(3))
    with pytest.raises(ValueError, match="sparse"):
        nn.Embedding(5, 2, sparse=True)
    with pytest.raises(TypeError, match="Tensors"):
        F.embedding([0, 1], layer.weight)
    with pytest.raises(RuntimeError, match="2-D"):
        F.embedding(minitorch.tensor([0]), minitorch.zeros(3))


@pytest.mark.torch
def test_state_dict_loads_into_pytorch_and_gives_the_same_output():
    torch = pytest.importorskip("torch")
    minitorch.manual_seed(0)
    ours = nn.Embedding(8, 3, padding_idx=1)
    theirs = torch.nn.Embedding(8, 3, padding_idx=1)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    ids = np.array([[1, 2, 7], [0, 1, 1]])
    assert_close(ours(minitorch.tensor(ids)).numpy(), theirs(torch.tensor(ids)).detach().numpy(), rtol=0)
