"""``DataLoader``: a dataset served in (shuffled) mini-batches, as ``torch.utils.data.DataLoader``.

    >>> ds = TensorDataset(minitorch.randn(10, 3), minitorch.arange(10))
    >>> loader = DataLoader(ds, batch_size=4, shuffle=True, seed=0)
    >>> [tuple(x.shape) for x, y in loader]
    [(4, 3), (4, 3), (2, 3)]

Each pass over the loader (an *epoch*) visits every sample once, in a new random order when
``shuffle=True``. The order comes from the loader's own generator when ``seed`` is given (the
same seed gives the same sequence of epochs, independent of everything else), otherwise from
minitorch's global generator (``minitorch.manual_seed``), as PyTorch draws from its global RNG.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..tensor.functions import stack
from ..tensor.tensor import Tensor
from .dataset import Dataset, TensorDataset, _rng

__all__ = ["DataLoader", "default_collate"]


def default_collate(samples: Sequence[Any]) -> Any:
    """Merge a list of samples into one batch, field by field, with a new first dimension.

    Tensors are stacked; numpy arrays and numbers become tensors (Python ints int64, floats float64,
    as in PyTorch); tuples, lists and dicts are collated per field, keeping their structure:
    ``[(x0, y0), (x1, y1)]`` becomes ``(stack([x0, x1]), tensor([y0, y1]))``.
    """
    if not samples:
        raise ValueError("default_collate: cannot make a batch from an empty list of samples")
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(list(samples))
    if isinstance(first, (np.ndarray, np.generic, bool, int, float)):
        array = np.asarray(samples if not isinstance(first, np.ndarray) else np.stack(samples))
        return Tensor._constant(array)
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError(f"default_collate: every sample must have the same number of fields, got lengths "
                             f"{sorted({len(s) for s in samples})}")
        fields = [default_collate(list(column)) for column in zip(*samples)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(f"default_collate: samples must be tensors, numpy arrays, numbers, strings, or tuples / lists "
                    f"/ dicts of those; got {type(first).__name__}")


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    Args:
        dataset: a ``Dataset`` (anything with ``len`` and integer indexing).
        batch_size: samples per batch; the last batch is smaller when it does not divide evenly.
        shuffle: visit the samples in a new random order every epoch.
        drop_last: skip that smaller last batch (so every batch has exactly ``batch_size`` samples,
            which batch statistics like ``BatchNorm1d`` prefer).
        seed: seed of the loader's own shuffling generator; None shuffles with the global one
            (no effect without ``shuffle``).
        collate_fn: merges a list of samples into a batch (default: :func:`default_collate`).
        generator: PyTorch's way to give the shuffling generator (a ``minitorch.Generator``).

    From ``drop_last`` on, options are keyword-only: PyTorch's 4th positional parameter is ``sampler``.

    A ``TensorDataset`` with the default ``collate_fn`` is sliced with the whole index array at
    once (the same batch as collating its rows one by one, without a Python loop per sample).
    """

    def __init__(self, dataset: Dataset[Any], batch_size: int = 1, shuffle: bool = False, *, drop_last: bool = False,
                 seed: int | None = None, collate_fn: Callable[[list[Any]], Any] | None = None,
                 generator: Any = None, num_workers: int = 0, pin_memory: bool = False) -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must support len() and indexing, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn or default_collate
        # The loader's own generator; None means "draw from minitorch's global generator".
        # ``generator`` (PyTorch's spelling: a minitorch.Generator or a numpy one) may replace ``seed``.
        # num_workers and pin_memory are accepted for PyTorch code and change nothing (one process, CPU).
        self.generator: np.random.Generator | None = _rng(generator) if generator is not None else \
            None if seed is None else _rng(seed)

    def __len__(self) -> int:
        """Batches per epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = _rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield self._fetch(order[start:start + self.batch_size])

    def _fetch(self, indices: np.ndarray) -> Any:
        if isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate:
            return self.dataset[indices]
        return self.collate_fn([self.dataset[int(i)] for i in indices])

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The state of the loader's own shuffling generator (empty without a ``seed``: then the
        global generator, which a checkpoint saves anyway, decides the order)."""
        return {} if self.generator is None else {"generator": self.generator.bit_generator.state}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue the sequence of shuffles from a saved :meth:`state_dict`."""
        if ("generator" in state_dict) != (self.generator is not None):
            raise ValueError("DataLoader.load_state_dict: the saved loader and this one must both have a seed or "
                             "both have none")
        if self.generator is not None:
            self.generator.bit_generator.state = state_dict["generator"]

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, {len(self)} batches)")
