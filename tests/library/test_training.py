"""minitorch.training (the loop, evaluation, early stopping, metrics, progress bars) and the
training plots in minitorch.viz."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn, optim  # noqa: E402
from minitorch.data import DataLoader, TensorDataset  # noqa: E402
from minitorch.optim import lr_scheduler  # noqa: E402
from minitorch.testing import assert_close  # noqa: E402
from minitorch.training import (EarlyStopping, History, accuracy, confusion_matrix, evaluate, finish_progress,  # noqa: E402
                                fit, progress, train_epoch)
from minitorch.viz import plot_confusion_matrix, plot_history, plot_images  # noqa: E402

_rng = np.random.default_rng(1)
X = _rng.normal(size=(90, 4)).astype(np.float32)
Y = np.argmax(X[:, :3] + 0.3 * _rng.normal(size=(90, 3)), axis=1).astype(np.int64)


def model_and_loaders(seed=0, dropout=0.0):
    minitorch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 3))
    train = DataLoader(TensorDataset(X[:60], Y[:60]), batch_size=10, shuffle=True, seed=0)
    val = DataLoader(TensorDataset(X[60:], Y[60:]), batch_size=30)
    return model, train, val


# ----------------------------------------------------------------------------- metrics
def test_accuracy_from_logits_and_from_labels():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.5], [0.2, 0.1]])
    assert accuracy(logits, [0, 1, 1, 0]) == 0.75
    assert accuracy(minitorch.tensor([1, 1, 0]), minitorch.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"accuracy: expected output \(N, C\) or \(N,\) and targets \(N,\)"):
        accuracy(np.zeros((4, 2)), np.zeros(3))


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    targets = [0, 0, 1, 2, 2, 2]
    predicted = [0, 1, 1, 2, 0, 2]
    want = np.array([[1, 1, 0],   # two 0s: one right, one taken for a 1
                     [0, 1, 0],
                     [1, 0, 2]])
    got = confusion_matrix(predicted, targets)
    assert got.dtype == np.int64 and np.array_equal(got, want), f"got\n{got}"
    assert confusion_matrix(predicted, targets, num_classes=5).shape == (5, 5)
    logits = np.eye(3)[predicted]
    assert np.array_equal(confusion_matrix(logits, targets), want), "logits are reduced with argmax"


def test_confusion_matrix_agrees_with_a_counting_loop_and_with_accuracy():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 7, 500), rng.integers(0, 7, 500)
    loop = np.zeros((7, 7), dtype=np.int64)
    for t, q in zip(y, p):
        loop[t, q] += 1
    m = confusion_matrix(p, y, num_classes=7)
    assert np.array_equal(m, loop)
    assert m.trace() / m.sum() == pytest.approx(accuracy(p, y))


def test_confusion_matrix_rejects_labels_beyond_num_classes():
    with pytest.raises(ValueError, match="labels go up to 3, but num_classes is 3"):
        confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="non-negative ints"):
        confusion_matrix([0.5, 1.0], [0, 1])


# ----------------------------------------------------------------------------- early stopping
def test_early_stopping_waits_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=2)
    decisions = [stopper.step(v) for v in [1.0, 0.8, 0.9, 0.85, 0.7, 0.71, 0.72]]
    assert decisions == [False, False, False, True, False, False, True]
    assert stopper.best == 0.7 and stopper.best_epoch == 4


def test_early_stopping_min_delta_and_max_mode():
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    assert not stopper.step(1.0)
    assert stopper.step(0.95), "an improvement smaller than min_delta does not count"
    up = EarlyStopping(patience=1, mode="max")
    assert not up.step(0.5) and not up.step(0.6) and up.step(0.6)
    with pytest.raises(ValueError, match="patience must be a positive int"):
        EarlyStopping(patience=0)


def test_early_stopping_snapshot_is_a_copy_and_restore_brings_it_back():
    model = nn.Linear(2, 2)
    stopper = EarlyStopping(patience=3, model=model)
    stopper.step(0.5)
    saved = np.array(model.weight.data)
    model.weight.data[...] = 0  # training on, in place
    stopper.step(0.9)
    stopper.restore_best()
    assert np.array_equal(model.weight.numpy(), saved)
    with pytest.raises(RuntimeError, match="no snapshot to restore"):
        EarlyStopping().restore_best()


# ----------------------------------------------------------------------------- the loop
def test_train_epoch_matches_a_hand_written_loop():
    model, train, _ = model_and_loaders()
    loss_fn = nn.CrossEntropyLoss()
    loss, acc = train_epoch(model, train, loss_fn, optim.SGD(model.parameters(), lr=0.1))

    twin, train2, _ = model_and_loaders()
    opt = optim.SGD(twin.parameters(), lr=0.1)
    losses, correct = [], 0
    for x, y in train2:
        opt.zero_grad()
        out = twin(x)
        batch_loss = loss_fn(out, y)
        batch_loss.backward()
        opt.step()
        losses.append(batch_loss.item())
        correct += int((out.numpy().argmax(1) == y.numpy()).sum())
    assert loss == pytest.approx(np.mean(losses), rel=1e-12), "equal batches: the mean loss is the mean of batch losses"
    assert acc == correct / 60
    for (k, a), b in zip(model.state_dict().items(), twin.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), f"{k} differs from the hand-written loop"


def test_evaluate_uses_eval_mode_records_no_graph_and_restores_the_mode():
    model, train, val = model_and_loaders(dropout=0.5)
    train_epoch(model, train, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    before = model[1].num_batches_tracked.item()
    first = evaluate(model, val, nn.CrossEntropyLoss())
    second = evaluate(model, val, nn.CrossEntropyLoss())
    assert first == second, "eval mode is deterministic: Dropout off, BatchNorm on running statistics"
    assert model[1].num_batches_tracked.item() == before, "evaluation must not update BatchNorm's statistics"
    assert model.training, "evaluate must give the model back in the mode it found it"
    logits = model.eval()(minitorch.tensor(X[60:]))
    assert first[1] == accuracy(logits, Y[60:])
    model.train()

    class RecordingLinear(nn.Linear):  # notes the mode and whether its output carries a graph
        calls: list = []

        def forward(self, x):
            out = super().forward(x)
            RecordingLinear.calls.append((self.training, out.requires_grad))
            return out

    minitorch.manual_seed(0)
    recorded = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), RecordingLinear(8, 3))
    evaluate(recorded, val, nn.CrossEntropyLoss())
    assert RecordingLinear.calls == [(False, False)], \
        f"expected one batch without a graph in eval mode, got {RecordingLinear.calls}"
    with pytest.raises(ValueError, match="evaluate: the loader gave no batches"):
        evaluate(model, [], nn.CrossEntropyLoss())


def test_fit_learns_records_history_and_steps_the_scheduler():
    model, train, val = model_and_loaders()
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    history = fit(model, train, nn.CrossEntropyLoss(), opt, 6, val_loader=val, scheduler=sched, show_progress=False)
    assert history.epochs == 6 and len(history.val_acc) == 6
    assert history.lr == [0.02, 0.02, 0.01, 0.01, 0.005, 0.005]
    assert history.train_loss[-1] < history.train_loss[0] and history.train_acc[-1] > 0.8
    assert history.val_loss[-1] == pytest.approx(evaluate(model, val, nn.CrossEntropyLoss())[0], rel=1e-12)


def test_fit_stops_early_and_restores_the_best_weights():
    model, train, val = model_and_loaders()
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)  # too hot: validation loss soon gets worse
    stopper = EarlyStopping(patience=2, model=model)
    history = fit(model, train, nn.CrossEntropyLoss(), opt, 50, val_loader=val, early_stopping=stopper,
                  show_progress=False)
    assert history.stopped_early and history.epochs < 50
    assert history.best_epoch == int(np.argmin(history.val_loss))
    assert history.epochs == history.best_epoch + 1 + 2, "stops after `patience` bad epochs"
    restored_loss = evaluate(model, val, nn.CrossEntropyLoss())[0]
    assert restored_loss == pytest.approx(min(history.val_loss), rel=1e-12), "the best epoch's weights are back"


def test_fit_feeds_the_validation_loss_to_reduce_lr_on_plateau_and_needs_a_val_loader():
    model, train, val = model_and_loaders()
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    history = fit(model, train, nn.CrossEntropyLoss(), opt, 8, val_loader=val, scheduler=sched, show_progress=False)
    worse = [i for i in range(1, 8) if history.val_loss[i] >= min(history.val_loss[:i])]
    assert worse, "this run should have a non-improving epoch"
    assert history.lr[worse[0] + 1] == history.lr[worse[0]] / 2, "the rate halves after a bad validation epoch"
    with pytest.raises(ValueError, match="pass val_loader= too"):
        fit(model, train, nn.CrossEntropyLoss(), opt, 1, scheduler=sched)


# ----------------------------------------------------------------------------- progress bars
def test_progress_bar_iterates_and_is_silenced_by_the_environment(monkeypatch):
    monkeypatch.setenv("MINITORCH_NO_PROGRESS", "1")
    bar = progress(range(3), desc="x")
    assert list(bar) == [0, 1, 2] and bar.disable
    monkeypatch.setenv("MINITORCH_NO_PROGRESS", "0")
    bar = progress(range(3), file=open("/dev/null", "w"))
    assert not bar.disable
    bar.set_postfix(loss=0.5)
    assert "loss=0.5" in str(bar)
    bar.close()


def _notebook_bar_stopped_early(close):
    from tqdm.notebook import tqdm as notebook_tqdm

    bar = notebook_tqdm(total=30, desc="epochs", file=open(os.devnull, "w"))
    for epoch in range(30):
        bar.update()
        if epoch == 15:  # early stopping after 16 epochs
            break
    close(bar)
    widget = bar.container.children[1]
    return widget.bar_style, widget.value, widget.max, bar.total


def test_an_early_stop_ends_the_jupyter_progress_bar_complete_not_red(capsys):
    assert _notebook_bar_stopped_early(lambda bar: bar.close())[0] == "danger"  # what tqdm alone does
    assert _notebook_bar_stopped_early(finish_progress) == ("success", 16, 16, 16)


# ----------------------------------------------------------------------------- plots
def test_plot_history_draws_both_splits_and_marks_the_best_epoch():
    history = History(train_loss=[1.0, 0.6, 0.5], train_acc=[0.5, 0.7, 0.8], val_loss=[1.1, 0.7, 0.75],
                      val_acc=[0.4, 0.7, 0.69], best_epoch=1)
    loss_ax, acc_ax = plot_history(history)
    labels = [line.get_label() for line in loss_ax.get_lines()]
    assert labels == ["training", "validation", "best epoch (2)"]
    assert list(loss_ax.get_lines()[1].get_ydata()) == [1.1, 0.7, 0.75]
    assert list(acc_ax.get_lines()[0].get_xdata()) == [1, 2, 3], "epochs are numbered from 1"
    assert loss_ax.get_yscale() == "linear"
    plt.close("all")
    assert plot_history(history, log=True)[0].get_yscale() == "log"
    plt.close("all")
    only_train = plot_history({"train_loss": [1.0, 0.5], "train_acc": [0.5, 0.9]})
    assert [line.get_label() for line in only_train[0].get_lines()] == ["training"]
    plt.close("all")
    with pytest.raises(ValueError, match="no train_loss"):
        plot_history({"train_loss": []})


def test_plot_confusion_matrix_writes_each_count():
    ax = plot_confusion_matrix(np.array([[3, 1], [0, 4]]), class_names=["cat", "dog"])
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    ax = plot_confusion_matrix(np.array([[3, 1], [0, 4]]), normalize=True)
    assert [t.get_text() for t in ax.texts] == ["0.75", "0.25", "0.00", "1.00"]
    plt.close("all")
    with pytest.raises(ValueError, match="expected a square"):
        plot_confusion_matrix(np.zeros((2, 3)))


def test_plot_images_titles_mistakes_in_colour():
    images = np.random.default_rng(0).random((3, 64))
    fig = plot_images(images, labels=[1, 2, 3], predictions=[1, 5, 3], ncols=2)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["1→1", "2→5", "3→3"]
    assert titled[1].title.get_color() != titled[0].title.get_color()
    assert len(fig.axes) == 4, "a 2x2 grid for 3 images"
    plt.close("all")
    with pytest.raises(ValueError, match="not square images"):
        plot_images(np.zeros((2, 10)))
