"""Graded tests for lesson 05 (neural nets on scalars). Each test takes ``nb``, the notebook's namespace.

Expected values are computed here with plain floats (the same formulas, no ``Value``s), from the
parameters the learner's objects hold. 05.4 trains ``minitorch.MLP`` models, so that a slip in 05.1-05.2
does not also cost the points of the training loop (it does use the learner's 05.3 loss functions).
"""

import math
import random

import minitorch
from minitorch import Value
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("05.1", "A neuron", points=2,
             hints=("A neuron owns nin weights and a bias, all small random Values drawn uniformly in ±1/√nin; "
                    "calling it computes the weighted sum plus bias and applies its activation (or none).",
                    "__init__: bound = 1/√nin; a list of nin Values drawn uniformly in [−bound, bound] and one "
                    "more for the bias. __call__: start the sum at the bias and add wᵢ·xᵢ; apply relu, tanh or "
                    "nothing. parameters(): weights then bias.",
                    "act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)")),
    Exercise("05.2", "Layer and MLP", points=2, needs=("05.1",),
             hints=("A Layer is a list of neurons reading the same inputs; an MLP is a list of layers whose "
                    "sizes chain together, and the last layer has no activation.",
                    "Layer: nout Neurons of nin inputs; calling returns each neuron's output. MLP: sizes = nin "
                    "followed by nouts; layer i maps sizes[i] → sizes[i+1], with the activation except for the "
                    "last. __call__ feeds x through each layer and unwraps a single output.",
                    "sizes = [nin] + list(nouts)")),
    Exercise("05.3", "Hinge loss, L2 penalty, accuracy", points=2,
             hints=("Hinge: penalise each example whose margin y·s is below 1, by how much it is below, and "
                    "average. L2: alpha times the sum of squared parameters. Accuracy: how often the score's "
                    "sign agrees with the label.",
                    "hinge = mean over examples of relu(1 − y·s); l2 = alpha · Σ p·p; accuracy = (number of "
                    "examples with s.data·y > 0) / N.",
                    "return alpha * sum(p * p for p in params)")),
    Exercise("05.4", "Mini-batch SGD", points=3, needs=("05.1", "05.2", "05.3"), timeout=30,
             hints=("Each epoch: shuffle the example order with a seeded random generator, cut it into "
                    "mini-batches, and for each batch do forward, loss, zero_grad, backward, update. Record one"
                    " loss per batch.",
                    "rng = random.Random(seed); per epoch shuffle the indices; for each slice of batch_size "
                    "indices: loss = hinge on the batch + l2 penalty of all parameters; zero_grad; backward; "
                    "every parameter's data moves by −lr × its grad; record loss.data.",
                    "p.data -= lr * p.grad   # for every parameter p")),
]

ACTIVATION = {"relu": lambda z: max(0.0, z), "tanh": math.tanh, None: lambda z: z}


def neuron_by_hand(neuron, x):
    """activation(w·x + b) in plain floats, from the neuron's own parameters."""
    z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
    return ACTIVATION[neuron.activation](z)


# ------------------------------------------------------------------------------------------- 05.1
@graded("05.1")
def test_neuron_parameters_are_nin_weights_and_a_bias(nb):
    n = nb.Neuron(3)
    assert len(n.w) == 3 and all(isinstance(w, Value) for w in n.w), f"Neuron(3).w should be 3 Values, got {n.w!r}"
    assert isinstance(n.b, Value), f"Neuron(3).b should be a Value, got {n.b!r}"
    params = n.parameters()
    assert len(params) == 4 and all(p is q for p, q in zip(params, n.w + [n.b])), \
        "parameters() should return the weights followed by the bias (the same Value objects)"


@graded("05.1", hint="Draw every parameter uniformly between −1/√nin and +1/√nin with the `random` module "
                     "(which the test seeds).")
def test_neuron_starts_with_small_distinct_random_parameters(nb):
    random.seed(1)
    n = nb.Neuron(16)
    values = [p.data for p in n.parameters()]
    assert all(abs(v) <= 0.25 for v in values), f"with 16 inputs every parameter should be in [-0.25, 0.25], got {values}"
    assert len(set(values)) == len(values), "every parameter should get its own random value"


@graded("05.1")
def test_neuron_output_for_each_activation(nb):
    x = [0.5, -1.5, 2.0]
    for activation in ["relu", "tanh", None]:
        for seed in range(3):
            random.seed(seed)
            n = nb.Neuron(3, activation=activation)
            out = n(x)
            assert isinstance(out, Value), f"a neuron should return a Value, got {type(out).__name__}"
            assert_close(out.data, neuron_by_hand(n, x), msg=f"Neuron(3, activation={activation!r}) on {x}")


@graded("05.1", hint="Use the Values themselves (self.w, self.b) in the sum, not their .data, so that "
                     "backward() reaches them.")
def test_neuron_gradients_reach_weights_and_bias(nb):
    random.seed(0)
    n = nb.Neuron(2, activation=None)
    n([3.0, -2.0]).backward()
    assert_close([w.grad for w in n.w] + [n.b.grad], [3.0, -2.0, 1.0],
                 msg="for a linear neuron d(out)/d(w0, w1, b) = (x0, x1, 1)")


# ------------------------------------------------------------------------------------------- 05.2
def mlp_by_hand(mlp, x):
    h = list(x)
    for layer in mlp.layers:
        h = [neuron_by_hand(n, h) for n in layer.neurons]
    return h


@graded("05.2")
def test_layer_calls_each_neuron(nb):
    random.seed(2)
    layer = nb.Layer(3, 4, activation="tanh")
    assert len(layer.neurons) == 4, f"Layer(3, 4).neurons should have 4 neurons, got {len(layer.neurons)}"
    out = layer([1.0, -0.5, 0.25])
    assert isinstance(out, list) and len(out) == 4, f"Layer(3, 4)(x) should be a list of 4 Values, got {out!r}"
    assert_close([v.data for v in out], [neuron_by_hand(n, [1.0, -0.5, 0.25]) for n in layer.neurons],
                 msg="each output of the layer")
    assert len(layer.parameters()) == 16, f"Layer(3, 4) has 4 * (3 + 1) = 16 parameters, got {len(layer.parameters())}"


@graded("05.2", hint="The last layer gets activation None; every other layer gets `activation`.")
def test_mlp_structure_and_activations(nb):
    random.seed(3)
    mlp = nb.MLP(2, [4, 3, 1], activation="tanh")
    assert len(mlp.layers) == 3, f"MLP(2, [4, 3, 1]) should have 3 layers, got {len(mlp.layers)}"
    sizes = [(len(layer.neurons), len(layer.neurons[0].w)) for layer in mlp.layers]
    assert sizes == [(4, 2), (3, 4), (1, 3)], f"(neurons, inputs) per layer should be [(4, 2), (3, 4), (1, 3)], got {sizes}"
    acts = [layer.neurons[0].activation for layer in mlp.layers]
    assert acts == ["tanh", "tanh", None], f"activations per layer should be ['tanh', 'tanh', None], got {acts}"
    assert len(mlp.parameters()) == 3 * 4 + 5 * 3 + 4 * 1, \
        f"MLP(2, [4, 3, 1]) has 31 parameters, got {len(mlp.parameters())}"


@graded("05.2")
def test_mlp_output_matches_the_layers_run_in_order(nb):
    random.seed(4)
    mlp = nb.MLP(2, [5, 5, 1])
    for x in [[0.3, -0.8], [1.5, 0.2], [-1.0, -1.0]]:
        out = mlp(x)
        assert isinstance(out, Value), f"with one output neuron the MLP should return a Value, got {type(out).__name__}"
        assert_close(out.data, mlp_by_hand(mlp, x)[0], msg=f"MLP(2, [5, 5, 1]) at {x}")
    multi = nb.MLP(2, [3, 2])([0.3, -0.8])
    assert isinstance(multi, list) and len(multi) == 2, f"MLP(2, [3, 2]) should return a list of 2 Values, got {multi!r}"


# ------------------------------------------------------------------------------------------- 05.3
@graded("05.3")
def test_hinge_loss_value_and_gradient(nb):
    scores = [Value(2.0), Value(0.5), Value(-1.0), Value(-0.25)]
    labels = [1.0, 1.0, 1.0, -1.0]
    loss = nb.hinge_loss(scores, labels)
    # margins y*s = 2, 0.5, -1, 0.25 -> relu(1 - margin) = 0, 0.5, 2, 0.75
    assert_close(loss.data, (0 + 0.5 + 2 + 0.75) / 4, msg="hinge loss of margins (2, 0.5, -1, 0.25)")
    loss.backward()
    assert_close([s.grad for s in scores], [0.0, -0.25, -0.25, 0.25],
                 msg="d(loss)/d(score): -y/N where the margin is below 1, else 0")


@graded("05.3")
def test_l2_penalty_value_and_gradient(nb):
    params = [Value(1.0), Value(2.0), Value(-3.0)]
    penalty = nb.l2_penalty(params, 0.1)
    assert_close(penalty.data, 0.1 * 14, msg="l2_penalty([1, 2, -3], alpha=0.1)")
    penalty.backward()
    assert_close([p.grad for p in params], [0.2, 0.4, -0.6], msg="d(alpha * sum p²)/dp = 2 alpha p")


@graded("05.3", hint="A prediction is right when the score and the label have the same sign: their product is "
                     "positive. Count those and divide by the number of examples.")
def test_accuracy_counts_matching_signs(nb):
    scores = [Value(0.5), Value(-0.2), Value(0.1), Value(-3.0), Value(4.0)]
    got = nb.accuracy(scores, [1.0, 1.0, -1.0, -1.0, 1.0])
    assert isinstance(got, float), f"accuracy should be a float, got {type(got).__name__}"
    assert_close(got, 0.6, msg="accuracy with 3 of 5 signs right")


# ------------------------------------------------------------------------------------------- 05.4
def linear_model(w0, w1, b):
    model = minitorch.MLP(2, [1], rng=random.Random(0))
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = w0, w1, b
    return model, neuron


def full_batch_sgd_by_hand(params, points, labels, epochs, lr, alpha):
    """Full-batch gradient descent on a linear model, hinge + L2, in plain floats."""
    w0, w1, b = params
    losses = []
    for _ in range(epochs):
        n = len(points)
        scores = [w0 * x0 + w1 * x1 + b for x0, x1 in points]
        active = [1 - y * s > 0 for s, y in zip(scores, labels)]
        losses.append(sum(max(0.0, 1 - y * s) for s, y in zip(scores, labels)) / n
                      + alpha * (w0**2 + w1**2 + b**2))
        g0 = sum(-y * x0 for (x0, _), y, a in zip(points, labels, active) if a) / n + 2 * alpha * w0
        g1 = sum(-y * x1 for (_, x1), y, a in zip(points, labels, active) if a) / n + 2 * alpha * w1
        gb = sum(-y for y, a in zip(labels, active) if a) / n + 2 * alpha * b
        w0, w1, b = w0 - lr * g0, w1 - lr * g1, b - lr * gb
    return [w0, w1, b], losses


@graded("05.4", hint="Each step: forward, loss = the hinge on the batch plus the L2 penalty of all parameters, "
                     "clear the gradients, backward, then move every parameter against its gradient.")
def test_full_batch_steps_match_gradient_descent_by_hand(nb):
    points = [[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7], [2.0, 1.0]]
    labels = [1.0, -1.0, 1.0, -1.0]
    model, neuron = linear_model(0.5, -0.5, 0.1)
    losses = nb.train(model, points, labels, epochs=3, lr=0.1, batch_size=10, alpha=0.01)
    want_params, want_losses = full_batch_sgd_by_hand([0.5, -0.5, 0.1], points, labels, 3, 0.1, 0.01)
    assert_close([neuron.w[0].data, neuron.w[1].data, neuron.b.data], want_params,
                 msg="parameters after 3 full-batch steps (lr=0.1, alpha=0.01)")
    assert_close(losses, want_losses, msg="the recorded loss of each step")


@graded("05.4", hint="Call model.zero_grad() before every backward(): gradients add up otherwise, and the "
                     "second step would use the first step's gradient too.")
def test_each_step_uses_fresh_gradients(nb):
    points = [[1.0, 0.0], [0.0, 1.0]]
    labels = [1.0, -1.0]
    model, neuron = linear_model(0.0, 0.0, 0.0)
    nb.train(model, points, labels, epochs=2, lr=0.1, batch_size=2, alpha=0.0)
    want, _ = full_batch_sgd_by_hand([0.0, 0.0, 0.0], points, labels, 2, 0.1, 0.0)
    assert_close([neuron.w[0].data, neuron.w[1].data, neuron.b.data], want,
                 msg="parameters after 2 steps (stale gradients would move them twice as far)")


@graded("05.4", hint="Walk the shuffled order in consecutive slices of batch_size (the last may be shorter) and"
                     " record one loss per slice.")
def test_one_loss_per_mini_batch(nb):
    rng = random.Random(0)
    points = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(25)]
    labels = [1.0 if p[0] > 0 else -1.0 for p in points]
    model = minitorch.MLP(2, [1], rng=random.Random(1))
    losses = nb.train(model, points, labels, epochs=3, lr=0.1, batch_size=10)
    assert isinstance(losses, list) and len(losses) == 9, \
        f"25 points in batches of 10 is 3 steps per epoch: 3 epochs should record 9 losses, got {losses!r}"
    assert all(isinstance(v, float) for v in losses), "record loss.data (a float), not the Value"


@graded("05.4")
def test_training_separates_two_clusters(nb):
    rng = random.Random(2)
    points = [[rng.gauss(1.0, 0.3), rng.gauss(1.0, 0.3)] for _ in range(15)] + \
             [[rng.gauss(-1.0, 0.3), rng.gauss(-1.0, 0.3)] for _ in range(15)]
    labels = [1.0] * 15 + [-1.0] * 15
    model = minitorch.MLP(2, [4, 1], rng=random.Random(3))
    losses = nb.train(model, points, labels, epochs=15, lr=0.1, batch_size=5)
    correct = sum(model(p).data * y > 0 for p, y in zip(points, labels))
    assert correct == 30, f"after 15 epochs every point of two well-separated clusters should be right, got {correct}/30"
    assert sum(losses[-6:]) < sum(losses[:6]), "the loss should go down during training"
