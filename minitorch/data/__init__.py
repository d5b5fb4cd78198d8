"""Data: small seeded toy sets for experiments (and, later, datasets and loaders)."""

from .toy import make_circles, make_moons, make_spirals

__all__ = ["make_moons", "make_circles", "make_spirals"]
