"""Data: small seeded toy sets for experiments, the 8x8 handwritten digits and the 1990 US Census first
names (shipped, no download), a character vocabulary
(``CharVocab``), and ``Dataset`` / ``DataLoader`` for mini-batches (as ``torch.utils.data``)."""

from .dataset import Dataset, Subset, TensorDataset, random_split, train_test_split
from .digits import load_digits
from .loader import DataLoader, default_collate
from .names import load_names
from .text import CharVocab
from .toy import make_circles, make_moons, make_spirals

__all__ = ["make_moons", "make_circles", "make_spirals", "load_digits", "Dataset", "TensorDataset", "Subset",
           "DataLoader", "default_collate", "random_split", "train_test_split",
           "load_names", "CharVocab"]
