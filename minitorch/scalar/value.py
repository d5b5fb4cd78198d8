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

Why store local derivatives (numbers) instead of micrograd's per-op ``_backward`` closures? Same
maths, same place in the code — but a closure costs a function object and a cell per captured
variable, and the garbage collector then spends most of a big training step walking those
objects. Tuples of floats are cheaper: this engine runs a scalar MLP step faster than micrograd
(see ``benchmarks/bench_scalar.py``).
"""

from __future__ import annotations

import math
import numbers
from typing import Iterable, Union

Number = Union[int, float]


class Value:
    """A scalar that remembers how it was computed, so that it can be differentiated.

    Attributes:
        data: the number itself (a Python float).
        grad: d(output)/d(self) after ``output.backward()``; starts at 0.0.
        label: an optional name, shown when the graph is drawn.
        _prev: the Values this one was computed from (its parents in the graph), a tuple.
        _local_grads: d(self)/d(parent) for each parent in ``_prev``, in the same order.
        _op: the name of the operation that produced it ('' for a leaf).
    """

    # __slots__: no per-instance __dict__, so Values are smaller and attribute access is faster.
    __slots__ = ("data", "grad", "label", "_prev", "_local_grads", "_op", "_backward")

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "", label: str = "",
                 _local_grads: tuple[float, ...] = ()):
        self.data = data if type(data) is float else _to_float(data, "Value(data)")
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)
        self._local_grads = _local_grads
        self._op = _op
        self._backward = None  # micrograd's way to add an op: assign out._backward = a closure
    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "+")
        # d(a+b)/da = 1, d(a+b)/db = 1
        return Value(self.data + other.data, (self, other), "+", _local_grads=(1.0, 1.0))

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "*")
        # d(ab)/da = b, d(ab)/db = a
        return Value(self.data * other.data, (self, other), "*", _local_grads=(other.data, self.data))

    def __neg__(self) -> "Value":
        # d(-a)/da = -1
        return Value(-self.data, (self,), "neg", _local_grads=(-1.0,))

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "-")
        # d(a-b)/da = 1, d(a-b)/db = -1
        return Value(self.data - other.data, (self, other), "-", _local_grads=(1.0, -1.0))

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "/")
        if other.data == 0:
            raise ZeroDivisionError(f"/: cannot divide {self.data:g} by zero")
        inv = 1.0 / other.data
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return Value(self.data * inv, (self, other), "/", _local_grads=(inv, -self.data * inv * inv))

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
        return Value(_power(x, n), (self,), f"**{_fmt(n)}", _local_grads=(local,))

    def _pow_value(self, other: "Value") -> "Value":
        # x^y = exp(y ln x) is a real, differentiable function of y only for x > 0.
        x, y = self.data, other.data
        if not x > 0:
            raise ValueError(f"**: a Value exponent needs a positive base, got base {x:g} "
                             "(x ** y with y a Value means exp(y * log(x)), defined for x > 0 only)")
        out = _power(x, y)
        # d(x^y)/dx = y x^(y-1),  d(x^y)/dy = x^y ln x
        return Value(out, (self, other), "**", _local_grads=(y * _power(x, y - 1), out * math.log(x)))

    def __radd__(self, other: Number) -> "Value":
        return self + other

    def __rsub__(self, other: Number) -> "Value":
        return _as_value(other, "-") - self

    def __rmul__(self, other: Number) -> "Value":
        return self * other

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
        return Value(out, (self,), "exp", _local_grads=(out,))

    def log(self) -> "Value":
        """Natural logarithm; ValueError for x <= 0, where it is not a real number."""
        x = self.data
        if not x > 0:
            raise ValueError(f"log: input must be positive, got {x:g}")
        # d(ln x)/dx = 1/x
        return Value(math.log(x), (self,), "log", _local_grads=(1.0 / x,))

    def tanh(self) -> "Value":
        """Hyperbolic tangent; math.tanh saturates at ±1 instead of overflowing (e.g. at x = ±1000)."""
        t = math.tanh(self.data)
        # d(tanh x)/dx = 1 - tanh(x)^2
        return Value(t, (self,), "tanh", _local_grads=(1.0 - t * t,))

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
        return Value(s, (self,), "sigmoid", _local_grads=(s * (1.0 - s),))

    def relu(self) -> "Value":
        """max(0, x); its derivative at the kink x = 0 is taken as 0, like PyTorch."""
        positive = self.data > 0
        # d(max(0,x))/dx = 1 if x > 0 else 0
        return Value(self.data if positive else 0.0, (self,), "relu", _local_grads=(1.0 if positive else 0.0,))

    # ------------------------------------------------------------------ autograd
    def backward(self) -> None:
        """Fill in ``.grad`` of every Value this one depends on with d(self)/d(node).

        Leaves (inputs and weights) *accumulate* across calls, as in PyTorch, so zero them between
        training steps. Intermediate nodes are reset first, so after the call they show exactly
        this pass's gradients (handy when drawing the graph).
        """
        order = self._topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0  # d(self)/d(self)
        for node in reversed(order):
            if node._prev:  # a leaf has nothing to pass on
                if node._backward is None:
                    node._chain_rule()
                else:  # an op added micrograd's way, with its own closure
                    node._backward()

    def _chain_rule(self) -> None:
        """The chain rule at one node: pass d(root)/d(self) to each parent, times the local derivative."""
        grad = self.grad
        for parent, local in zip(self._prev, self._local_grads):
            parent.grad += local * grad

    def _topological_order(self) -> list["Value"]:
        """Every node reachable from self, each after all of its parents (iterative DFS).

        An explicit stack instead of recursion: a chain of 100 000 operations would blow
        Python's recursion limit (about 1 000 frames). A node stays on the stack until all its
        parents are placed; re-scanning its (at most two) parents is cheaper than keeping an
        iterator per node.
        """
        order: list[Value] = []
        visited = {self}
        stack = [self]
        while stack:
            node = stack[-1]
            for parent in node._prev:
                if parent not in visited:
                    visited.add(parent)
                    stack.append(parent)
                    break
            else:  # every parent is placed: so is this node
                order.append(stack.pop())
        return order

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _to_float(x: object, op: str) -> float:
    # numbers.Real covers int, float and numpy's scalars; bool is a number to Python but
    # almost always a bug here (e.g. a comparison used where its value was meant).
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    hint = "; pass v.data to use its number" if isinstance(x, Value) else ""
    raise TypeError(f"{op}: expected a real number (int or float), got {type(x).__name__} {x!r}{hint}")


def _as_value(x: Union[Value, Number], op: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
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
