"""Two-dimensional toy classification sets, generated with numpy from a seed.

Each function returns ``(X, y)``: ``X`` has shape ``(n, 2)`` (float64 coordinates) and ``y`` shape
``(n,)`` (int64 class labels ``0, 1, ...``). Points are shuffled. The same ``seed`` always gives the
same points; ``seed`` may also be a ``numpy.random.Generator`` to draw from, or None for fresh
randomness.

    >>> X, y = make_moons(100, noise=0.1, seed=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((100, 2), (100,), [0, 1])
"""

from __future__ import annotations

import math

import numpy as np

Seed = "int | np.random.Generator | None"


def _check(name: str, n: int, noise: float, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name}: n must be an int >= {minimum}, got {n!r}")
    if not noise >= 0:  # also rejects NaN
        raise ValueError(f"{name}: noise is the standard deviation of the jitter and must be >= 0, got {noise!r}")


def _finish(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Jitter every point with N(0, noise²) and shuffle (so classes are not in blocks)."""
    X = X + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def make_moons(n: int = 100, noise: float = 0.1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 is the upper arc, class 1 the lower one.

    The arcs are ``(cos t, sin t)`` and ``(1 - cos t, 0.5 - sin t)`` for ``t`` in ``[0, π]``
    (``n // 2`` points on the first, the rest on the second), not linearly separable.
    """
    _check("make_moons", n, noise, minimum=2)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0, t1 = np.linspace(0, math.pi, n0), np.linspace(0, math.pi, n - n0)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    return _finish(np.concatenate([upper, lower]), y, noise, rng)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5,
                 seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """A ring of radius 1 (class 0) around a ring of radius ``factor`` (class 1), ``0 < factor < 1``."""
    _check("make_circles", n, noise, minimum=2)
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor is the inner radius and must be in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = np.linspace(0, 2 * math.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * math.pi, n - n0, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = factor * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    return _finish(np.concatenate([outer, inner]), y, noise, rng)


def make_spirals(n: int = 100, classes: int = 2, turns: float = 1.0, noise: float = 0.05,
                 seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms winding out from the origin, one class per arm.

    Arm ``k`` is ``r (cos θ, sin θ)`` with radius ``r`` from 0 to 1 and angle
    ``θ = 2π (turns · r + k / classes)``; arms get ``n // classes`` points (the first ones one more
    when ``n`` does not divide evenly).
    """
    _check("make_spirals", n, noise, minimum=classes if isinstance(classes, int) else 1)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"make_spirals: classes must be an int >= 2, got {classes!r}")
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for k in range(classes):
        m = n // classes + (k < n % classes)
        r = np.linspace(0.0, 1.0, m)
        theta = 2 * math.pi * (turns * r + k / classes)
        points.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        labels.append(np.full(m, k))
    return _finish(np.concatenate(points), np.concatenate(labels), noise, rng)
