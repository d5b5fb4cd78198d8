"""The global random number generator behind ``rand``, ``randn``, ``randint``, ``randperm`` ...

One ``numpy.random.Generator`` (PCG64) for the whole library, so ``minitorch.manual_seed(0)``
makes every random factory — and everything built on them, like weight initialisation —
reproducible. Like PyTorch, it starts from a fixed seed, so a fresh process is deterministic too.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SEED = 67280421310721  # PyTorch's default seed, for the same "deterministic by default"

_generator = np.random.default_rng(DEFAULT_SEED)
_seed = DEFAULT_SEED


def manual_seed(seed: int) -> None:
    """Reseed the global generator: the same seed gives the same random tensors."""
    global _generator, _seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _seed = int(seed)
    _generator = np.random.default_rng(_seed)


def initial_seed() -> int:
    """The seed the global generator was last seeded with."""
    return _seed


def get_generator() -> np.random.Generator:
    """The global generator (a ``numpy.random.Generator``); draw from it to stay reproducible."""
    return _generator


class Generator:
    """A random number generator of its own, as ``torch.Generator``: pass it as ``generator=`` to
    the random factories, ``randperm``, ``uniform_``/``normal_``, ``random_split`` or
    ``DataLoader`` to draw from it instead of the global one.

        >>> g = Generator().manual_seed(0)
    """

    def __init__(self, device: str = "cpu"):
        self._seed = DEFAULT_SEED
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed; returns the generator itself (so ``Generator().manual_seed(0)`` is one line)."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"Generator.manual_seed: seed must be a non-negative int, got {seed!r}")
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Reseed from fresh entropy; returns the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % 2**63)).initial_seed()


def numpy_generator(generator: "Generator | np.random.Generator | None") -> np.random.Generator:
    """The numpy generator to draw from: ``generator``'s (a minitorch ``Generator`` or a numpy
    one), or the global one when it is None."""
    if generator is None:
        return _generator
    return getattr(generator, "_rng", generator)
