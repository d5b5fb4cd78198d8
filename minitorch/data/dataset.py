"""Datasets: anything with ``len(ds)`` and ``ds[i]``, as ``torch.utils.data``.

    Dataset         the base class: subclass it and write ``__len__`` and ``__getitem__``
    TensorDataset   rows of tensors that share their first dimension: ``ds[i] = (X[i], y[i])``
    Subset          a view of some rows of another dataset
    random_split    a seeded split of a dataset into non-overlapping Subsets
    train_test_split  a seeded (optionally stratified) split of arrays into train and test parts

    >>> X, y = minitorch.randn(10, 3), minitorch.arange(10)
    >>> ds = TensorDataset(X, y)
    >>> len(ds), ds[2][1]
    (10, tensor(2))
"""

from __future__ import annotations

import math
from typing import Any, Generic, Sequence, TypeVar

import numpy as np

from ..tensor.random import get_generator
from ..tensor.tensor import Tensor

T_co = TypeVar("T_co", covariant=True)

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "train_test_split"]


class Dataset(Generic[T_co]):
    """A collection of samples, indexed ``0 .. len(self) - 1``.

    A subclass writes ``__getitem__(index)`` (one sample: a tensor, a tuple ``(x, y)``, a dict, ...)
    and ``__len__``. A ``DataLoader`` then batches the samples.
    """

    def __getitem__(self, index: int) -> T_co:
        raise TypeError(f"{type(self).__name__} is a Dataset without __getitem__: a subclass must define "
                        "__getitem__(index) returning one sample")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} is a Dataset without __len__: a subclass must define __len__")


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are rows: ``ds[i] == (tensors[0][i], tensors[1][i], ...)``.

    Args:
        *tensors: Tensors (or numpy arrays, wrapped without copying) whose first dimensions all
            have the same size ``n``, e.g. ``X`` of shape ``(n, features)`` and ``y`` of shape ``(n,)``.
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        wrapped = []
        for i, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                t = Tensor._constant(t)
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}; expected a Tensor or a numpy array")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is 0-dimensional; every tensor needs a first "
                                 "dimension that indexes the samples")
            wrapped.append(t)
        sizes = [t.shape[0] for t in wrapped]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: all tensors must have the same size in dimension 0 (one row per "
                             f"sample), got shapes {[t.shape for t in wrapped]}")
        self.tensors: tuple[Tensor, ...] = tuple(wrapped)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        return f"TensorDataset({len(self)} samples, shapes {[t.shape for t in self.tensors]})"


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i] == dataset[indices[i]]``."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]
        n = len(dataset)
        bad = [i for i in self.indices if not -n <= i < n]
        if bad:
            raise IndexError(f"Subset: index {bad[0]} is out of range for a dataset of {n} samples")

    def __getitem__(self, index: int) -> T_co:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """The generator behind a ``seed`` argument: the global one (``minitorch.manual_seed``) for None."""
    if seed is None:
        return get_generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if hasattr(seed, "_rng"):  # a minitorch.Generator (torch.Generator's counterpart)
        return seed._rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(int(seed))


def _split_sizes(n: int, lengths: Sequence[float], op: str) -> list[int]:
    """Counts that add up to ``n``: given directly, or as fractions (PyTorch's rounding: floor each
    fraction, then hand the left-over samples out one by one, first part first)."""
    if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in lengths):
        if sum(lengths) != n or any(x < 0 for x in lengths):
            raise ValueError(f"{op}: lengths {list(lengths)} must be non-negative and add up to the dataset's "
                             f"{n} samples")
        return [int(x) for x in lengths]
    if not math.isclose(sum(lengths), 1.0) or any(not 0 <= x <= 1 for x in lengths):
        raise ValueError(f"{op}: fractions {list(lengths)} must be in [0, 1] and add up to 1")
    sizes = [int(math.floor(n * x)) for x in lengths]
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes


def random_split(dataset: Dataset[T_co], lengths: Sequence[float], generator: Any = None, *,
                 seed: int | np.random.Generator | None = None) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping Subsets of the given lengths.

    ``lengths`` are counts adding up to ``len(dataset)``, or fractions adding up to 1
    (``random_split(ds, [0.8, 0.2], seed=0)``). The same ``seed`` gives the same split; None draws
    from the global generator. ``generator`` (PyTorch's spelling: a ``minitorch.Generator``, a
    numpy Generator, or a seed) may be given instead of ``seed``.
    """
    n = len(dataset)
    sizes = _split_sizes(n, lengths, "random_split")
    order = _rng(seed if generator is None else generator).permutation(n)
    bounds = np.cumsum([0] + sizes)
    return [Subset(dataset, order[lo:hi].tolist()) for lo, hi in zip(bounds[:-1], bounds[1:])]


def train_test_split(*arrays: np.ndarray | Tensor, test_size: float | int = 0.2, seed: int | None = 0,
                     stratify: np.ndarray | Tensor | None = None) -> list[Any]:
    """Split arrays (rows are samples) into a shuffled train part and a test part, reproducibly.

    Returns ``[a_train, a_test, b_train, b_test, ...]`` (scikit-learn's order), each the same type
    as its input. ``test_size`` is a fraction of the samples (rounded up) or a count. With
    ``stratify=y`` every class keeps (as nearly as possible) its share in both parts: class ``c``
    gives ``floor(n_test * n_c / n)`` samples to the test part, and the rows still missing go to
    the classes that were rounded down the most.
    """
    if not arrays:
        raise ValueError("train_test_split: expected at least one array")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"train_test_split: all arrays must have the same number of rows, got "
                         f"{[len(a) for a in arrays]}")
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, float) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a count, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: the test part would get {n_test} of {n} samples; both parts need at "
                         "least one")
    rng = _rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    else:
        test, train = _stratified(np.asarray(getattr(stratify, "data", stratify)), n_test, rng)
    out: list[Any] = []
    for a in arrays:
        if isinstance(a, Tensor):
            out += [Tensor._constant(a.data[train]), Tensor._constant(a.data[test])]
        else:
            a = np.asarray(a)
            out += [a[train], a[test]]
    return out


def _stratified(labels: np.ndarray, n_test: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Test and train row indices with each class's share kept (both shuffled)."""
    if labels.ndim != 1:
        raise ValueError(f"train_test_split: stratify must be 1-D class labels, got shape {labels.shape}")
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * n_test / len(labels)
    take = np.floor(exact).astype(int)
    # Give the rows still missing to the classes whose share was rounded down the most.
    for c in np.argsort(-(exact - take), kind="stable")[: n_test - take.sum()]:
        take[c] += 1
    test, train = [], []
    for c, k in zip(classes, take):
        rows = rng.permutation(np.flatnonzero(labels == c))
        test.append(rows[:k])
        train.append(rows[k:])
    return rng.permutation(np.concatenate(test)), rng.permutation(np.concatenate(train))
