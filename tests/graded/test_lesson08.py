"""Graded tests for lesson 08 (modules). Each test takes ``nb``, the notebook's namespace.

The learner's ``Module`` and ``Parameter`` work on ``minitorch.Tensor``. Each exercise is tested
through models built here from the notebook's classes -- for 08.2 and 08.5 from ``Module`` and
``Parameter`` alone, so that they do not depend on the learner's ``Linear``. Expected values come
from numpy (``x @ W.T + b``), from the papers' formulas (bounds and standard deviations of the
initialisers, checked statistically on tens of thousands of draws), never from the learner's code.
"""

import math

import numpy as np

import minitorch
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("08.1", "Registering parameters and sub-modules", points=3,
             hints=("__setattr__ sees every assignment self.name = value. Parameters and Modules go into their "
                    "registry; any other value must not stay registered under that name. And it must still set "
                    "the attribute.",
                    "if value is a Parameter or a Module and the registries don't exist yet: AttributeError "
                    "mentioning super().__init__(). Otherwise remove name from both registries, then register a"
                    " Parameter in _parameters or a Module in _modules; always finish with object.__setattr__.",
                    "object.__setattr__(self, name, value)")),
    Exercise("08.2", "named_parameters, zero_grad, train and eval", points=3, needs=("08.1",),
             hints=("named_parameters walks the module tree: own parameters first, then each sub-module's with "
                    "its name as a prefix. zero_grad and train/eval reach every module the same way.",
                    "named_parameters: yield (prefix + name, p) for own parameters; then yield from each "
                    "sub-module with prefix + name + '.'. zero_grad: set each parameter's grad to None. "
                    "train(mode): set training on self, call train(mode) on each child, return self.",
                    "yield from sub.named_parameters(prefix + name + '.')")),
    Exercise("08.3", "Linear and Sequential", points=3, needs=("08.1", "08.2"),
             hints=("Linear stores weight (out, in) and bias (out,), drawn uniformly in ±1/√in as PyTorch does,"
                    " and computes x Wᵀ + b. Sequential registers its layers under the names '0', '1', ... and "
                    "applies them in order.",
                    "Linear: bound = 1/√in_features; weight = Parameter(uniform in [−bound, bound) built from "
                    "minitorch.rand); bias the same or None. forward: x @ weight.T, plus bias. Sequential: "
                    "setattr with str(i) for each layer; forward loops over the registered modules.",
                    "return x @ self.weight.T + self.bias")),
    Exercise("08.4", "Fans, Xavier and Kaiming initialisation", points=3,
             hints=("The fans count how many inputs and outputs each unit is connected to (a conv's kernel size"
                    " multiplies both). Xavier keeps the variance the same forwards and backwards; Kaiming "
                    "keeps it for ReLU forwards.",
                    "fan_in = shape[1] × receptive field, fan_out = shape[0] × receptive field. Xavier uniform:"
                    " bound gain·√(6/(fan_in + fan_out)), uniform in ±bound. Kaiming normal: std = "
                    "gain/√fan_in. Fill t in place with minitorch.rand / randn; return t.",
                    "a = gain * math.sqrt(6 / (fan_in + fan_out))")),
    Exercise("08.5", "state_dict and load_state_dict", points=3, needs=("08.1", "08.2"),
             hints=("state_dict is a name → tensor map of the model's parameters. Loading must check everything"
                    " first and only then copy the numbers into the existing Parameters (an optimizer holds "
                    "those very objects).",
                    "state_dict: detached tensors by name. load_state_dict: collect every problem (missing or "
                    "unexpected keys when strict, any shape mismatch, naming key and both shapes); if any, "
                    "raise one KeyError before copying; else copy each value into the parameter's data in "
                    "place.",
                    "own[key].data[...] = np.asarray(getattr(value, 'data', value))")),
]


def param(nb, *values):
    return nb.Parameter(minitorch.tensor(np.array(values, dtype=np.float32)))


def make_tree(nb):
    """A model with own parameters, a sub-module with its own sub-module, and a plain attribute.

    Parameter names, in PyTorch's order: scale, block.b, block.inner.w, head.v. Its classes subclass the
    learner's Module, so ``nb.run`` builds it where the notebook's classes live (in the grader, the notebook's
    process)."""
    return nb.run(_make_tree)


def _make_tree(nb):
    class Inner(nb.Module):
        def __init__(self):
            super().__init__()
            self.w = param(nb, [1.0, 2.0], [3.0, 4.0])

    class Block(nb.Module):
        def __init__(self):
            super().__init__()
            self.b = param(nb, 0.5, -0.5)
            self.inner = Inner()

    class Head(nb.Module):
        def __init__(self):
            super().__init__()
            self.v = param(nb, 2.0)

    class Tree(nb.Module):
        def __init__(self):
            super().__init__()
            self.scale = param(nb, 1.5)
            self.block = Block()
            self.head = Head()
            self.note = "not a parameter"
            self.plain = minitorch.ones(2)

    return Tree()


TREE_NAMES = ["scale", "block.b", "block.inner.w", "head.v"]
TREE_SHAPES = {"scale": (1,), "block.b": (2,), "block.inner.w": (2, 2), "head.v": (1,)}


def names_of(module):
    return [name for name, _ in module.named_parameters()]


# ------------------------------------------------------------------------------------------- 08.1
@graded("08.1")
def test_assigned_parameters_and_modules_are_registered_by_name(nb):
    tree = make_tree(nb)
    assert list(tree._parameters) == ["scale"], \
        f"_parameters should hold only 'scale' (plain tensors, strings are not parameters), got {list(tree._parameters)}"
    assert list(tree._modules) == ["block", "head"], f"_modules should be ['block', 'head'], got {list(tree._modules)}"
    assert tree._parameters["scale"] is tree.scale and tree._modules["block"] is tree.block, \
        "the registries should hold the very objects that were assigned (and attribute access should return them)"
    assert list(tree.block._parameters) == ["b"] and list(tree.block._modules) == ["inner"], \
        "each module registers its own attributes: block should have parameter 'b' and sub-module 'inner'"
    assert tree.note == "not a parameter", "plain attributes should still be stored"


@graded("08.1", hint="Pop the name from both registries before registering the new value, so a name that is "
                     "re-assigned (to None, a number, or another kind of thing) is no longer registered as before.")
def test_reassigning_a_name_updates_the_registries(nb):
    tree = make_tree(nb)
    tree.scale = None
    assert "scale" not in tree._parameters, "after `tree.scale = None`, 'scale' should no longer be a parameter"
    tree.head = 3
    assert "head" not in tree._modules, "after `tree.head = 3`, 'head' should no longer be a sub-module"
    new = param(nb, 1.0)
    tree.block = new
    assert "block" not in tree._modules and tree._parameters.get("block") is new, \
        "assigning a Parameter to 'block' should move it from _modules to _parameters"


def _forgetful_class(nb):
    class Forgetful(nb.Module):
        def __init__(self):
            self.w = param(nb, 1.0)

    return Forgetful


@graded("08.1", hint="Before touching the registries, check that they exist (the base class's __init__ creates "
                     "them), and raise AttributeError telling the learner to call it first.")
def test_forgetting_super_init_is_a_clear_error(nb):
    Forgetful = nb.run(_forgetful_class)
    try:
        Forgetful()
    except AttributeError as e:
        assert "super().__init__()" in str(e), f"the error should tell the user to call super().__init__(), got {e!r}"
    else:
        raise AssertionError("assigning a Parameter before super().__init__() should raise AttributeError")


# ------------------------------------------------------------------------------------------- 08.2
@graded("08.2")
def test_named_parameters_gives_dotted_names_in_pytorch_order(nb):
    tree = make_tree(nb)
    names = names_of(tree)
    assert names == TREE_NAMES, f"expected names {TREE_NAMES} (own parameters first, then each sub-module's), got {names}"
    params = dict(tree.named_parameters())
    assert params["block.inner.w"] is tree.block.inner.w, "named_parameters should yield the Parameter objects themselves"
    got = list(tree.parameters())
    assert len(got) == 4 and all(a is b for a, b in zip(got, params.values())), \
        "parameters() should give the same objects as named_parameters(), in the same order"


@graded("08.2")
def test_zero_grad_clears_every_gradient(nb):
    tree = make_tree(nb)
    loss = tree.scale.sum() + tree.block.b.sum() + (tree.block.inner.w * tree.head.v).sum()
    loss.backward()
    assert all(p.grad is not None for p in tree.parameters()), "backward should have given every parameter a gradient"
    tree.zero_grad()
    left = [name for name, p in tree.named_parameters() if p.grad is not None]
    assert not left, f"after zero_grad() every .grad should be None, but these still have one: {left}"


@graded("08.2", hint="train(mode) must set training on self and call train(mode) on every sub-module, which does "
                     "the same for its own; return self so that model.eval() can be chained.")
def test_train_and_eval_reach_every_module(nb):
    tree = make_tree(nb)
    modules = [tree, tree.block, tree.block.inner, tree.head]
    result = tree.eval()
    assert result is tree, "eval() (that is, train(False)) should return the module itself"
    flags = [m.training for m in modules]
    assert flags == [False] * 4, f"after eval(), training should be False on all 4 modules, got {flags}"
    tree.train()
    flags = [m.training for m in modules]
    assert flags == [True] * 4, f"after train(), training should be True on all 4 modules, got {flags}"


# ------------------------------------------------------------------------------------------- 08.3
@graded("08.3")
def test_linear_has_weight_out_by_in_and_a_bias(nb):
    layer = nb.Linear(3, 5)
    assert isinstance(layer.weight, nb.Parameter) and layer.weight.shape == (5, 3), \
        f"weight should be a Parameter of shape (out, in) = (5, 3), got {type(layer.weight).__name__} {layer.weight.shape}"
    assert isinstance(layer.bias, nb.Parameter) and layer.bias.shape == (5,), \
        f"bias should be a Parameter of shape (5,), got {getattr(layer.bias, 'shape', layer.bias)}"
    assert names_of(layer) == ["weight", "bias"], f"Linear's parameters should be ['weight', 'bias'], got {names_of(layer)}"
    no_bias = nb.Linear(3, 5, bias=False)
    assert no_bias.bias is None and names_of(no_bias) == ["weight"], \
        f"Linear(bias=False) should have bias None and parameters ['weight'], got {names_of(no_bias)}"


@graded("08.3")
def test_linear_computes_x_w_transposed_plus_b(nb):
    rng = np.random.default_rng(0)
    for bias in (True, False):
        layer = nb.Linear(4, 3, bias=bias)
        x = rng.normal(size=(6, 4)).astype(np.float32)
        expected = x @ layer.weight.data.T + (layer.bias.data if bias else 0)
        assert_close(layer(minitorch.tensor(x)), expected, rtol=1e-5, atol=1e-6,
                     msg=f"Linear(4, 3, bias={bias}) on a batch (6, 4): x @ W.T + b")


@graded("08.3", hint="Use minitorch.rand (uniform in [0, 1)), scaled to [-bound, bound] with bound = 1/sqrt(in).")
def test_linear_initialisation_is_pytorchs_uniform_and_seeded(nb):
    minitorch.manual_seed(0)
    layer = nb.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.data, layer.bias.data
    assert np.abs(w).max() <= bound * (1 + 1e-6), f"all weights should lie in [-{bound}, {bound}], max |w| is {np.abs(w).max():.5f}"
    assert np.abs(w).max() > 0.99 * bound, f"the weights should fill [-{bound}, {bound}], but max |w| is only {np.abs(w).max():.5f}"
    assert_close(w.std(), bound / math.sqrt(3), rtol=0.03, msg="std of U(-bound, bound) weights (bound/sqrt(3))")
    assert abs(w.mean()) < 0.003, f"the weights should have mean 0, got {w.mean():.4f}"
    assert np.abs(b).max() <= bound * (1 + 1e-6) and np.abs(b).max() > 0.9 * bound, \
        f"the bias should be uniform in [-{bound}, {bound}] too, max |b| is {np.abs(b).max():.5f}"
    assert layer.weight.requires_grad, "the weight must require a gradient (it is a Parameter)"
    minitorch.manual_seed(0)
    again = nb.Linear(400, 300)
    assert np.array_equal(again.weight.data, w), "the same minitorch.manual_seed should give the same weights"


@graded("08.3")
def test_linear_gradients_reach_weight_and_bias(nb):
    layer = nb.Linear(3, 2)
    x = minitorch.tensor(np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32))
    layer(x).sum().backward()
    assert_close(layer.weight.grad, np.ones((4, 2)).T @ x.data, rtol=1e-5, msg="weight.grad of sum(Linear(x)): G.T @ x")
    assert_close(layer.bias.grad, [4.0, 4.0], rtol=1e-6, msg="bias.grad of sum(Linear(x)) over a batch of 4")


@graded("08.3", hint="Register each layer under its position as a string ('0', '1', ...), the way PyTorch names"
                     " them.")
def test_sequential_names_its_layers_and_chains_them(nb):
    first, second = nb.Linear(2, 3), nb.Linear(3, 1)
    seq = nb.Sequential(first, nb.Tanh(), second)
    names = names_of(seq)
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"], \
        f"Sequential(Linear, Tanh, Linear) should name its parameters 0.weight ... 2.bias, got {names}"
    x = minitorch.tensor(np.random.default_rng(2).normal(size=(5, 2)).astype(np.float32))
    assert_close(seq(x), second(first(x).tanh()), rtol=1e-6, msg="Sequential(a, Tanh(), b)(x) should be b(tanh(a(x)))")


# ------------------------------------------------------------------------------------------- 08.4
@graded("08.4")
def test_fans_of_matrices_and_convolution_kernels(nb):
    for shape, expected in [((3, 5), (5, 3)), ((7, 2), (2, 7)), ((8, 4, 3, 3), (36, 72)), ((6, 2, 5), (10, 30))]:
        got = tuple(nb.fans(shape))
        assert got == expected, f"fans({shape}) should be (fan_in, fan_out) = {expected}, got {got}"
    try:
        nb.fans((5,))
    except ValueError:
        pass
    else:
        raise AssertionError("fans((5,)) should raise ValueError: a vector has no fan-in and fan-out")


def _filled(nb, fn, shape, seed, **kwargs):
    minitorch.manual_seed(seed)
    t = nb.remote(minitorch.zeros(shape, dtype=np.float64))  # in the grader: moved to the notebook's process now
    array = nb.identity(t, "data")  # t.data's identity (in the grader, values arrive as copies)
    result = fn(t, **kwargs)
    assert result is t, f"{fn.__name__} should return the tensor it filled"
    assert nb.identity(t, "data") == array, f"{fn.__name__} should fill t in place (t.data[...] = ...), not replace t.data"
    return t.data


@graded("08.4")
def test_xavier_uniform_has_the_papers_bound_and_spread(nb):
    for shape, gain in [((300, 200), 1.0), ((48, 16, 3, 3), 5 / 3)]:
        fan_in, fan_out = shape[1] * math.prod(shape[2:]), shape[0] * math.prod(shape[2:])
        a = gain * math.sqrt(6 / (fan_in + fan_out))
        w = _filled(nb, nb.xavier_uniform_, shape, seed=3, gain=gain)
        assert np.abs(w).max() <= a * (1 + 1e-9) and np.abs(w).max() > 0.99 * a, \
            f"xavier_uniform_ on {shape}, gain {gain:.3g}: values should fill [-{a:.4f}, {a:.4f}], max |w| is {np.abs(w).max():.4f}"
        assert_close(w.std(), a / math.sqrt(3), rtol=0.03, msg=f"xavier_uniform_ on {shape}: std (a / sqrt(3))")


@graded("08.4")
def test_kaiming_normal_has_std_gain_over_sqrt_fan_in(nb):
    for shape, gain in [((300, 200), math.sqrt(2)), ((64, 16, 3, 3), 1.0)]:
        fan_in = shape[1] * math.prod(shape[2:])
        w = _filled(nb, nb.kaiming_normal_, shape, seed=4, gain=gain)
        assert_close(w.std(), gain / math.sqrt(fan_in), rtol=0.03, msg=f"kaiming_normal_ on {shape}, gain {gain:.3g}: std")
        assert abs(w.mean()) < 0.05 * w.std(), f"kaiming_normal_ should have mean 0, got {w.mean():.4g}"
        outside = np.mean(np.abs(w) > 2 * w.std())
        assert 0.035 < outside < 0.06, f"a normal distribution has ~4.6% of values beyond 2 std, got {outside:.1%}"


@graded("08.4", hint="Draw with minitorch.rand / minitorch.randn, which minitorch.manual_seed controls.")
def test_initialisers_follow_minitorch_manual_seed(nb):
    for fn in (nb.xavier_uniform_, nb.kaiming_normal_):
        a = _filled(nb, fn, (20, 10), seed=7).copy()
        b = _filled(nb, fn, (20, 10), seed=7)
        assert np.array_equal(a, b), f"{fn.__name__} with the same minitorch.manual_seed should give the same values"


# ------------------------------------------------------------------------------------------- 08.5
@graded("08.5")
def test_state_dict_maps_dotted_names_to_detached_values(nb):
    tree = make_tree(nb)
    state = tree.state_dict()
    assert list(state) == TREE_NAMES, f"state_dict keys should be {TREE_NAMES}, got {list(state)}"
    for name, value in state.items():
        assert_close(value, dict(tree.named_parameters())[name], msg=f"state_dict()[{name!r}]")
        assert not getattr(value, "requires_grad", False), f"state_dict()[{name!r}] should be detached (no gradient)"


@graded("08.5", hint="The Parameter objects must stay the same (an optimizer holds them): copy the new numbers "
                     "into their data instead of assigning new tensors.")
def test_load_state_dict_copies_values_in_place(nb):
    source, target = make_tree(nb), make_tree(nb)
    for p in source.parameters():
        p.data[...] = np.arange(p.data.size).reshape(p.shape) + 10
    arrays = {name: nb.identity(p, "data") for name, p in target.named_parameters()}
    target.load_state_dict(source.state_dict())
    for name, p in target.named_parameters():
        assert_close(p, dict(source.named_parameters())[name], msg=f"{name} after load_state_dict")
        assert nb.identity(p, "data") == arrays[name], f"{name}: copy into the existing array (p.data[...] = value), don't replace it"
    plain = {name: np.full(shape, 0.25) for name, shape in TREE_SHAPES.items()}
    target.load_state_dict(plain)
    assert_close(target.block.inner.w, np.full((2, 2), 0.25), msg="loading numpy arrays")


def _load_error(nb, model, state, **kwargs):
    try:
        model.load_state_dict(state, **kwargs)
    except KeyError as e:
        return str(e.args[0]) if e.args else ""
    raise AssertionError(f"load_state_dict({sorted(state)}, {kwargs}) should raise KeyError, but it returned normally")


@graded("08.5", hint="Collect every problem in a list first and raise one KeyError naming them all, e.g. "
                     "\"missing key 'head.v'; unexpected key 'extra'; shape mismatch for 'block.b': the state has "
                     "(3,), the model (2,)\". Raise before copying anything.")
def test_bad_state_dicts_are_reported_key_by_key_and_change_nothing(nb):
    model = make_tree(nb)
    before = {name: p.data.copy() for name, p in model.named_parameters()}
    state = {name: np.zeros(shape) for name, shape in TREE_SHAPES.items()}
    del state["head.v"]
    state["extra"] = np.zeros(4)
    state["block.b"] = np.zeros(3)
    message = _load_error(nb, model, state)
    for needed in ("head.v", "extra", "block.b", "(3,)", "(2,)"):
        assert needed in message, f"the error should mention {needed!r} (missing, unexpected and mis-shaped keys, " \
                                  f"with both shapes); it says: {message!r}"
    changed = [name for name, p in model.named_parameters() if not np.array_equal(p.data, before[name])]
    assert not changed, f"a failed load must change nothing, but these changed: {changed}"


@graded("08.5")
def test_non_strict_loading_skips_missing_and_unexpected_keys_but_not_shapes(nb):
    model = make_tree(nb)
    model.load_state_dict({"scale": np.array([9.0]), "unknown": np.zeros(2)}, strict=False)
    assert_close(model.scale, [9.0], msg="strict=False should still load the keys that match")
    message = _load_error(nb, model, {"scale": np.zeros(5)}, strict=False)
    assert "scale" in message, f"a shape mismatch is an error even with strict=False, naming the key; got {message!r}"
