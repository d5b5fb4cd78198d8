"""Course tooling: lesson generation, in-notebook checks and grading (see docs/architecture.md)."""

from .check import check, hint
from .exercises import Exercise, graded

__all__ = ["check", "hint", "Exercise", "graded"]
