"""Instant feedback inside a notebook: ``check("03.2")`` runs that exercise's graded tests."""

from __future__ import annotations

import inspect
import sys

from . import progress
from .exercises import find_exercise, run_exercise


def _notebook_variables(depth: int = 2) -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:  # pragma: no cover
        pass
    frame = inspect.currentframe()
    for _ in range(depth):
        frame = frame.f_back if frame is not None else None
    return frame.f_globals if frame is not None else {}


def check(exercise_id: str, variables: dict | None = None) -> None:
    """Run the graded tests of one exercise against what this notebook has defined, and say how it went.

    Prints one line per test, and for the first failure the case that failed and a hint. Never
    raises: a broken exercise is reported, not turned into a traceback.
    """
    variables = _notebook_variables() if variables is None else variables
    try:
        exercise, tests = find_exercise(exercise_id)
    except (KeyError, FileNotFoundError) as e:
        print(f"check({exercise_id!r}): {e}")
        return
    result = run_exercise(exercise, tests, variables)
    progress.record(exercise.id, result.status, result.score, result.max_score)
    mark = {"passed": "✅"}.get(result.status, "❌")
    score = f"{result.score:g}/{result.max_score:g} points"
    print(f"{mark} Exercise {exercise.id} — {exercise.title}: {score}")
    for outcome in result.outcomes:
        print(f"   {'✓' if outcome.passed else '✗'} {outcome.name}")
    if result.status != "passed":
        print(f"\n   First problem: {result.message}")
        if result.status == "not attempted":
            pass  # no hint before a first attempt: the learner should think first
        elif result.hint:
            print(f"   Hint: {result.hint}")
            if len(exercise.hints) > 1:
                print(f"   Still stuck? hint({exercise.id!r}) shows the next hint.")
    sys.stdout.flush()


_hints_shown: dict[str, int] = {}


def hint(exercise_id: str) -> None:
    """Show the next tier of an exercise's hints: the idea first, then pseudocode, then one line."""
    try:
        exercise, _ = find_exercise(exercise_id)
    except (KeyError, FileNotFoundError) as e:
        print(f"hint({exercise_id!r}): {e}")
        return
    if not exercise.hints:
        print(f"Exercise {exercise_id} has no hints.")
        return
    tier = min(_hints_shown.get(exercise_id, 0) + 1, len(exercise.hints))
    _hints_shown[exercise_id] = tier
    print(f"Hint {tier}/{len(exercise.hints)} for {exercise_id}: {exercise.hints[tier - 1]}")
    if tier == len(exercise.hints):
        print("   That is the last hint.")
