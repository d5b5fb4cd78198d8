"""minitorch.nn: Parameter, Module (registration, traversal, modes, state_dict, repr), Linear,
containers and activation modules -- and their parity with torch.nn.

Reference numbers come from tests/references/nn_reference.npz, recorded from torch 2.13 by
tests/references/record_nn.py, which also builds the models from either library with the same
code. Tests marked ``torch`` compare against a live PyTorch.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_nn as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn import functional as F  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load_reference()


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)
        self.temperature = nn.Parameter(minitorch.ones(1))
        self.register_buffer("seen", minitorch.zeros(()))
        self.note = "not registered"
        self.plain = minitorch.ones(3)  # a plain Tensor attribute is not a parameter (as in PyTorch)

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh()) / self.temperature


# ------------------------------------------------------------------------------------ Parameter
def test_parameter_is_a_tensor_that_requires_grad_and_shares_a_tensors_memory():
    t = minitorch.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, minitorch.Tensor) and p.requires_grad and p.is_leaf
    p.data[0] = 5.0
    assert t.data[0] == 5.0, "Parameter(t) shares t's array, as in PyTorch"
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_ops_on_a_parameter_give_plain_tensors():
    p = nn.Parameter(minitorch.ones(3))
    assert type(p * 2) is minitorch.Tensor and type(p.detach()) is minitorch.Tensor


def test_parameter_repr_says_parameter_containing():
    assert repr(nn.Parameter(minitorch.tensor([1.0]))) == "Parameter containing:\ntensor([1.], requires_grad=True)"


def test_integer_parameter_that_requires_grad_is_a_clear_error():
    with pytest.raises(RuntimeError, match="floating-point"):
        nn.Parameter(minitorch.tensor([1, 2]))


# ------------------------------------------------------------------------------------ registration
def test_assigned_parameters_and_modules_are_registered_in_order():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["temperature", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [name for name, _ in model.named_children()] == ["fc1", "fc2"]
    assert [name for name, _ in model.named_buffers()] == ["seen"]
    assert [name for name, _ in model.named_modules()] == ["", "fc1", "fc2"]
    assert all(isinstance(p, nn.Parameter) for p in model.parameters())
    assert model.temperature is model._parameters["temperature"]
    assert sum(p.numel() for p in model.parameters()) == 1 + 8 + 4 + 4 + 1


def test_parameters_without_recursion_are_only_the_modules_own():
    assert [n for n, _ in TwoLayer().named_parameters(recurse=False)] == ["temperature"]


def test_a_shared_parameter_is_listed_once_but_saved_under_both_names():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight  # tied weights
    model = nn.Sequential(a, b)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    shared = nn.Linear(2, 2)
    assert len(list(nn.Sequential(shared, shared).modules())) == 2


def test_reassigning_changes_what_is_registered():
    model = TwoLayer()
    model.fc1 = nn.Linear(2, 4, bias=False)
    assert "fc1.bias" not in dict(model.named_parameters())
    model.temperature = None  # a parameter slot takes None
    assert "temperature" not in dict(model.named_parameters())
    model.seen = minitorch.ones(())
    assert model.state_dict()["seen"].item() == 1.0
    del model.fc2
    assert [n for n, _ in model.named_children()] == ["fc1"]
    with pytest.raises(AttributeError, match="fc2"):
        model.fc2


def test_assigning_the_wrong_kind_to_a_registered_name_is_a_clear_error():
    model = TwoLayer()
    with pytest.raises(TypeError, match=r"'temperature'.*Parameter or None.*nn\.Parameter"):
        model.temperature = minitorch.ones(1)
    with pytest.raises(TypeError, match=r"'fc1'.*Module or None"):
        model.fc1 = 3
    with pytest.raises(TypeError, match=r"buffer 'seen'.*Tensor or None"):
        model.seen = 3.0


def test_forgetting_super_init_names_the_class_and_the_fix():
    class Forgetful(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"Forgetful\.__init__ did not call super\(\)\.__init__\(\)"):
        Forgetful()

    class Later(nn.Module):
        def __init__(self):
            self.n = 3  # plain attributes work; using the registries does not

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__\(\)"):
        list(Later().parameters())


def test_register_rejects_bad_names_and_types():
    m = nn.Module()
    with pytest.raises(KeyError, match=r"no '\.'"):
        m.register_parameter("a.b", nn.Parameter(minitorch.ones(1)))
    with pytest.raises(TypeError, match="wrap a Tensor in nn.Parameter"):
        m.register_parameter("w", minitorch.ones(1))
    with pytest.raises(TypeError, match="Parameter .* buffer"):
        m.register_buffer("b", nn.Parameter(minitorch.ones(1)))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("train", minitorch.ones(1))
    m.register_parameter("w", nn.Parameter(minitorch.ones(1)))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("w", minitorch.ones(1))


def test_non_persistent_buffers_are_kept_but_not_saved():
    m = nn.Module()
    m.register_buffer("kept", minitorch.ones(2))
    m.register_buffer("scratch", minitorch.zeros(2), persistent=False)
    m.register_buffer("absent", None)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    assert list(m.state_dict()) == ["kept"]
    assert m.scratch.shape == (2,)


def test_calling_a_module_without_forward_is_a_clear_error():
    with pytest.raises(TypeError, match="must define forward"):
        nn.Module()(minitorch.ones(1))
    with pytest.raises(TypeError, match="ModuleList has no forward"):
        nn.ModuleList([nn.ReLU()])(minitorch.ones(1))


# ------------------------------------------------------------------------------------ modes, grads, apply
def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(TwoLayer(), nn.Sequential(nn.ReLU()))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(TypeError, match="True or False"):
        model.train("no")


def test_zero_grad_sets_grads_to_none_or_zeros():
    model = TwoLayer()
    model(minitorch.randn(5, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.data == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_false_freezes_every_parameter():
    model = TwoLayer().requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_apply_visits_children_before_the_parent():
    visited = []
    nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU())).apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_to_double_casts_parameters_in_place_keeping_the_objects():
    model = TwoLayer()
    before = list(model.parameters())
    model.double()
    assert [id(p) for p in model.parameters()] == [id(p) for p in before]
    assert all(p.dtype == np.float64 for p in model.parameters()) and model.seen.dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        model.to(np.int64)


def test_deepcopy_gives_an_independent_model():
    model = TwoLayer()
    clone = copy.deepcopy(model)
    clone.fc1.weight.data += 1
    assert not np.allclose(clone.fc1.weight.data, model.fc1.weight.data)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


def test_model_parameters_train_with_an_optimizer():
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    x = minitorch.randn(32, 2)
    y = (x[:, :1] * 2 - x[:, 1:]).detach()
    opt = minitorch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(100):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.05 * losses[0], f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}"


# ------------------------------------------------------------------------------------ repr
def test_repr_is_an_indented_tree_with_shapes():
    expected = ("TwoLayer(\n"
                "  temperature: Parameter of shape (1,), seen: buffer of shape ()\n"
                "  (fc1): Linear(in_features=2, out_features=4, bias=True)\n"
                "  (fc2): Linear(in_features=4, out_features=1, bias=True)\n"
                ")")
    assert repr(TwoLayer()) == expected
    nested = nn.Sequential(nn.Sequential(nn.Linear(1, 2, bias=False)), nn.Softmax(dim=1))
    assert repr(nested) == ("Sequential(\n  (0): Sequential(\n    (0): Linear(in_features=1, out_features=2, bias=False)\n"
                            "  )\n  (1): Softmax(dim=1)\n)")


@pytest.mark.parametrize("name", ["mlp", "flatten"])
def test_repr_of_standard_layers_is_pytorchs(name, reference):
    assert repr(R.build_model(minitorch, name)) == str(reference[f"model/{name}/repr"])


# ------------------------------------------------------------------------------------ Linear and friends
def test_linear_computes_x_wT_plus_b_with_weight_shape_out_in():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = minitorch.randn(4, 3)
    assert_close(layer(x), x.data @ layer.weight.data.T + layer.bias.data, rtol=1e-6)
    batched = minitorch.randn(5, 4, 3)
    assert layer(batched).shape == (5, 4, 2)
    assert nn.Linear(3, 2, bias=False).bias is None


def test_linear_gradients_match_finite_differences():
    layer = nn.Linear(3, 2).double()
    x = minitorch.randn(4, 3, dtype=np.float64, requires_grad=True)
    gradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), x, layer.weight, layer.bias)


def test_linear_names_the_expected_input_shape():
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=3.*shape \(4, 2\).*\(\*, 3\)"):
        nn.Linear(3, 2)(minitorch.ones(4, 2))
    with pytest.raises(ValueError, match="non-negative int"):
        nn.Linear(2.5, 2)


def test_activation_modules_apply_their_functions():
    x = minitorch.tensor([[-2.0, 0.5, 3.0]])
    assert_close(nn.ReLU()(x), [[0.0, 0.5, 3.0]])
    assert_close(nn.Tanh()(x), np.tanh(x.data))
    assert_close(nn.Sigmoid()(x), 1 / (1 + np.exp(-x.data)), rtol=1e-6)
    e = np.exp(x.data - x.data.max())
    assert_close(nn.Softmax(dim=1)(x), e / e.sum(), rtol=1e-6)
    assert_close(nn.LogSoftmax(dim=-1)(x), np.log(e / e.sum()), rtol=1e-6)
    assert nn.Identity(3, any="thing")(x) is x
    assert nn.Flatten()(minitorch.ones(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0, 1)(minitorch.ones(2, 3, 4)).shape == (6, 4)


def test_sequential_chains_indexes_and_slices():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = minitorch.randn(4, 2)
    assert_close(seq(x), seq[2](seq[1](seq[0](x))))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail.state_dict()) == ["2.weight", "2.bias"]
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), act=nn.Tanh()))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    with pytest.raises(IndexError, match="out of range for 4"):
        seq[4]
    with pytest.raises(TypeError, match="argument 1.*nn.ReLU"):
        nn.Sequential(nn.Linear(1, 1), F.relu)


def test_module_list_registers_its_elements():
    layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))
    assert len(list(layers.parameters())) == 6 and list(layers.state_dict())[-1] == "2.bias"
    assert isinstance(layers[1:], nn.ModuleList) and list(layers[1:].state_dict())[0] == "0.weight"


# ------------------------------------------------------------------------------------ state_dict
def test_state_dict_values_are_detached_and_share_memory():
    model = TwoLayer()
    state = model.state_dict()
    assert list(state) == ["temperature", "seen", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert not state["fc1.weight"].requires_grad
    assert state["fc1.weight"].data is model.fc1.weight.data
    assert model.state_dict(keep_vars=True)["fc1.weight"] is model.fc1.weight


def test_load_state_dict_copies_in_place_so_optimizers_keep_working():
    source, target = TwoLayer(), TwoLayer()
    arrays_before = [p.data for p in target.parameters()]
    target.load_state_dict(source.state_dict())
    for (name, p), q in zip(target.named_parameters(), source.parameters()):
        assert_close(p, q, msg=name)
    assert all(p.data is a for p, a in zip(target.parameters(), arrays_before))


def test_load_state_dict_casts_to_the_models_dtype_and_accepts_arrays():
    model = nn.Linear(2, 1)
    model.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": [0.5]})
    assert model.weight.dtype == np.float32 and model.weight.data.tolist() == [[1.0, 2.0]]


def test_load_state_dict_errors_name_every_offending_key_with_both_shapes():
    model = TwoLayer()
    state = dict(model.state_dict())
    state["fc1.weight"] = minitorch.zeros(3, 2)
    del state["fc2.bias"]
    state["fc3.weight"] = minitorch.zeros(7)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "for TwoLayer" in message
    assert "size mismatch for 'fc1.weight': the state_dict has shape (3, 2), this model has shape (4, 2)" in message
    assert "missing key 'fc2.bias' (this model has shape (1,))" in message
    assert "unexpected key 'fc3.weight' (shape (7,)" in message


def test_a_failed_load_changes_nothing():
    model = TwoLayer()
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    bad = {k: minitorch.zeros(v.shape) for k, v in model.state_dict().items()}
    bad["fc2.weight"] = minitorch.zeros(2, 2)
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(bad)
    for key, value in model.state_dict().items():
        assert np.array_equal(value.data, before[key]), f"{key} changed although loading failed"


def test_non_strict_loading_returns_the_keys_it_could_not_match():
    model = TwoLayer()
    state = {"fc1.weight": minitorch.ones(4, 2), "extra": minitorch.ones(1)}
    result = model.load_state_dict(state, strict=False)
    assert "fc1.bias" in result.missing_keys and result.unexpected_keys == ["extra"]
    assert np.all(model.fc1.weight.data == 1)
    state["fc1.weight"] = minitorch.ones(2, 2)
    with pytest.raises(RuntimeError, match="size mismatch"):  # shapes are checked even when not strict
        model.load_state_dict(state, strict=False)


# ------------------------------------------------------------------------------------ parity with torch.nn
@pytest.mark.parametrize("name", R.MODELS)
def test_state_dict_keys_order_and_shapes_are_pytorchs(name, reference):
    keys = json.loads(str(reference[f"model/{name}/keys"]))
    state = R.build_model(minitorch, name).state_dict()
    assert list(state) == keys
    for key in keys:
        assert state[key].shape == reference[f"model/{name}/state/{key}"].shape, key


@pytest.mark.parametrize("name", R.MODELS)
def test_pytorchs_weights_load_strictly_and_give_pytorchs_outputs(name, reference):
    keys = json.loads(str(reference[f"model/{name}/keys"]))
    model = R.build_model(minitorch, name)
    model.load_state_dict({key: reference[f"model/{name}/state/{key}"] for key in keys}, strict=True)
    assert_close(R.run_model(minitorch, model, name), reference[f"model/{name}/output"], rtol=1e-5, atol=1e-6,
                 msg=f"{name}: output with PyTorch's weights")


@pytest.mark.torch
@pytest.mark.parametrize("name", R.MODELS)
def test_live_minitorch_weights_load_into_torch_strictly_and_agree(name):
    torch = pytest.importorskip("torch")
    minitorch.manual_seed(3)
    ours = R.build_model(minitorch, name)
    theirs = R.build_model(torch, name)
    result = theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()},
                                    strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    with torch.no_grad():
        expected = R.run_model(torch, theirs, name)
    assert_close(R.run_model(minitorch, ours, name), expected, rtol=1e-5, atol=1e-6, msg=f"{name}: outputs")


@pytest.mark.torch
def test_live_a_torch_state_dict_loads_directly_and_wrong_shapes_fail_in_both():
    torch = pytest.importorskip("torch")
    theirs = R.build_model(torch, "mlp")
    ours = R.build_model(minitorch, "mlp")
    ours.load_state_dict(theirs.state_dict())  # torch tensors are read through __array__
    with torch.no_grad():
        assert_close(R.run_model(minitorch, ours, "mlp"), R.run_model(torch, theirs, "mlp"), rtol=1e-5, atol=1e-6)
    wrong = {k: minitorch.zeros(v.shape[::-1]) for k, v in ours.state_dict().items()}
    with pytest.raises(RuntimeError, match="size mismatch"):
        theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in wrong.items()})
    with pytest.raises(RuntimeError, match="size mismatch"):
        ours.load_state_dict(wrong)


# ------------------------------------------------------------------------------------ tensor engine fix
def test_python_floats_with_an_explicit_float64_dtype_keep_full_precision():
    # Found while testing the losses: the list went through float32 before the requested float64.
    assert minitorch.tensor([-0.9], dtype=np.float64).data[0] == -0.9
    assert minitorch.tensor([0.1]).dtype == np.float32  # without dtype, Python floats are float32
