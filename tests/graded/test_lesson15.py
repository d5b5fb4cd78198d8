"""Graded tests for lesson 15 (recurrent networks). Each test takes ``nb``, the notebook's namespace.

Expected values never come from the learner's code: the cells are compared with minitorch's
``nn.RNNCell`` / ``nn.GRUCell`` (checked against PyTorch and finite differences in
tests/library/test_rnn.py), hand-written BPTT with minitorch's autograd on the same RNN, padding and
packing with ``nn.utils.rnn`` (checked against PyTorch in tests/library/test_rnn_utils.py) and with
values written out by hand, and clipping with ``nn.utils.clip_grad_norm_`` and numpy.
"""

import numpy as np

import minitorch
from minitorch import nn
from minitorch.course import Exercise, graded
from minitorch.nn.utils.rnn import pack_sequence, pad_sequence
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("15.1", "An RNN cell", points=2, hints=(
        "One step is a weighted sum of the input and of the previous state, plus the biases, through tanh. "
        "The samples are rows, so a weight of shape (H, in) meets the batch transposed, as in nn.Linear.",
        "a = x @ w_ih.T + h @ w_hh.T; add b_ih and b_hh when they are not None; return tanh of a.",
        "return (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).tanh()   # when both biases are given",
    )),
    Exercise("15.2", "Backpropagation through time by hand", points=3, hints=(
        "Run the forward loop first and keep every state h_0..h_T. Then walk backwards from t = T to 1 carrying "
        "g = dL/dh_t: each step turns g into delta = dL/da_t through tanh's derivative, adds its share to the three "
        "parameter gradients (the weights are shared, so their gradients are sums over steps), and passes a "
        "gradient back to h_{t-1}.",
        "hs = [h0, h1, ..., hT]; grad = g; for t = T..1: delta = grad * (1 - hs[t]**2); d_w_ih += outer(delta, "
        "xs[t-1]); d_w_hh += outer(delta, hs[t-1]); d_b += delta; grad = w_hh.T @ delta. Return (d_w_ih, d_w_hh, "
        "d_b, grad).",
        "d_w_hh += np.outer(delta, hs[t - 1])",
    )),
    Exercise("15.3", "clip_grad_norm", points=2, hints=(
        "Measure the gradients of all parameters together as one long vector (the square root of the sum of all "
        "their squares), then multiply every gradient by the same factor, which is never above 1.",
        "grads = the .grad of each parameter that has one (a list: the iterable may be read once); total = "
        "sqrt(sum of (g**2).sum()); scale = min(1, max_norm / (total + 1e-6)); multiply each g.data in place; "
        "return float(total).",
        "scale = min(1.0, max_norm / (total + 1e-6))",
    )),
    Exercise("15.4", "A GRU cell", points=3, hints=(
        "Compute the input's and the hidden state's contributions to all three gates at once (two matrix "
        "products, each three hidden sizes wide), then cut each into its r, z and n thirds in that order. The "
        "reset gate multiplies the hidden state's n-part, bias b_hn included.",
        "gi = x @ w_ih.T + b_ih; gh = h @ w_hh.T + b_hh; r = sigmoid(gi_r + gh_r); z = sigmoid(gi_z + gh_z); "
        "n = tanh(gi_n + r * gh_n); return (1 - z) * n + z * h.",
        "n = (gi[:, 2 * H:] + r * gh[:, 2 * H:]).tanh()",
    )),
    Exercise("15.5", "Pad and pack", points=3, hints=(
        "pad: bring every sequence to the longest length by appending filler rows, then put the sequences side by "
        "side along a new dimension 1. pack: go through the time steps; at step t take element t of every "
        "sequence that is longer than t (they are sorted, so those are the first ones) and count them.",
        "pad: for each sequence shorter than T, concatenate a block of padding_value rows of the missing length; "
        "stack the columns along dim 1. pack: for each time step t of the longest sequence, keep the sequences "
        "longer than t, record how many, and collect their row t; return the stacked rows and the counts.",
        "running = [s for s in sequences if s.shape[0] > t]",
    )),
]


def _rng(seed):
    return np.random.default_rng(seed)


def _tensors(rng, *shapes, requires_grad=True):
    return [minitorch.tensor(rng.normal(size=shape), requires_grad=requires_grad) for shape in shapes]


# ------------------------------------------------------------------------------------------- 15.1
@graded("15.1", hint="Check the orientation of the weights: (H, in) meets a batch of rows transposed, as in "
                     "nn.Linear. Then both biases, then tanh.")
def test_rnn_cell_matches_nn_rnncell(nb):
    for n, inp, hidden in [(1, 1, 1), (3, 4, 5), (2, 6, 2)]:
        rng = _rng(n + inp + hidden)
        cell = nn.RNNCell(inp, hidden, dtype=minitorch.float64)
        x, h = _tensors(rng, (n, inp), (n, hidden), requires_grad=False)
        got = nb.rnn_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        assert isinstance(got, minitorch.Tensor), f"rnn_cell should return a Tensor, got {type(got).__name__}"
        assert_close(got, cell(x, h), rtol=1e-10, atol=1e-12,
                     msg=f"rnn_cell for N={n}, input_size={inp}, hidden={hidden} (vs nn.RNNCell)")


@graded("15.1", hint="Leave a bias out when it is None.")
def test_rnn_cell_without_biases(nb):
    rng = _rng(11)
    cell = nn.RNNCell(3, 4, bias=False, dtype=minitorch.float64)
    x, h = _tensors(rng, (2, 3), (2, 4), requires_grad=False)
    assert_close(nb.rnn_cell(x, h, cell.weight_ih, cell.weight_hh, None, None), cell(x, h), rtol=1e-10, atol=1e-12,
                 msg="rnn_cell with b_ih=None and b_hh=None (vs nn.RNNCell(bias=False))")


@graded("15.1", hint="Build the result from tensor operations (@, +, .tanh()) so that autograd can go through it.")
def test_rnn_cell_gradients_reach_every_input(nb):
    rng = _rng(12)
    x, h, w_ih, w_hh, b_ih, b_hh = _tensors(rng, (2, 3), (2, 4), (4, 3), (4, 4), (4,), (4,))
    out = nb.rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    assert isinstance(out, minitorch.Tensor) and out.requires_grad, "the output should carry a graph"
    g = rng.normal(size=(2, 4))
    out.backward(g)
    ref = [minitorch.tensor(t.numpy(), requires_grad=True) for t in (x, h, w_ih, w_hh, b_ih, b_hh)]
    from minitorch.nn.rnn import rnn_tanh_cell
    rnn_tanh_cell(*ref).backward(g)
    for name, mine, want in zip(["x", "h", "w_ih", "w_hh", "b_ih", "b_hh"], (x, h, w_ih, w_hh, b_ih, b_hh), ref):
        assert mine.grad is not None, f"no gradient reached {name}"
        assert_close(mine.grad, want.grad, rtol=1e-10, atol=1e-12, msg=f"dL/d{name}")


# ------------------------------------------------------------------------------------------- 15.2
def _autograd_bptt(xs, h0, w_ih, w_hh, b, g):
    """The reference: the same RNN with minitorch's autograd."""
    ts = [minitorch.tensor(a, requires_grad=True) for a in (w_ih, w_hh, b, h0)]
    w_ih_t, w_hh_t, b_t, h = ts
    for x in xs:
        h = (w_ih_t @ minitorch.tensor(x) + w_hh_t @ h + b_t).tanh()
    (h * minitorch.tensor(g)).sum().backward()
    return [t.grad.numpy() for t in ts]


def _bptt_case(seed, steps=3, inp=2, hidden=3):
    rng = _rng(seed)
    return (rng.normal(size=(steps, inp)), rng.normal(size=hidden) * 0.5, rng.normal(size=(hidden, inp)),
            rng.normal(size=(hidden, hidden)) * 0.8, rng.normal(size=hidden) * 0.3, rng.normal(size=hidden))


@graded("15.2", hint="The weights are shared: each parameter's gradient is a sum of one contribution per time "
                     "step, and a step's contribution to d_w_hh uses the state from *before* that step.")
def test_bptt_three_steps_matches_autograd(nb):
    for seed in (0, 1, 2):
        case = _bptt_case(seed)
        got = nb.bptt(*case)
        assert isinstance(got, tuple) and len(got) == 4, "bptt should return (d_w_ih, d_w_hh, d_b, d_h0)"
        for name, mine, want in zip(["d_w_ih", "d_w_hh", "d_b", "d_h0"], got, _autograd_bptt(*case)):
            assert np.shape(mine) == want.shape, f"{name} should have shape {want.shape}, got {np.shape(mine)}"
            assert_close(np.asarray(mine, dtype=float), want, rtol=1e-8, atol=1e-10, msg=f"case {seed}: {name}")


@graded("15.2", hint="With one step each sum has a single term. Check tanh's derivative, 1 - tanh², taken at the "
                     "new state h1, and that d_h0 goes back through w_hh transposed.")
def test_bptt_one_step_by_hand(nb):
    xs, h0 = np.array([[1.0, -2.0]]), np.array([0.5, 0.0])
    w_ih, w_hh = np.array([[0.1, 0.2], [-0.3, 0.4]]), np.array([[0.5, -0.5], [0.25, 1.0]])
    b, g = np.array([0.1, -0.1]), np.array([1.0, 2.0])
    h1 = np.tanh(w_ih @ xs[0] + w_hh @ h0 + b)
    delta = g * (1 - h1 ** 2)
    want = (np.outer(delta, xs[0]), np.outer(delta, h0), delta, w_hh.T @ delta)
    for name, mine, w in zip(["d_w_ih", "d_w_hh", "d_b", "d_h0"], nb.bptt(xs, h0, w_ih, w_hh, b, g), want):
        assert_close(np.asarray(mine, dtype=float), w, rtol=1e-10, atol=1e-12, msg=f"one step: {name}")


@graded("15.2", hint="Loop over len(xs) steps, not a fixed three.")
def test_bptt_any_length(nb):
    for steps in (1, 6):
        case = _bptt_case(10 + steps, steps=steps, inp=3, hidden=2)
        for name, mine, want in zip(["d_w_ih", "d_w_hh", "d_b", "d_h0"], nb.bptt(*case), _autograd_bptt(*case)):
            assert_close(np.asarray(mine, dtype=float), want, rtol=1e-8, atol=1e-10, msg=f"{steps} steps: {name}")


# ------------------------------------------------------------------------------------------- 15.3
def _param_pairs(seed, scale, shapes=((3, 4), (5,), (2, 2))):
    rng = _rng(seed)
    mine, ref = [], []
    for shape in shapes:
        grad = rng.normal(size=shape) * scale
        for bucket in (mine, ref):
            p = nn.Parameter(np.zeros(shape))
            p.grad = minitorch.tensor(grad.copy())
            bucket.append(p)
    return mine, ref


@graded("15.3", hint="The norm is over all gradients together: sqrt of the sum of every squared entry.")
def test_clipping_large_gradients_matches_the_library(nb):
    mine, ref = _param_pairs(0, scale=10.0)
    total = nb.clip_grad_norm(mine, 1.0)
    want_total = nn.utils.clip_grad_norm_(ref, 1.0)
    assert isinstance(total, float), f"return the total norm as a Python float, got {type(total).__name__}"
    assert_close(total, want_total.item(), rtol=1e-10, msg="the returned norm (before clipping)")
    for k, (m, r) in enumerate(zip(mine, ref)):
        assert_close(m.grad, r.grad, rtol=1e-10, atol=1e-12, msg=f"gradient of parameter {k} after clipping")
    new_norm = np.sqrt(sum((m.grad.numpy() ** 2).sum() for m in mine))
    assert abs(new_norm - 1.0) < 1e-5, f"after clipping the total norm should be max_norm = 1, got {new_norm}"


@graded("15.3", hint="Gradients whose total norm is already below max_norm must stay as they are: the scale "
                     "factor never exceeds 1.")
def test_small_gradients_are_left_alone(nb):
    mine, ref = _param_pairs(1, scale=0.01)
    before = [m.grad.numpy().copy() for m in mine]
    total = nb.clip_grad_norm(mine, 5.0)
    want = np.sqrt(sum((b ** 2).sum() for b in before))
    assert_close(total, want, rtol=1e-10, msg="the returned norm")
    for k, (m, b) in enumerate(zip(mine, before)):
        assert_close(m.grad, b, rtol=1e-12, msg=f"parameter {k}: a gradient under the cap must not change")


@graded("15.3", hint="Read the iterable once into a list; skip parameters whose .grad is None.")
def test_generator_input_and_missing_grads(nb):
    mine, ref = _param_pairs(2, scale=3.0)
    extra = nn.Parameter(np.ones(3))  # no gradient
    total = nb.clip_grad_norm((p for p in [mine[0], extra, mine[1], mine[2]]), 0.5)
    total_ref = nn.utils.clip_grad_norm_(iter(ref), 0.5)
    assert extra.grad is None, "a parameter without a gradient must stay without one"
    assert_close(total, total_ref.item(), rtol=1e-10, msg="the total norm, from a generator with a grad-less parameter")
    for k, (m, r) in enumerate(zip(mine, ref)):
        assert_close(m.grad, r.grad, rtol=1e-10, atol=1e-12, msg=f"gradient of parameter {k}")


# ------------------------------------------------------------------------------------------- 15.4
def _gru_inputs(seed, n, inp, hidden, requires_grad=False):
    rng = _rng(seed)
    return _tensors(rng, (n, inp), (n, hidden), (3 * hidden, inp), (3 * hidden, hidden), (3 * hidden,),
                    (3 * hidden,), requires_grad=requires_grad)


@graded("15.4", hint="Gate order r, z, n: rows 0..H-1 of the stacked weights are r's, H..2H-1 z's, 2H..3H-1 n's.")
def test_gru_cell_matches_nn_grucell(nb):
    for seed, (n, inp, hidden) in enumerate([(1, 1, 1), (3, 4, 5), (2, 2, 3)]):
        x, h, w_ih, w_hh, b_ih, b_hh = _gru_inputs(seed, n, inp, hidden)
        cell = nn.GRUCell(inp, hidden, dtype=minitorch.float64)
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), (w_ih, w_hh, b_ih, b_hh)):
            p.data[...] = v.numpy()
        want = cell(x, h)  # first: in the grader, what the learner's code receives moves to the notebook's process
        got = nb.gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
        assert isinstance(got, minitorch.Tensor), f"gru_cell should return a Tensor, got {type(got).__name__}"
        assert_close(got, want, rtol=1e-10, atol=1e-12,
                     msg=f"gru_cell for N={n}, input_size={inp}, hidden={hidden} (vs nn.GRUCell)")


@graded("15.4", hint="b_hn sits inside the reset gate's product: n = tanh(i_n + r * (W_hn h + b_hn)).")
def test_gru_cell_reset_gate_multiplies_the_hidden_bias_too(nb):
    # A large hidden-side n bias shows where it goes: with r gating it, changing r changes n.
    x, h, w_ih, w_hh, b_ih, b_hh = _gru_inputs(20, 2, 3, 2)
    b_hh.data[4:] = 3.0
    b_hh.data[:2] = -2.0  # r small
    from minitorch.nn.rnn import gru_cell
    assert_close(nb.gru_cell(x, h, w_ih, w_hh, b_ih, b_hh), gru_cell(x, h, w_ih, w_hh, b_ih, b_hh),
                 rtol=1e-10, atol=1e-12, msg="gru_cell with a large b_hn and a mostly closed reset gate")


@graded("15.4", hint="Use tensor operations only (@, slicing, .sigmoid(), .tanh()) so gradients flow.")
def test_gru_cell_gradients_match_the_library(nb):
    mine = _gru_inputs(21, 3, 2, 4, requires_grad=True)
    ref = [minitorch.tensor(t.numpy(), requires_grad=True) for t in mine]
    g = _rng(22).normal(size=(3, 4))
    out = nb.gru_cell(*mine)
    assert out.requires_grad, "the output should carry a graph"
    out.backward(g)
    from minitorch.nn.rnn import gru_cell
    gru_cell(*ref).backward(g)
    for name, m, r in zip(["x", "h", "w_ih", "w_hh", "b_ih", "b_hh"], mine, ref):
        assert m.grad is not None, f"no gradient reached {name}"
        assert_close(m.grad, r.grad, rtol=1e-9, atol=1e-11, msg=f"dL/d{name}")


# ------------------------------------------------------------------------------------------- 15.5
def _sequences(lengths, features=(2,), seed=0, requires_grad=False):
    rng = _rng(seed)
    return [minitorch.tensor(rng.normal(size=(n,) + features), requires_grad=requires_grad) for n in lengths]


@graded("15.5", hint="pad returns (T, B, *): time first, one column per sequence, filler after the end.")
def test_pad_small_example_by_hand(nb):
    seqs = [minitorch.tensor([1.0, 2.0, 3.0]), minitorch.tensor([4.0]), minitorch.tensor([5.0, 6.0])]
    got = nb.pad(seqs, padding_value=-1.0)
    assert tuple(got.shape) == (3, 3), f"pad of lengths 3, 1, 2 should have shape (3, 3), got {tuple(got.shape)}"
    assert got.tolist() == [[1.0, 4.0, 5.0], [2.0, -1.0, 6.0], [3.0, -1.0, -1.0]], f"got {got.tolist()}"


@graded("15.5", hint="The trailing dimensions (*) are kept; the filler has the sequences' trailing shape.")
def test_pad_matches_pad_sequence(nb):
    for lengths, features, value in [([2, 5, 1], (3,), 0.0), ([4], (2, 2), 7.0), ([1, 1], (), 0.5)]:
        seqs = _sequences(lengths, features, seed=len(lengths))
        got = nb.pad(seqs, padding_value=value)
        assert_close(got, pad_sequence(seqs, padding_value=value), rtol=0,
                     msg=f"pad for lengths {lengths}, features {features}, padding_value {value}")


@graded("15.5", hint="batch_sizes[t] counts the sequences longer than t; data takes their element t, in order.")
def test_pack_small_example_by_hand(nb):
    seqs = [minitorch.tensor([1, 2, 3]), minitorch.tensor([4, 5]), minitorch.tensor([6])]
    data, batch_sizes = nb.pack(seqs)
    assert list(batch_sizes) == [3, 2, 1], f"batch_sizes should be [3, 2, 1], got {list(batch_sizes)}"
    assert data.tolist() == [1, 4, 6, 2, 5, 3], f"data should be [1, 4, 6, 2, 5, 3], got {data.tolist()}"


@graded("15.5", hint="Build data with stack/cat of slices of the sequences, so gradients flow back into them.")
def test_pack_matches_pack_sequence_with_gradients(nb):
    seqs = _sequences([5, 5, 3, 1], (2,), seed=3, requires_grad=True)
    data, batch_sizes = nb.pack(seqs)
    want = pack_sequence([minitorch.tensor(s.numpy()) for s in seqs])
    assert [int(b) for b in batch_sizes] == want.batch_sizes.tolist(), \
        f"batch_sizes {list(batch_sizes)}, expected {want.batch_sizes.tolist()}"
    assert_close(data, want.data, rtol=0, msg="packed data (vs nn.utils.rnn.pack_sequence)")
    weights = _rng(4).normal(size=data.shape)
    (data * minitorch.tensor(weights)).sum().backward()
    offsets = np.concatenate([[0], np.cumsum(want.batch_sizes.numpy())])
    for b, s in enumerate(seqs):
        assert s.grad is not None, f"no gradient reached sequence {b}"
        expected = np.stack([weights[offsets[t] + b] for t in range(s.shape[0])])
        assert_close(s.grad, expected, rtol=0, msg=f"gradient of sequence {b} through pack")
