"""Step through a backward pass node by node: ``step_through_backward(L)`` in a notebook.

Each frame is the graph of ``L`` with the node whose backward step just ran highlighted and every
gradient as it stands at that moment: first the seed dL/dL = 1 at the root, then one frame per
operation, in reverse topological order, until every gradient is filled in. Live in Jupyter it is a
widget (Play, Prev/Next, a slider); where no kernel runs the widgets (a notebook's stored output:
GitHub, a JupyterLab that has not run the cell) it shows a few of the frames as plain graphs.

The frames are computed by replaying the backward pass, never by running the graph's own
``backward()``, and the graph is left as it was:

* ``minitorch.Tensor``: each op's ``_backward(g, *_saved)`` returns its inputs' gradients without storing
  them, so the replay keeps the gradients in its own table (a graph already freed by
  ``backward()`` cannot be replayed: build it again).
* a ``Value`` (minitorch's, or the one a learner writes in lessons 02-04), or a lesson's own
  ``Tensor`` whose ``_backward()`` adds into its parents' ``.grad``: the replay saves every node's
  ``.grad``, starts them all at zero, runs the steps one by one and copies the gradients after each,
  then puts the saved gradients back.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import numpy as np

from .graph import ComputationGraph, draw_graph, graph_order, op_of, parents_of

STEP_COLOR = "#ea580c"  # the border of the node whose backward step the frame shows
MAX_STEPPER_NODES = 60  # a stepper is for graphs small enough to read
STATIC_WIDTH_PT = 430  # the stored frames are small (about 570 px): a few of them stack without scrolling far


class Frame:
    """One moment of the backward pass: the node that just ran its step, a caption, every node's gradient."""

    def __init__(self, current: Any, caption: str, grads: list[Any]):
        self.current, self.caption, self.grads = current, caption, grads


def _name(node: Any) -> str:
    label = getattr(node, "label", "") or ""
    return str(label) if label else f"the {op_of(node) or 'input'} node"


def _zero_like(node: Any) -> Any:
    data = getattr(node, "data", 0.0)
    return np.zeros_like(data, dtype=np.float64) if isinstance(data, np.ndarray) else 0.0


def _is_reference_tensor(node: Any) -> bool:
    from ..tensor import Tensor

    return isinstance(node, Tensor)


def backward_frames(root: Any) -> tuple[list[Any], list[Frame]]:
    """The graph's nodes (topological order, root last) and the frames of its backward pass.

    Raises:
        ValueError: the graph has more than ``MAX_STEPPER_NODES`` nodes, the root is not a single
            number, or a ``minitorch.Tensor`` graph was freed by an earlier ``backward()``.
    """
    if np.size(getattr(root, "data", None)) != 1:
        raise ValueError("step_through_backward: the root must hold a single number (a loss), "
                         f"got data of shape {np.shape(getattr(root, 'data', None))}")
    order = graph_order(root)
    if len(order) > MAX_STEPPER_NODES:
        raise ValueError(f"step_through_backward: the graph has {len(order)} nodes; the stepper draws graphs of at "
                         f"most {MAX_STEPPER_NODES} (try a smaller example)")
    steps = [node for node in reversed(order) if parents_of(node)]
    if _is_reference_tensor(root):
        return order, _tensor_frames(root, order, steps)
    return order, _mutating_frames(root, order, steps)


def _caption(k: int, n: int, node: Any) -> str:
    inputs = ", ".join(dict.fromkeys(_name(p) for p in parents_of(node)))
    return f"step {k} of {n}: {_name(node)} ({op_of(node)}) passes its gradient to {inputs}"


def _seed_caption(root: Any, n: int) -> str:
    name = getattr(root, "label", "") or "L"
    return f"step 0 of {n}: the seed, d{name}/d{name} = 1"


def _mutating_frames(root: Any, order: list[Any], steps: list[Any]) -> list[Frame]:
    """Frames of a graph whose nodes add into their parents' ``.grad`` (Value; a lesson's Tensor)."""
    saved = [node.grad for node in order]
    try:
        for node in order:
            node.grad = _zero_like(node)
        root.grad = np.ones_like(root.grad) if isinstance(root.grad, np.ndarray) else 1.0
        frames = [Frame(root, _seed_caption(root, len(steps)), [copy.deepcopy(n.grad) for n in order])]
        for k, node in enumerate(steps, 1):
            backward = getattr(node, "_backward", None)
            if backward is None and hasattr(node, "_local_grads"):  # minitorch.Value: stored local derivatives
                for parent, local in zip(node._prev, node._local_grads):
                    parent.grad += local * node.grad
            elif backward is not None:
                try:
                    backward()
                except Exception as e:  # e.g. an unfinished exercise: show how far the pass got, and where it stopped
                    frames.append(Frame(node, f"step {k} of {len(steps)}: the backward step of {_name(node)} "
                                              f"({op_of(node)}) raised {type(e).__name__}" + (f": {str(e)[:60]}" if str(e) else ""),
                                        [copy.deepcopy(n.grad) for n in order]))
                    break
            frames.append(Frame(node, _caption(k, len(steps), node), [copy.deepcopy(n.grad) for n in order]))
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    return frames


def _tensor_frames(root: Any, order: list[Any], steps: list[Any]) -> list[Frame]:
    """Frames of a ``minitorch.Tensor`` graph: each op's ``_backward(g, *_saved)`` returns gradients; nothing is stored."""
    from ..tensor.autograd import unbroadcast

    for node in order:
        if node._op and not node._prev or getattr(node._backward, "__name__", "") == "_graph_freed":
            raise ValueError("step_through_backward: this graph was freed by backward(); build it again (or call "
                             "backward(retain_graph=True))")
    grads: dict[int, np.ndarray] = {id(root): np.ones_like(root.data, dtype=np.float64)}

    def snapshot() -> list[Any]:
        return [grads[id(n)].copy() if id(n) in grads else None for n in order]

    frames = [Frame(root, _seed_caption(root, len(steps)), snapshot())]
    for k, node in enumerate(steps, 1):
        g = grads.get(id(node))
        if g is not None and node._backward is not None:
            for parent, pg in zip(node._prev, node._backward(g.astype(node.data.dtype), *node._saved)):
                if pg is None or not parent.requires_grad:
                    continue
                pg = unbroadcast(np.asarray(pg, dtype=np.float64), parent.data.shape)
                grads[id(parent)] = grads[id(parent)] + pg if id(parent) in grads else pg
        frames.append(Frame(node, _caption(k, len(steps), node), snapshot()))
    return frames


def _same(before: Any, after: Any) -> bool:
    if before is None or after is None:
        return before is after
    return bool(np.array_equal(before, after))


def _received(before: Any, after: Any) -> str:
    """What a step did to a gradient. The first arrival: "+= -2" (or "+= [..]" for a few values). A later one
    shows old and new, "1 → 7": the truth whether the backward step added (+=) or overwrote (=) — a
    learner's "=" for "+=" shows as "1 → 6" where 7 was due, instead of passing as an addition."""
    after_arr = np.asarray(after, dtype=np.float64)
    first = before is None or not np.any(np.asarray(before, dtype=np.float64))

    def show(arr: np.ndarray) -> str:
        if arr.size == 1:
            return f"{arr.item():.4g}"
        if arr.size > 12:
            return f"a {arr.shape} array"
        return "[" + ", ".join(f"{v:.4g}" for v in arr.ravel()) + "]"  # flat, as draw_graph shows data

    if first:
        return "+= " + show(after_arr)
    return show(np.asarray(before, dtype=np.float64)) + " → " + show(after_arr)


def _static_widgets() -> bool:
    """True where widgets cannot show: outputs being stored or compared (``$MINITORCH_STATIC_WIDGETS``), no kernel."""
    if os.environ.get("MINITORCH_STATIC_WIDGETS") == "1":
        return True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return True
    return getattr(get_ipython(), "kernel", None) is None


class BackwardStepper:
    """The frames of a backward pass, shown as a widget in a live notebook and as a few graphs elsewhere.

    Use ``step_through_backward(root)``. ``frame(k)`` draws frame k (a ``ComputationGraph``),
    ``widget()`` builds the ipywidgets stepper, ``static_frames()`` the graphs stored in a notebook.
    """

    def __init__(self, root: Any, *, static: int = 4, interval_ms: int = 900, **draw_options: Any):
        if not isinstance(static, int) or static < 2:
            raise ValueError(f"step_through_backward: static must be an int >= 2 (frames stored), got {static!r}")
        self.root = root
        self.nodes, self.frames = backward_frames(root)
        self.static, self.interval_ms = static, interval_ms
        # Left to right: frames stay short enough to stack a few of them (draw_graph scales a wide one down).
        self.draw_options = {"show_values": True, "rankdir": "LR", **draw_options}
        self._svg: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<BackwardStepper of {len(self.nodes)} nodes, {len(self.frames)} frames; display it in Jupyter>"

    def frame(self, k: int, *, width_pt: float | None = None) -> ComputationGraph:
        """Frame ``k`` (0: the seed; last: every gradient filled in) as a graph; IndexError outside 0..len-1."""
        if not 0 <= k < len(self.frames):
            raise IndexError(f"step_through_backward: frame {k} out of range 0..{len(self.frames) - 1}")
        frame = self.frames[k]
        notes = []  # under each node this step handed gradient to: how much it received
        if k > 0:
            for node, before, after in zip(self.nodes, self.frames[k - 1].grads, frame.grads):
                if node is not frame.current and not _same(before, after):
                    notes.append((node, _received(before, after)))
        graph = draw_graph(self.root, highlight=[frame.current], highlight_color=STEP_COLOR,
                           grads=list(zip(self.nodes, frame.grads)), notes=notes, title=frame.caption,
                           **self.draw_options)
        if width_pt is not None:
            graph.graph_attr["size"] = f"{width_pt / 72:.2f},100"
        return graph

    def static_frames(self) -> list[ComputationGraph]:
        """``static`` frames evenly spaced from the seed to the end (all of them when there are fewer)."""
        n = len(self.frames)
        picks = sorted({round(i * (n - 1) / (self.static - 1)) for i in range(self.static)}) if n > self.static \
            else range(n)
        return [self.frame(k, width_pt=STATIC_WIDTH_PT) for k in picks]

    def _frame_svg(self, k: int) -> str:
        if k not in self._svg:
            svg = self.frame(k)._repr_image_svg_xml()
            self._svg[k] = svg[svg.index("<svg"):]  # inline in HTML: no XML declaration or DOCTYPE
        return self._svg[k]

    def widget(self) -> Any:
        """An ipywidgets box: Play, Prev, Next and a slider over the frames, and the current frame's graph."""
        import ipywidgets as widgets

        last = len(self.frames) - 1
        play = widgets.Play(value=0, min=0, max=last, step=1, interval=self.interval_ms, description="Play")
        slider = widgets.IntSlider(value=0, min=0, max=last, step=1, description="step", continuous_update=True)
        widgets.jslink((play, "value"), (slider, "value"))
        back = widgets.Button(description="◀ Prev", layout=widgets.Layout(width="80px"))
        forward = widgets.Button(description="Next ▶", layout=widgets.Layout(width="80px"))
        view = widgets.HTML(value=self._frame_svg(0))

        def show(change: dict) -> None:
            view.value = self._frame_svg(change["new"])

        slider.observe(show, names="value")
        back.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 0)))
        forward.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, last)))
        box = widgets.VBox([widgets.HBox([play, back, forward, slider]), view])
        box.slider, box.view = slider, view  # for tests and for anyone scripting the stepper
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if not _static_widgets():
            try:  # ipywidgets comes with the course extra; a plain install shows the static frames
                display(self.widget())
                return
            except ImportError:
                pass
        for graph in self.static_frames():
            display(graph)


def step_through_backward(root: Any, *, static: int = 4, interval_ms: int = 900,
                          **draw_options: Any) -> BackwardStepper:
    """Walk the backward pass of ``root`` node by node: the graph, the current node highlighted, the gradients
    filling in.

    Args:
        root: a ``Value`` or ``Tensor`` holding one number (a loss); the graph must not have been freed by
            ``backward()``. Its nodes' ``.grad`` are left as they were.
        static: how many frames a stored notebook output shows (evenly spaced from the seed to the end).
        interval_ms: the Play button's time per frame.
        **draw_options: passed to ``draw_graph`` (defaults here: ``show_values=True``, so small tensors show
            their numbers, and ``rankdir="LR"``).

    Returns:
        a ``BackwardStepper``; displayed in Jupyter it is a widget with Play, Prev/Next and a slider.

    Raises:
        ValueError: see ``backward_frames``; ``static`` below 2.
    """
    return BackwardStepper(root, static=static, interval_ms=interval_ms, **draw_options)
