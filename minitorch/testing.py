"""Checking numbers: ``assert_close`` and ``gradcheck`` (autograd vs finite differences)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


def _as_array(x: Any) -> np.ndarray:
    data = getattr(x, "data", x)  # Value.data is a float, Tensor.data an ndarray
    return np.asarray(data, dtype=np.float64)


def assert_close(actual: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-8, msg: str | None = None) -> None:
    """Raise AssertionError unless ``|actual - expected| <= atol + rtol * |expected|`` elementwise.

    Accepts numbers, sequences, numpy arrays, ``Value`` and ``Tensor``. The message says where and
    by how much the values differ, prefixed by ``msg``.
    """
    a, e = _as_array(actual), _as_array(expected)
    prefix = f"{msg}: " if msg else ""
    if a.shape != e.shape:
        raise AssertionError(f"{prefix}shape {a.shape} differs from the expected shape {e.shape}")
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    if a.ndim == 0:
        raise AssertionError(f"{prefix}got {a.item():.10g}, expected {e.item():.10g} "
                             f"(difference {abs(a.item() - e.item()):.3g}, tolerance {atol + rtol * abs(e.item()):.3g})")
    bad = np.argwhere(~close)
    where = tuple(int(i) for i in bad[0])
    raise AssertionError(f"{prefix}{len(bad)} of {a.size} values differ; first at index {where}: "
                         f"got {a[where]:.10g}, expected {e[where]:.10g} "
                         f"(max abs difference {np.nanmax(np.abs(a - e)):.3g})")


def numerical_gradient(f: Callable[[Sequence[float]], float], xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences (f(x + h) - f(x - h)) / 2h for each input of a function of floats."""
    grads = []
    for i in range(len(xs)):
        plus = list(xs); plus[i] += eps
        minus = list(xs); minus[i] -= eps
        grads.append((f(plus) - f(minus)) / (2 * eps))
    return grads


def gradcheck(fn: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Compare autograd's gradients of ``fn(*inputs)`` with central finite differences.

    Scalar engine: ``inputs`` are numbers (or ``Value``s, whose ``.data`` is used); ``fn`` takes
    that many ``Value``s and returns a ``Value``. Tensor engine: see ``_gradcheck_tensors``.
    Returns True, or raises AssertionError naming the input whose gradient is wrong (returns False
    when ``raise_exception=False``).
    """
    from .scalar import Value

    if any(isinstance(getattr(x, "data", None), np.ndarray) for x in inputs):  # Tensors: the tensor engine
        return _gradcheck_tensors(fn, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
    xs = [float(getattr(x, "data", x)) for x in inputs]

    def forward(values: Sequence[float]) -> float:
        return fn(*[Value(v) for v in values]).data

    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(xs)]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    out.backward()
    analytic = [leaf.grad for leaf in leaves]
    numeric = numerical_gradient(forward, xs, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not np.isclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                raise AssertionError(f"gradcheck: gradient of input {i} (x{i} = {xs[i]:.6g}) is wrong: "
                                     f"autograd says {a:.8g}, finite differences say {n:.8g}")
            return False
    return True


def numerical_vjp(fn: Callable[..., Any], arrays: Sequence[Any], v: Any, eps: float = 1e-6,
                  wrt: Sequence[int] | None = None) -> list[np.ndarray]:
    """Finite-difference vector-Jacobian products: ``[d sum(v * fn(*arrays)) / d arrays[k] for k in wrt]``.

    This is what autograd's ``backward(gradient=v)`` computes, found without autograd: ``fn`` maps
    numpy arrays to an array of ``v``'s shape; each entry of each array in ``wrt`` (default: all)
    is nudged by ±eps on a float64 copy (central differences). Each result has its array's shape.
    """
    xs = [np.array(a, dtype=np.float64) for a in arrays]
    v = np.asarray(v, dtype=np.float64)
    grads = []
    for k in range(len(xs)) if wrt is None else wrt:
        x = xs[k]  # perturbed in place below; fn reads it afresh on every call
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            original = x[j]
            x[j] = original + eps
            plus = float(np.sum(v * np.asarray(fn(*xs), dtype=np.float64)))
            x[j] = original - eps
            minus = float(np.sum(v * np.asarray(fn(*xs), dtype=np.float64)))
            x[j] = original
            g[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def _gradcheck_tensors(fn: Callable[..., Any], inputs: Sequence[Any], *, eps: float, atol: float, rtol: float,
                       raise_exception: bool) -> bool:
    """gradcheck for the tensor engine.

    The inputs with ``requires_grad=True`` are checked, on float64 copies (finite differences in
    float32 are too coarse to tell a right gradient from a wrong one); other inputs (targets,
    indices, constants) are passed as they are. ``fn`` may return a tensor of any shape: with a
    fixed random ``v`` of that shape, the scalar ``sum(v * fn(...))`` is differentiated both by
    autograd (``out.backward(gradient=v)``) and by central differences (``numerical_vjp``).
    """
    from .tensor import Tensor, no_grad

    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is no gradient to check")
    args = [Tensor(x.data.astype(np.float64), requires_grad=True) if i in checked else x
            for i, x in enumerate(inputs)]
    out = fn(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    v = np.random.default_rng(0).standard_normal(out.shape)  # its own generator: the global one is untouched
    if out.requires_grad:
        out.backward(gradient=v)

    def forward(*arrays: np.ndarray) -> np.ndarray:
        call = list(inputs)
        for i, array in zip(checked, arrays):
            call[i] = Tensor(array)
        with no_grad():
            return fn(*call).data

    numerics = numerical_vjp(forward, [args[i].data for i in checked], v, eps)
    for i, numeric in zip(checked, numerics):
        x = args[i].data
        analytic = np.zeros_like(x) if args[i].grad is None else args[i].grad.data
        if analytic.shape != x.shape:
            raise AssertionError(f"gradcheck: the gradient of input {i} has shape {analytic.shape}, "
                                 f"expected the input's shape {x.shape}")
        close = np.isclose(analytic, numeric, rtol=rtol, atol=atol)
        if not close.all():
            if not raise_exception:
                return False
            where = tuple(int(k) for k in np.argwhere(~close)[0])
            raise AssertionError(f"gradcheck: the gradient of input {i} (shape {x.shape}) is wrong at index {where}: "
                                 f"autograd says {analytic[where]:.8g}, finite differences say {numeric[where]:.8g} "
                                 f"({int((~close).sum())} of {x.size} entries differ)")
    return True


# ------------------------------------------------------------------ where in a graph is a gradient wrong?
# The forward function of each op, by the names minitorch and the lessons' Value/Tensor classes give
# them (``_op``); "**3" is a power by a constant. A node whose op is not here, or whose recomputed value
# differs from its stored ``data``, cannot be replayed: the nodes it depends on get no expected gradient.
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow


_UNARY_OPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "neg": np.negative, "-": np.negative, "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0), "ReLU": lambda x: np.maximum(x, 0.0), "sum": np.sum, "mean": np.mean,
    "T": np.transpose,
}
_BINARY_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add, "*": np.multiply, "-": np.subtract, "/": np.divide, "**": np.power, "@": np.matmul,
    "matmul": np.matmul,
}


def _forward_of(op: str, n_parents: int) -> Callable[..., np.ndarray] | None:
    if n_parents == 1 and op in _UNARY_OPS:
        return _UNARY_OPS[op]
    if n_parents == 2 and op in _BINARY_OPS:
        return _BINARY_OPS[op]
    if n_parents == 1 and op.startswith("**"):
        try:
            exponent = float(op[2:])
        except ValueError:
            return None
        return lambda x: np.power(x, exponent)
    return None


def _grad_array(node: Any) -> np.ndarray | None:
    grad = getattr(node, "grad", None)
    if grad is None:
        return None
    grad = grad if isinstance(grad, np.ndarray) else getattr(grad, "data", grad)
    return np.asarray(grad, dtype=np.float64)


class NodeGradient:
    """One node's gradient after a backward pass, beside the one finite differences expect.

    ``expected`` is None when it cannot be found (an op the replay does not know, on the way to the root);
    ``wrong`` is True when ``got`` differs from ``expected`` beyond the tolerance.
    """

    def __init__(self, node: Any, name: str, got: np.ndarray | None, expected: np.ndarray | None, wrong: bool,
                 rtol: float = 1e-4, atol: float = 1e-5):
        self.node, self.name, self.got, self.expected, self.wrong = node, name, got, expected, wrong
        self.rtol, self.atol = rtol, atol

    def describe(self) -> str:
        """"got 3, expected -2" (for an array: at the first entry that differs)."""
        if self.got is None:
            return f"got None, expected {_short(self.expected)}"
        if self.got.shape != self.expected.shape:
            return f"got shape {self.got.shape}, expected {self.expected.shape}"
        if self.got.ndim == 0:
            return f"got {_short(self.got)}, expected {_short(self.expected)}"
        where = tuple(int(i) for i in np.argwhere(~np.isclose(self.got, self.expected, rtol=self.rtol, atol=self.atol))[0])
        return f"at {where} got {_short(self.got[where])}, expected {_short(self.expected[where])}"

    def __repr__(self) -> str:
        return f"NodeGradient({self.name!r}, {'wrong: ' + self.describe() if self.wrong else 'ok'})"


def _short(x: Any) -> str:
    x = np.asarray(x, dtype=np.float64)
    return f"{x.item():.4g}" if x.size == 1 else np.array2string(x, precision=3, threshold=6)


def _node_names(order: list[Any]) -> dict[int, str]:
    """How a message names each node: its label, else a short expression such as "2 * -3", else its op."""
    from .viz.graph import op_of, parents_of

    names: dict[int, str] = {}
    operand: dict[int, str] = {}  # the name inside a bigger expression: "a * b" becomes "(a * b)"
    for node in order:
        label = getattr(node, "label", "") or ""
        data = np.asarray(getattr(node, "data", 0.0))
        parents = parents_of(node)
        if label:
            names[id(node)] = operand[id(node)] = str(label)
        elif not parents:
            names[id(node)] = operand[id(node)] = f"{data.item():g}" if data.size == 1 else f"a {data.shape} input"
        else:
            op = op_of(node)
            infix = len(parents) == 2 and len(op) <= 2
            text = (f"{operand[id(parents[0])]} {op} {operand[id(parents[1])]}" if infix
                    else f"{op}({', '.join(names[id(p)] for p in parents)})")
            if len(text) > 24:
                text, infix = f"the {op} node", False
            names[id(node)] = text
            operand[id(node)] = f"({text})" if infix else text
    return names


def node_gradients(root: Any, *, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-5,
                   max_nodes: int = 300) -> list[NodeGradient]:
    """Compare every node's ``.grad`` after ``root.backward()`` with d(root)/d(node) by central differences.

    The expected gradients never come from the backward pass under test: the graph's forward pass is
    replayed in float64 from the leaves' data, with each node's op (``_op``: + - * / ** @ neg exp log tanh
    sigmoid relu sum mean), and each node's value (each entry, for an array) is nudged by ±eps in turn.
    Duck-typed like ``draw_graph``, so it works on the lessons' own ``Value`` and ``Tensor`` classes.

    Returns one ``NodeGradient`` per node, in topological order (root last). A node whose gradient is None
    (an intermediate tensor whose grad was not kept) is compared only when it is a leaf.

    Raises:
        ValueError: ``root`` is not a single number, or the graph has more than ``max_nodes`` nodes.
    """
    from .viz.graph import graph_order, op_of, parents_of

    if np.asarray(getattr(root, "data", None), dtype=np.float64).size != 1:
        raise ValueError("node_gradients: the root must hold a single number (a loss), "
                         f"got data of shape {np.shape(getattr(root, 'data', None))}")
    order = graph_order(root)
    if len(order) > max_nodes:
        raise ValueError(f"node_gradients: the graph has {len(order)} nodes, more than max_nodes={max_nodes}")
    position = {id(n): i for i, n in enumerate(order)}
    stored = [np.array(n.data, dtype=np.float64) for n in order]
    parents = [[position[id(p)] for p in parents_of(n)] for n in order]
    forwards: list[Callable[..., np.ndarray] | None] = []
    for i, node in enumerate(order):
        forward = _forward_of(op_of(node), len(parents[i])) if parents[i] else None
        if forward is not None:  # the replay must give back what the forward pass stored
            with np.errstate(all="ignore"):
                again = np.asarray(forward(*[stored[j] for j in parents[i]]), dtype=np.float64)
            tight = np.asarray(node.data).dtype != np.float32
            if again.shape != stored[i].shape or not np.allclose(again, stored[i], rtol=1e-9 if tight else 1e-5,
                                                                  atol=1e-12 if tight else 1e-6):
                forward = None
        forwards.append(forward)
    # replayable[i]: every node from i to the root can be recomputed, so d(root)/d(node i) can be measured.
    depends = [{i} for i in range(len(order))]  # depends[i]: the nodes that depend on node i (and i)
    for i in range(len(order)):
        for j in parents[i]:
            depends[j].add(i)
    for i in reversed(range(len(order))):
        for k in list(depends[i]):
            depends[i] |= depends[k]

    def root_value(values: list[np.ndarray], start: int) -> float:
        for k in range(start + 1, len(order)):
            if k in depends[start]:
                values[k] = np.asarray(forwards[k](*[values[j] for j in parents[k]]), dtype=np.float64)
        return float(values[-1].reshape(()))

    names = _node_names(order)
    result = []
    for i, node in enumerate(order):
        got = _grad_array(node)
        expected = None
        if i == len(order) - 1:
            expected = np.ones_like(stored[i])
        elif all(forwards[k] is not None for k in depends[i] if k != i):
            expected = np.zeros_like(stored[i])
            values = [v.copy() for v in stored]
            with np.errstate(all="ignore"):
                for j in np.ndindex(stored[i].shape):
                    values[i] = stored[i].copy(); values[i][j] += eps
                    plus = root_value(values, i)
                    values[i] = stored[i].copy(); values[i][j] -= eps
                    minus = root_value(values, i)
                    expected[j] = (plus - minus) / (2 * eps)
        # No grad is fine on an intermediate tensor (not kept) and on a constant (requires_grad=False).
        if expected is None or (got is None and (parents[i] or not getattr(node, "requires_grad", True))):
            wrong = False
        elif got is None or got.shape != expected.shape:
            wrong = True
        else:
            wrong = not np.allclose(got, expected, rtol=rtol, atol=atol)
        result.append(NodeGradient(node, names[id(node)], got, expected, wrong, rtol, atol))
    return result


class GradientMismatch(AssertionError):
    """A backward pass whose gradients differ from finite differences at some nodes of a graph.

    Carries the graph (``root``) and the per-node diagnosis (``nodes``); ``draw()`` draws the graph with
    the wrong nodes highlighted and annotated "got …, expected …" (``check()`` shows it in a notebook).
    """

    def __init__(self, message: str, root: Any, nodes: list[NodeGradient], what: str = ""):
        super().__init__(message)
        self.root, self.nodes, self.what = root, nodes, what

    @property
    def wrong(self) -> list[NodeGradient]:
        return [n for n in self.nodes if n.wrong]

    def draw(self) -> Any:
        """The graph, wrong nodes in a red frame with "got …, expected …" under them."""
        from .viz import draw_graph

        notes = [(n.node, n.describe()) for n in self.wrong]
        title = f"{self.what}: wrong gradients in red" if self.what else "wrong gradients in red"
        return draw_graph(self.root, highlight=[n.node for n in self.wrong], notes=notes, title=title)


def assert_node_gradients(root: Any, what: str = "", *, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """Raise ``GradientMismatch`` unless every node's ``.grad`` (after ``root.backward()``) matches finite differences.

    The message names how many nodes are wrong and the first one going backwards from the root — where
    the mistake entered: a wrong root means the seed d(root)/d(root) = 1; a wrong node whose users are
    all right means the backward step of those users. See ``node_gradients`` for how expectations are made.
    """
    from .viz.graph import op_of, parents_of

    nodes = node_gradients(root, rtol=rtol, atol=atol)
    wrong = [n for n in nodes if n.wrong]
    if not wrong:
        return
    first = wrong[-1]  # nodes are in topological order: the last wrong one is nearest the root
    prefix = f"{what}: " if what else ""
    lines = [f"{prefix}the gradient is wrong at {len(wrong)} of {len(nodes)} nodes (finite differences of the root "
             f"with respect to each node say otherwise). Nearest the root: {first.name}, {first.describe()}"]
    if first.node is root:
        lines.append("the root's own gradient d(root)/d(root) should be 1: is it set before the backward steps run?")
    else:
        users = sorted({op_of(n.node) for n in nodes if any(p is first.node for p in parents_of(n.node))})
        lines.append(f"its users' gradients are right, so look at the backward step of {' and '.join(users)}, "
                     f"which hands {first.name} its gradient")
    others = [f"{n.name}: {n.describe()}" for n in reversed(wrong[:-1])][:3]
    if others:
        lines.append("also wrong: " + "; ".join(others) + (" …" if len(wrong) > 4 else ""))
    raise GradientMismatch(" — ".join(lines), root, nodes, what)
