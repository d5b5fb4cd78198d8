"""The scalar engine: autograd on single numbers (lessons 01-05)."""

from .value import Value

__all__ = ["Value"]
