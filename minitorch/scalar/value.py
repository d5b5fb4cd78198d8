"""The scalar autograd engine: one number, the graph that made it, and its gradient.

Every operation below is written the same way: compute the forward value, then attach a
``_backward`` closure that pushes the output's gradient to the inputs with the op's *local*
derivative (the chain rule, one edge at a time). ``Value.backward`` visits the graph in reverse
topological order and calls those closures.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + a          # c = a*b + a
    >>> c.backward()
    >>> a.grad, b.grad         # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Union

Number = Union[int, float]


def _noop() -> None:
    return None


class Value:
    """A scalar that remembers how it was computed, so that it can be differentiated.

    Attributes:
        data: the number itself (a Python float).
        grad: d(output)/d(self) after ``output.backward()``; starts at 0.0.
        label: an optional name, shown when the graph is drawn.
        _prev: the Values this one was computed from (its parents in the graph).
        _op: the name of the operation that produced it ('' for a leaf).
    """

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_backward")

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "", label: str = ""):
        if isinstance(data, Value):
            raise TypeError("Value(data): data is already a Value; pass data.data to copy the number")
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value(data): expected a real number, got {type(data).__name__} {data!r}") from None
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)
        self._op = _op
        self._backward: Callable[[], None] = _noop

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "+")
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:  # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "*")
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        if isinstance(other, Value):
            return self._pow_value(other)
        if not isinstance(other, (int, float)):
            return NotImplemented
        exponent = float(other)
        try:
            result = self.data**exponent
        except ZeroDivisionError:
            raise ZeroDivisionError(f"pow: 0.0 ** {exponent} is undefined (division by zero)") from None
        if isinstance(result, complex):
            raise ValueError(f"pow: {self.data} ** {exponent} is not a real number "
                             "(negative base with a non-integer exponent)")
        out = Value(result, (self,), f"**{_fmt(exponent)}")

        def _backward() -> None:  # d(x^n)/dx = n x^(n-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def _pow_value(self, other: "Value") -> "Value":
        # x^y = exp(y ln x) is only real and differentiable in y for x > 0.
        if self.data <= 0:
            raise ValueError(f"pow: a Value exponent needs a positive base, got base {self.data} "
                             "(x ** y with y a Value is defined as exp(y * log(x)))")
        out = Value(self.data**other.data, (self, other), "**")

        def _backward() -> None:  # d/dx = y x^(y-1),  d/dy = x^y ln x
            self.grad += other.data * self.data ** (other.data - 1) * out.grad
            other.grad += out.data * math.log(self.data) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> "Value":
        try:
            result = math.exp(self.data)
        except OverflowError:
            result = math.inf
        out = Value(result, (self,), "exp")

        def _backward() -> None:  # d(e^x)/dx = e^x
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> "Value":
        if self.data <= 0:
            raise ValueError(f"log: input must be positive, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:  # d(ln x)/dx = 1/x
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        out = Value(math.tanh(self.data), (self,), "tanh")  # math.tanh saturates, never overflows

        def _backward() -> None:  # d(tanh x)/dx = 1 - tanh(x)^2
            self.grad += (1.0 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> "Value":
        x = self.data
        # Only ever exponentiate a non-positive number, so e^(-x) cannot overflow at x = -1000.
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward() -> None:  # d(sigma x)/dx = sigma(x) (1 - sigma(x))
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> "Value":
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward() -> None:  # d(max(0,x))/dx = 1 if x > 0 else 0  (0 at the kink, like PyTorch)
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

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
            node._backward()

    def _topological_order(self) -> list["Value"]:
        """Every node reachable from self, each after all of its parents (iterative DFS).

        An explicit stack instead of recursion: a chain of 100 000 operations would blow
        Python's recursion limit (about 1 000 frames).
        """
        order: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node._prev:
                if id(parent) not in visited:
                    stack.append((parent, False))
        return order

    # ------------------------------------------------------------------ derived ops
    def __neg__(self) -> "Value":
        return self * -1

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        return self + (-_as_value(other, "-"))

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        other = _as_value(other, "/")
        if other.data == 0:
            raise ZeroDivisionError(f"/: division of {self.data} by zero")
        return self * other**-1

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

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _as_value(x: Union[Value, Number], op: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return Value(x)
    raise TypeError(f"{op}: cannot combine a Value with {type(x).__name__} {x!r}; expected a Value, int or float")


def _fmt(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"
