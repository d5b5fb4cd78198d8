"""Draw a network at the level of modules: one box per module call, arrows for the values between them.

``draw_module_graph(graph)`` takes a ``minitorch.nn.local.LocalGraph`` (lesson 17): its inputs,
its calls (``.calls``, each with ``.name``, ``.module``, ``.inputs``, ``.nodes``) and the Nodes
joining them. Each call's box names the module and the optimizer that updates it (``own`` or the
shared ``default``); each arrow carries the shape of the value. Outputs nobody consumed -- the
losses -- are drawn as their own nodes at the end.
"""

from __future__ import annotations

from typing import Any

from .graph import LEAF_COLOR, OP_COLOR, ROOT_COLOR, ComputationGraph, _escape
from .render import configure_renderer


def draw_module_graph(graph: Any, *, rankdir: str = "LR", title: str | None = None) -> ComputationGraph:
    """The module-level DAG of a ``LocalGraph``, as a ``graphviz.Digraph`` (renders inline in Jupyter).

    Raises:
        ValueError: ``rankdir`` is not one of "LR", "TB", "RL", "BT".
        TypeError: ``graph`` has no ``calls`` (not a LocalGraph).
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_module_graph: rankdir must be one of 'LR', 'TB', 'RL', 'BT', got {rankdir!r}")
    if not hasattr(graph, "calls"):
        raise TypeError(f"draw_module_graph: expected a LocalGraph, got {type(graph).__name__}")
    configure_renderer()
    dot = ComputationGraph(graph_attr={"rankdir": rankdir, "bgcolor": "white", "nodesep": "0.3", "ranksep": "0.45"},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"},
                           edge_attr={"arrowsize": "0.6", "color": "#475569", "fontname": "Helvetica", "fontsize": "9"})
    if title:
        dot.attr(label=title, labelloc="t", fontname="Helvetica", fontsize="13")
    names: dict[int, str] = {}  # id(node or call) -> DOT name
    for i, node in enumerate(getattr(graph, "inputs", [])):
        names[id(node)] = f"in{i}"
        dot.node(f"in{i}", _escape(node.name or "input"), shape="ellipse", style="filled", fillcolor=LEAF_COLOR)
    for c, call in enumerate(graph.calls):
        names[id(call)] = f"call{c}"
        lines = [call.name]
        optimizer = _optimizer_label(graph, call)
        if optimizer:
            lines.append(optimizer)
        dot.node(f"call{c}", "\\n".join(_escape(line) for line in lines), shape="box", style="filled,rounded",
                 fillcolor=OP_COLOR)
    for c, call in enumerate(graph.calls):
        for node in call.inputs:
            source = names.get(id(node)) if node.producer is None else names.get(id(node.producer))
            if source is not None:
                dot.edge(source, f"call{c}", label=_shape(node))
        for node in call.nodes:
            if node.consumers == 0 and hasattr(node.value, "shape"):
                name = f"call{c}_out{node.index}"
                dot.node(name, "loss" if node.value.numel() == 1 else "output", shape="ellipse", style="filled",
                         fillcolor=ROOT_COLOR)
                dot.edge(f"call{c}", name, label=_shape(node))
    return dot


def _shape(node: Any) -> str:
    shape = tuple(getattr(node.value, "shape", ()))
    return "x".join(map(str, shape)) if shape else "scalar"


def _optimizer_label(graph: Any, call: Any) -> str:
    params = getattr(call, "parameters", [])
    if not params:
        return ""
    own = any(module is call.module for module in getattr(graph, "optimizers", {}))
    optimizer = graph.optimizer_of(call.module) if hasattr(graph, "optimizer_of") else None
    if optimizer is None:
        return "(no optimizer)"
    return f"{type(optimizer).__name__} ({'own' if own else 'shared'})"
