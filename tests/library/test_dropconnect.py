"""``nn.DropConnect`` (not in PyTorch): drops weights, not activations; inverted scaling; off in eval."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.nn.dropconnect import drop_connect
from minitorch.testing import assert_close


def _wrapped(p=0.5, seed=0):
    minitorch.manual_seed(seed)
    return nn.DropConnect(nn.Linear(5, 4).double(), p=p)


def test_training_uses_a_dropped_rescaled_weight_and_gradients_reach_only_kept_entries():
    layer = _wrapped(p=0.4)
    w, b = np.array(layer.module.weight.data), np.array(layer.module.bias.data)
    x = minitorch.tensor(np.random.default_rng(0).normal(size=(3, 5)))
    minitorch.manual_seed(7)
    out = layer(x)
    keep = np.random.default_rng(7).random(w.shape) >= 0.4  # the mask minitorch's generator draws after manual_seed(7)
    minitorch.manual_seed(7)
    assert_close(minitorch.get_generator().random(w.shape) >= 0.4, keep)
    w_used = w * keep / 0.6
    assert_close(out, x.data @ w_used.T + b, rtol=1e-12)
    g = np.random.default_rng(1).normal(size=(3, 4))
    out.backward(g)
    assert_close(layer.module.weight.grad, keep / 0.6 * (g.T @ x.data), rtol=1e-12)
    assert_close(layer.module.bias.grad, g.sum(0), rtol=1e-12)
    assert isinstance(layer.module.weight, nn.Parameter)  # the parameter is put back


def test_eval_mode_and_p_zero_use_the_plain_weight():
    layer = _wrapped()
    x = minitorch.tensor(np.ones((2, 5)))
    plain = layer.module(x)
    layer.eval()
    assert_close(layer(x), plain)
    assert_close(_wrapped(p=0.0)(x), _wrapped(p=0.0).module(x))


def test_the_expected_weight_is_the_weight():
    w = minitorch.tensor(np.full((200, 200), 2.0))
    minitorch.manual_seed(0)
    dropped = drop_connect(w, p=0.3).numpy()
    assert set(np.unique(dropped).round(10)) == {0.0, round(2.0 / 0.7, 10)}
    assert abs(dropped.mean() - 2.0) < 0.05
    assert abs((dropped == 0).mean() - 0.3) < 0.02
    assert_close(drop_connect(w, p=1.0), np.zeros((200, 200)))


def test_it_drops_weights_not_activations():
    # With Dropout a whole output unit is zero for a sample; with DropConnect a unit loses only
    # some of its inputs, so (with all inputs positive and positive weights) no output is zero.
    minitorch.manual_seed(0)
    lin = nn.Linear(50, 20).double()
    lin.weight.data[...] = np.abs(lin.weight.data) + 0.01
    lin.bias.data[...] = 0
    out = nn.DropConnect(lin, p=0.5)(minitorch.tensor(np.ones((8, 50))))
    assert (out.numpy() > 0).all()


def test_state_dict_and_errors():
    layer = _wrapped()
    assert list(layer.state_dict()) == ["module.weight", "module.bias"]
    assert "p=0.5" in repr(layer)
    with pytest.raises(ValueError, match="p must be a number in"):
        nn.DropConnect(nn.Linear(2, 2), p=1.5)
    with pytest.raises(TypeError, match="has no parameter 'weight'"):
        nn.DropConnect(nn.ReLU())
    with pytest.raises(TypeError, match="expected a Module"):
        nn.DropConnect(lambda x: x)
