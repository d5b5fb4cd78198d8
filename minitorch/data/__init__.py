"""Data: small seeded toy sets for experiments, the 8x8 handwritten digits (shipped, no download),
and ``Dataset`` / ``DataLoader`` for mini-batches (as ``torch.utils.data``)."""

from .dataset import Dataset, Subset, TensorDataset, random_split, train_test_split
from .digits import load_digits
from .loader import DataLoader, default_collate
from .toy import make_circles, make_moons, make_spirals

__all__ = ["make_moons", "make_circles", "make_spirals", "load_digits", "Dataset", "TensorDataset", "Subset",
           "DataLoader", "default_collate", "random_split", "train_test_split"]
