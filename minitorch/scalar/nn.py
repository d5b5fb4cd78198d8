"""Neural networks out of scalars: ``Neuron``, ``Layer`` and ``MLP`` built from ``Value``s (lesson 05).

Each weight is its own ``Value``, so a forward pass builds a graph with one node per multiply and
add, and ``loss.backward()`` fills every weight's ``.grad``. Slow (one Python object per number)
but every step is visible; the tensor engine later does the same maths on whole arrays.

    >>> import random; random.seed(0)
    >>> model = MLP(2, [4, 1])              # 2 inputs -> 4 ReLU units -> 1 linear output
    >>> score = model([0.5, -1.0])          # a Value
    >>> len(model.parameters())             # (2 + 1) * 4 + (4 + 1) * 1
    17
"""

from __future__ import annotations

import math
import random
from typing import Sequence, Union

from .value import Value

Input = Union[Value, float]
ACTIVATIONS = ("relu", "tanh", "sigmoid", None)


class Module:
    """What Neuron, Layer and MLP share: their parameters, and zeroing those parameters' grads."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (backward *adds* to leaves' grads, so do this every step)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """``activation(w · x + b)`` for an input of ``nin`` numbers.

    Weights and bias start uniform in ``[-1/√nin, 1/√nin]`` (PyTorch's ``nn.Linear`` default), drawn
    from ``rng`` (default: Python's global ``random``, so ``random.seed`` makes it reproducible).
    ``activation`` is ``"relu"``, ``"tanh"``, ``"sigmoid"`` or None (linear). micrograd's spelling
    works too: ``Neuron(nin, nonlin=False)`` is linear, ``nonlin=True`` ReLU.
    """

    def __init__(self, nin: int, activation: str | None = "relu", rng: random.Random | None = None, *,
                 nonlin: bool | None = None):
        if nonlin is not None:  # micrograd's Neuron(nin, nonlin=...)
            activation = "relu" if nonlin else None
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron: nin (the number of inputs) must be a positive int, got {nin!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"Neuron: activation must be one of {ACTIVATIONS}, got {activation!r}")
        rng = rng if rng is not None else random
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(nin)]
        self.b = Value(rng.uniform(-bound, bound), label="b")
        self.activation = activation

    def __call__(self, x: Sequence[Input]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act if self.activation is None else getattr(act, self.activation)()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; calling it returns a list of ``nout``
    Values — or the Value itself when ``nout`` is 1, as micrograd's Layer does."""

    def __init__(self, nin: int, nout: int, activation: str | None = "relu", rng: random.Random | None = None, *,
                 nonlin: bool | None = None):
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer: nout (the number of neurons) must be a positive int, got {nout!r}")
        self.neurons = [Neuron(nin, activation, rng, nonlin=nonlin) for _ in range(nout)]

    def __call__(self, x: Sequence[Input]) -> Union[Value, list[Value]]:
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)}, {len(self.neurons)}, activation={first.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation``; the last layer is linear, so its outputs are raw scores.
    Calling it returns one Value when the last layer has a single neuron, else a list.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | None = "relu",
                 rng: random.Random | None = None):
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size, got an empty list")
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else None, rng)
                       for i in range(len(nouts))]

    def __call__(self, x: Sequence[Input]) -> Union[Value, list[Value]]:
        for layer in self.layers:
            x = layer(x)
            x = [x] if isinstance(x, Value) else x  # a one-neuron layer returns its Value
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        nin = len(self.layers[0].neurons[0].w)
        nouts = [len(layer.neurons) for layer in self.layers]
        return f"MLP({nin}, {nouts}, activation={self.activation!r})"
