"""Draw a computation graph as a ``graphviz.Digraph`` (displays inline in Jupyter).

Works by duck typing on anything shaped like micrograd's ``Value``: a node has its parents in
``_prev`` (or ``_children``, ``parents``), the name of the op that made it in ``_op``, and ``data``
and ``grad``. Scalars show their data and grad; tensors (nodes whose ``data`` has a ``shape``)
show shape and dtype, and their values on request. So the same function draws
``minitorch.Value``, ``minitorch.Tensor`` and the Value class a learner writes in lesson 02.

Node names in the DOT source are sequential (``n0, n1, ...``) rather than ``id(node)``, so that
drawing the same graph twice gives byte-identical SVG.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterable

import graphviz
import numpy as np
from graphviz.backend import dot_command

from .render import configure_renderer, render, require_renderer

_PARENT_ATTRS = ("_prev", "_children", "parents", "_parents", "prev")
_OP_ATTRS = ("_op", "op")

# Colours chosen to be distinguishable for common colour-vision deficiencies.
LEAF_COLOR = "#dbeafe"  # inputs and parameters
INNER_COLOR = "#f8fafc"  # intermediate results
ROOT_COLOR = "#fde68a"  # the node we drew the graph of
OP_COLOR = "#e2e8f0"
HIGHLIGHT_COLOR = "#dc2626"  # the border of highlighted nodes (draw_graph's highlight=)


# JupyterLab's output column is about 900 px wide; graphs are laid out (and, if still too wide,
# scaled) to fit in 640 pt = 853 px at 96 dpi, so nobody has to scroll sideways.
MAX_WIDTH_PT = 640


class ComputationGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that displays in Jupyter as SVG *and* PNG, quietly.

    Both formats are in the display bundle because a notebook opened for the first time is untrusted,
    and JupyterLab then refuses to show SVG (it could carry scripts) but shows PNG. Trusted
    notebooks, VS Code and GitHub show the SVG.

    graphviz-pure warns on stderr about every non-ASCII character in a label (it has no font
    metrics for them); in a notebook that warning would become a cell output. Real rendering
    errors still raise, with minitorch's message naming the renderer setting (``viz/render.py``).
    """

    def __repr__(self) -> str:
        # No memory address: notebook outputs stay identical from run to run.
        nodes = sum(1 for line in self.body if "shape=record" in line)
        return f"<ComputationGraph of {nodes} values; display it in Jupyter, or .source for DOT>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        wanted = set(include) if include is not None else {"image/svg+xml", "image/png"}
        wanted -= set(exclude or ())
        bundle: dict[str, Any] = {}
        if "image/svg+xml" in wanted:
            bundle["image/svg+xml"] = self._repr_image_svg_xml()
        if "image/png" in wanted:
            bundle["image/png"] = self._repr_image_png()
        return bundle

    def _repr_image_svg_xml(self) -> str:
        return render(self, "svg").decode("utf-8")

    # graphviz's own pipe() and render() run whatever program DOT_BINARY names; choose it now, so that
    # a wrong $MINITORCH_DOT raises RendererNotFoundError naming it, not graphviz's ExecutableNotFound.
    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        dot_command.DOT_BINARY = require_renderer()
        return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        dot_command.DOT_BINARY = require_renderer()
        return super().render(*args, **kwargs)

    def _repr_image_png(self) -> bytes:
        return render(self, "png")


def parents_of(node: Any) -> list[Any]:
    """The nodes ``node`` was computed from, in a deterministic order (a minitorch Tensor's
    ``_drawn_inputs()``: a Python-number operand is shown as a box, though it is no graph input;
    the same box object every time it is asked, so graph walks can key nodes by ``id``)."""
    drawn_inputs = getattr(node, "_drawn_inputs", None)
    if callable(drawn_inputs):
        return list(drawn_inputs())
    for attr in _PARENT_ATTRS:
        parents = getattr(node, attr, None)
        if parents is not None:
            if isinstance(parents, (set, frozenset)):
                # micrograd stores parents in a set: iteration order changes from run to run.
                return sorted(parents, key=lambda p: (str(getattr(p, "label", "")), repr(getattr(p, "data", ""))))
            return [p for p in parents if p is not None]
    return []


def op_of(node: Any) -> str:
    for attr in _OP_ATTRS:
        op = getattr(node, attr, None)
        if isinstance(op, str):
            return op
        if op is not None:  # e.g. a Function object: use its class name
            return type(op).__name__
    return ""


def graph_order(root: Any) -> list[Any]:
    """Every node ``root`` depends on, each once and after all of its parents (root last).

    Iterative (an explicit stack), so a chain of 100 000 operations does not hit Python's recursion limit.
    """
    order, entered, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in entered:  # entered already, along another path
            continue
        entered.add(id(node))
        stack.append((node, True))
        for parent in parents_of(node):
            if id(parent) not in entered:
                stack.append((parent, False))
    return order


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a DOT record label."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def _format_number(x: Any, precision: int) -> str:
    try:
        return f"{float(x):.{precision}f}"
    except (TypeError, ValueError):
        return str(x)


def _format_array(arr: Any, precision: int, max_values: int = 12) -> str:
    arr = np.asarray(arr)
    if arr.size > max_values:
        return "..."
    flat = ", ".join(f"{v:.{precision}g}" for v in arr.ravel())
    return f"[{flat}]"


def _is_tensor_like(data: Any) -> bool:
    return hasattr(data, "shape") and hasattr(data, "dtype") and getattr(data, "ndim", 0) > 0


_NO_OVERRIDE = object()


def _by_node(spec: Any, what: str) -> Callable[[Any], Any]:
    """``spec`` as a function of a node: a callable as it is, else (node, value) pairs matched by identity."""
    if spec is None:
        return lambda node: _NO_OVERRIDE
    if callable(spec):
        return spec
    try:
        table = {id(node): value for node, value in spec}
    except (TypeError, ValueError):
        raise TypeError(f"draw_graph: {what} must be a function of a node or a list of (node, value) pairs, "
                        f"got {type(spec).__name__}") from None
    return lambda node: table.get(id(node), _NO_OVERRIDE)


def _node_fields(node: Any, show_data: bool, show_grad: bool, show_values: bool, precision: int,
                 grad: Any = _NO_OVERRIDE) -> list[str]:
    fields = []
    label = getattr(node, "label", "") or getattr(node, "name", "") or ""
    if label:
        fields.append(str(label))
    data = getattr(node, "data", None)
    if grad is _NO_OVERRIDE:
        grad = getattr(node, "grad", None)
    # A Tensor's grad is a Tensor (use its .data); a Value's is a float; a learner's tensor may keep
    # a bare ndarray, whose own .data is a memoryview, so arrays are taken as they are.
    grad_data = grad if isinstance(grad, np.ndarray) else getattr(grad, "data", grad)
    if _is_tensor_like(data):
        fields.append(f"{tuple(data.shape)} {getattr(data.dtype, 'name', data.dtype)}")
        if show_values:
            fields.append("data " + _format_array(data, precision))
        if show_grad:
            if grad_data is None:
                fields.append("grad None")
            elif show_values:
                fields.append("grad " + _format_array(grad_data, precision))
            else:
                fields.append("grad: yes")
    else:
        if show_data and data is not None:
            fields.append(f"data {_format_number(data, precision)}")
        if show_grad and grad_data is not None:
            fields.append(f"grad {_format_number(grad_data, precision)}")
    return fields


def draw_graph(
    root: Any,
    *,
    rankdir: str | None = None,
    max_nodes: int = 100,
    show_data: bool = True,
    show_grad: bool = True,
    show_values: bool = False,
    precision: int = 4,
    title: str | None = None,
    highlight: Iterable[Any] = (),
    highlight_color: str = HIGHLIGHT_COLOR,
    notes: Any = None,
    grads: Any = None,
) -> ComputationGraph:
    """Draw the computation graph that produced ``root``.

    Args:
        root: a ``Value``, a ``Tensor``, or any object with ``_prev``/``_op``/``data``/``grad``.
        rankdir: layout direction: "LR" (inputs on the left), "TB" (inputs on top), "RL" or "BT".
            None (default): "LR" when the graph fits the width of a notebook's output column, else
            whichever of "LR" and "TB" is narrower. A graph still wider than the column is scaled
            down to fit (``MAX_WIDTH_PT``).
        max_nodes: draw at most this many value nodes (closest to ``root`` first); the rest are
            summarised in one "... more nodes" box, so huge graphs stay readable.
        show_data, show_grad: include data / grad in each node.
        show_values: for tensors, also print the values when there are at most 12 of them.
        precision: digits after the decimal point for scalars.
        title: an optional caption drawn above the graph.
        highlight: nodes (matched by identity) drawn with a thick ``highlight_color`` border, e.g. the
            node a backward pass is at, or the nodes whose gradient is wrong.
        notes: an extra line of text under some nodes: a function ``node -> str or None``, or a list
            of ``(node, text)`` pairs.
        grads: the gradient to show instead of ``node.grad``, e.g. part-way through a backward pass: a
            function ``node -> gradient`` (None: no gradient yet), or ``(node, gradient)`` pairs (a node
            not listed shows its own ``.grad``).

    Returns:
        a ``graphviz.Digraph``; in Jupyter it renders itself as SVG (and PNG). Call ``.source`` for DOT.

    Raises:
        ValueError: an unknown ``rankdir`` or a ``max_nodes`` below 1.
        TypeError: ``root`` has no ``.data``.
    """
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be one of 'LR', 'TB', 'RL', 'BT' or None, got {rankdir!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    if not hasattr(root, "data"):
        raise TypeError(f"draw_graph: expected a Value or Tensor (something with .data), got {type(root).__name__}")
    configure_renderer()  # so that dot.pipe() / dot.render() called directly also find a renderer

    # Breadth-first from the root, so a capped drawing shows the nodes nearest the output.
    names: dict[int, str] = {id(root): "n0"}
    drawn: list[Any] = [root]
    queue: deque[Any] = deque([root])
    truncated: set[int] = set()  # drawn nodes with parents left out by the cap
    while queue:
        node = queue.popleft()
        for parent in parents_of(node):
            if id(parent) in names:
                continue
            if len(drawn) >= max_nodes:
                truncated.add(id(node))
                break
            names[id(parent)] = f"n{len(drawn)}"
            drawn.append(parent)
            queue.append(parent)

    grad_of, note_of = _by_node(grads, "grads"), _by_node(notes, "notes")
    highlighted = {id(node) for node in ([highlight] if hasattr(highlight, "data") else highlight)}
    fields = {}
    for node in drawn:
        fields[id(node)] = _node_fields(node, show_data, show_grad, show_values, precision, grad_of(node))
        note = note_of(node)
        if note is not None and note is not _NO_OVERRIDE:
            fields[id(node)].append(str(note))
    if rankdir is None:
        rankdir = _fitting_rankdir(drawn, names, fields)
    # Record fields stack vertically (narrow nodes) in both directions: graphviz lays a record's
    # top-level fields across the rank direction, and braces flip that.
    braces = ("{", "}") if rankdir in ("TB", "BT") else ("", "")

    dot = ComputationGraph(
        graph_attr={"rankdir": rankdir, "bgcolor": "white", "nodesep": "0.25", "ranksep": "0.35",
                    "size": f"{MAX_WIDTH_PT / 72:.2f},100"},  # scale down (never up) to the column's width
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "color": "#475569"},
    )
    if title:
        dot.attr(label=title, labelloc="t", fontname="Helvetica", fontsize="13")

    more_targets: list[str] = []  # where the "... more nodes" box points
    for node in drawn:
        name = names[id(node)]
        parents = parents_of(node)
        node_fields = fields[id(node)]
        color = ROOT_COLOR if node is root else (INNER_COLOR if parents else LEAF_COLOR)
        label = braces[0] + "|".join(_escape(f) for f in node_fields) + braces[1] if node_fields else ""
        if id(node) in highlighted:  # extra attributes only here: drawings without highlight stay as they were
            dot.node(name, label, shape="record", style="filled,rounded", fillcolor=color,
                     color=highlight_color, penwidth="3")
        else:
            dot.node(name, label, shape="record", style="filled,rounded", fillcolor=color)
        op = op_of(node)
        target = name
        if op:
            target = name + "_op"
            dot.node(target, _escape(op), shape="ellipse", style="filled", fillcolor=OP_COLOR,
                     fontsize="10", width="0.3", height="0.3", margin="0.04")
            dot.edge(target, name)
        for parent in parents:
            if id(parent) in names:
                dot.edge(names[id(parent)], target)
        if op and not parents:
            # Tensor.backward() frees the graph (as PyTorch does) unless asked to keep it.
            dot.node(name + "_freed", "graph freed by backward()\ndraw before it, or call\nbackward(retain_graph=True)",
                     shape="note", style="filled", fillcolor="#fef3c7", fontsize="9")
            dot.edge(name + "_freed", target, style="dashed")
        if id(node) in truncated:
            more_targets.append(target)

    if more_targets:
        hidden = _count_reachable(root) - len(drawn)
        dot.node("more", f"... {hidden} more nodes", shape="note", style="filled", fillcolor="#f1f5f9")
        for target in more_targets:
            dot.edge("more", target, style="dashed")
    return dot


# Rough Graphviz geometry in points (Helvetica 11 pt), enough to choose a direction before layout.
_CHAR_PT, _NODE_PAD_PT, _OP_PT, _RANKSEP_PT, _NODESEP_PT = 6.2, 16.0, 22.0, 25.0, 18.0


def _fitting_rankdir(drawn: list[Any], names: dict[int, str], fields: dict[int, list[str]]) -> str:
    """"LR" if the graph's estimated width fits ``MAX_WIDTH_PT``, else the narrower of "LR" and "TB".

    A value's rank is its longest distance from the root (as in Graphviz's layout); a left-to-right
    drawing is as wide as its ranks side by side, a top-to-bottom one as its most crowded rank.
    """
    width = {i: max((len(f) for f in fs), default=1) * _CHAR_PT + _NODE_PAD_PT for i, fs in fields.items()}
    # Longest distance from the root: relax child -> parent edges in an order where every node
    # comes after all its drawn children (Kahn's algorithm on the drawn subgraph).
    children_left = {id(n): 0 for n in drawn}
    for node in drawn:
        for parent in parents_of(node):
            if id(parent) in names:
                children_left[id(parent)] += 1
    depth = {id(n): 0 for n in drawn}
    ready = [n for n in drawn if children_left[id(n)] == 0]
    while ready:
        node = ready.pop()
        for parent in parents_of(node):
            if id(parent) in names:
                depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
                children_left[id(parent)] -= 1
                if children_left[id(parent)] == 0:
                    ready.append(parent)
    levels: dict[int, list[int]] = {}
    for i, d in depth.items():
        levels.setdefault(d, []).append(i)
    # Between two ranks of values: an op node and two rank gaps.
    lr = sum(max(width[i] for i in level) for level in levels.values()) + (len(levels) - 1) * (_OP_PT + 2 * _RANKSEP_PT)
    tb = max(sum(width[i] + _NODESEP_PT for i in level) for level in levels.values())
    return "LR" if lr <= MAX_WIDTH_PT or lr <= tb else "TB"


def _count_reachable(root: Any) -> int:
    seen = {id(root)}
    stack = [root]
    while stack:
        for parent in parents_of(stack.pop()):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)

