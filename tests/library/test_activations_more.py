"""The activations of nn/activations_more.py (leaky_relu ... softmin, LeakyReLU ... Softmin) and ReLU(inplace).

Reference numbers come from tests/references/activations_reference.npz, recorded from torch 2.13 by
tests/references/record_activations.py (which drives both libraries through the same code): values
and gradients at the kinks, at large |x| and at random points, and through ``inplace=True``. Tests
marked ``torch`` rerun the comparison against a live PyTorch; finite differences check the gradients
away from the kinks.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_activations as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn import functional as F  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load(R.ACTIVATIONS_FILE)


def _compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], case: str) -> None:
    assert sorted(got) == sorted(k for k in want if k not in ("x", "g", "weight")), case
    for key, value in got.items():
        assert value.dtype == want[key].dtype, f"{case}: {key} is {value.dtype}, PyTorch's is {want[key].dtype}"
        # float64: PyTorch's hardsigmoid uses a float32 1/6 even in float64 (relative error ~3e-8)
        rtol, atol = (1e-7, 1e-12) if value.dtype == np.float64 else (2e-6, 1e-6)
        assert_close(value, want[key], rtol=rtol, atol=atol, msg=f"{case}: {key}")


@pytest.mark.parametrize("case", list(R.CASES))
def test_matches_recorded_pytorch(case, reference):
    want = R.case_reference(reference, case)
    _compare(R.minitorch_run(case, {k: want[k] for k in ("x", "g", "weight") if k in want}), want, case)


@pytest.mark.torch
@pytest.mark.parametrize("case", list(R.CASES))
def test_matches_live_pytorch(case):
    pytest.importorskip("torch")
    want = {**R.case_data(case), **R.torch_run(case)}
    _compare(R.minitorch_run(case), want, case)


# ------------------------------------------------------------------ finite differences away from the kinks
ELEMENTWISE = {  # name -> (function of a tensor, the kinks to stay away from)
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), [0.0]),
    "elu": (lambda x: F.elu(x, 0.7), [0.0]),
    "selu": (F.selu, [0.0]),
    "celu": (lambda x: F.celu(x, 1.5), []),
    "softplus": (lambda x: F.softplus(x, 1.5, 3.0), [2.0]),
    "silu": (F.silu, []),
    "mish": (F.mish, []),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), [-0.5, 1.5]),
    "relu6": (F.relu6, [0.0, 6.0]),
    "hardsigmoid": (F.hardsigmoid, [-3.0, 3.0]),
    "hardswish": (F.hardswish, [-3.0, 3.0]),
    "softsign": (F.softsign, [0.0]),
    "tanhshrink": (F.tanhshrink, []),
    "logsigmoid": (F.logsigmoid, []),
    "threshold": (lambda x: F.threshold(x, 0.3, -1.0), [0.3]),
}

_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@settings(max_examples=15, deadline=None)
@given(shape=_shapes, seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.5, 3.0, 8.0]))
def test_gradcheck_elementwise(name, shape, seed, scale):
    fn, kinks = ELEMENTWISE[name]
    x = np.random.default_rng(seed).normal(0.0, scale, shape)
    for k in kinks:  # move any point within 1e-3 of a kink (finite differences straddle it) away
        x = np.where(np.abs(x - k) < 1e-3, k + 0.01, x)
    gradcheck(fn, minitorch.tensor(x, requires_grad=True))


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), dim=st.integers(-3, 2),
       seed=st.integers(0, 2**31 - 1))
def test_gradcheck_glu_and_softmin(shape, dim, seed):
    rng = np.random.default_rng(seed)
    dim = dim % len(shape)
    glu_shape = shape[:dim] + (2 * shape[dim],) + shape[dim + 1:]
    gradcheck(lambda x: F.glu(x, dim), minitorch.tensor(rng.normal(size=glu_shape), requires_grad=True))
    gradcheck(lambda x: F.softmin(x, dim), minitorch.tensor(rng.normal(size=shape), requires_grad=True))


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple), per_channel=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_gradcheck_prelu_input_and_weight(shape, per_channel, seed):
    rng = np.random.default_rng(seed)
    channels = shape[1] if len(shape) >= 2 and per_channel else 1
    x = rng.normal(size=shape)
    x = np.where(np.abs(x) < 1e-3, 0.01, x)
    w = minitorch.tensor(rng.uniform(-0.5, 0.5, (channels,)), requires_grad=True)
    gradcheck(F.prelu, minitorch.tensor(x, requires_grad=True), w)


# ------------------------------------------------------------------ stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["elu", "selu", "celu", "softplus", "silu", "mish", "logsigmoid", "hardswish",
                                  "softsign", "tanhshrink"])
def test_no_overflow_and_finite_gradients_for_huge_inputs(name, dtype):
    x = minitorch.tensor(np.array([-3e38, -1e4, -800.0, -90.0, 0.0, 90.0, 800.0, 1e4, 3e38], dtype=dtype),
                         requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        y = getattr(F, name)(x)
        y.sum().backward()
    assert np.isfinite(np.array(y.data)[1:-1]).all(), f"{name}: {y}"
    assert np.isfinite(np.array(x.grad.data)).all(), f"{name}: gradient {x.grad}"


def test_logsigmoid_and_softplus_far_out():
    x = minitorch.tensor([-1e4, -200.0, 200.0, 1e4], dtype=minitorch.float64)
    # log(sigmoid(x)) = x - log(1 + e^x) ~ x for x << 0, -e^-x for x >> 0
    assert_close(F.logsigmoid(x), [-1e4, -200.0, -np.exp(-200.0), 0.0], rtol=1e-12)
    assert_close(F.softplus(x), [0.0, np.exp(-200.0), 200.0, 1e4], rtol=1e-12)


# ------------------------------------------------------------------ in place
@pytest.mark.parametrize("name", R.INPLACE)
def test_inplace_returns_the_input_and_refuses_a_leaf(name):
    x = minitorch.tensor([-2.0, 0.5, 4.0])
    expected = getattr(F, name)(x.clone(), **({"threshold": 0.0, "value": 1.0} if name == "threshold" else {}))
    out = getattr(F, name)(x, **({"threshold": 0.0, "value": 1.0} if name == "threshold" else {}), inplace=True)
    assert out is x
    assert_close(x, expected)
    leaf = minitorch.tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(F, name)(leaf, **({"threshold": 0.0, "value": 1.0} if name == "threshold" else {}), inplace=True)


def test_inplace_modules_in_a_network_backpropagate_like_out_of_place():
    rng = np.random.default_rng(0)
    x = minitorch.tensor(rng.normal(size=(5, 4)))
    grads = []
    for inplace in (False, True):
        minitorch.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 6), nn.ReLU(inplace), nn.Linear(6, 6), nn.ELU(0.5, inplace),
                            nn.Linear(6, 6), nn.Hardswish(inplace), nn.Linear(6, 3), nn.LeakyReLU(0.1, inplace))
        net(x).sum().backward()
        grads.append([np.array(p.grad.data) for p in net.parameters()])
    for a, b in zip(*grads):
        assert_close(b, a, rtol=1e-6)


def test_relu_module_and_function_take_inplace():
    assert repr(nn.ReLU()) == "ReLU()" and repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    x = minitorch.tensor([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x) is x and x.tolist() == [0.0, 2.0]
    y = minitorch.tensor([-3.0, 1.0])
    assert F.relu(y, inplace=True) is y and y.tolist() == [0.0, 1.0]
    assert F.relu(minitorch.tensor([-3.0, 1.0])).tolist() == [0.0, 1.0]


# ------------------------------------------------------------------ modules
# PyTorch 2.13's reprs (printed by torch for the same constructor calls)
REPRS = [
    (lambda: nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (lambda: nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (lambda: nn.ELU(), "ELU(alpha=1.0)"),
    (lambda: nn.ELU(0.5, inplace=True), "ELU(alpha=0.5, inplace=True)"),
    (lambda: nn.SELU(), "SELU()"),
    (lambda: nn.SELU(inplace=True), "SELU(inplace=True)"),
    (lambda: nn.CELU(), "CELU(alpha=1.0)"),
    (lambda: nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (lambda: nn.SiLU(), "SiLU()"),
    (lambda: nn.Mish(), "Mish()"),
    (lambda: nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (lambda: nn.Hardtanh(-2, 3, True), "Hardtanh(min_val=-2, max_val=3, inplace=True)"),
    (lambda: nn.ReLU6(), "ReLU6()"),
    (lambda: nn.ReLU6(True), "ReLU6(inplace=True)"),
    (lambda: nn.Hardsigmoid(), "Hardsigmoid()"),
    (lambda: nn.Hardswish(), "Hardswish()"),
    (lambda: nn.Softsign(), "Softsign()"),
    (lambda: nn.Tanhshrink(), "Tanhshrink()"),
    (lambda: nn.LogSigmoid(), "LogSigmoid()"),
    (lambda: nn.GLU(), "GLU(dim=-1)"),
    (lambda: nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (lambda: nn.PReLU(), "PReLU(num_parameters=1)"),
    (lambda: nn.PReLU(3), "PReLU(num_parameters=3)"),
    (lambda: nn.Softmin(), "Softmin(dim=None)"),
    (lambda: nn.Softmin(dim=1), "Softmin(dim=1)"),
]


@pytest.mark.parametrize("make, expected", REPRS, ids=[r for _, r in REPRS])
def test_module_repr_is_pytorchs(make, expected):
    assert repr(make()) == expected


@pytest.mark.torch
def test_module_reprs_match_live_pytorch():
    torch = pytest.importorskip("torch")
    for _, expected in REPRS:  # torch.nn built from the repr's keyword arguments prints the same repr
        theirs = eval(expected, dict(vars(torch.nn)))  # noqa: S307 (a literal of this file)
        assert repr(theirs) == expected


MODULES = [  # module -> the function it applies
    (nn.LeakyReLU(0.3), lambda x: F.leaky_relu(x, 0.3)), (nn.ELU(0.4), lambda x: F.elu(x, 0.4)),
    (nn.SELU(), F.selu), (nn.CELU(0.6), lambda x: F.celu(x, 0.6)), (nn.Softplus(2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.SiLU(), F.silu), (nn.Mish(), F.mish), (nn.Hardtanh(-0.5, 0.5), lambda x: F.hardtanh(x, -0.5, 0.5)),
    (nn.ReLU6(), F.relu6), (nn.Hardsigmoid(), F.hardsigmoid), (nn.Hardswish(), F.hardswish), (nn.Softsign(), F.softsign),
    (nn.Tanhshrink(), F.tanhshrink), (nn.LogSigmoid(), F.logsigmoid), (nn.GLU(0), lambda x: F.glu(x, 0)),
    (nn.Threshold(0.2, -5.0), lambda x: F.threshold(x, 0.2, -5.0)), (nn.Softmin(1), lambda x: F.softmin(x, 1)),
]


@pytest.mark.parametrize("module, fn", MODULES, ids=[type(m).__name__ for m, _ in MODULES])
def test_module_applies_its_function_and_has_no_parameters(module, fn):
    x = minitorch.tensor(np.random.default_rng(1).normal(0.0, 4.0, (4, 6)))
    assert_close(module(x), fn(x), rtol=0, atol=0)
    assert list(module.parameters()) == [] and dict(module.state_dict()) == {}


def test_prelu_parameter_layout_and_gradients(reference):
    layer = nn.PReLU(3, init=0.1)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert layer.weight.shape == (3,) and layer.weight.dtype == np.float32
    assert layer.weight.tolist() == pytest.approx([0.1] * 3)
    want = R.case_reference(reference, "prelu_channels")
    layer = nn.PReLU(3).double()
    with minitorch.no_grad():
        layer.weight.copy_(minitorch.tensor(want["weight"]))
    x = minitorch.tensor(want["x"], requires_grad=True)
    y = layer(x)
    y.backward(minitorch.tensor(want["g"]))
    assert_close(y, want["y"], rtol=1e-12)
    assert_close(x.grad, want["dx"], rtol=1e-12)
    assert_close(layer.weight.grad, want["dweight"], rtol=1e-10)


def test_prelu_refuses_a_wrong_channel_count():
    with pytest.raises(RuntimeError, match="parameter numbers = 3 and channel size = 4"):
        nn.PReLU(3)(minitorch.zeros(2, 4))
    with pytest.raises(ValueError, match="num_parameters"):
        nn.PReLU(0)


@pytest.mark.torch
def test_prelu_state_dict_loads_into_torch_and_back():
    torch = pytest.importorskip("torch")
    mine = nn.PReLU(4, init=0.3)
    with minitorch.no_grad():
        mine.weight.copy_(minitorch.tensor([0.1, -0.2, 0.3, 0.05]))
    theirs = torch.nn.PReLU(4)
    theirs.load_state_dict({k: torch.tensor(np.array(v.data)) for k, v in mine.state_dict().items()})
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype(np.float32)
    assert_close(mine(minitorch.tensor(x)), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    back = nn.PReLU(4)
    back.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert back.weight.tolist() == pytest.approx([0.1, -0.2, 0.3, 0.05])
    assert repr(theirs) == repr(mine)


# ------------------------------------------------------------------ errors and dtypes
def test_glu_errors_are_pytorchs():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 3"):
        F.glu(minitorch.zeros(2, 3))
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(minitorch.tensor(1.0))
    with pytest.raises(IndexError):
        F.glu(minitorch.zeros(2, 4), dim=2)
    assert F.glu(minitorch.zeros(2, 4), dim=0).shape == (1, 4)


def test_argument_errors():
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        F.celu(minitorch.zeros(3), alpha=0.0)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(minitorch.zeros(3), 2.0, 1.0)
    with pytest.raises(ValueError, match="max_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(RuntimeError, match="scalar or 1D"):
        F.prelu(minitorch.zeros(2, 3), minitorch.ones(1, 3))
    with pytest.raises(RuntimeError, match="parameter numbers = 3 and channel size = 1"):
        F.prelu(minitorch.zeros(3), minitorch.ones(3))
    with pytest.raises(TypeError, match="expected a Tensor"):
        F.silu([1.0, 2.0])


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "selu", "celu", "softplus", "silu", "mish", "hardsigmoid",
                                  "hardswish", "softsign", "tanhshrink", "logsigmoid", "glu"])
def test_integer_input_is_a_type_error(name):
    with pytest.raises(TypeError, match=f"{name}: .*floating-point"):
        getattr(F, name)(minitorch.tensor([1, 2]))


def test_integer_inputs_where_pytorch_accepts_them():
    x = minitorch.tensor([1, -2, 7])
    for got, expected in ((F.relu6(x), [1, 0, 6]), (F.hardtanh(x), [1, -1, 1]), (F.threshold(x, 0, 5), [1, 5, 7])):
        assert got.dtype == x.dtype and got.tolist() == expected  # torch 2.13's values


def test_softmin_implicit_dim_warns_like_pytorch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = F.softmin(minitorch.tensor([[1.0, 2.0], [3.0, 5.0]]))
    assert_close(out.sum(1), [1.0, 1.0])
    assert_close(F.softmin(minitorch.tensor([1.0, 2.0]), 0, dtype=minitorch.float64),
                 [1 / (1 + np.exp(-1.0)), np.exp(-1.0) / (1 + np.exp(-1.0))], rtol=1e-12)


def test_float32_stays_float32():
    x = minitorch.tensor([-1.0, 0.5, 3.0])
    for name in ["leaky_relu", "elu", "selu", "celu", "softplus", "silu", "mish", "hardtanh", "relu6", "hardsigmoid",
                 "hardswish", "softsign", "tanhshrink", "logsigmoid"]:
        assert getattr(F, name)(x).dtype == np.float32, name


def test_exported_names():
    for name in ["leaky_relu", "elu", "selu", "celu", "softplus", "silu", "mish", "hardtanh", "relu6", "hardsigmoid",
                 "hardswish", "softsign", "tanhshrink", "logsigmoid", "glu", "threshold", "prelu", "softmin"]:
        assert name in F.__all__ and callable(getattr(F, name))
    for name in ["LeakyReLU", "ELU", "SELU", "CELU", "Softplus", "SiLU", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid",
                 "Hardswish", "Softsign", "Tanhshrink", "LogSigmoid", "GLU", "Threshold", "PReLU", "Softmin"]:
        assert name in nn.__all__ and issubclass(getattr(nn, name), nn.Module)
