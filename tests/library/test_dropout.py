"""Dropout: inverted scaling, keep-rate statistics, seeding, eval mode, and PyTorch's numbers given PyTorch's mask.

PyTorch's random stream cannot be reproduced, so the comparison takes the mask PyTorch drew (in
tests/references/dropout_reference.npz, recorded by tests/references/record_batchnorm.py: an input
with no zeros, so the output is zero exactly where an element was dropped) and feeds that same mask
to minitorch: outputs and gradients must then agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_batchnorm as R  # noqa: E402

import minitorch  # noqa: E402
import minitorch.nn.dropout as dropout_module  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load(R.DROPOUT_FILE)


def _run_with_mask(x: np.ndarray, g: np.ndarray, p: float, mask: np.ndarray, monkeypatch) -> tuple[np.ndarray, np.ndarray]:
    """minitorch's Dropout on x with its random mask replaced by ``mask``: (output, input gradient)."""
    monkeypatch.setattr(dropout_module, "_keep_mask", lambda shape, p_, rng: mask)
    xt = minitorch.tensor(x, requires_grad=True)
    y = nn.Dropout(p)(xt)
    y.backward(g)
    return y.numpy(), xt.grad.numpy()


@pytest.mark.parametrize("p", R.DROPOUT_PS)
def test_same_mask_gives_pytorchs_recorded_output_and_gradient(p, reference, monkeypatch):
    x, g, want_y, want_dx = (reference[f"p={p}/{k}"] for k in ("x", "g", "y", "dx"))
    mask = want_y != 0
    # The reference itself follows the rule: kept elements scaled by 1/(1-p), the rest zero.
    assert_close(want_y, np.where(mask, x / (1 - p), 0), rtol=1e-6, msg=f"PyTorch's own output, p={p}")
    y, dx = _run_with_mask(x, g, p, mask, monkeypatch)
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert_close(y, want_y, rtol=1e-6, atol=0, msg=f"output with PyTorch's mask, p={p}")
    assert_close(dx, want_dx, rtol=1e-6, atol=0, msg=f"input gradient with PyTorch's mask, p={p}")


@pytest.mark.torch
@pytest.mark.parametrize("p", [0.2, 0.6])
def test_same_mask_gives_live_pytorchs_output_and_gradient(p, monkeypatch):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x = rng.uniform(0.5, 2.0, (30, 20)).astype(np.float32)
    g = rng.normal(size=(30, 20)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.Dropout(p)(xt)
    yt.backward(torch.from_numpy(g))
    y, dx = _run_with_mask(x, g, p, yt.detach().numpy() != 0, monkeypatch)
    assert_close(y, yt.detach().numpy(), rtol=1e-6, atol=0, msg=f"output, p={p}")
    assert_close(dx, xt.grad.numpy(), rtol=1e-6, atol=0, msg=f"input gradient, p={p}")


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_keep_rate_and_mean_are_preserved_in_expectation(p):
    minitorch.manual_seed(0)
    x = minitorch.ones(200, 500)
    y = nn.Dropout(p)(x).numpy()
    kept = (y != 0).mean()
    n = y.size
    # The keep count is Binomial(n, 1-p): 5 standard deviations is a bound that fails ~1 in 3.5 million.
    assert abs(kept - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n), f"p={p}: kept fraction {kept:.4f}, expected {1 - p}"
    assert np.allclose(y[y != 0], 1 / (1 - p)), "kept elements must be scaled by 1/(1-p)"
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / n), f"p={p}: mean {y.mean():.4f}, expected 1 (inverted scaling)"


def test_gradient_uses_the_forward_mask_and_matches_finite_differences():
    x = minitorch.tensor(np.random.default_rng(0).normal(size=(4, 6)), requires_grad=True)
    minitorch.manual_seed(5)
    y = nn.Dropout(0.4)(x)
    y.sum().backward()
    scale = np.where(y.numpy() != 0, 1 / 0.6, 0.0)
    assert_close(x.grad, scale, rtol=1e-12, msg="d(sum y)/dx = mask / (1 - p)")

    def same_mask_each_call(t):  # reseeding gives the same mask, so finite differences see a fixed function
        minitorch.manual_seed(5)
        return dropout_module.dropout(t, 0.4)

    assert gradcheck(same_mask_each_call, minitorch.tensor(x.numpy(), requires_grad=True))


def test_seeding_reproduces_the_mask_and_consecutive_calls_differ():
    layer = nn.Dropout(0.5)
    x = minitorch.ones(10, 10)
    minitorch.manual_seed(42)
    a, b = layer(x).numpy(), layer(x).numpy()
    minitorch.manual_seed(42)
    assert np.array_equal(layer(x).numpy(), a), "the same seed must give the same mask"
    assert not np.array_equal(a, b), "each call draws a new mask"


def test_eval_mode_is_the_identity():
    layer = nn.Dropout(0.7).eval()
    x = minitorch.randn(5, 5, requires_grad=True)
    assert layer(x) is x, "in eval mode Dropout must return its input unchanged"
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    model.eval()
    inp = minitorch.randn(2, 3)
    assert np.array_equal(model(inp).numpy(), model[0](inp).numpy())


def test_p_zero_is_the_identity_and_p_one_drops_everything():
    x = minitorch.randn(3, 4, requires_grad=True)
    assert nn.Dropout(0.0)(x) is x
    y = nn.Dropout(1.0)(x)
    assert np.array_equal(y.numpy(), np.zeros((3, 4))) and np.all(np.isfinite(y.numpy()))
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), np.zeros((3, 4))), "nothing kept, so no gradient flows"


def test_dropout_has_no_parameters_and_a_pytorch_repr():
    layer = nn.Dropout(0.25)
    assert list(layer.parameters()) == [] and list(layer.state_dict()) == []
    assert repr(layer) == "Dropout(p=0.25, inplace=False)"


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", None])
def test_bad_probability_is_rejected(p):
    with pytest.raises(ValueError, match=r"dropout probability p must be a number in \[0, 1\]"):
        nn.Dropout(p)


def test_inplace_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="inplace=True is not supported"):
        nn.Dropout(0.5, inplace=True)


def test_functional_dropout_is_offered_under_pytorchs_name():
    from minitorch.nn import functional as F

    assert F.dropout is dropout_module.dropout
    x = minitorch.ones(3, 3)
    assert F.dropout(x, 0.5, training=False) is x
