"""Module-local backward (``minitorch/nn/local.py``): the same gradients and updates as one global backward.

The reference is always the ordinary engine on the same network: ``loss.backward()`` of the sum
of the losses, then each optimizer's ``step()``. Everything is float64, so "the same" is 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch import nn, optim
from minitorch.nn.local import LocalGraph
from minitorch.testing import assert_close
from minitorch.viz import draw_module_graph

RNG = np.random.default_rng(0)
X = minitorch.tensor(RNG.normal(size=(6, 4)))
YA = minitorch.tensor(RNG.integers(0, 3, 6))
YB = minitorch.tensor(RNG.normal(size=(6, 1)))
CE, MSE = nn.CrossEntropyLoss(), nn.MSELoss()


def _net(seed=0):
    minitorch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh()).double(), nn.Linear(8, 3).double(), nn.Linear(8, 1).double()


def _grads(*modules):
    return [np.array(p.grad.data) for m in modules for p in m.parameters()]


def _weights(*modules):
    return [np.array(p.data) for m in modules for p in m.parameters()]


def _global(trunk, ha, hb):
    h = trunk(X)
    (CE(ha(h), YA) + MSE(hb(h), YB)).backward()


def _local(graph, trunk, ha, hb, order=("a", "b")):
    h = graph(trunk, graph.input(X), name="trunk")
    losses = {"a": graph(CE, graph(ha, h, name="head a"), YA), "b": graph(MSE, graph(hb, h, name="head b"), YB)}
    for key in order:
        losses[key].backward()
    return losses


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_two_losses_backpropagated_independently_equal_one_backward_of_their_sum(order):
    ref = _net()
    _global(*ref)
    mine = _net()
    graph = LocalGraph()
    _local(graph, *mine, order=order)
    for got, want in zip(_grads(*mine), _grads(*ref)):
        assert_close(got, want, rtol=1e-12, atol=1e-12)
    assert graph.waiting() == []


def test_the_trunk_waits_until_every_consumer_has_sent_its_gradient():
    trunk, ha, hb = _net()
    graph = LocalGraph()
    h = graph(trunk, graph.input(X), name="trunk")
    la = graph(CE, graph(ha, h, name="head a"), YA)
    lb = graph(MSE, graph(hb, h, name="head b"), YB)
    la.backward()
    assert ha.weight.grad is not None and trunk[0].weight.grad is None
    assert graph.waiting()[0] == "trunk: output 0: 1/2 consumers have sent"
    lb.backward()
    assert trunk[0].weight.grad is not None


def test_an_optimizer_per_module_and_a_shared_one_match_global_backward_then_steps():
    ref = _net()
    trunk_opt, heads_opt = optim.Adam(ref[0].parameters(), lr=0.01), optim.SGD([*ref[1].parameters(), *ref[2].parameters()], lr=0.1, momentum=0.9)
    for _ in range(3):
        _global(*ref)
        trunk_opt.step(), heads_opt.step()
        trunk_opt.zero_grad(), heads_opt.zero_grad()
    mine = _net()
    own = {mine[0]: optim.Adam(mine[0].parameters(), lr=0.01)}
    shared = optim.SGD([*mine[1].parameters(), *mine[2].parameters()], lr=0.1, momentum=0.9)
    for _ in range(3):
        _local(LocalGraph(own, default=shared), *mine)
    for got, want in zip(_weights(*mine), _weights(*ref)):
        assert_close(got, want, rtol=1e-12, atol=1e-12)
    assert all(p.grad is None for m in mine for p in m.parameters())  # each optimizer zeroed after its step


def test_a_custom_update_rule_object_is_an_optimizer():
    class HalfStep:
        def __init__(self, params):
            self.params = list(params)
            self.steps = 0

        def step(self):
            self.steps += 1
            for p in self.params:
                p.data -= 0.5 * p.grad.data

        def zero_grad(self):
            for p in self.params:
                p.grad = None

    trunk, ha, hb = _net()
    rule = HalfStep(ha.parameters())
    before = np.array(ha.weight.data)
    graph = LocalGraph({ha: rule})
    _local(graph, trunk, ha, hb, order=("a",))
    ref = _net()
    _global(*ref)  # (head a's gradient does not depend on loss b)
    assert rule.steps == 1
    assert_close(ha.weight.data, before - 0.5 * ref[1].weight.grad.data, rtol=1e-12)
    with pytest.raises(TypeError, match="must have step"):
        LocalGraph({ha: "sgd"})


def test_a_zero_dim_loss_works_and_other_shapes_need_a_gradient():
    trunk, ha, hb = _net()
    graph = LocalGraph()
    out = graph(ha, graph(trunk, graph.input(X)))
    with pytest.raises(RuntimeError, match="gradient can be omitted only for a one-element value"):
        out.backward()
    loss = graph(lambda y: (y ** 2).mean(), out)
    assert loss.value.ndim == 0
    loss.backward()
    ref = _net()
    (ref[1](ref[0](X)) ** 2).mean().backward()
    for got, want in zip(_grads(trunk, ha), _grads(ref[0], ref[1])):
        assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_outputs_nobody_consumes_do_not_block():
    class WithAux(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 8).double()

        def forward(self, x):
            h = self.lin(x)
            return h.tanh(), h.relu()  # the second output is only looked at

    minitorch.manual_seed(1)
    block, head = WithAux(), nn.Linear(8, 1).double()
    graph = LocalGraph()
    main, aux = graph(block, graph.input(X))
    graph(MSE, graph(head, main), YB).backward()
    assert aux.consumers == 0 and block.lin.weight.grad is not None
    minitorch.manual_seed(1)
    block2, head2 = WithAux(), nn.Linear(8, 1).double()
    MSE(head2(block2(X)[0]), YB).backward()
    assert_close(block.lin.weight.grad, block2.lin.weight.grad, rtol=1e-12)


def test_a_module_called_twice_accumulates_then_steps_once():
    minitorch.manual_seed(2)
    shared = nn.Linear(4, 4).double()
    ref = nn.Linear(4, 4).double()
    ref.load_state_dict(shared.state_dict())
    (ref(ref(X).tanh()) ** 2).sum().backward()
    opt = optim.SGD(shared.parameters(), lr=0.1)
    graph = LocalGraph({shared: opt})
    first = graph(shared, graph.input(X))
    second = graph(shared, graph(minitorch.tanh, first))
    graph(lambda y: (y ** 2).sum(), second).backward()
    assert_close(shared.weight.data, ref.weight.data - 0.1 * ref.weight.grad.data, rtol=1e-12)


def test_input_gradient_and_hooks_work_inside_a_local_graph():
    trunk, ha, hb = _net()
    seen = []
    ha.register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].shape))
    graph = LocalGraph()
    x = graph.input(minitorch.tensor(X.data, requires_grad=True))
    graph(CE, graph(ha, graph(trunk, x)), YA).backward()
    ref_x = minitorch.tensor(X.data, requires_grad=True)
    ref = _net()
    CE(ref[1](ref[0](ref_x)), YA).backward()
    assert seen == [(6, 8)]
    assert_close(x.grad, ref_x.grad, rtol=1e-12, atol=1e-12)


def test_a_long_chain_runs_without_recursion():
    minitorch.manual_seed(3)
    layers = [nn.Linear(2, 2).double() for _ in range(1500)]
    graph = LocalGraph()
    h = graph.input(minitorch.tensor(np.ones((1, 2))))
    for layer in layers:
        h = graph(layer, h)
    graph(lambda y: y.sum(), h).backward()
    assert layers[0].weight.grad is not None


def test_consuming_after_backward_is_an_error_and_no_grad_consumers_are_not_waited_for():
    trunk, ha, hb = _net()
    graph = LocalGraph()
    h = graph(trunk, graph.input(X), name="trunk")
    with minitorch.no_grad():
        graph(hb, h)  # looked at, not trained: sends nothing, so the trunk must not wait for it
    graph(CE, graph(ha, h), YA).backward()
    assert trunk[0].weight.grad is not None and graph.waiting() == []
    with pytest.raises(RuntimeError, match="trunk, which has already run its backward"):
        graph(hb, h)


def test_errors_say_what_went_wrong():
    trunk, ha, hb = _net()
    graph = LocalGraph()
    x = graph.input(X)
    with pytest.raises(RuntimeError, match="input of the graph"):
        x.backward()
    with pytest.raises(TypeError, match="got no Node argument"):
        graph(trunk, X)
    loss = graph(CE, graph(ha, graph(trunk, x)), YA)
    loss.backward()
    with pytest.raises(RuntimeError, match="already run its backward"):
        loss.backward()
    with minitorch.no_grad():
        frozen = graph(lambda y: y.sum(), graph(ha, graph(trunk, x)))
    with pytest.raises(RuntimeError, match="does not require grad"):
        frozen.backward()


def test_module_graph_drawing_names_modules_optimizers_and_losses():
    trunk, ha, hb = _net()
    graph = LocalGraph({trunk: optim.Adam(trunk.parameters())}, default=optim.SGD(ha.parameters(), lr=0.1))
    _local(graph, trunk, ha, hb)
    source = draw_module_graph(graph, title="two heads").source
    for text in ("trunk\\nAdam (own)", "head a\\nSGD (shared)", "CrossEntropyLoss", "label=loss", "6x8"):
        assert text in source, text
    with pytest.raises(TypeError, match="expected a LocalGraph"):
        draw_module_graph(trunk)
