"""A real training run (lesson 12): the loop, evaluation, early stopping, progress bars, metrics and checkpoints.

    train_epoch(model, loader, loss_fn, optimizer)   one pass over the training data -> (loss, accuracy)
    evaluate(model, loader, loss_fn)                 eval mode, no graph            -> (loss, accuracy)
    EarlyStopping(patience)                          stop when the validation loss stops improving
    fit(model, train_loader, loss_fn, optimizer, epochs, val_loader=...)   all of the above -> History
    accuracy(logits, targets), confusion_matrix(predictions, targets)
    progress(iterable)                               a tqdm progress bar (off when $MINITORCH_NO_PROGRESS is set)
    finish_progress(bar)                             close it as complete, also after an early stop
    save_checkpoint(path, epoch=, model=, optimizer=, ...) / load_checkpoint(path, model=, ...)

A checkpoint is one ``.npz`` file written by ``minitorch.save`` (no pickle: loading it cannot run
code) holding the ``state_dict()`` of every object you pass -- model, optimizer, scheduler, data
loader, early stopping -- plus the epoch and the state of minitorch's global random generator (which
draws Dropout masks and, for an unseeded loader, the shuffling order). Restoring all of it into
freshly built objects continues training exactly, bit for bit, as if it had never stopped.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from .nn.serialization import load, save
from .optim.lr_scheduler import ReduceLROnPlateau
from .tensor.grad_mode import no_grad
from .tensor.random import get_generator
from .tensor.tensor import Tensor

__all__ = ["progress", "finish_progress", "accuracy", "confusion_matrix", "train_epoch", "evaluate", "EarlyStopping", "History", "fit",
           "save_checkpoint", "load_checkpoint"]

_CHECKPOINT_FORMAT = "minitorch-training-checkpoint"


# ---------------------------------------------------------------------------- progress bars
def progress(iterable: Iterable[Any] | None = None, *, desc: str | None = None, total: int | None = None,
             leave: bool = True, disable: bool | None = None, **kwargs: Any) -> Any:
    """A tqdm progress bar over ``iterable``: a widget in Jupyter, text in a terminal.

    Show numbers next to it with ``bar.set_postfix(loss=..., acc=...)``. It is switched off
    (``disable=True``, iterating silently) when the environment variable ``MINITORCH_NO_PROGRESS``
    is set to anything but ``""`` or ``"0"``: the course sets it when it executes and tests the
    notebooks, because a progress bar's text (rates, times) differs on every run.
    """
    from tqdm.auto import tqdm

    if disable is None:
        disable = os.environ.get("MINITORCH_NO_PROGRESS", "") not in ("", "0")
    return tqdm(iterable, desc=desc, total=total, leave=leave, disable=disable, **kwargs)


def finish_progress(bar: Any) -> None:
    """Close a progress bar as complete where it stands (use it instead of ``bar.close()``).

    A loop that ends early on purpose -- early stopping after 16 of at most 30 epochs -- would
    otherwise leave Jupyter's bar red at "16/30", which is how tqdm shows an error. Here the bar's
    total becomes the count reached, so it ends full and green at "16/16". Call it only when the
    loop finished normally; after an exception tqdm's red bar is the right signal.

    Count with ``bar.update()`` at the end of each step of a plain loop
    (``bar = progress(total=max_epochs)``), not with ``for epoch in bar:``: leaving that loop with
    ``break`` closes the bar at once, red, one step short.
    """
    if getattr(bar, "disable", False):
        bar.close()
        return
    if bar.total is not None and bar.n < bar.total:
        bar.total = bar.n
    widget = getattr(bar, "container", None)  # tqdm.notebook: (description, IntProgress, text)
    if widget is not None:
        widget.children[1].max = bar.n
    bar.close()


# ---------------------------------------------------------------------------- metrics
def _labels(x: Any) -> np.ndarray:
    return np.asarray(getattr(x, "data", x))


def accuracy(output: Any, targets: Any) -> float:
    """The fraction of correct predictions.

    ``output`` is either logits/probabilities of shape ``(N, C)`` (the prediction is the arg-max of
    each row) or predicted labels of shape ``(N,)``; ``targets`` holds the true labels ``(N,)``.
    """
    out, y = _labels(output), _labels(targets)
    predictions = out.argmax(axis=1) if out.ndim == 2 else out
    if predictions.shape != y.shape or y.ndim != 1:
        raise ValueError(f"accuracy: expected output (N, C) or (N,) and targets (N,), got {out.shape} and {y.shape}")
    if y.size == 0:
        raise ValueError("accuracy: no samples (empty targets)")
    return float(np.mean(predictions == y))


def confusion_matrix(predictions: Any, targets: Any, num_classes: int | None = None) -> np.ndarray:
    """``M[i, j]`` = how many samples of true class ``i`` were predicted as class ``j`` (int64).

    Rows are the true classes and columns the predictions (scikit-learn's convention), so the
    diagonal counts the correct ones and ``M.sum(axis=1)`` is the number of samples per class.
    ``predictions`` may also be logits ``(N, C)``.
    """
    p, y = _labels(predictions), _labels(targets)
    if p.ndim == 2:
        p = p.argmax(axis=1)
    if p.shape != y.shape or y.ndim != 1:
        raise ValueError(f"confusion_matrix: expected predictions (N,) or (N, C) and targets (N,), got {p.shape} "
                         f"and {y.shape}")
    for name, labels in (("predictions", p), ("targets", y)):
        if labels.size and (labels.dtype.kind not in "iub" or labels.min() < 0):
            raise ValueError(f"confusion_matrix: {name} must be class labels 0, 1, 2, ... (non-negative ints)")
    k = int(max(p.max(initial=-1), y.max(initial=-1)) + 1) if num_classes is None else int(num_classes)
    if y.size and max(p.max(), y.max()) >= k:
        raise ValueError(f"confusion_matrix: labels go up to {max(p.max(), y.max())}, but num_classes is {k}")
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (y, p), 1)  # add.at: a repeated (true, predicted) pair must count every time
    return matrix


# ---------------------------------------------------------------------------- the loop
def train_epoch(model: Any, loader: Iterable[Any], loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer: Any,
                bar: Any = None) -> tuple[float, float]:
    """One pass over ``loader`` in training mode: for every batch ``(x, y)`` zero the gradients,
    compute the loss, backpropagate and step. Returns the mean loss and the accuracy over all
    samples (each batch weighted by its size; measured on the fly, while the weights change).
    ``bar``, a progress bar, gets the running loss and accuracy after each batch."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        optimizer.zero_grad()
        logits = model(x)
        loss = loss_fn(logits, y)
        loss.backward()
        optimizer.step()
        n = len(y)
        total_loss += loss.item() * n
        correct += int((logits.data.argmax(axis=1) == y.data).sum())
        seen += n
        if bar is not None:
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}", refresh=False)
    if seen == 0:
        raise ValueError("train_epoch: the loader gave no batches")
    return total_loss / seen, correct / seen


def evaluate(model: Any, loader: Iterable[Any], loss_fn: Callable[[Tensor, Tensor], Tensor]) -> tuple[float, float]:
    """Mean loss and accuracy over ``loader`` in evaluation mode (Dropout off, BatchNorm on its
    running statistics) and without recording a graph. The model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    try:
        with no_grad():
            for x, y in loader:
                logits = model(x)
                n = len(y)
                total_loss += loss_fn(logits, y).item() * n
                correct += int((logits.data.argmax(axis=1) == y.data).sum())
                seen += n
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("evaluate: the loader gave no batches")
    return total_loss / seen, correct / seen


class EarlyStopping:
    """Stop training once the monitored value (the validation loss) has not improved for
    ``patience`` epochs in a row; remember the best epoch and, with ``model=``, its weights.

    "Improved" means lower than the best so far by more than ``min_delta`` (``mode="max"``: higher,
    for a metric like accuracy). ``step(value)`` returns True when it is time to stop.

        stopper = EarlyStopping(patience=5, model=model)
        for epoch in range(100):
            ...
            if stopper.step(val_loss):
                break
        stopper.restore_best()           # the model gets back the weights of its best epoch
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min", model: Any = None) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be a positive int, got {patience!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = mode
        self.model = model
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.epoch = -1            # how many values step() has seen, minus one
        self.bad_epochs = 0
        self.best_state: dict[str, np.ndarray] | None = None

    def improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value: float) -> bool:
        """Record this epoch's value; True when ``patience`` epochs in a row brought no improvement."""
        value = float(value)
        self.epoch += 1
        if self.improved(value):
            self.best, self.best_epoch, self.bad_epochs = value, self.epoch, 0
            if self.model is not None:  # a copy: training on must not change the snapshot
                self.best_state = {k: np.array(v.data) for k, v in self.model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    @property
    def should_stop(self) -> bool:
        return self.bad_epochs >= self.patience

    def restore_best(self) -> None:
        """Load the weights of the best epoch back into the model."""
        if self.model is None or self.best_state is None:
            raise RuntimeError("EarlyStopping.restore_best: no snapshot to restore; pass model= and call step() first")
        self.model.load_state_dict(self.best_state)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "epoch": self.epoch, "bad_epochs": self.bad_epochs,
                "best_state": self.best_state}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.best = float(state_dict["best"])
        self.best_epoch = int(state_dict["best_epoch"])
        self.epoch = int(state_dict["epoch"])
        self.bad_epochs = int(state_dict["bad_epochs"])
        saved = state_dict["best_state"]
        self.best_state = None if saved is None else {k: np.array(getattr(v, "data", v)) for k, v in saved.items()}


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch (validation lists stay empty without a val_loader)."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def fit(model: Any, train_loader: Iterable[Any], loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer: Any,
        epochs: int, *, val_loader: Iterable[Any] | None = None, scheduler: Any = None,
        early_stopping: EarlyStopping | None = None, show_progress: bool = True) -> History:
    """Train for up to ``epochs`` epochs and return the :class:`History`.

    Each epoch: :func:`train_epoch`, then :func:`evaluate` on ``val_loader``, then one step of the
    ``scheduler`` (``ReduceLROnPlateau`` gets the validation loss), then ``early_stopping`` on the
    validation loss. When it stops early and holds the model, the best epoch's weights are restored.
    A progress bar over the epochs shows the latest numbers (see :func:`progress`).
    """
    if val_loader is None and (early_stopping is not None or isinstance(scheduler, ReduceLROnPlateau)):
        raise ValueError("fit: early stopping and ReduceLROnPlateau watch the validation loss; pass val_loader= too")
    history = History()
    bar = progress(total=epochs, desc="epochs", disable=None if show_progress else True)
    for _ in range(epochs):
        history.lr.append(float(optimizer.param_groups[0]["lr"]))
        train_loss, train_acc = train_epoch(model, train_loader, loss_fn, optimizer)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        postfix = {"loss": f"{train_loss:.4f}", "acc": f"{train_acc:.3f}"}
        if val_loader is not None:
            val_loss, val_acc = evaluate(model, val_loader, loss_fn)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
            postfix.update(val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.3f}")
        bar.set_postfix(postfix, refresh=False)
        bar.update()
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(history.val_loss[-1])
        elif scheduler is not None:
            scheduler.step()
        if early_stopping is not None and early_stopping.step(history.val_loss[-1]):
            history.stopped_early = True
            break
    finish_progress(bar)
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        if early_stopping.model is not None and early_stopping.best_state is not None:
            early_stopping.restore_best()
    return history


# ---------------------------------------------------------------------------- checkpoints
def save_checkpoint(path: Any, *, epoch: int, extra: dict[str, Any] | None = None, **objects: Any) -> None:
    """Save everything needed to resume training into one ``.npz`` file (no pickle).

    Args:
        path: where to write (exactly this path).
        epoch: the number of epochs completed.
        extra: anything else to keep (numbers, strings, arrays, lists/dicts of them), e.g. a history.
        **objects: what to save by name, each anything with ``state_dict()``:
            ``model=``, ``optimizer=``, ``scheduler=``, ``loader=`` (a seeded DataLoader's shuffling
            state), ``early_stopping=`` ...

    The state of minitorch's global random generator is saved too. Save between epochs: a data
    loader's position inside an epoch is not part of its state.
    """
    if not objects:
        raise ValueError("save_checkpoint: nothing to save; pass e.g. model=model, optimizer=optimizer")
    states = {}
    for name, obj in objects.items():
        if not callable(getattr(obj, "state_dict", None)):
            raise TypeError(f"save_checkpoint: {name}= is a {type(obj).__name__}, which has no state_dict()")
        states[name] = obj.state_dict()
    save({"format": _CHECKPOINT_FORMAT, "epoch": int(epoch), "rng": get_generator().bit_generator.state,
          "states": states, "extra": extra}, path)


def load_checkpoint(path: Any, *, restore_rng: bool = True, **objects: Any) -> dict[str, Any]:
    """Restore the objects given by name from a :func:`save_checkpoint` file, in place.

    Pass freshly built objects of the same kind and shape: ``load_checkpoint(path, model=model,
    optimizer=optimizer, scheduler=scheduler)``; names in the file that are not asked for are left
    alone (e.g. ``model=`` only, for inference). Unless ``restore_rng=False``, minitorch's global
    random generator continues from where it was when the checkpoint was saved.

    Returns ``{"epoch": ..., "extra": ...}``: continue with epoch ``epoch`` (counting from 0).
    """
    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != _CHECKPOINT_FORMAT:
        raise ValueError(f"load_checkpoint: {path} was not written by save_checkpoint (use minitorch.load for "
                         "files written by minitorch.save)")
    states = checkpoint["states"]
    missing = [name for name in objects if name not in states]
    if missing:
        raise KeyError(f"load_checkpoint: the checkpoint has no {', '.join(map(repr, missing))}; it holds "
                       f"{', '.join(map(repr, states))}")
    for name, obj in objects.items():
        obj.load_state_dict(states[name])
    if restore_rng:
        get_generator().bit_generator.state = checkpoint["rng"]
    return {"epoch": checkpoint["epoch"], "extra": checkpoint["extra"]}
