"""The 8x8 handwritten digits: 1 797 small grey images of the digits 0-9, shipped with minitorch.

The file ``digits.npz`` (45 KB) sits next to this module, so nothing is downloaded. Its source,
licence (CC BY 4.0) and format are described in ``DIGITS.md`` beside it.

    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((1797, 64), dtype('float32'), (1797,), dtype('int64'))
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["load_digits", "DIGITS_CLASSES"]

DIGITS_CLASSES = tuple(str(d) for d in range(10))


def load_digits(flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The digits as ``(X, y)`` numpy arrays.

    Args:
        flatten: give each image as a row of 64 pixels (``X`` of shape ``(1797, 64)``), ready for a
            ``Linear`` layer; False keeps the images ``(1797, 8, 8)``.

    Returns:
        X: float32 pixel intensities in ``[0, 1]`` (the stored counts ``0..16`` divided by 16, so
            ``X * 16`` recovers them exactly).
        y: int64 labels ``0..9``, the digit each image shows.
    """
    # Load through importlib.resources so this works from an installed wheel or zip as well as a
    # source checkout; allow_pickle=False: the file holds plain arrays and may never run code.
    with resources.files(__package__).joinpath("digits.npz").open("rb") as f, \
            np.load(f, allow_pickle=False) as stored:
        images, labels = stored["images"], stored["labels"]
    X = images.astype(np.float32) / np.float32(16)
    return (X.reshape(len(X), -1) if flatten else X), labels.astype(np.int64)
