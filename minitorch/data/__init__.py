"""Data: small seeded toy sets for experiments; shipped real data (no download): the 8x8 handwritten digits,
MNIST-1D and the 1990 US Census first names; a character vocabulary (``CharVocab``); and ``Dataset`` /
``DataLoader`` for mini-batches (as ``torch.utils.data``)."""

from .dataset import Dataset, Subset, TensorDataset, random_split, train_test_split
from .digits import load_digits
from .loader import DataLoader, default_collate
from .mnist1d import load_mnist1d
from .names import load_names
from .text import CharVocab
from .toy import make_circles, make_moons, make_spirals

__all__ = ["make_moons", "make_circles", "make_spirals", "load_digits", "load_mnist1d", "Dataset", "TensorDataset",
           "Subset", "DataLoader", "default_collate", "random_split", "train_test_split", "load_names", "CharVocab"]
