"""minitorch.Neuron / Layer / MLP on scalars, and the plots that show their training."""

from __future__ import annotations

import math
import random

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from minitorch import MLP, Layer, Neuron, Value  # noqa: E402
from minitorch.testing import assert_close  # noqa: E402
from minitorch.viz import plot_decision_boundary, plot_loss_curve  # noqa: E402

REFERENCE = {"relu": lambda z: max(0.0, z), "tanh": math.tanh, "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
             None: lambda z: z}


@pytest.mark.parametrize("activation", list(REFERENCE))
def test_neuron_computes_activation_of_weighted_sum(activation):
    n = Neuron(3, activation, rng=random.Random(0))
    x = [0.5, -1.0, 2.0]
    z = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    assert_close(n(x).data, REFERENCE[activation](z), rtol=1e-12, msg=f"{activation} neuron output")


def test_linear_neuron_gradients_are_the_inputs():
    n = Neuron(3, None, rng=random.Random(1))
    x = [0.5, -1.0, 2.0]
    n(x).backward()
    assert_close([w.grad for w in n.w] + [n.b.grad], x + [1.0], msg="d(w·x + b)/d(w, b) = (x, 1)")


def test_neuron_accepts_value_inputs_and_backprops_into_them():
    n = Neuron(2, "tanh", rng=random.Random(2))
    xs = [Value(0.3), Value(-0.7)]
    out = n(xs)
    out.backward()
    slope = 1 - out.data**2
    assert_close([x.grad for x in xs], [slope * w.data for w in n.w], msg="d tanh(w·x + b)/dx = (1 - out²) w")


def test_initialisation_follows_pytorch_linear_bounds_and_is_seeded():
    n = Neuron(16, rng=random.Random(0))
    bound = 1 / math.sqrt(16)
    assert all(-bound <= p.data <= bound for p in n.parameters()), "weights and bias in [-1/√nin, 1/√nin]"
    random.seed(5)
    a = [p.data for p in MLP(2, [4, 1]).parameters()]
    random.seed(5)
    b = [p.data for p in MLP(2, [4, 1]).parameters()]
    assert a == b, "random.seed makes the initialisation reproducible"
    assert len(set(a)) == len(a), "every parameter gets its own random value"


def test_layer_and_mlp_shapes_and_parameter_counts():
    layer = Layer(3, 5, rng=random.Random(0))
    out = layer([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 5 and all(isinstance(v, Value) for v in out)
    assert len(layer.parameters()) == 5 * (3 + 1)
    mlp = MLP(2, [16, 16, 1], rng=random.Random(0))
    assert len(mlp.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert isinstance(mlp([0.1, 0.2]), Value), "a single output neuron gives a Value"
    multi = MLP(2, [3, 4], rng=random.Random(0))([0.1, 0.2])
    assert isinstance(multi, list) and len(multi) == 4, "several output neurons give a list"


def test_mlp_hidden_layers_use_the_activation_and_the_last_layer_is_linear():
    mlp = MLP(2, [4, 4, 3], activation="tanh", rng=random.Random(0))
    assert [n.activation for layer in mlp.layers for n in layer.neurons] == ["tanh"] * 8 + [None] * 3


def test_mlp_gradients_match_finite_differences_of_the_loss():
    mlp = MLP(2, [4, 4, 1], activation="tanh", rng=random.Random(3))
    data = [([0.5, -1.0], 1.0), ([-0.3, 0.8], -1.0), ([1.2, 0.1], 1.0)]

    def loss() -> Value:
        return sum((mlp(x) - y) ** 2 for x, y in data) / len(data)

    mlp.zero_grad()
    loss().backward()
    h = 1e-6
    for p in mlp.parameters():
        autograd = p.grad
        p.data += h
        up = loss().data
        p.data -= 2 * h
        down = loss().data
        p.data += h
        assert_close(autograd, (up - down) / (2 * h), rtol=1e-4, atol=1e-7, msg=f"gradient of parameter {p.label}")


def test_zero_grad_resets_every_parameter():
    mlp = MLP(2, [3, 1], rng=random.Random(0))
    mlp([1.0, -1.0]).backward()
    assert any(p.grad != 0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_sgd_on_xor_reaches_zero_hinge_loss():
    # XOR is the smallest problem a single neuron cannot solve; one hidden layer can.
    mlp = MLP(2, [8, 1], activation="tanh", rng=random.Random(0))
    data = [([0.0, 0.0], -1.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], -1.0)]
    for _ in range(300):
        loss = sum((1 - y * mlp(x)).relu() for x, y in data) / 4
        mlp.zero_grad()
        loss.backward()
        for p in mlp.parameters():
            p.data -= 0.2 * p.grad
    assert loss.data == 0.0, f"every XOR point should be classified with margin 1, loss is {loss.data}"


def test_repr_names_the_architecture():
    assert repr(Neuron(3, "tanh")) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 2)) == "Layer(3, 2, activation='relu')"
    assert repr(MLP(2, [16, 1])) == "MLP(2, [16, 1], activation='relu')"


@pytest.mark.parametrize("make, message", [
    (lambda: Neuron(0), "Neuron: nin"), (lambda: Neuron(2, "softmax"), "Neuron: activation must be one of"),
    (lambda: Layer(2, 0), "Layer: nout"), (lambda: MLP(2, []), "MLP: nouts"),
    (lambda: MLP(2, [1], activation="gelu"), "MLP: activation must be one of"),
    (lambda: Neuron(2)([1.0, 2.0, 3.0]), "Neuron: expected 2 inputs, got 3"),
])
def test_bad_arguments_raise_value_error_naming_the_class(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ---------------------------------------------------------------------------- plots
def test_plot_loss_curve_draws_the_losses_against_steps():
    ax = plot_loss_curve([3.0, 2.0, 1.5], log=True)
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [0, 1, 2] and list(line.get_ydata()) == [3.0, 2.0, 1.5]
    assert ax.get_yscale() == "log"
    plt.close("all")
    with pytest.raises(ValueError, match="plot_loss_curve: expected a non-empty 1-D sequence"):
        plot_loss_curve([])


def test_plot_decision_boundary_evaluates_a_grid_and_scatters_each_class():
    X = np.array([[-1.0, 0.0], [1.0, 0.5], [-0.5, 1.0], [0.7, -1.0]])
    y = np.array([0, 1, 0, 1])
    seen = []

    def predict(P):
        seen.append(P.shape)
        return P[:, 0] > 0  # class 1 right of the y-axis

    fig, ax = plt.subplots()
    assert plot_decision_boundary(predict, X, y, ax=ax, resolution=20) is ax
    assert seen == [(400, 2)], f"predict_fn should be called once on a 20×20 grid, got {seen}"
    offsets = [c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets") and len(c.get_offsets()) == 2]
    assert len(offsets) == 2, "one scatter per class"
    plt.close("all")


def test_plot_decision_boundary_rejects_bad_shapes():
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 2\)"):
        plot_decision_boundary(lambda P: P[:, 0] > 0, np.zeros((4, 3)), y)
    with pytest.raises(ValueError, match="returned 1 labels for 3600 points"):
        plot_decision_boundary(lambda P: [0], X, y)
    plt.close("all")
