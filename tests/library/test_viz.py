"""draw_graph: what it draws, that it is deterministic, and that it renders without system Graphviz."""

import os
import stat

import graphviz
import pytest

import minitorch
from minitorch.viz import draw_graph, find_renderer, to_svg
from minitorch.viz.graph import MAX_WIDTH_PT
from minitorch.viz.render import RendererNotFoundError, configure_renderer


def _expression():
    a = minitorch.Value(2.0, label="a")
    b = minitorch.Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    return a, b, c


def test_every_value_and_op_becomes_a_node():
    a, b, c = _expression()
    src = draw_graph(c).source
    # 4 values (a, b, a*b, c) and 2 op nodes (*, +)
    assert src.count("shape=record") == 4 and src.count("shape=ellipse") == 2
    assert 'label="a|data 2.0000|grad 0.0000"' in src  # left to right: the fields stack vertically
    assert 'label="*"' in src and 'label="+"' in src


def test_edges_follow_the_computation():
    a, b, c = _expression()
    src = draw_graph(c).source
    # c = (a*b) + a: n0 is c, its op node receives a*b and a.
    assert "n0_op -> n0" in src
    assert src.count("-> n0_op") == 2 and src.count("-> n1_op") == 2


def test_gradients_appear_after_backward():
    a, b, c = _expression()
    c.backward()
    src = draw_graph(c).source
    assert "a|data 2.0000|grad -2.0000" in src and "b|data -3.0000|grad 2.0000" in src


def test_options_hide_fields_and_change_direction():
    a, b, c = _expression()
    src = draw_graph(c, show_grad=False, show_data=False, rankdir="TB").source
    assert "grad" not in src and "data" not in src and "rankdir=TB" in src
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(c, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(c, max_nodes=0)
    with pytest.raises(TypeError, match="expected a Value or Tensor"):
        draw_graph(3.0)


def test_drawing_is_deterministic_node_names_do_not_leak_addresses():
    sources = {draw_graph(_expression()[2]).source for _ in range(3)}
    assert len(sources) == 1
    assert str(id(_expression()[2]))[:6] not in sources.pop()


def test_big_graphs_are_capped_with_a_summary_node():
    x = minitorch.Value(1.0, label="x")
    y = x
    for _ in range(5000):
        y = y * 1.0
    src = draw_graph(y, max_nodes=20).source
    assert src.count("shape=record") == 20
    assert "... 9981 more nodes" in src  # 10 001 values in all, 20 drawn


def test_duck_typing_on_a_learners_class_with_set_parents():
    class Mine:
        def __init__(self, data, children=(), op="", label=""):
            self.data, self.grad, self.label = data, 0.0, label
            self._prev, self._op = set(children), op

        def __add__(self, other):
            return Mine(self.data + other.data, (self, other), "+")

    out = Mine(1.0, label="p") + Mine(2.0, label="q")
    sources = {draw_graph(out).source for _ in range(3)}
    assert len(sources) == 1, "a set of parents must not make the drawing change between calls"
    assert '"p|data 1.0000' in sources.pop()


def test_record_special_characters_are_escaped():
    v = minitorch.Value(1.0, label="w{1}|<b>")
    assert r"w\{1\}\|\<b\>" in draw_graph(v).source


def test_renders_svg_with_the_bundled_renderer(monkeypatch):
    monkeypatch.setenv("MINITORCH_DOT", "graphviz-pure")
    path = configure_renderer()
    assert path is not None and path.endswith("graphviz-pure")
    svg = to_svg(draw_graph(_expression()[2]))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "data 2.0000" in svg
    bundle = draw_graph(_expression()[2])._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_a_system_dot_is_preferred_when_present(tmp_path, monkeypatch):
    fake_dot = tmp_path / "dot"
    fake_dot.write_text("#!/bin/sh\nexit 0\n")
    fake_dot.chmod(fake_dot.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("MINITORCH_DOT", raising=False)
    monkeypatch.setattr("minitorch.viz.render._script_dirs", lambda: [])
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    assert find_renderer() == str(fake_dot)


def test_without_any_renderer_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("MINITORCH_DOT", raising=False)
    monkeypatch.setattr("minitorch.viz.render._script_dirs", lambda: [str(tmp_path)])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() is None
    with pytest.raises(RendererNotFoundError, match=r"no Graphviz renderer found \(tried: .*graphviz-pure") as error:
        to_svg(graphviz.Digraph())
    assert "pip install graphviz-pure" in str(error.value) and "MINITORCH_DOT" not in str(error.value)


def test_a_wrong_minitorch_dot_is_named_on_every_path_even_after_a_graph_was_drawn(monkeypatch):
    graph = draw_graph(_expression()[2])
    assert "<svg" in graph._repr_mimebundle_()["image/svg+xml"]  # this session has drawn a graph
    monkeypatch.setenv("MINITORCH_DOT", "/nonexistent/dot")
    assert find_renderer() is None
    expected = r"MINITORCH_DOT='/nonexistent/dot' does not name a Graphviz program .*tried: /nonexistent/dot\)"
    for render_it in (lambda: to_svg(graph), graph._repr_mimebundle_, graph._repr_image_png,
                      lambda: draw_graph(_expression()[2])._repr_mimebundle_()):
        with pytest.raises(RendererNotFoundError, match=expected):
            render_it()


def test_jupyter_shows_minitorchs_message_not_graphvizs(monkeypatch, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    monkeypatch.setenv("MINITORCH_DOT", "/nonexistent/dot")
    data, _ = shell.display_formatter.format(draw_graph(_expression()[2]))
    shown = capsys.readouterr()
    assert "image/svg+xml" not in data and "image/png" not in data
    assert "MINITORCH_DOT='/nonexistent/dot'" in shown.out + shown.err
    assert "ExecutableNotFound" not in shown.out + shown.err and "systems' PATH" not in shown.out + shown.err


def test_the_display_bundle_has_png_beside_svg_for_untrusted_notebooks():
    bundle = draw_graph(_expression()[2])._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG") and "<svg" in bundle["image/svg+xml"]
    assert set(draw_graph(_expression()[2])._repr_mimebundle_(include=["image/png"])) == {"image/png"}


def test_graphs_choose_a_direction_that_fits_a_notebook_column():
    a, b, c = _expression()
    assert draw_graph(c).graph_attr["rankdir"] == "LR"  # small: inputs on the left
    y = minitorch.Value(0.5, label="x")
    for _ in range(6):
        y = (y * 1.1 + 0.1).tanh()
    assert draw_graph(y).graph_attr["rankdir"] == "TB"  # a long chain goes down the page
    assert draw_graph(y, rankdir="LR").graph_attr["rankdir"] == "LR"  # an explicit choice is kept
    svg = to_svg(draw_graph(y, rankdir="LR"))  # and scaled down to the column's width
    width_pt = float(svg.split('<svg width="', 1)[1].split("pt", 1)[0])
    assert width_pt <= MAX_WIDTH_PT + 1


def test_rendering_in_a_notebook_writes_nothing_to_stderr(capfd):
    # graphviz-pure warns about non-ASCII label characters; a notebook would show that as output.
    v = minitorch.Value(1.0, label="x²·α")
    bundle = draw_graph(v)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert capfd.readouterr().err == ""


def test_a_learners_tensor_with_ndarray_grads_shows_them():
    import numpy as np

    class Mine:
        def __init__(self, data, parents=(), op=""):
            self.data, self.grad, self._prev, self._op, self.label = np.asarray(data), None, parents, op, ""

    x = Mine(np.ones((2, 3)))
    loss = Mine(np.array(6.0), (x,), "sum")
    x.grad, loss.grad = np.ones((2, 3)), np.array(1.0)
    src = draw_graph(loss).source
    assert '"data 6.0000|grad 1.0000"' in src and "memory" not in src
    assert "(2, 3) float64|grad: yes" in src


def test_a_graph_freed_by_backward_says_so_instead_of_looking_empty():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    kept = draw_graph(loss).source
    assert "graph freed" not in kept and kept.count("shape=record") == 3
    loss.backward()
    freed = draw_graph(loss).source
    assert "graph freed by backward()" in freed and "retain_graph=True" in freed


def test_tensor_nodes_show_shape_dtype_and_gradients():
    x = minitorch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    x.label = "x"
    y = (x * 2.0).sum()
    y.backward(retain_graph=True)
    src = draw_graph(y, show_values=True, rankdir="TB").source
    assert "{x|(1, 3) float32|data [1, 2, 3]|grad [2, 2, 2]}" in src


def test_the_text_repr_has_no_memory_address():
    text = repr(draw_graph(_expression()[2]))
    assert text == "<ComputationGraph of 4 values; display it in Jupyter, or .source for DOT>"


def test_a_wrong_renderer_setting_is_named_by_render_and_pipe_too(tmp_path, monkeypatch):
    import pytest

    import minitorch
    from minitorch.viz import RendererNotFoundError

    a = minitorch.Value(2.0, label="a")
    graph = minitorch.draw_graph(a * 3)
    monkeypatch.setenv("MINITORCH_DOT", "/nonexistent/dot")
    with pytest.raises(RendererNotFoundError, match="MINITORCH_DOT"):
        graph.pipe(format="svg")
    with pytest.raises(RendererNotFoundError, match="MINITORCH_DOT"):
        graph.render(tmp_path / "g", format="png")
