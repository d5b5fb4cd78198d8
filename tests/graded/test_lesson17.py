"""Graded tests for lesson 17 (modules that own their backward). Each test takes ``nb``, the notebook's namespace.

Expected values never come from the learner's code: the custom op is compared with finite
differences (``gradcheck``) and numpy by hand; hook results with gradients computed by the ordinary
engine (``autograd.grad`` on the intermediate outputs, or ``backward`` on the same network without
hooks); the module-local backward and the per-module training step with one global ``backward()``
on a copy of the same network followed by each optimizer's ``step()`` (``tests/library`` checks the
engine itself against PyTorch).
"""

import numpy as np

import minitorch
from minitorch import nn, optim
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, gradcheck

EXERCISES = [
    Exercise("17.1", "A leaky ReLU as a Function", points=3, hints=(
        "forward computes the result from x.data and keeps in ctx what backward will need (x, and the slope); "
        "backward returns one gradient per argument of forward, and the slope, a number, gets None.",
        "forward: save x, store the slope on ctx, return where(x > 0, x, slope * x) as a tensor of x's dtype. "
        "backward: local derivative = where(x > 0, 1, slope); return (grad_output * it, None).",
        "return grad_output * minitorch.tensor(np.where(x.data > 0, 1.0, ctx.negative_slope).astype(x.dtype)), None",
    )),
    Exercise("17.2", "Record gradient norms with backward hooks", points=2, hints=(
        "A full backward hook is called as hook(module, grad_input, grad_output); grad_output[0] is the gradient "
        "with respect to the layer's output. Register one per Linear and keep the handles.",
        "walk the named sub-modules; for each Linear start an empty list under its name, define a hook that appends "
        "the norm of the output gradient to that list (bind the name as a default argument: a closure in a loop "
        "sees only the last name), register it and keep the handle; return both.",
        "norms[name].append(float(np.linalg.norm(grad_output[0].numpy())))   # inside the hook",
    )),
    Exercise("17.3", "A backward hook that rescales the gradient", points=2, hints=(
        "Return a function of (module, grad_input, grad_output); what it returns replaces grad_input, so give "
        "back a tuple of the same length.",
        "def hook(module, grad_input, grad_output): return a tuple with g * factor for each g, None where g is None; "
        "return hook.",
        "return tuple(None if g is None else g * factor for g in grad_input)",
    )),
    Exercise("17.4", "A module's own backward", points=3, hints=(
        "Ask the engine once for the gradients of the output with respect to the parameters and the inputs that "
        "require grad, with grad_output as the output's gradient; then share the answer out.",
        "params = parameters requiring grad; wanted = params + inputs requiring grad; grads = autograd.grad(output, "
        "wanted, grad_outputs=grad_output, allow_unused=True); add the first len(params) into .grad (skip None); "
        "return the rest, with None for inputs that need no grad.",
        "grads = minitorch.autograd.grad(output, params + [x for x in inputs if x.requires_grad], "
        "grad_outputs=grad_output, allow_unused=True)",
    )),
    Exercise("17.5", "A training step with an optimizer per module", points=3, hints=(
        "Build one LocalGraph with the optimizers, call the modules through it on nodes, and call backward() on "
        "each loss node separately: the optimizers step by themselves.",
        "make the LocalGraph from the optimizers and the shared default; wrap x as the graph's input; run the trunk "
        "on it, then each head on the trunk's node and each loss on its head's node with its targets; call "
        "backward() on one loss node, then on the other; return the graph and both loss nodes.",
        "loss_parity = graph(parity_loss, graph(parity_head, features), odd)",
    )),
]

_rng = np.random.default_rng(17)


def _tensor(shape, seed, requires_grad=True, dtype=np.float64):
    return minitorch.tensor(np.random.default_rng(seed).normal(size=shape).astype(dtype), requires_grad=requires_grad)


# ------------------------------------------------------------------------------------------- 17.1
@graded("17.1", hint="forward returns x where x > 0 and slope * x elsewhere.")
def test_leaky_relu_forward_values(nb):
    x = minitorch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0])
    for slope in (0.01, 0.2):
        got = nb.LeakyReLU.apply(x, slope)
        want = np.where(x.data > 0, x.data, slope * x.data)
        assert_close(got, want, msg=f"LeakyReLU.apply(x, {slope}) forward")
        assert got.dtype == np.float32, f"the output should keep the input's dtype float32, got {got.dtype}"


@graded("17.1", hint="backward must return two values: the gradient for x, and None for the slope.")
def test_leaky_relu_gradient_matches_finite_differences(nb):
    for seed, slope, shape in [(0, 0.01, (5,)), (1, 0.3, (3, 4)), (2, 0.1, (2, 3, 2))]:
        x = _tensor(shape, seed)
        x.data[np.abs(x.data) < 1e-3] = 0.5  # keep away from the kink, where finite differences are meaningless
        assert gradcheck(lambda t: nb.LeakyReLU.apply(t, slope), x), f"gradcheck failed, slope={slope}, shape={shape}"


@graded("17.1", hint="Use LeakyReLU.apply(x, slope); the result must be linked into the graph (requires_grad).")
def test_leaky_relu_plugs_into_the_engine(nb):
    x = minitorch.tensor([-1.0, 2.0], requires_grad=True)
    y = nb.LeakyReLU.apply(x, 0.25)
    assert y.requires_grad and y._op == "LeakyReLU", "apply should return a graph node named LeakyReLU"
    (y * minitorch.tensor([3.0, 5.0])).sum().backward()
    assert_close(x.grad, [0.75, 5.0], msg="dL/dx for x = [-1, 2], slope 0.25, upstream gradient [3, 5]")
    with minitorch.no_grad():
        assert not nb.LeakyReLU.apply(x, 0.25).requires_grad, "under no_grad() no graph should be recorded"


@graded("17.1")
def test_leaky_relu_default_slope_is_pytorchs(nb):
    x = minitorch.tensor([-4.0], requires_grad=True)
    y = nb.LeakyReLU.apply(x)
    y.sum().backward()
    assert_close(y, [-0.04], msg="default negative_slope 0.01: forward of -4")
    assert_close(x.grad, [0.01], msg="default negative_slope 0.01: gradient at -4")


# ------------------------------------------------------------------------------------------- 17.2
def _mlp(seed=0):
    minitorch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3), nn.Tanh(), nn.Linear(3, 1)).double()


def _output_grad_norms(model, x):
    """The norm of dL/d(output) of every Linear, by asking the engine for them directly (no hooks)."""
    outs, h = {}, x
    for name, layer in model.named_children():
        h = layer(h)
        if isinstance(layer, nn.Linear):
            outs[name] = h
    loss = (h ** 2).sum()
    grads = minitorch.autograd.grad(loss, list(outs.values()))
    return {name: float(np.linalg.norm(g.numpy())) for name, g in zip(outs, grads)}


class _Kept:
    """What the learner's code returned, kept where it was made: read ``.value`` again to see later changes (in
    the grader each read is a fresh copy from the notebook's process)."""

    def __init__(self, value):
        self.value = value


def _record_grad_norms(nb, model):
    return _Kept(nb.record_grad_norms(model))


@graded("17.2", hint="One list per Linear layer, keyed by the layer's name in the model; one value per backward pass.")
def test_norms_are_recorded_for_every_linear(nb):
    model = _mlp()
    x = _tensor((5, 4), 3, requires_grad=False)
    kept = nb.run(_record_grad_norms, model)
    result = kept.value
    assert isinstance(result, tuple) and len(result) == 2, "return (norms, handles)"
    norms, handles = result
    assert sorted(norms) == ["0", "2", "4"], f"expected one entry per Linear ('0', '2', '4'), got {sorted(norms)}"
    assert all(v == [] for v in norms.values()), "the lists should start empty"
    (model(x) ** 2).sum().backward()
    norms = kept.value[0]  # read again: in the grader, the dict the hooks fill lives in the notebook's process
    want = _output_grad_norms(_mlp(), x)
    for name in want:
        assert len(norms[name]) == 1, f"layer {name}: expected one norm after one backward, got {norms[name]}"
        assert_close(norms[name][0], want[name], rtol=1e-10, msg=f"layer {name}: norm of the gradient of its output")


@graded("17.2", hint="Keep every handle returned by register_full_backward_hook; handle.remove() unregisters.")
def test_handles_remove_the_hooks(nb):
    model = _mlp()
    kept = nb.run(_record_grad_norms, model)
    handles = kept.value[1]
    x = _tensor((2, 4), 4, requires_grad=False)
    (model(x) ** 2).sum().backward()
    (model(x) ** 2).sum().backward()
    assert all(len(v) == 2 for v in kept.value[0].values()), "two backward passes should give two norms per layer"
    assert len(handles) == 3, f"expected 3 handles (one per Linear), got {len(handles)}"
    for handle in handles:
        handle.remove()
    (model(x) ** 2).sum().backward()
    assert all(len(v) == 2 for v in kept.value[0].values()), "after removing the handles nothing more should be recorded"


# ------------------------------------------------------------------------------------------- 17.3
@graded("17.3", hint="The returned tuple replaces grad_input: only what flows upstream changes.")
def test_rescaled_gradient_flows_upstream(nb):
    x = _tensor((3, 4), 5)
    model = _mlp()
    model[2].register_full_backward_hook(nb.scale_input_grad(0.25))
    (model(x) ** 2).sum().backward()
    x_ref = _tensor((3, 4), 5)
    ref = _mlp()
    (ref(x_ref) ** 2).sum().backward()
    assert_close(x.grad, 0.25 * x_ref.grad.numpy(), rtol=1e-10, msg="dL/dx with the hook on layer 2 (factor 0.25)")
    assert_close(model[0].weight.grad, 0.25 * ref[0].weight.grad.numpy(), rtol=1e-10,
                 msg="the first layer's weight gradient (upstream of the hook)")
    assert_close(model[2].weight.grad, ref[2].weight.grad, rtol=1e-10,
                 msg="the hooked layer's own weight gradient must not change")


@graded("17.3", hint="Keep None entries as None, and return a tuple as long as grad_input.")
def test_none_entries_stay_none(nb):
    hook = nb.scale_input_grad(-2.0)
    g = minitorch.tensor([1.0, -3.0])
    out = hook(None, (g, None), (g,))
    assert isinstance(out, tuple) and len(out) == 2, f"expected a tuple of 2, got {out!r}"
    assert out[1] is None, "a None entry of grad_input must stay None"
    assert_close(out[0], [-2.0, 6.0], msg="scale_input_grad(-2.0) on [1, -3]")


# ------------------------------------------------------------------------------------------- 17.4
def _chain(seed=0):
    minitorch.manual_seed(seed)
    return nn.Linear(3, 5).double(), nn.Tanh(), nn.Linear(5, 2).double()


@graded("17.4", hint="Parameter gradients go into .grad; the input gradients are returned, one per input.")
def test_chained_local_backward_equals_global_backward(nb):
    data = _tensor((4, 3), 6, requires_grad=False)
    # The graph local_backward walks must live where the learner's code runs (in the grader, its process).
    m1, m2, m3 = (nb.remote(m) for m in _chain())
    a = m1(data)
    b_in = minitorch.tensor(a.numpy(), requires_grad=True)
    b = m2(b_in)
    c_in = minitorch.tensor(b.numpy(), requires_grad=True)
    c = m3(c_in)
    g = minitorch.tensor(np.random.default_rng(7).normal(size=(4, 2)))
    (g3,) = nb.local_backward(m3, [c_in], c, g)
    (g2,) = nb.local_backward(m2, [b_in], b, g3)
    (g1,) = nb.local_backward(m1, [data], a, g2)
    assert g1 is None, "the data does not require grad: its entry should be None"
    r1, r2, r3 = _chain()
    r3(r2(r1(data))).backward(g)
    for mine, ref, name in [(m1, r1, "first Linear"), (m3, r3, "last Linear")]:
        for (pname, p), q in zip(mine.named_parameters(), ref.parameters()):
            assert p.grad is not None, f"{name}.{pname}.grad is None: add the parameter gradients into .grad"
            assert_close(p.grad, q.grad, rtol=1e-12, atol=1e-14, msg=f"{name}.{pname}.grad vs one global backward")


@graded("17.4", hint="When .grad already holds a gradient, add to it (as backward() does).")
def test_parameter_gradients_accumulate(nb):
    m = nb.remote(_chain()[0])  # where the learner's code runs (in the grader, its process): m(x) builds its graph there
    x = _tensor((2, 3), 8)
    g = minitorch.ones(2, 5, dtype=np.float64)
    for _ in range(2):
        out = m(x)
        (gx,) = nb.local_backward(m, [x], out, g)
    assert_close(m.weight.grad, 2 * (g.numpy().T @ x.numpy()), rtol=1e-12, msg="weight.grad after two local backwards")
    assert_close(gx, g.numpy() @ m.weight.numpy(), rtol=1e-12, msg="the returned input gradient")
    assert x.grad is None, "local_backward must not touch the inputs' .grad (return their gradients instead)"


class _Mix(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.array([2.0]))
        self.unused = nn.Parameter(np.array([1.0]))

    def forward(self, a, b):
        return a * self.scale + b * b


@graded("17.4", hint="allow_unused=True: a parameter the output does not depend on gets None, and is skipped.")
def test_unused_parameters_and_several_inputs(nb):
    mix = nb.remote(_Mix())
    a, b = _tensor((3,), 9), _tensor((3,), 10)
    out = mix(a, b)
    ga, gb = nb.local_backward(mix, [a, b], out, minitorch.ones(3, dtype=np.float64))
    assert_close(ga, [2.0, 2.0, 2.0], msg="dL/da")
    assert_close(gb, 2 * b.numpy(), rtol=1e-12, msg="dL/db")
    assert_close(mix.scale.grad, [a.numpy().sum()], rtol=1e-12, msg="dL/dscale")
    assert mix.unused.grad is None, "a parameter the output does not depend on should get no gradient"


# ------------------------------------------------------------------------------------------- 17.5
def _heads(seed, dtype=np.float64):
    minitorch.manual_seed(seed)
    return (nn.Sequential(nn.Linear(6, 5), nn.Tanh()).to(dtype), nn.Linear(5, 3).to(dtype), nn.Linear(5, 1).to(dtype))


def _batch(seed):
    rng = np.random.default_rng(seed)
    x = minitorch.tensor(rng.normal(size=(8, 6)))
    digits = minitorch.tensor(rng.integers(0, 3, 8))
    odd = minitorch.tensor(rng.integers(0, 2, (8, 1)).astype(np.float64))
    return x, digits, odd


def _optimizers(trunk, digit_head, parity_head):
    own = {trunk: optim.Adam(trunk.parameters(), lr=0.01), digit_head: optim.SGD(digit_head.parameters(), lr=0.1)}
    return own, optim.SGD(parity_head.parameters(), lr=0.05, momentum=0.9)


@graded("17.5", hint="Two losses backpropagated separately must give the step of one backward of their sum.")
def test_steps_equal_global_backward_then_each_optimizer(nb):
    mine, ref = _heads(0), _heads(0)
    own, shared = _optimizers(*mine)
    ref_own, ref_shared = _optimizers(*ref)
    ce, bce = nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss()
    for step in range(3):
        x, digits, odd = _batch(step)
        graph, loss_digit, loss_parity = nb.train_step_local(*mine, own, shared, x, digits, odd)
        h = ref[0](x)
        ld, lp = ce(ref[1](h), digits), bce(ref[2](h), odd)
        assert_close(loss_digit.value, ld, rtol=1e-12, msg=f"step {step}: the digit loss node's value")
        assert_close(loss_parity.value, lp, rtol=1e-12, msg=f"step {step}: the parity loss node's value")
        (ld + lp).backward()
        for opt in (*ref_own.values(), ref_shared):
            opt.step()
            opt.zero_grad()
        assert graph.waiting() == [], f"step {step}: modules still waiting: {graph.waiting()}"
    for module, other, name in zip(mine, ref, ["trunk", "digit head", "parity head"]):
        for p, q in zip(module.parameters(), other.parameters()):
            assert_close(p, q, rtol=1e-10, atol=1e-12, msg=f"{name} weights after 3 steps vs global backward + step")


@graded("17.5", hint="Call backward() on each of the two loss nodes; the optimizers zero the gradients after stepping.")
def test_each_optimizer_stepped_and_zeroed(nb):
    mine = _heads(1)
    own, shared = _optimizers(*mine)
    before = [p.numpy().copy() for m in mine for p in m.parameters()]
    x, digits, odd = _batch(5)
    nb.train_step_local(*mine, own, shared, x, digits, odd)
    after = [p.numpy() for m in mine for p in m.parameters()]
    assert all(not np.array_equal(b, a) for b, a in zip(before, after)), "every parameter should have been updated"
    assert all(p.grad is None for m in mine for p in m.parameters()), \
        "after the step the optimizers zero the gradients (LocalGraph does it when each module is done)"
