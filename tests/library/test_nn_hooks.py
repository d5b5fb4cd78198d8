"""Module hooks (``minitorch/nn/hooks.py``): call order, arguments and replacements as PyTorch's.

The scenarios live in tests/references/record_hooks.py, which drives either library through the
same code; hooks_reference.npz holds what torch 2.13 logged and computed. With torch installed
the scenarios are also compared live.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_hooks as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn import hooks  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402


@pytest.fixture(scope="module")
def reference():
    with np.load(R.REFERENCE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _compare(got: dict, expected: dict, scenario: str) -> None:
    assert sorted(got) == sorted(expected), f"{scenario}: recorded {sorted(expected)}, got {sorted(got)}"
    for key, want in expected.items():
        if key == "events":
            assert list(got[key]) == list(want), (f"{scenario}: hook calls differ from PyTorch's\n  expected: "
                                                  + "\n            ".join(want) + "\n  got:      "
                                                  + "\n            ".join(got[key]))
        else:
            assert_close(np.asarray(got[key]), want, rtol=1e-10, atol=1e-12, msg=f"{scenario}: {key}")


@pytest.mark.parametrize("scenario", list(R.SCENARIOS))
def test_hooks_match_recorded_pytorch(scenario, reference):
    prefix = scenario + "/"
    expected = {key[len(prefix):]: value for key, value in reference.items() if key.startswith(prefix)}
    _compare(R.run(R.minitorch_side(), scenario), expected, scenario)


@pytest.mark.torch
@pytest.mark.parametrize("scenario", list(R.SCENARIOS))
def test_hooks_match_pytorch_live(scenario):
    pytest.importorskip("torch")
    expected = R.run(R.torch_side(), scenario)
    _compare(R.run(R.minitorch_side(), scenario), expected, scenario)


# ------------------------------------------------------------------------------ semantics
def _layer(seed=0):
    minitorch.manual_seed(seed)
    return nn.Linear(3, 2).double()


def test_backward_hook_sees_the_gradient_of_the_inputs_and_can_replace_it():
    layer = _layer()
    x = minitorch.tensor(np.random.default_rng(0).normal(size=(4, 3)), requires_grad=True)
    seen = {}

    def hook(module, grad_input, grad_output):
        seen["in"], seen["out"] = grad_input, grad_output
        return (grad_input[0] * 10,)

    layer.register_full_backward_hook(hook)
    layer(x).sum().backward()
    ones = np.ones((4, 2))
    assert_close(seen["out"][0], ones)
    assert_close(seen["in"][0], ones @ layer.weight.data, rtol=1e-12)
    assert_close(x.grad, 10 * ones @ layer.weight.data, rtol=1e-12)
    assert_close(layer.weight.grad, ones.T @ x.data, rtol=1e-12)  # the parameters' gradients are not changed


def test_backward_pre_hook_changes_what_flows_into_the_module():
    layer = _layer()
    x = minitorch.tensor(np.random.default_rng(1).normal(size=(4, 3)), requires_grad=True)
    layer.register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0] * 0,))
    layer(x).sum().backward()
    assert_close(layer.weight.grad, np.zeros((2, 3)))
    assert_close(x.grad, np.zeros((4, 3)))


def test_hooks_keep_gradients_right_when_they_return_none():
    layer = _layer()
    layer.register_full_backward_hook(lambda m, gi, go: None)
    layer.register_full_backward_pre_hook(lambda m, go: None)
    x = minitorch.tensor(np.random.default_rng(2).normal(size=(2, 3)), requires_grad=True)
    gradcheck(lambda t: layer(t).tanh(), x)


def test_a_wrong_number_of_replaced_gradients_is_a_runtime_error():
    layer = _layer()
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    x = minitorch.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but expected 1"):
        layer(x).sum().backward()
    other = _layer()
    other.register_full_backward_pre_hook(lambda m, go: ())
    with pytest.raises(RuntimeError, match="Backward pre hook returned an invalid number of grad_output, got 0, but expected 1"):
        other(minitorch.tensor(np.ones((2, 3)), requires_grad=True)).sum().backward()


def test_forward_pre_hook_with_kwargs_and_forward_hook_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    module = Scale()
    module.register_forward_pre_hook(lambda m, args, kwargs: (args, {"factor": kwargs.get("factor", 1.0) * 2}),
                                     with_kwargs=True)
    seen = []
    module.register_forward_hook(lambda m, args, kwargs, out: seen.append(dict(kwargs)), with_kwargs=True)
    out = module(minitorch.ones(2), factor=3.0)
    assert_close(out, [6.0, 6.0])
    assert seen == [{"factor": 6.0}]
    bad = Scale()
    bad.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\)"):
        bad(minitorch.ones(2))


def test_a_non_tuple_from_a_forward_pre_hook_becomes_the_only_argument():
    layer = _layer()
    layer.register_forward_pre_hook(lambda m, args: minitorch.zeros(1, 3, dtype=np.float64))
    assert_close(layer(minitorch.ones(5, 3, dtype=np.float64)), layer.bias.data[None, :])


def test_handles_remove_their_hook_and_work_as_context_managers():
    layer = _layer()
    calls = []
    handle = layer.register_forward_hook(lambda m, a, o: calls.append("kept"))
    with layer.register_forward_hook(lambda m, a, o: calls.append("scoped")):
        layer(minitorch.ones(1, 3, dtype=np.float64))
    layer(minitorch.ones(1, 3, dtype=np.float64))
    handle.remove()
    handle.remove()  # a second remove is harmless
    layer(minitorch.ones(1, 3, dtype=np.float64))
    assert calls == ["kept", "scoped", "kept"]
    assert not hooks.has_hooks(layer)


def test_no_backward_wrapping_under_no_grad_and_none_left_behind():
    layer = _layer()
    layer.register_full_backward_hook(lambda m, gi, go: None)
    with minitorch.no_grad():
        out = layer(minitorch.ones(2, 3, dtype=np.float64))
    assert not out.requires_grad


def test_full_backward_hook_fires_at_the_outputs_when_no_input_requires_grad():
    layer = _layer()
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        layer(minitorch.ones(2, 3, dtype=np.float64)).sum().backward()
    assert seen == [((None,), (2, 2))]
    layer.register_full_backward_hook(lambda m, gi, go: (minitorch.ones(2, 3),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="should always return None"):
            layer(minitorch.ones(2, 3, dtype=np.float64)).sum().backward()


def test_non_tensor_output_with_backward_hooks_warns():
    class Describe(nn.Module):
        def forward(self, x):
            return {"y": x * 2}

    module = Describe()
    module.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.warns(UserWarning, match="module output should be a Tensor or a tuple of Tensors"):
        module(minitorch.ones(2, requires_grad=True))


def test_hooks_must_be_callable():
    with pytest.raises(TypeError, match="hook must be callable"):
        _layer().register_forward_hook("not a function")


def test_hooked_module_is_drawn_with_the_hook_nodes():
    layer = _layer()
    layer.register_full_backward_hook(lambda m, gi, go: None)
    out = layer(minitorch.tensor(np.ones((2, 3)), requires_grad=True))
    assert "_BackwardHookFunction" in minitorch.draw_graph(out).source


# Module.__call__ looks at the hook registries only once hooks.hooks_registered is set (a speed-up);
# each way a hook can get into a registry must set it. The flag is reset by hand to start from a
# process in which no hook was ever registered.
def _recording_hook(calls):
    return lambda module, args, output: calls.append(type(module).__name__)


@pytest.mark.parametrize("how", ["register", "edit the dict", "assign a dict", "deep copy", "global"])
def test_every_way_of_adding_a_hook_reaches_the_call_path(monkeypatch, how):
    import copy
    from collections import OrderedDict

    layer, calls = _layer(), []
    monkeypatch.setattr(hooks, "hooks_registered", False)
    layer(minitorch.ones(1, 3, dtype=np.float64))  # the fast path, no hooks
    if how == "register":
        layer.register_forward_hook(_recording_hook(calls))
    elif how == "edit the dict":
        layer._forward_hooks[10**9] = _recording_hook(calls)
    elif how == "assign a dict":
        layer._forward_hooks = OrderedDict({10**9: _recording_hook(calls)})
    elif how == "deep copy":
        layer.register_forward_hook(_recording_hook(calls))
        monkeypatch.setattr(hooks, "hooks_registered", False)
        layer = copy.deepcopy(layer)
    else:
        handle = hooks.register_module_forward_hook(_recording_hook(calls))
    try:
        layer(minitorch.ones(1, 3, dtype=np.float64))
    finally:
        if how == "global":
            handle.remove()
    assert hooks.hooks_registered
    assert calls == ["Linear"]
