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
