"""nn.utils.rnn (padding and packing variable-length sequences) and nn.utils gradient clipping:
PyTorch's documented examples, the rules written out by hand with numpy, finite differences, and
live PyTorch where marked ``torch``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch import nn
from minitorch.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm
from minitorch.nn.utils.rnn import (PackedSequence, invert_permutation, pack_padded_sequence, pack_sequence,
                                    pad_packed_sequence, pad_sequence, unpack_sequence, unpad_sequence)
from minitorch.testing import assert_close, gradcheck


def _seqs(lengths, features=(), seed=0):
    rng = np.random.default_rng(seed)
    return [minitorch.tensor(rng.normal(size=(n,) + tuple(features))) for n in lengths]


# ----------------------------------------------------------------------------- packing by hand
def test_pack_sequence_is_pytorchs_documented_example():
    a, b, c = minitorch.tensor([1, 2, 3]), minitorch.tensor([4, 5]), minitorch.tensor([6])
    packed = pack_sequence([a, b, c])
    assert packed.data.tolist() == [1, 4, 6, 2, 5, 3]
    assert packed.batch_sizes.tolist() == [3, 2, 1] and packed.batch_sizes.dtype == np.int64
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    assert isinstance(packed, tuple) and len(packed) == 4, "a namedtuple, unpackable as in PyTorch"


def test_unsorted_packing_keeps_the_permutation_and_pad_packed_undoes_it():
    a, b, c = minitorch.tensor([1.0, 2.0]), minitorch.tensor([3.0, 4.0, 5.0]), minitorch.tensor([6.0])
    packed = pack_sequence([a, b, c], enforce_sorted=False)
    assert packed.sorted_indices.tolist() == [1, 0, 2] and packed.unsorted_indices.tolist() == [1, 0, 2]
    assert packed.data.tolist() == [3, 1, 6, 4, 2, 5]
    padded, lengths = pad_packed_sequence(packed, batch_first=True, padding_value=-1)
    assert padded.tolist() == [[1, 2, -1], [3, 4, 5], [6, -1, -1]] and lengths.tolist() == [2, 3, 1]
    padded, _ = pad_packed_sequence(packed, total_length=5)
    assert padded.shape == (5, 3) and padded.numpy()[3:].tolist() == [[0, 0, 0], [0, 0, 0]]


def test_ties_keep_the_callers_order():
    packed = pack_padded_sequence(minitorch.zeros(3, 5), [2, 3, 2, 3, 1], enforce_sorted=False)
    assert packed.sorted_indices.tolist() == [1, 3, 0, 2, 4]  # what torch.sort(descending=True) gives


@settings(max_examples=30, deadline=None)
@given(lengths=st.lists(st.integers(1, 5), min_size=1, max_size=5), batch_first=st.booleans(),
       features=st.sampled_from([(), (2,), (2, 3)]), seed=st.integers(0, 1000))
def test_pack_then_pad_gives_back_the_padded_batch(lengths, batch_first, features, seed):
    seqs = _seqs(lengths, features, seed)
    padded = pad_sequence(seqs, batch_first=batch_first, padding_value=7.0)
    steps = max(lengths)
    assert padded.shape == ((len(lengths), steps) if batch_first else (steps, len(lengths))) + tuple(features)
    for b, s in enumerate(seqs):  # numpy by hand: sequence b, then 7s
        column = padded.numpy()[b] if batch_first else padded.numpy()[:, b]
        assert np.array_equal(column[:len(s.data)], s.data) and np.all(column[len(s.data):] == 7.0)
    packed = pack_padded_sequence(padded, lengths, batch_first=batch_first, enforce_sorted=False)
    assert packed.data.shape == (sum(lengths),) + tuple(features)
    want_sizes = [sum(n > t for n in lengths) for t in range(steps)]
    assert packed.batch_sizes.tolist() == want_sizes
    back, got_lengths = pad_packed_sequence(packed, batch_first=batch_first, padding_value=7.0)
    assert got_lengths.tolist() == lengths
    assert np.array_equal(back.numpy(), padded.numpy())
    assert all(np.array_equal(x.numpy(), s.numpy()) for x, s in zip(unpack_sequence(packed), seqs))
    assert all(np.array_equal(x.numpy(), s.numpy())
               for x, s in zip(unpad_sequence(padded, lengths, batch_first=batch_first), seqs))


def test_left_padding():
    out = pad_sequence([minitorch.tensor([1.0, 2.0]), minitorch.tensor([3.0])], batch_first=True, padding_side="left")
    assert out.tolist() == [[1.0, 2.0], [0.0, 3.0]]


def test_gradients_flow_through_pad_pack_and_unpack():
    x = minitorch.tensor(np.random.default_rng(0).normal(size=(4, 3, 2)), requires_grad=True)

    def f(x):
        packed = pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        return pad_packed_sequence(PackedSequence(packed.data * packed.data, packed.batch_sizes,
                                                  packed.sorted_indices))[0]

    assert gradcheck(f, x)
    a, b = (minitorch.tensor(np.random.default_rng(s).normal(size=(n, 2)), requires_grad=True)
            for s, n in ((1, 3), (2, 1)))
    assert gradcheck(lambda a, b: pad_sequence([a, b], padding_value=3.0) ** 2, a, b)


def test_invert_permutation():
    p = minitorch.tensor([2, 0, 3, 1])
    inv = invert_permutation(p)
    assert inv.tolist() == [1, 3, 0, 2] and p.numpy()[inv.numpy()].tolist() == [0, 1, 2, 3]
    assert invert_permutation(None) is None


def test_packing_errors_are_pytorchs():
    x = minitorch.zeros(3, 2, 1)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        pack_padded_sequence(x, [3, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 3"):
        pack_padded_sequence(x, [3, 2, 1])
    with pytest.raises(RuntimeError, match="does not fit"):
        pack_padded_sequence(x, [4, 2])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        pad_packed_sequence(pack_padded_sequence(x, [3, 2]), total_length=2)
    with pytest.raises(RuntimeError, match="empty list"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="sequence 1 has shape"):
        pad_sequence([minitorch.zeros(2, 3), minitorch.zeros(2, 4)])
    with pytest.raises(RuntimeError, match="padding_side"):
        pad_sequence([minitorch.zeros(2)], padding_side="middle")


@pytest.mark.torch
@pytest.mark.parametrize("batch_first", [False, True])
def test_packing_matches_live_pytorch(batch_first):
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn

    lengths = [3, 5, 1, 5, 2]
    seqs = _seqs(lengths, (2,), seed=4)
    ours = pack_sequence(seqs, enforce_sorted=False)
    theirs = trnn.pack_sequence([torch.tensor(s.numpy()) for s in seqs], enforce_sorted=False)
    for got, want in zip(ours, theirs):
        assert np.array_equal(got.numpy(), want.numpy())
    padded = pad_sequence(seqs, batch_first=batch_first, padding_value=-2.0)
    want = trnn.pad_sequence([torch.tensor(s.numpy()) for s in seqs], batch_first=batch_first, padding_value=-2.0)
    assert np.array_equal(padded.numpy(), want.numpy())
    got_back, got_lengths = pad_packed_sequence(ours, batch_first=batch_first, total_length=6)
    want_back, want_lengths = trnn.pad_packed_sequence(theirs, batch_first=batch_first, total_length=6)
    assert np.array_equal(got_back.numpy(), want_back.numpy()) and got_lengths.tolist() == want_lengths.tolist()


# ----------------------------------------------------------------------------- clipping
def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros_like(g))
        p.grad = minitorch.tensor(np.array(g))
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_scales_all_gradients_by_one_factor(norm_type, max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=(5,))]
    params = _params_with_grads(grads)
    params.append(nn.Parameter(np.zeros(2)))  # no grad: skipped
    flat = np.concatenate([g.reshape(-1) for g in grads])
    total = np.abs(flat).max() if norm_type == math.inf else (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)
    returned = clip_grad_norm_(iter(params), max_norm, norm_type=norm_type)
    assert_close(returned, total, rtol=1e-12, msg="returns the norm before clipping")
    scale = min(1.0, max_norm / (total + 1e-6))
    for p, g in zip(params, grads):
        assert_close(p.grad, g * scale, rtol=1e-12)
    assert params[2].grad is None
    if max_norm < total:
        new = np.concatenate([p.grad.numpy().reshape(-1) for p in params[:2]])
        new_norm = np.abs(new).max() if norm_type == math.inf else (np.abs(new) ** norm_type).sum() ** (1 / norm_type)
        assert abs(new_norm - max_norm) < 1e-5, "after clipping the norm is max_norm"


def test_clip_grad_norm_nonfinite():
    params = _params_with_grads([np.array([1.0, np.inf])])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert params[0].grad.tolist() == [1.0, np.inf], "nothing changed when it raises"
    assert math.isinf(clip_grad_norm_(params, 1.0).item())


def test_clip_grad_norm_of_nothing_is_zero():
    with pytest.warns(UserWarning, match="empty generator"):
        assert clip_grad_norm_([], 1.0).item() == 0.0
    assert get_total_norm([]).item() == 0.0
    p = nn.Parameter(np.ones(3))
    assert clip_grad_norm_(p, 1.0).item() == 0.0, "a single tensor without grad: no gradient, norm 0"


def test_clip_grad_value_clamps_every_component():
    params = _params_with_grads([np.array([-3.0, 0.2, 5.0]), np.array([[0.7, -0.1]])])
    assert clip_grad_value_(params, 0.5) is None
    assert params[0].grad.tolist() == [-0.5, 0.2, 0.5] and params[1].grad.tolist() == [[0.5, -0.1]]


def test_clip_grad_norm_keeps_float32_grads_float32():
    params = _params_with_grads([np.ones(4, dtype=np.float32) * 3])
    total = clip_grad_norm_(params, 1.0)
    assert params[0].grad.dtype == np.float32 and total.dtype == np.float32


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1.5])
def test_clip_grad_norm_matches_live_pytorch(norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    grads = [rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(7,)).astype(np.float32) * 5]
    ours = _params_with_grads(grads)
    theirs = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for t, g in zip(theirs, grads):
        t.grad = torch.tensor(g)
    got = clip_grad_norm_(ours, 1.0, norm_type=norm_type)
    want = torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type=norm_type)
    assert_close(got, want.numpy(), rtol=1e-6)
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy(), rtol=1e-6, atol=1e-7)
    torch.nn.utils.clip_grad_value_(theirs, 0.05)
    clip_grad_value_(ours, 0.05)
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy(), rtol=0)
