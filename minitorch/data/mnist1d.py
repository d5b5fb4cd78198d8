"""MNIST-1D: 5 000 one-dimensional "handwritten digits" of length 40, shipped with minitorch.

Greydanus & Kobak's procedurally generated analogue of MNIST: each of the ten digits is a short
template curve, padded, scaled, shifted, sheared and made noisy, so that *where* a pattern sits
varies from sample to sample. A model that looks for local patterns anywhere (a convolution) does
much better on it than one that gives every position its own weight (an MLP). The file
``mnist1d.npz`` (370 KB) sits next to this module, so nothing is downloaded; its licence
(Apache-2.0), citation and the exact command that generated it are in ``MNIST1D.md`` beside it.

    >>> X, y = load_mnist1d()
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((4000, 40), dtype('float32'), (4000,), dtype('int64'))
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["load_mnist1d"]


def load_mnist1d(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The training (4 000 samples) or test (1 000 samples) part of MNIST-1D as ``(X, y)``.

    Args:
        train: the training part if True, else the test part (the package's own 80/20 split).

    Returns:
        X: float32 ``(n, 40)``, the signals (standardised over the whole set: mean ~0, std ~1; stored
            as float16, so each value is exact to about 3 significant digits).
        y: int64 ``(n,)``, the digit 0-9 each signal was made from.
    """
    part = "train" if train else "test"
    # importlib.resources works from a wheel or zip as well as a checkout; allow_pickle=False: plain arrays only.
    with resources.files(__package__).joinpath("mnist1d.npz").open("rb") as f, \
            np.load(f, allow_pickle=False) as stored:
        x, y = stored[f"x_{part}"], stored[f"y_{part}"]
    return x.astype(np.float32), y.astype(np.int64)
