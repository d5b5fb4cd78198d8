"""The backward stepper: frames replayed without touching the graph, drawn with the current node highlighted.

Expected gradients in these tests are worked out by hand from the chain rule (comments), never read from
the stepper or from a backward pass.
"""

import re

import numpy as np
import pytest

import minitorch
from minitorch.viz import BackwardStepper, draw_graph, step_through_backward
from minitorch.viz.stepper import STEP_COLOR


def lesson_graph(Value=minitorch.Value):
    """L = (a*b + c)*f at a=2, b=-3, c=10, f=-2 (lesson 03): e = -6, d = 4, L = -8."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    return L, dict(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


class ClosureValue:
    """A learner's Value (lesson 03): each op's _backward() adds into its parents' .grad."""

    def __init__(self, data, _prev=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, tuple(_prev), _op, label
        self._backward = lambda: None

    def __add__(self, other):
        out = ClosureValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = ClosureValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out


def grads_by_label(stepper, k):
    return {node.label: grad for node, grad in zip(stepper.nodes, stepper.frames[k].grads)}


# Frame by frame: the seed; L = d*f hands d f*1 = -2 and f d*1 = 4; d = e + c copies -2 to e and c;
# e = a*b hands a b*(-2) = 6 and b a*(-2) = -4.
EXPECTED = [
    ("L", dict(L=1, d=0, f=0, e=0, c=0, a=0, b=0)),
    ("L", dict(L=1, d=-2, f=4, e=0, c=0, a=0, b=0)),
    ("d", dict(L=1, d=-2, f=4, e=-2, c=-2, a=0, b=0)),
    ("e", dict(L=1, d=-2, f=4, e=-2, c=-2, a=6, b=-4)),
]


@pytest.mark.parametrize("Value", [minitorch.Value, ClosureValue], ids=["minitorch.Value", "closures"])
def test_frames_fill_in_the_gradients_one_step_at_a_time(Value):
    L, nodes = lesson_graph(Value)
    stepper = step_through_backward(L)
    assert len(stepper) == 4
    for k, (current, grads) in enumerate(EXPECTED):
        assert stepper.frames[k].current is nodes[current]
        assert grads_by_label(stepper, k) == pytest.approx(grads)
    assert stepper.frames[0].caption == "step 0 of 3: the seed, dL/dL = 1"
    assert stepper.frames[2].caption == "step 2 of 3: d (+) passes its gradient to e, c"


@pytest.mark.parametrize("Value", [minitorch.Value, ClosureValue], ids=["minitorch.Value", "closures"])
def test_the_graph_keeps_its_own_gradients(Value):
    L, nodes = lesson_graph(Value)
    for name, node in nodes.items():
        node.grad = {"a": 0.5, "f": -7.0}.get(name, 0.0)  # whatever the learner left there
    step_through_backward(L)
    assert {name: node.grad for name, node in nodes.items()} == dict(a=0.5, f=-7.0, b=0.0, c=0.0, e=0.0, d=0.0, L=0.0)


def test_each_frame_highlights_exactly_its_node_and_notes_what_the_inputs_received():
    L, nodes = lesson_graph()
    stepper = step_through_backward(L)
    for k, (current, _) in enumerate(EXPECTED):
        highlighted = [line for line in stepper.frame(k).body if "penwidth=3" in line]
        assert len(highlighted) == 1 and f'label="{current}|' in highlighted[0] and STEP_COLOR in highlighted[0]
    source = stepper.frame(1).source
    assert "d|data 4.0000|grad -2.0000|+= -2" in source and "f|data -2.0000|grad 4.0000|+= 4" in source
    assert "+=" not in stepper.frame(0).source


def test_a_tensor_graph_is_replayed_without_storing_gradients_or_freeing_it():
    x = minitorch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True, label="x")
    w = minitorch.tensor([[2.0], [-1.0]], requires_grad=True, label="w")
    h = x @ w; h.label = "h"  # [4, -3.5]
    L = (h.relu() * 3.0).sum(); L.label = "L"
    stepper = step_through_backward(L)
    last = grads_by_label(stepper, len(stepper) - 1)
    # dL/dh = 3 * [h > 0] = [3, 0]; dL/dw = x^T dL/dh = 3 * x[0] = [3, -6]; dL/dx = dL/dh w^T = [[6, -3], [0, 0]].
    np.testing.assert_allclose(last["h"], [[3.0], [0.0]])
    np.testing.assert_allclose(last["w"], [[3.0], [-6.0]])
    np.testing.assert_allclose(last["x"], [[6.0, -3.0], [0.0, 0.0]])
    assert grads_by_label(stepper, 0)["x"] is None  # not reached yet
    assert x.grad is None and w.grad is None
    L.backward()  # the graph is still whole
    np.testing.assert_allclose(w.grad.data, [[3.0], [-6.0]])
    with pytest.raises(ValueError, match="freed by backward"):
        step_through_backward(L)


def test_static_frames_are_evenly_spaced_from_the_seed_to_the_end_and_fit_the_column():
    x = minitorch.Value(0.5, label="x")
    y = x
    for _ in range(8):
        y = y * x + x  # 16 steps
    stepper = step_through_backward(y, static=4)
    frames = stepper.static_frames()
    titles = [re.search(r'label="(step \d+ of \d+)', g.source).group(1) for g in frames]
    assert titles == ["step 0 of 16", "step 5 of 16", "step 11 of 16", "step 16 of 16"]
    for graph in frames:
        width_pt = float(re.search(r'<svg width="([\d.]+)pt"', graph._repr_image_svg_xml()).group(1))
        assert width_pt * 4 / 3 <= 900


def test_displayed_while_outputs_are_stored_it_shows_graphs_not_a_widget(monkeypatch):
    shown = []
    monkeypatch.setenv("MINITORCH_STATIC_WIDGETS", "1")
    monkeypatch.setattr("IPython.display.display", shown.append)
    L, _ = lesson_graph()
    step_through_backward(L, static=3)._ipython_display_()
    assert [type(g).__name__ for g in shown] == ["ComputationGraph"] * 3


def test_displayed_in_a_live_kernel_it_is_a_widget(monkeypatch):
    shown = []

    class Shell:
        kernel = object()

    monkeypatch.delenv("MINITORCH_STATIC_WIDGETS", raising=False)
    monkeypatch.setattr("IPython.get_ipython", lambda: Shell())
    monkeypatch.setattr("IPython.display.display", shown.append)
    L, _ = lesson_graph()
    step_through_backward(L)._ipython_display_()
    assert len(shown) == 1 and type(shown[0]).__name__ == "VBox"


def test_the_widget_steps_with_the_slider_and_the_buttons():
    L, _ = lesson_graph()
    stepper = step_through_backward(L)
    box = stepper.widget()
    play, back, forward, slider = box.children[0].children
    assert "step 0 of 3" in box.view.value and box.view.value.startswith("<svg")
    forward.click()
    forward.click()
    assert slider.value == 2 and "step 2 of 3" in box.view.value
    back.click()
    assert slider.value == 1 and "step 1 of 3" in box.view.value
    for _ in range(5):
        forward.click()
    assert slider.value == 3 and play.max == 3


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="single number"):
        step_through_backward(minitorch.tensor([1.0, 2.0], requires_grad=True) * 2.0)
    L, _ = lesson_graph()
    with pytest.raises(ValueError, match="static"):
        step_through_backward(L, static=1)
    with pytest.raises(IndexError):
        step_through_backward(L).frame(4)
    x = minitorch.Value(1.0)
    big = x
    for _ in range(100):
        big = big + x
    with pytest.raises(ValueError, match="at most 60"):
        step_through_backward(big)
    assert isinstance(step_through_backward(L), BackwardStepper)


def test_draw_graph_without_the_new_options_draws_as_before():
    L, nodes = lesson_graph()
    L.backward()
    plain = draw_graph(L).source
    assert plain == draw_graph(L, highlight=(), notes=None, grads=None).source
    assert "penwidth" not in plain and "#dc2626" not in plain
    shown = draw_graph(L, highlight=nodes["a"], notes=[(nodes["b"], "note")], grads=[(nodes["c"], 9.0)])
    assert 'label="a|data 2.0000|grad 6.0000" color="#dc2626"' in shown.source
    assert 'b|data -3.0000|grad -4.0000|note' in shown.source and "c|data 10.0000|grad 9.0000" in shown.source


def test_a_backward_step_that_raises_ends_the_frames_there():
    L, nodes = lesson_graph(ClosureValue)

    def unfinished():
        raise NotImplementedError()

    nodes["d"]._backward = unfinished  # the + step of an unfinished exercise
    stepper = step_through_backward(L)
    assert len(stepper) == 3 and stepper.frames[-1].current is nodes["d"]
    assert stepper.frames[-1].caption == "step 2 of 3: the backward step of d (+) raised NotImplementedError"
    assert all(node.grad == 0.0 for node in nodes.values())  # put back as it was


def test_an_overwriting_backward_step_shows_old_and_new_not_an_addition():
    # A learner's `=` for `+=`: x gets 1 from `+`, then the `*` step overwrites it with 6 (7 was due).
    # Labelling that "+= 5" (new minus old) would tell the learner their code added; it did not.
    from minitorch.viz.stepper import _received

    assert _received(None, 2.0) == "+= 2" and _received(0.0, 2.0) == "+= 2"
    assert _received(1.0, 6.0) == "1 → 6"
    assert _received(np.array([1.0, 0.0]), np.array([3.0, 2.0])) == "[1, 0] → [3, 2]"
