"""The scalar autograd engine: one number, the graph that made it, and its gradient.

Every operation below is written the same way: compute the output, and right next to it the
op's *local* derivatives — d(output)/d(input) for each input, evaluated at this point. The
backward pass is then the chain rule, one edge at a time: each node hands its gradient to its
parents, times the local derivative of the edge. ``Value.backward`` visits the graph in reverse
topological order so that a node has received all of its gradient before it passes it on.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + a          # c = a*b + a
    >>> c.backward()
    >>> a.grad, b.grad         # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)

How this differs from micrograd, and why (each change measured with ``python -m benchmarks scalar``
and the prototypes in ``benchmarks/prototypes/``; numbers in ``benchmarks/ENGINE_PLAN.md`` §1):

* **Local derivatives are numbers, not closures.** micrograd gives every node a ``_backward``
  closure: a function object and a cell per captured variable, and a reference cycle (the closure
  refers to its node) that only the cyclic garbage collector can free. Storing the numbers
  d(out)/d(input) keeps the maths in the same place and makes the graph acyclic: it is freed by
  reference counting the moment its root is dropped.
* **Parents in slots, not tuples.** Every op has one or two inputs, so a node keeps them in four
  slots — ``_a``, ``_b`` (the parents) and ``_da``, ``_db`` (their local derivatives) — instead of
  a ``_prev`` tuple and a ``_local_grads`` tuple. A node is then *one* object the garbage collector
  tracks instead of two or three, and a full collection (CPython runs one each time the long-lived
  objects grow by 25 %, and it walks every live node) has a third of the objects to walk.
  Measured on a 69 000-node MLP step (paired with micrograd, two runs each, busy machine): 0.90× and
  1.05× micrograd's time before, 0.45× and 0.45× after, with the collector off; 0.29×/0.32× before,
  0.14×/0.18× after, with it on; and 136 bytes per node instead of 196 (tracemalloc).
  ``_prev`` and ``_local_grads`` are still there, as read-only properties that build the tuples
  on demand (for ``draw_graph`` and your ``trace``).
* **One helper builds every node** (``_node``: ``object.__new__`` and slot stores), skipping
  ``__init__``'s argument checks, which only the user-facing constructor needs.

What remains: a big graph is still one live Python object per node, and the collector's full
collections walk them all, so a step's time grows faster than its node count (log-log slope 1.2
from 1 700 to 1 000 000 nodes with the collector on, 1.0 with it off). Only a graph that keeps no
Python object per node escapes this (the "tape" prototype), and it gives up what this class is for:
a graph of the operands themselves that you can walk, draw and inspect node by node (why, in
``benchmarks/ENGINE_PLAN.md`` §1). For big scalar graphs, pause the collector: ``with no_gc(): ...``.
"""

from __future__ import annotations

import gc
import math
import numbers
from contextlib import contextmanager
from typing import Iterable, Iterator, Optional, Union

Number = Union[int, float]


class Value:
    """A scalar that remembers how it was computed, so that it can be differentiated.

    Attributes:
        data: the number itself (a Python float).
        grad: d(output)/d(self) after ``output.backward()``; starts at 0.0.
        label: an optional name, shown when the graph is drawn.
        _prev: the Values this one was computed from (its parents in the graph), a tuple
            (read-only; stored as ``_a`` and ``_b``).
        _local_grads: d(self)/d(parent) for each parent in ``_prev``, in the same order
            (read-only; stored as ``_da`` and ``_db``).
        _op: the name of the operation that produced it ('' for a leaf).
        _backward: ``None``, or micrograd's way to add an op: a function that passes ``self.grad``
            on to the parents (it then replaces the local derivatives).

    Raises:
        TypeError: ``data`` is not a real number (``bool`` and ``Value`` included).
        ValueError: more than two parents, or local derivatives that do not match the parents.
    """

    # __slots__: no per-instance __dict__, so Values are smaller and attribute access is faster.
    # __weakref__: so that a test (or you) can watch a graph being freed.
    __slots__ = ("data", "grad", "label", "_op", "_a", "_da", "_b", "_db", "_backward", "__weakref__")

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "", label: str = "",
                 _local_grads: tuple[float, ...] = ()):
        self.data = data if type(data) is float else _to_float(data, "Value(data)")
        self.grad = 0.0
        self.label = label
        self._op = _op
        parents = tuple(_children)
        if len(parents) > 2 or (_local_grads and len(_local_grads) != len(parents)):
            raise ValueError(f"Value: an op has one or two parents with one local derivative each, got "
                             f"{len(parents)} parents and {len(_local_grads)} local derivatives")
        self._a, self._b = (parents + (None, None))[:2]
        self._da, self._db = (tuple(_local_grads) + (0.0, 0.0))[:2] if _local_grads else (None, None)
        # Parents without local derivatives pass nothing back, unless you assign a _backward (micrograd).
        self._backward = _pass_nothing if parents and not _local_grads else None

    @property
    def _prev(self) -> tuple["Value", ...]:
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    @property
    def _local_grads(self) -> tuple[float, ...]:
        a, da, b, db = self._a, self._da, self._b, self._db
        return () if a is None or da is None else (da,) if b is None else (da, db)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Union["Value", Number]) -> "Value":
        other = other if type(other) is Value else _as_value(other, "+")
        # d(a+b)/da = 1, d(a+b)/db = 1
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        other = other if type(other) is Value else _as_value(other, "*")
        # d(ab)/da = b, d(ab)/db = a
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __neg__(self) -> "Value":
        # d(-a)/da = -1
        return _node(-self.data, "neg", self, -1.0)

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        other = other if type(other) is Value else _as_value(other, "-")
        # d(a-b)/da = 1, d(a-b)/db = -1
        return _node(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        other = other if type(other) is Value else _as_value(other, "/")
        if other.data == 0:
            raise ZeroDivisionError(f"/: cannot divide {self.data:g} by zero")
        inv = 1.0 / other.data
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return _node(self.data * inv, "/", self, inv, other, -self.data * inv * inv)

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        if isinstance(other, Value):
            return self._pow_value(other)
        n = _to_float(other, "**")
        x = self.data
        if x == 0 and n < 0:
            raise ZeroDivisionError(f"**: 0 ** {_fmt(n)} is undefined (division by zero)")
        if x < 0 and not n.is_integer():
            raise ValueError(f"**: {x:g} ** {_fmt(n)} is not a real number "
                             "(a negative base needs an integer exponent)")
        # d(x^n)/dx = n x^(n-1); at x = 0 that is 0 for n = 0 or n >= 1 and +inf for 0 < n < 1.
        if n == 0:
            local = 0.0
        elif x == 0 and n < 1:
            local = math.inf
        else:
            local = n * _power(x, n - 1)
        return _node(_power(x, n), f"**{_fmt(n)}", self, local)

    def _pow_value(self, other: "Value") -> "Value":
        # x^y = exp(y ln x) is a real, differentiable function of y only for x > 0.
        x, y = self.data, other.data
        if not x > 0:
            raise ValueError(f"**: a Value exponent needs a positive base, got base {x:g} "
                             "(x ** y with y a Value means exp(y * log(x)), defined for x > 0 only)")
        out = _power(x, y)
        # d(x^y)/dx = y x^(y-1),  d(x^y)/dy = x^y ln x
        return _node(out, "**", self, y * _power(x, y - 1), other, out * math.log(x))

    # A number on the left: 2 + a is a + 2 (parents in the order (a, 2), as a + 2 records them).
    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other: Number) -> "Value":
        return _as_value(other, "-") - self

    def __rtruediv__(self, other: Number) -> "Value":
        return _as_value(other, "/") / self

    def __rpow__(self, other: Number) -> "Value":
        return _as_value(other, "**") ** self

    # ------------------------------------------------------------------ functions
    def exp(self) -> "Value":
        """e^x. Overflows to ``inf`` (with gradient ``inf``) for x > ~709.78, like PyTorch."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            out = math.inf
        # d(e^x)/dx = e^x
        return _node(out, "exp", self, out)

    def log(self) -> "Value":
        """Natural logarithm; ValueError for x <= 0, where it is not a real number."""
        x = self.data
        if not x > 0:
            raise ValueError(f"log: input must be positive, got {x:g}")
        # d(ln x)/dx = 1/x
        return _node(math.log(x), "log", self, 1.0 / x)

    def tanh(self) -> "Value":
        """Hyperbolic tangent; math.tanh saturates at ±1 instead of overflowing (e.g. at x = ±1000)."""
        t = math.tanh(self.data)
        # d(tanh x)/dx = 1 - tanh(x)^2
        return _node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> "Value":
        """1 / (1 + e^-x), computed without overflow for any x (e.g. x = ±1000)."""
        x = self.data
        # Only ever exponentiate a non-positive number: e^(-x) at x = -1000 would overflow.
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        # d(sigma x)/dx = sigma(x) (1 - sigma(x))
        return _node(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> "Value":
        """max(0, x); its derivative at the kink x = 0 is taken as 0, like PyTorch."""
        if self.data > 0:
            # d(max(0,x))/dx = 1 if x > 0 else 0
            return _node(self.data, "relu", self, 1.0)
        return _node(0.0, "relu", self, 0.0)

    # ------------------------------------------------------------------ autograd
    def backward(self) -> None:
        """Fill in ``.grad`` of every Value this one depends on with d(self)/d(node).

        Leaves (inputs and weights) *accumulate* across calls, as in PyTorch, so zero them between
        training steps. Intermediate nodes are reset first, so after the call they show exactly
        this pass's gradients (handy when drawing the graph). The graph is kept: calling
        ``backward()`` again adds the same gradients to the leaves once more.
        """
        order = self._topological_order()
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad += 1.0  # d(self)/d(self)
        for node in reversed(order):
            a = node._a
            if a is None:  # a leaf has nothing to pass on
                continue
            if node._backward is not None:  # an op added micrograd's way, with its own closure
                node._backward()
                continue
            # The chain rule at this node: d(root)/d(parent) += d(node)/d(parent) * d(root)/d(node).
            # (Written out here, not in a method: one Python call fewer per node.)
            grad = node.grad
            a.grad += node._da * grad
            b = node._b
            if b is not None:
                b.grad += node._db * grad

    def _topological_order(self) -> list["Value"]:
        """Every node reachable from self, each after all of its parents (iterative DFS).

        An explicit stack instead of recursion: a chain of 100 000 operations would blow
        Python's recursion limit (about 1 000 frames). A node stays on the stack until both its
        parents are placed; re-checking them is cheaper than keeping an iterator per node.
        """
        order: list[Value] = []
        visited = {self}
        stack = [self]
        while stack:
            node = stack[-1]
            parent = node._a
            if parent is not None and parent not in visited:
                visited.add(parent)
                stack.append(parent)
                continue
            parent = node._b
            if parent is not None and parent not in visited:
                visited.add(parent)
                stack.append(parent)
                continue
            order.append(stack.pop())  # both parents are placed: so is this node
        return order

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


_new = object.__new__


def _node(data: float, op: str, a: Optional[Value], da: Optional[float], b: Optional[Value] = None,
          db: float = 0.0) -> Value:
    """The output of an op: its number, the op's name, its parents and their local derivatives.

    Every op builds its result here, without ``Value.__init__``: the inputs are already checked, and
    ``object.__new__`` plus slot stores costs 0.3x the constructor's call and checks (timeit, two runs).
    """
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out._backward = None
    return out


def _pass_nothing() -> None:
    """The _backward of a node built with parents but no local derivatives (micrograd's default)."""


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block (it is restored as it was after).

    A scalar graph is one Python object per node, and CPython's collector walks every live one
    each time it runs a full collection, which it does more often the more objects are alive: on
    a 1 000 000-node graph it takes more time than the maths. minitorch's graphs have no reference
    cycles (they are freed by reference counting when their root is dropped), so pausing the
    collector around a training step loses nothing and removes that cost:

        with no_gc():
            for step in range(100):
                loss = ...; loss.backward(); ...

    Don't wrap code that creates reference cycles for long (micrograd's closures make one per op):
    their memory comes back only after the block.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _to_float(x: object, op: str) -> float:
    # numbers.Real covers int, float and numpy's scalars; bool is a number to Python but
    # almost always a bug here (e.g. a comparison used where its value was meant).
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    hint = "; pass v.data to use its number" if isinstance(x, Value) else ""
    raise TypeError(f"{op}: expected a real number (int or float), got {type(x).__name__} {x!r}{hint}")


def _as_value(x: Union[Value, Number], op: str) -> Value:
    """A number on either side of an op becomes a leaf of the graph (drawn as one)."""
    if type(x) is float:  # the common case first: the isinstance checks below cost more than the op
        return _node(x, "", None, None)
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return _node(float(x), "", None, None)
    raise TypeError(f"{op}: cannot combine a Value with {type(x).__name__} {x!r}; expected a Value, int or float")


def _power(x: float, n: float) -> float:
    """x ** n for a real result, overflowing to ±inf like PyTorch instead of raising OverflowError."""
    try:
        return x**n
    except OverflowError:
        negative = x < 0 and n % 2 == 1  # a negative base to an odd power
        return -math.inf if negative else math.inf


def _fmt(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"
