"""Course tooling: lesson generation, in-notebook checks and grading (see docs/architecture.md)."""

from .check import check, hint
from .exercises import Exercise, graded
from .own import own_engine
from .progress import show_progress

__all__ = ["check", "hint", "show_progress", "Exercise", "graded", "own_engine"]
