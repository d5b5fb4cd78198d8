"""RNNCell, GRUCell, LSTMCell, RNN, GRU, LSTM: against PyTorch through time (padded and packed,
outputs, final states and every gradient), against finite differences, against each sequence run
on its own, and PyTorch's parameter names, shapes, initialisation range and errors.

Reference numbers come from tests/references/rnn_reference.npz, recorded from torch 2.13 by
tests/references/record_rnn.py (which drives both libraries through the same code). Tests marked
``torch`` rerun the comparison against a live PyTorch.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_rnn as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402

CASES = list(R.CASES)


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load()


def _compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], case: str) -> None:
    assert got["state_dict_keys"].tolist() == want["state_dict_keys"].tolist(), \
        f"{case}: state_dict keys {got['state_dict_keys'].tolist()}, PyTorch {want['state_dict_keys'].tolist()}"
    results = [k for k in want if k.startswith(("out/", "grad/"))]
    assert sorted(k for k in got if k.startswith(("out/", "grad/"))) == sorted(results)
    float32 = R.CASES[case][2].get("dtype") == "float32"
    tol = dict(rtol=1e-4, atol=2e-5) if float32 else dict(rtol=1e-9, atol=1e-11)
    for key in results:
        assert got[key].dtype == want[key].dtype, f"{case}: {key} has dtype {got[key].dtype}, PyTorch {want[key].dtype}"
        assert_close(got[key], want[key], msg=f"{case}: {key}", **tol)


@pytest.mark.parametrize("case", CASES)
def test_matches_recorded_pytorch_through_time(case, reference):
    want = R.unpack(reference, case)
    inputs = {k: v for k, v in want.items() if k.startswith(("param/", "state0/", "grad_out/")) or k == "x"}
    _compare(R.minitorch_run(case, inputs), want, case)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
def test_matches_live_pytorch_through_time(case):
    pytest.importorskip("torch")
    _compare(R.minitorch_run(case), R.torch_run(case), case)


# ----------------------------------------------------------------------------- finite differences
def _with_parameters(module: nn.Module, names: list[str], values: tuple[minitorch.Tensor, ...]) -> None:
    """Put plain tensors in the module's parameter slots, so gradcheck can vary them."""
    for name, value in zip(names, values):
        module._parameters[name] = value


LAYER_CONFIGS = [
    ("RNN", {"nonlinearity": "tanh"}, None),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True}, None),
    ("GRU", {"num_layers": 2}, None),
    ("GRU", {"bidirectional": True}, [3, 1]),
    ("LSTM", {"bidirectional": True, "batch_first": True}, None),
    ("LSTM", {"num_layers": 2, "proj_size": 1}, [2, 3]),
]


@pytest.mark.parametrize("kind, kwargs, lengths", LAYER_CONFIGS)
def test_layer_gradients_match_finite_differences(kind, kwargs, lengths):
    rng = np.random.default_rng(len(str(kwargs)) + (lengths or [0])[0])
    module = getattr(nn, kind)(2, 2, dtype=minitorch.float64, **kwargs)
    names = [name for name, _ in module.named_parameters()]
    params = [minitorch.tensor(rng.uniform(-0.9, 0.9, p.shape), requires_grad=True) for p in module.parameters()]
    batch_first = kwargs.get("batch_first", False)
    x = minitorch.tensor(rng.normal(size=(2, 3, 2) if batch_first else (3, 2, 2)), requires_grad=True)
    directions = 2 if kwargs.get("bidirectional") else 1
    h_size = kwargs.get("proj_size") or 2
    h0 = minitorch.tensor(rng.normal(size=(kwargs.get("num_layers", 1) * directions, 2, h_size)), requires_grad=True)
    c0 = minitorch.tensor(rng.normal(size=(kwargs.get("num_layers", 1) * directions, 2, 2)), requires_grad=True)

    def f(x, h0, c0, *ps):
        _with_parameters(module, names, ps)
        inp = x if lengths is None else pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        out, final = module(inp, (h0, c0) if kind == "LSTM" else h0)
        if lengths is not None:
            out = pad_packed_sequence(out, batch_first=batch_first)[0]
        finals = final if isinstance(final, tuple) else (final,)
        # everything the layer returns, as one vector, so every output's gradient path is checked
        return minitorch.cat([out.reshape(-1)] + [h.reshape(-1) for h in finals] + [c0.sum().reshape(1) * 0])

    assert gradcheck(f, x, h0, c0, *params, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_gradients_match_finite_differences(kind, bias):
    rng = np.random.default_rng(7)
    cell = getattr(nn, kind)(3, 2, bias=bias, dtype=minitorch.float64)
    names = [name for name, _ in cell.named_parameters()]
    params = [minitorch.tensor(rng.uniform(-0.9, 0.9, p.shape), requires_grad=True) for p in cell.parameters()]
    x = minitorch.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    h = minitorch.tensor(rng.normal(size=(4, 2)), requires_grad=True)
    c = minitorch.tensor(rng.normal(size=(4, 2)), requires_grad=True)

    def f(x, h, c, *ps):
        _with_parameters(cell, names, ps)
        if kind == "LSTMCell":
            h2, c2 = cell(x, (h, c))
            return minitorch.cat([h2, c2], dim=1)
        return cell(x, h) + c * 0

    assert gradcheck(f, x, h, c, *params, atol=1e-6, rtol=1e-5)


# ----------------------------------------------------------------------------- semantics
@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_batch_equals_each_sequence_run_on_its_own(kind, bidirectional):
    """Packing must make every sequence stop at its own end: running the batch packed gives, for each
    sequence, exactly what running that sequence alone (unbatched, no padding) gives."""
    minitorch.manual_seed(1)
    layer = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=bidirectional, dtype=minitorch.float64)
    rng = np.random.default_rng(3)
    seqs = [minitorch.tensor(rng.normal(size=(n, 3))) for n in (2, 5, 3, 5)]
    out, final = layer(pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == [2, 5, 3, 5]
    h_n = final[0] if kind == "LSTM" else final
    for b, seq in enumerate(seqs):
        alone, alone_final = layer(seq)
        alone_h = alone_final[0] if kind == "LSTM" else alone_final
        assert_close(padded[b, :seq.shape[0]], alone, rtol=1e-12, atol=1e-12, msg=f"sequence {b}: outputs")
        assert_close(padded[b, seq.shape[0]:], np.zeros((5 - seq.shape[0], out.data.shape[1])), msg="padding is 0")
        assert_close(h_n[:, b], alone_h, rtol=1e-12, atol=1e-12, msg=f"sequence {b}: final state")


def test_padded_positions_change_the_final_state_unless_packed():
    minitorch.manual_seed(0)
    gru = nn.GRU(2, 3, dtype=minitorch.float64)
    x = minitorch.tensor(np.random.default_rng(0).normal(size=(4, 2, 2)))
    x.data[2:, 1] = 0.0  # sequence 1 has length 2, then padding
    _, h_padded = gru(x)
    _, h_packed = gru(pack_padded_sequence(x, [4, 2]))
    _, h_short = gru(x[:2, 1:])
    assert_close(h_packed[0, 1], h_short[0, 0], rtol=1e-12, msg="packed: the state after the last real step")
    assert np.abs(h_padded.numpy()[0, 1] - h_short.numpy()[0, 0]).max() > 1e-3, "padding steps leak into h_n"
    assert_close(h_padded[0, 0], h_packed[0, 0], rtol=1e-12, msg="the full-length sequence is unaffected")


def test_shared_weights_accumulate_gradients_over_time_steps():
    """The layer's weight gradient is the sum of the per-step gradients of the same cell."""
    minitorch.manual_seed(2)
    rnn = nn.RNN(2, 3, dtype=minitorch.float64)
    cell = nn.RNNCell(2, 3, dtype=minitorch.float64)
    cell.load_state_dict({k[:-3]: v for k, v in rnn.state_dict().items()})
    x = minitorch.tensor(np.random.default_rng(1).normal(size=(4, 1, 2)))
    out, _ = rnn(x)
    out.sum().backward()
    h = None
    total = 0
    for t in range(4):
        h = cell(x[t], h)
        total = total + h.sum()
    total.backward()
    assert_close(rnn.weight_hh_l0.grad, cell.weight_hh.grad, rtol=1e-12)
    assert_close(rnn.weight_ih_l0.grad, cell.weight_ih.grad, rtol=1e-12)


def test_unbatched_and_batch_first_give_the_same_numbers():
    minitorch.manual_seed(4)
    lstm = nn.LSTM(3, 2, num_layers=2, dtype=minitorch.float64)
    x = minitorch.tensor(np.random.default_rng(2).normal(size=(5, 3)))
    out1, (h1, c1) = lstm(x)
    assert out1.shape == (5, 2) and h1.shape == (2, 2) and c1.shape == (2, 2)
    out2, (h2, _) = lstm(x.unsqueeze(1))
    assert_close(out1, out2[:, 0], rtol=1e-12)
    lstm.batch_first = True
    out3, (h3, _) = lstm(x.unsqueeze(0))
    assert out3.shape == (1, 5, 2)
    assert_close(out1, out3[0], rtol=1e-12)
    assert_close(h1, h3[:, 0], rtol=1e-12)


def test_dropout_between_layers_only_in_training_mode():
    minitorch.manual_seed(5)
    rnn = nn.RNN(2, 3, num_layers=2, dropout=1.0, dtype=minitorch.float64)
    x = minitorch.tensor(np.random.default_rng(3).normal(size=(4, 2, 2)))
    out_train, _ = rnn(x)
    # everything layer 0 passes on is dropped, so layer 1 sees zeros: its output is that of a zero input
    h = np.zeros(3)
    for _ in range(4):
        h = np.tanh(rnn.bias_ih_l1.numpy() + rnn.bias_hh_l1.numpy() + rnn.weight_hh_l1.numpy() @ h)
    assert_close(out_train[-1, 0], h, rtol=1e-12)
    rnn.eval()
    out_eval, _ = rnn(x)
    assert np.abs(out_eval.numpy() - out_train.numpy()).max() > 1e-3, "eval mode: no dropout"
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(2, 3, dropout=0.5)


def test_cell_without_state_starts_from_zeros():
    minitorch.manual_seed(6)
    x = minitorch.randn(4, 3)
    for cell in (nn.RNNCell(3, 2), nn.GRUCell(3, 2)):
        assert_close(cell(x), cell(x, minitorch.zeros(4, 2)), rtol=0)
    lstm = nn.LSTMCell(3, 2)
    h, c = lstm(x)
    h0, c0 = lstm(x, (minitorch.zeros(4, 2), minitorch.zeros(4, 2)))
    assert_close(h, h0, rtol=0) and assert_close(c, c0, rtol=0)
    assert lstm(x[0])[0].shape == (2,), "unbatched input, unbatched state"


def test_gru_cell_follows_pytorchs_formula_by_hand():
    minitorch.manual_seed(7)
    cell = nn.GRUCell(2, 3, dtype=minitorch.float64)
    x, h = np.array([[0.5, -1.0]]), np.array([[0.1, 0.2, -0.3]])
    w_ih, w_hh, b_ih, b_hh = (p.numpy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh))
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    r, z = sig(gi[:, :3] + gh[:, :3]), sig(gi[:, 3:6] + gh[:, 3:6])
    n = np.tanh(gi[:, 6:] + r * gh[:, 6:])
    assert_close(cell(minitorch.tensor(x), minitorch.tensor(h)), (1 - z) * n + z * h, rtol=1e-12)


# ----------------------------------------------------------------------------- parameters
def test_parameter_names_shapes_and_order_are_pytorchs():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    got = [(name, p.shape) for name, p in lstm.named_parameters()]
    want = []
    for layer, inp in ((0, 3), (1, 4)):
        for suffix in ("", "_reverse"):
            want += [(f"weight_ih_l{layer}{suffix}", (16, inp)), (f"weight_hh_l{layer}{suffix}", (16, 2)),
                     (f"bias_ih_l{layer}{suffix}", (16,)), (f"bias_hh_l{layer}{suffix}", (16,)),
                     (f"weight_hr_l{layer}{suffix}", (2, 4))]
    assert got == want
    assert [name for name, _ in nn.GRU(2, 3, bias=False).named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert [(n, p.shape) for n, p in nn.GRUCell(2, 3).named_parameters()] == [
        ("weight_ih", (9, 2)), ("weight_hh", (9, 3)), ("bias_ih", (9,)), ("bias_hh", (9,))]
    assert len(lstm.all_weights) == 4 and lstm.all_weights[1][0] is lstm.weight_ih_l0_reverse
    before = {k: v.numpy().copy() for k, v in lstm.state_dict().items()}
    lstm.flatten_parameters()  # PyTorch's cuDNN layout call: accepted, changes nothing
    assert all(np.array_equal(before[k], v.numpy()) for k, v in lstm.state_dict().items())


@pytest.mark.parametrize("module", [nn.RNN(5, 16), nn.GRUCell(3, 25), nn.LSTM(2, 9, bidirectional=True)])
def test_initialisation_is_uniform_within_one_over_sqrt_hidden(module):
    bound = 1 / math.sqrt(module.hidden_size)
    values = np.concatenate([p.numpy().reshape(-1) for p in module.parameters()])
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.9 * bound and abs(values.mean()) < 0.2 * bound, "spread over the whole range"


def test_repr_is_pytorchs():
    assert repr(nn.LSTM(3, 4)) == "LSTM(3, 4)"
    assert repr(nn.GRU(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)) == \
        "GRU(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)"
    assert repr(nn.LSTM(3, 4, proj_size=2)) == "LSTM(3, 4, proj_size=2)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"


@pytest.mark.torch
@pytest.mark.parametrize("kind, kwargs", [("RNN", {"num_layers": 3, "bidirectional": True}),
                                          ("LSTM", {"proj_size": 2, "num_layers": 2}), ("GRU", {"bias": False}),
                                          ("LSTMCell", {}), ("RNNCell", {"bias": False})])
def test_state_dict_keys_and_shapes_equal_pytorchs(kind, kwargs):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, kind)(3, 5, **kwargs).state_dict()
    theirs = getattr(torch.nn, kind)(3, 5, **kwargs).state_dict()
    assert [(k, tuple(v.shape)) for k, v in ours.items()] == [(k, tuple(v.shape)) for k, v in theirs.items()]
    getattr(torch.nn, kind)(3, 5, **kwargs).load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.items()})


# ----------------------------------------------------------------------------- errors
def test_shape_errors_name_the_shapes():
    rnn = nn.RNN(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match=r"input_size. Expected 3, got 5"):
        rnn(minitorch.zeros(6, 2, 5))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 2, 4\), got \[1, 2, 4\]"):
        rnn(minitorch.zeros(6, 2, 3), minitorch.zeros(1, 2, 4))
    with pytest.raises(RuntimeError, match="hx should also be 3-D"):
        rnn(minitorch.zeros(6, 2, 3), minitorch.zeros(2, 4))
    with pytest.raises(RuntimeError, match="hx should also be 2-D"):
        rnn(minitorch.zeros(6, 3), minitorch.zeros(2, 1, 4))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        rnn(minitorch.zeros(6, 2, 3, 1))
    with pytest.raises(ValueError, match="dtype"):
        rnn(minitorch.zeros(6, 2, 3, dtype=minitorch.float64))
    lstm = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 4\), got \[1, 2, 3\]"):
        lstm(minitorch.zeros(6, 2, 3), (minitorch.zeros(1, 2, 4), minitorch.zeros(1, 2, 3)))
    with pytest.raises(TypeError, match=r"tuple \(h_0, c_0\)"):
        lstm(minitorch.zeros(6, 2, 3), minitorch.zeros(1, 2, 4))


def test_cell_errors_name_the_shapes():
    cell = nn.GRUCell(3, 4)
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 5 expected 3"):
        cell(minitorch.zeros(2, 5))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden0 batch size 3"):
        cell(minitorch.zeros(2, 3), minitorch.zeros(3, 4))
    with pytest.raises(RuntimeError, match="hidden0 has inconsistent hidden_size: got 5, expected 4"):
        cell(minitorch.zeros(2, 3), minitorch.zeros(2, 5))
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D, got 3D"):
        cell(minitorch.zeros(1, 2, 3))
    with pytest.raises(RuntimeError, match="hidden1 has inconsistent hidden_size"):
        nn.LSTMCell(3, 4)(minitorch.zeros(2, 3), (minitorch.zeros(2, 4), minitorch.zeros(2, 5)))


def test_constructor_errors_are_pytorchs():
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(2, 3, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(2, 3, proj_size=3)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.GRU(2, 3, proj_size=1)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNNCell(2, 3, nonlinearity="gelu")
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.GRU(2, 0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.RNN(2, 3, num_layers=0)
    with pytest.raises(TypeError, match="bias should be of type bool"):
        nn.RNN(2, 3, bias=1)
