"""Plots of training (matplotlib): loss curves and decision boundaries.

Each function draws into ``ax`` (a new figure when None) and returns the axes, so plots can be
combined side by side with ``plt.subplots``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

# Colour-vision-deficiency friendly class colours (Okabe-Ito): blue, orange, green, ...
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.5))
    return ax


def plot_loss_curve(losses: Sequence[float], ax=None, *, label: str | None = None, log: bool = False,
                    title: str = "training loss"):
    """Loss against training step; ``log=True`` for a logarithmic loss axis."""
    values = np.asarray(losses, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"plot_loss_curve: expected a non-empty 1-D sequence of losses, got shape {values.shape}")
    ax = _axes(ax)
    ax.plot(np.arange(values.size), values, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if label is not None:
        ax.legend()
    return ax


def plot_decision_boundary(predict_fn: Callable[[np.ndarray], Sequence[int]], X: np.ndarray, y: np.ndarray,
                           ax=None, *, resolution: int = 60, margin: float = 0.5, title: str | None = None):
    """Shade the plane by the class ``predict_fn`` gives each point, and scatter the data on top.

    Args:
        predict_fn: maps an array of points, shape ``(m, 2)``, to ``m`` class labels ``0..k-1``
            (for a score-based binary classifier: ``lambda P: scores(P) > 0``).
        X: the data points, shape ``(n, 2)``; y: their labels, shape ``(n,)``.
        resolution: grid points per axis (the model is evaluated ``resolution**2`` times).
        margin: how far the grid extends beyond the data.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"plot_decision_boundary: expected X of shape (n, 2) and y of shape (n,), "
                         f"got X {X.shape} and y {y.shape}")
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    labels = np.asarray(predict_fn(grid), dtype=float).reshape(-1)
    if labels.size != grid.shape[0]:
        raise ValueError(f"plot_decision_boundary: predict_fn returned {labels.size} labels for "
                         f"{grid.shape[0]} points; expected one label per point")
    k = int(max(labels.max(), y.max())) + 1
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(k)]

    from matplotlib.colors import ListedColormap

    ax = _axes(ax)
    ax.contourf(xx, yy, labels.reshape(xx.shape), levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(colors),
                alpha=0.25)
    for c in range(k):
        ax.scatter(X[y == c, 0], X[y == c, 1], s=18, color=colors[c], edgecolors="black", linewidths=0.4,
                   label=f"class {c}")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_history(history, axes=None, *, title: str | None = None, log: bool = False):
    """Training and validation curves side by side: loss (left) and accuracy (right) per epoch.

    ``history`` is a ``minitorch.training.History`` or a dict with lists ``train_loss``,
    ``train_acc`` and optionally ``val_loss``, ``val_acc`` (and ``best_epoch``, 0-based, marked
    with a dotted line). ``axes``: two matplotlib axes to draw into (a new figure when None).
    ``log=True`` draws the loss on a logarithmic axis, where its late, small changes show.
    Returns the two axes.
    """
    get = history.get if isinstance(history, dict) else (lambda key, default=None: getattr(history, key, default))
    train_loss = np.asarray(get("train_loss", []), dtype=float)
    if train_loss.ndim != 1 or train_loss.size == 0:
        raise ValueError("plot_history: the history has no train_loss values to plot")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    best = get("best_epoch", None)
    for ax, metric, name in ((axes[0], "loss", "loss"), (axes[1], "acc", "accuracy")):
        for split, style in (("train", "-"), ("val", "--")):
            values = np.asarray(get(f"{split}_{metric}", []) or [], dtype=float)
            if values.size:
                label = "training" if split == "train" else "validation"
                ax.plot(np.arange(1, values.size + 1), values, style, label=label)
        if best is not None:
            ax.axvline(best + 1, color="gray", linestyle=":", linewidth=1, label=f"best epoch ({best + 1})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if log:
        axes[0].set_yscale("log")
    if title:
        axes[0].figure.suptitle(title)
    return axes


def plot_confusion_matrix(matrix, class_names: Sequence[str] | None = None, ax=None, *, normalize: bool = False,
                          title: str = "confusion matrix"):
    """Show a confusion matrix (rows: true class, columns: predicted class) as a heat map with the
    count (or, with ``normalize=True``, the fraction of the row) written in each cell."""
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square (k, k) matrix, got shape {counts.shape}")
    k = counts.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for a {k}x{k} matrix")
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    ax = _axes(ax)
    ax.imshow(shown, cmap="Blues")
    threshold = shown.max() / 2 if shown.size else 0
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else str(int(shown[i, j]))
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > threshold else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax


def plot_images(images, labels=None, predictions=None, *, ncols: int = 10, size: float = 0.9, cmap: str = "gray_r"):
    """A grid of small grey images (e.g. the 8x8 digits), titled with their labels.

    ``images``: shape ``(n, h, w)``, or ``(n, h*w)`` for square images. With ``predictions`` each
    title reads ``label→prediction``, in red when they differ. Returns the figure.
    """
    import matplotlib.pyplot as plt

    pictures = np.asarray(images, dtype=float)
    if pictures.ndim == 2:
        side = int(round(np.sqrt(pictures.shape[1])))
        if side * side != pictures.shape[1]:
            raise ValueError(f"plot_images: rows of {pictures.shape[1]} pixels are not square images; pass (n, h, w)")
        pictures = pictures.reshape(-1, side, side)
    if pictures.ndim != 3 or len(pictures) == 0:
        raise ValueError(f"plot_images: expected images of shape (n, h, w) or (n, h*w), got {np.shape(images)}")
    n = len(pictures)
    rows = -(-n // ncols)
    cols = min(ncols, n)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows * 1.25), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= n:
            continue
        ax.imshow(pictures[index], cmap=cmap, interpolation="nearest")
        if labels is not None:
            label = int(np.asarray(labels)[index])
            if predictions is None:
                ax.set_title(str(label), fontsize=9)
            else:
                guess = int(np.asarray(predictions)[index])
                ax.set_title(f"{label}→{guess}", fontsize=9, color="black" if guess == label else "#D55E00")
    fig.tight_layout()
    return fig


def plot_trajectories(f: Callable[[np.ndarray, np.ndarray], np.ndarray], paths: dict, ax=None, *,
                      xlim: tuple[float, float] = (-2.0, 2.0), ylim: tuple[float, float] = (-1.0, 3.0),
                      levels: int = 30, log_levels: bool = True, minimum: Sequence[float] | None = None,
                      title: str | None = None):
    """Optimizer paths over the contours of a 2-D loss surface.

    Args:
        f: the surface, vectorised: ``f(X, Y)`` on meshgrid arrays returns the loss grid.
        paths: ``{name: points}`` with ``points`` of shape (steps + 1, 2), start first.
        xlim, ylim: the window drawn. ``levels``: number of contour lines, spaced
            logarithmically when ``log_levels`` (valleys like Rosenbrock's need it).
        minimum: optional (x, y) of the minimum, marked with a star.
    """
    ax = _axes(ax)
    xs = np.linspace(*xlim, 300)
    ys = np.linspace(*ylim, 300)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(f(X, Y), dtype=float)
    if log_levels:
        low = max(float(Z.min()), 1e-6)
        contour_levels = np.geomspace(low if low > 0 else 1e-6, max(float(Z.max()), low * 10), levels)
    else:
        contour_levels = np.linspace(float(Z.min()), float(Z.max()), levels)
    ax.contour(X, Y, Z, levels=contour_levels, colors="#cbd5e1", linewidths=0.7)
    for i, (name, points) in enumerate(paths.items()):
        pts = np.asarray(points, dtype=float)
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise ValueError(f"plot_trajectories: path {name!r} must have shape (steps, 2), got {pts.shape}")
        color = CLASS_COLORS[i % len(CLASS_COLORS)]
        ax.plot(pts[:, 0], pts[:, 1], "-", color=color, lw=1.4, label=name)
        ax.plot(pts[0, 0], pts[0, 1], "o", color=color, ms=4)
    if minimum is not None:
        ax.plot(*minimum, "*", color="black", ms=10, label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_lr_schedule(schedules: dict, ax=None, *, log: bool = False, title: str = "learning rate"):
    """Learning rate against step for one or more schedules: ``{name: [lr_0, lr_1, ...]}``.

    To record a minitorch (or PyTorch) scheduler: call ``scheduler.get_last_lr()[0]`` before each
    ``optimizer.step(); scheduler.step()``.
    """
    ax = _axes(ax)
    for i, (name, lrs) in enumerate(schedules.items()):
        values = np.asarray(lrs, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"plot_lr_schedule: schedule {name!r} must be a non-empty 1-D sequence, got shape {values.shape}")
        ax.plot(np.arange(values.size), values, color=CLASS_COLORS[i % len(CLASS_COLORS)], label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("lr")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax
