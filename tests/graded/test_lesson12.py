"""Graded tests for lesson 12 (a real training run). Each test takes ``nb``, the notebook's namespace.

Expected values do not come from the learner's code: batch indices are worked out by hand or from
the same numpy permutation, BatchNorm is compared with ``minitorch.nn.BatchNorm1d`` (itself checked
against PyTorch in tests/library/test_batchnorm.py), and the epoch loop and ``fit`` with
``minitorch.training.train_epoch`` and ``fit`` (checked against a loop written out by hand in
tests/library/test_training.py). The problems
are small synthetic ones, so each check takes a fraction of a second.
"""

import contextlib
import os

import numpy as np

import minitorch
from minitorch import nn, optim
from minitorch.course import Exercise, graded
from minitorch.data import DataLoader, TensorDataset
from minitorch.testing import assert_close
from minitorch.training import EarlyStopping, fit, train_epoch

EXERCISES = [
    Exercise("12.1", "Mini-batch indices", points=2,
             hints=("An epoch's batches are consecutive slices of one ordering of the indices: shuffled (one "
                    "permutation from the generator) or in order. drop_last discards a final short slice.",
                    "order = a permutation of n from rng if shuffle else 0..n−1; stop = n, or the largest "
                    "multiple of batch_size with drop_last; slices of batch_size from 0 to stop.",
                    "order = rng.permutation(n) if shuffle else np.arange(n)")),
    Exercise("12.2", "BatchNorm from tensor operations", points=3,
             hints=("Training: normalise with this batch's mean and (biased) variance, and update running "
                    "averages with the unbiased variance. Eval: normalise with the running averages. Then scale"
                    " and shift.",
                    "train: mean and var over dim 0; running ← (1 − momentum)·running + momentum·batch value "
                    "(var·n/(n−1) for running_var), in place on .data; count the batch. eval: use the running "
                    "buffers. x̂ = (x − mean)/√(var + eps); return weight·x̂ + bias.",
                    "x_hat = (x - mean) / (var + self.eps).sqrt()")),
    Exercise("12.3", "One training epoch", points=2,
             hints=("One epoch = the training step over every batch, in training mode. The average loss must "
                    "weigh each batch by its size, and accuracy counts correct predictions over all samples.",
                    "model.train(); per batch: zero_grad, logits, loss, backward, step; add loss × batch size "
                    "and the number of correct argmax predictions; divide both by the number of samples.",
                    "total += loss.item() * len(y)")),
    Exercise("12.4", "Evaluation", points=2,
             hints=("Evaluation is the epoch without learning: eval mode, no graph, no step — and the model is "
                    "left in the mode it came in.",
                    "remember model.training; eval(); inside no_grad(): the same sums as 12.3 without backward "
                    "or step; restore the mode; return (mean loss, accuracy).",
                    "with minitorch.no_grad():")),
    Exercise("12.5", "Fit with early stopping", points=3, needs=("12.3", "12.4"),
             hints=("Train an epoch, evaluate, remember the best validation loss and a copy of the weights "
                    "then; stop after `patience` epochs without improvement, and finish with the best weights.",
                    "per epoch: train, evaluate, append the four numbers; if val_loss < best: update best, "
                    "best_epoch, reset the counter, copy the state_dict's arrays; else counter += 1, stop when "
                    "it reaches patience. Load the best state at the end.",
                    "best_state = {k: v.numpy().copy() for k, v in model.state_dict().items()}")),
]

_rng = np.random.default_rng(12)
X = _rng.normal(size=(80, 5)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0.8).astype(np.int64)  # 3 classes


def _as_lists(batches):
    return [np.asarray(b).tolist() for b in batches]


class Spy(nn.Module):
    """Wraps a model and records, per forward call, (training mode, whether the output has a graph)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.seen = []

    def forward(self, x):
        out = self.inner(x)
        self.seen.append((self.inner.training, out.requires_grad))
        return out


def _model(seed, batchnorm=False, dropout=0.0):
    minitorch.manual_seed(seed)
    layers = [nn.Linear(5, 12)] + ([nn.BatchNorm1d(12)] if batchnorm else []) + [nn.ReLU()]
    layers += ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(12, 3)]
    return nn.Sequential(*layers)


def _loader(n=50, batch_size=16, shuffle=True, seed=0):
    return DataLoader(TensorDataset(X[:n], Y[:n]), batch_size=batch_size, shuffle=shuffle, seed=seed)


def _weights(model):
    return [np.array(v.numpy()) for v in model.state_dict().values()]


# ------------------------------------------------------------------------------------------- 12.1
@graded("12.1")
def test_batches_without_shuffle_are_consecutive_with_a_short_last_one(nb):
    got = nb.minibatch_indices(10, 4)
    assert _as_lists(got) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], f"minibatch_indices(10, 4) gave {_as_lists(got)}"
    assert all(np.asarray(b).dtype.kind == "i" for b in got), "each batch should be an integer numpy array"


@graded("12.1", hint="With drop_last, stop at the last full batch: the largest multiple of batch_size that fits"
                     " in n.")
def test_drop_last_keeps_only_full_batches(nb):
    got = _as_lists(nb.minibatch_indices(10, 4, drop_last=True))
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7]], f"minibatch_indices(10, 4, drop_last=True) gave {got}"
    exact = _as_lists(nb.minibatch_indices(8, 4, drop_last=True))
    assert exact == [[0, 1, 2, 3], [4, 5, 6, 7]], f"8 samples in batches of 4 are 2 full batches, got {exact}"


@graded("12.1", hint="Draw the whole order once per epoch from the generator (one permutation), then slice it.")
def test_shuffle_slices_one_permutation_from_the_generator(nb):
    for n, batch_size, drop_last in [(10, 3, False), (17, 5, True), (6, 6, False)]:
        order = np.random.default_rng(4).permutation(n)
        stop = (n // batch_size) * batch_size if drop_last else n
        want = [order[s:s + batch_size].tolist() for s in range(0, stop, batch_size)]
        got = _as_lists(nb.minibatch_indices(n, batch_size, shuffle=True, drop_last=drop_last,
                                             rng=np.random.default_rng(4)))
        assert got == want, f"n={n}, batch_size={batch_size}, drop_last={drop_last}: expected {want}, got {got}"


@graded("12.1")
def test_every_sample_is_visited_exactly_once(nb):
    for n, batch_size in [(1, 1), (7, 2), (64, 64), (100, 7)]:
        batches = nb.minibatch_indices(n, batch_size, shuffle=True, rng=np.random.default_rng(n))
        flat = sorted(np.concatenate([np.asarray(b) for b in batches]).tolist())
        assert flat == list(range(n)), f"n={n}, batch_size={batch_size}: the batches should cover 0..{n - 1} once"
        assert all(len(b) <= batch_size for b in batches), "no batch may be larger than batch_size"


# ------------------------------------------------------------------------------------------- 12.2
def _twin_batchnorms(nb, channels=4, seed=0):
    rng = np.random.default_rng(seed)
    mine, ref = nb.BatchNorm(channels), nn.BatchNorm1d(channels)
    weight, bias = rng.normal(1.0, 0.5, channels), rng.normal(0.0, 0.5, channels)
    for layer in (mine, ref):
        layer.weight.data[...] = weight
        layer.bias.data[...] = bias
    return mine, ref


@graded("12.2", hint="Training mode normalises with the batch's mean and *biased* variance over dim=0.")
def test_training_output_and_gradients_match_batchnorm1d(nb):
    mine, ref = _twin_batchnorms(nb)
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 3.0, (8, 4)).astype(np.float32)
    g = rng.normal(size=(8, 4)).astype(np.float32)
    x_mine, x_ref = minitorch.tensor(x, requires_grad=True), minitorch.tensor(x, requires_grad=True)
    out_mine, out_ref = mine(x_mine), ref(x_ref)
    assert_close(out_mine, out_ref, rtol=1e-4, atol=1e-5, msg="BatchNorm output in training mode (vs nn.BatchNorm1d)")
    out_mine.backward(g)
    out_ref.backward(g)
    assert x_mine.grad is not None, "no gradient reached the input: build the output from tensor operations on x"
    assert_close(x_mine.grad, x_ref.grad, rtol=1e-4, atol=1e-5, msg="dL/dx in training mode")
    assert_close(mine.weight.grad, ref.weight.grad, rtol=1e-4, atol=1e-5, msg="dL/dweight")
    assert_close(mine.bias.grad, ref.bias.grad, rtol=1e-4, atol=1e-5, msg="dL/dbias")


@graded("12.2", hint="running ← (1 − momentum)·running + momentum·(batch statistic), where the variance for the"
                     " running average is the unbiased one (× n/(n − 1)); and count the batch in "
                     "num_batches_tracked.")
def test_running_statistics_after_three_steps_match_batchnorm1d(nb):
    mine, ref = _twin_batchnorms(nb, channels=3)
    rng = np.random.default_rng(2)
    for step in range(3):
        x = rng.normal(-1.0 + step, 2.0, (6, 3)).astype(np.float32)
        mine(minitorch.tensor(x))
        ref(minitorch.tensor(x))
        assert_close(mine.running_mean, ref.running_mean, rtol=1e-5, atol=1e-6, msg=f"running_mean after step {step + 1}")
        assert_close(mine.running_var, ref.running_var, rtol=1e-5, atol=1e-6, msg=f"running_var after step {step + 1}")
    assert int(mine.num_batches_tracked.item()) == 3, \
        f"num_batches_tracked should be 3 after three training batches, got {mine.num_batches_tracked.item()}"


@graded("12.2", hint="In eval mode use self.running_mean and self.running_var, and update nothing.")
def test_eval_mode_uses_the_running_statistics_and_changes_nothing(nb):
    mine, ref = _twin_batchnorms(nb, channels=3)
    for layer in (mine, ref):
        layer.running_mean.data[...] = [0.5, -1.0, 2.0]
        layer.running_var.data[...] = [4.0, 0.25, 1.5]
        layer.eval()
    x = np.random.default_rng(3).normal(size=(2, 3)).astype(np.float32)
    assert_close(mine(minitorch.tensor(x)), ref(minitorch.tensor(x)), rtol=1e-5, atol=1e-6,
                 msg="BatchNorm output in eval mode (vs nn.BatchNorm1d)")
    assert mine.running_mean.tolist() == [0.5, -1.0, 2.0] and int(mine.num_batches_tracked.item()) == 0, \
        "eval mode must not change the running statistics or num_batches_tracked"
    one = mine(minitorch.tensor(x[:1]))
    assert_close(one, ref(minitorch.tensor(x[:1])), rtol=1e-5, atol=1e-6, msg="a single sample in eval mode")


# ------------------------------------------------------------------------------------------- 12.3
@graded("12.3", hint="Weight each batch's loss by its size and divide by the number of samples, not of batches "
                     "(here the last batch is smaller).")
def test_one_epoch_matches_the_library_train_epoch(nb):
    mine, ref = _model(0), _model(0)
    # One loss object each: in the grader what the learner's code receives moves to the notebook's process.
    got = nb.train_one_epoch(mine, _loader(), nn.CrossEntropyLoss(), optim.SGD(mine.parameters(), lr=0.1, momentum=0.9))
    want = train_epoch(ref, _loader(), nn.CrossEntropyLoss(), optim.SGD(ref.parameters(), lr=0.1, momentum=0.9))
    assert isinstance(got, tuple) and len(got) == 2, f"train_one_epoch should return (mean_loss, accuracy), got {got!r}"
    assert_close(got[0], want[0], rtol=1e-9, msg="mean loss over the samples of the epoch")
    assert_close(got[1], want[1], rtol=1e-12, msg="accuracy over the samples of the epoch")
    for i, (a, b) in enumerate(zip(_weights(mine), _weights(ref))):
        assert_close(a, b, rtol=1e-6, atol=1e-7, msg=f"state_dict entry {i} after one epoch (one optimizer step per batch)")


@graded("12.3", hint="Call model.train() at the start: the model may arrive in eval mode.")
def test_trains_in_training_mode_with_a_graph(nb):
    spy = Spy(_model(1, batchnorm=True, dropout=0.3))
    spy.eval()
    nb.train_one_epoch(spy, _loader(n=32), nn.CrossEntropyLoss(), optim.SGD(spy.parameters(), lr=0.1))
    assert spy.seen and all(mode and graph for mode, graph in spy.seen), \
        f"every batch should run in training mode with a graph; got (training, has graph) = {spy.seen}"


# ------------------------------------------------------------------------------------------- 12.4
@graded("12.4", hint="model.eval() before the loop: Dropout must be off and BatchNorm must use running statistics.")
def test_evaluate_measures_the_model_in_eval_mode(nb):
    model = _model(2, batchnorm=True, dropout=0.5)
    nb_loss, nb_acc = nb.evaluate(model, _loader(n=60, shuffle=False), nn.CrossEntropyLoss())
    model.eval()
    logits = model(minitorch.tensor(X[:60]))
    want_loss = nn.CrossEntropyLoss()(logits, minitorch.tensor(Y[:60])).item()
    want_acc = float(np.mean(logits.numpy().argmax(1) == Y[:60]))
    assert_close(nb_loss, want_loss, rtol=1e-5, msg="validation loss (mean over all samples, eval mode)")
    assert_close(nb_acc, want_acc, rtol=1e-12, msg="validation accuracy")


@graded("12.4", hint="Evaluate inside minitorch.no_grad(), and put the model back in the mode it was in when "
                     "you received it.")
def test_evaluate_records_no_graph_changes_nothing_and_restores_the_mode(nb):
    spy = Spy(_model(3, batchnorm=True))
    before = _weights(spy)
    nb.evaluate(spy, _loader(n=40, batch_size=20), nn.CrossEntropyLoss())
    assert spy.seen and all(not mode and not graph for mode, graph in spy.seen), \
        f"every batch should run in eval mode without a graph; got (training, has graph) = {spy.seen}"
    assert spy.training, "the model was in training mode before evaluate, so it must be afterwards"
    assert all(np.array_equal(a, b) for a, b in zip(_weights(spy), before)), \
        "evaluate must not change weights or BatchNorm's running statistics"
    spy.eval()
    nb.evaluate(spy, _loader(n=40, batch_size=20), nn.CrossEntropyLoss())
    assert not spy.training, "a model that arrived in eval mode must stay in eval mode"


# ------------------------------------------------------------------------------------------- 12.5
@contextlib.contextmanager
def _no_progress_bars():
    """The learner's fit shows a progress bar; inside a check() cell it would only add clutter."""
    before = os.environ.get("MINITORCH_NO_PROGRESS")
    os.environ["MINITORCH_NO_PROGRESS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["MINITORCH_NO_PROGRESS"]
        else:
            os.environ["MINITORCH_NO_PROGRESS"] = before


def _fit_both(nb, lr, max_epochs, patience):
    mine, ref = _model(4, batchnorm=True, dropout=0.2), _model(4, batchnorm=True, dropout=0.2)
    val = DataLoader(TensorDataset(X[50:], Y[50:]), batch_size=30)
    minitorch.manual_seed(10)
    with _no_progress_bars():
        history = nb.fit(mine, _loader(seed=5), val, nn.CrossEntropyLoss(),
                         optim.SGD(mine.parameters(), lr=lr, momentum=0.9), max_epochs, patience)
    minitorch.manual_seed(10)
    want = fit(ref, _loader(seed=5), nn.CrossEntropyLoss(), optim.SGD(ref.parameters(), lr=lr, momentum=0.9),
               max_epochs, val_loader=val, early_stopping=EarlyStopping(patience, model=ref), show_progress=False)
    return mine, ref, history, want


@graded("12.5", hint="Append all four numbers (train loss and accuracy, validation loss and accuracy) every "
                     "epoch, before deciding whether to stop.")
def test_history_matches_the_library_fit(nb):
    _, _, history, want = _fit_both(nb, lr=0.05, max_epochs=6, patience=10)
    for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
        assert key in history, f"history should have a {key!r} list"
        assert_close(history[key], getattr(want, key), rtol=1e-6, atol=1e-9, msg=f"history[{key!r}] over 6 epochs")
    assert history["best_epoch"] == want.best_epoch, \
        f"best_epoch (0-based) should be {want.best_epoch}, got {history['best_epoch']}"


@graded("12.5", hint="Count epochs without a strictly lower validation loss; break when the count reaches patience.")
def test_stops_after_patience_epochs_without_improvement(nb):
    _, _, history, want = _fit_both(nb, lr=0.8, max_epochs=40, patience=2)
    assert want.stopped_early, "this setting is chosen so that training stops early"
    assert len(history["val_loss"]) == want.epochs, \
        f"training should stop after {want.epochs} epochs (best epoch {want.best_epoch} + patience 2), " \
        f"ran {len(history['val_loss'])}"
    assert history["best_epoch"] == int(np.argmin(history["val_loss"])), "best_epoch should be the arg-min of val_loss"


@graded("12.5", hint="Keep a copy of the arrays of the best epoch's state_dict (copies: training changes the "
                     "originals) and load them back at the end.")
def test_the_model_ends_with_the_best_epochs_weights(nb):
    mine, ref, history, _ = _fit_both(nb, lr=0.8, max_epochs=40, patience=2)
    for i, (a, b) in enumerate(zip(_weights(mine), _weights(ref))):
        assert_close(a, b, rtol=1e-6, atol=1e-7, msg=f"state_dict entry {i} after fit (the best epoch's weights)")
