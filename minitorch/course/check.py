"""Instant feedback inside a notebook: ``check("03.2")`` runs that exercise's graded tests."""

from __future__ import annotations

import inspect
import re
import sys

from . import own, progress
from .exercises import NOT_ATTEMPTED, find_exercise, run_exercise


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
    notes = [] if result.status == "passed" else _stale_class_notes(variables) + _unfinished_needs(exercise, variables)
    mark = {"passed": "✅"}.get(result.status, "❌")
    score = f"{result.score:g}/{result.max_score:g} points"
    print(f"{mark} Exercise {exercise.id} — {exercise.title}: {score}")
    for outcome in result.outcomes:
        print(f"   {'✓' if outcome.passed else '✗'} {outcome.name}")
    if result.status != "passed":
        for note in notes:
            print(f"\n   ⚠ {note}")
        message = result.message
        if result.status == "not attempted" and any(_STILL_RAISES in n for n in notes):
            # The NotImplementedError may come from the exercise it builds on (named above), not from this one.
            message = message.replace(NOT_ATTEMPTED, "stopped at a NotImplementedError — from this exercise's code, "
                                                     "or from the unfinished one it uses (⚠ above)")
        print(f"\n   First problem: {message}")
        if result.hint and result.status != "not attempted":  # no hint before a first attempt
            print(f"   Hint: {result.hint}")
            if result.hint == exercise.hint:  # the first tier is now shown: hint() goes on from the second
                _hints_shown[exercise.id] = max(_hints_shown.get(exercise.id, 0), 1)
            if _hints_shown.get(exercise.id, 0) < len(exercise.hints):
                print(f"   Still stuck? hint({exercise.id!r}) shows the next hint.")
        # A test that compared a graph's gradients node by node can draw it, wrong nodes in red.
        drawn = next((o for o in result.outcomes if o.diagnosis is not None), None)
        if drawn is not None:
            if drawn is not next(o for o in result.outcomes if not o.passed):
                print(f"\n   Node by node, {drawn.name}: {drawn.message}")
            _show_diagnosis(drawn.diagnosis)
    own.after_check(exercise.id, result.status == "passed", variables)  # your own engine: save (when on)
    sys.stdout.flush()


def _show_diagnosis(diagnosis) -> None:
    """Draw a failed gradient check's graph (wrong nodes highlighted) below the text, in a notebook only."""
    if diagnosis is None:
        return
    try:
        from IPython import get_ipython
        from IPython.display import display

        if getattr(get_ipython(), "kernel", None) is None:  # a terminal, the grader, pytest: text only
            return
        sys.stdout.flush()
        display(diagnosis.draw())
    except Exception as e:  # a drawing must never turn a check into a traceback
        print(f"   (could not draw the graph: {type(e).__name__}: {e})")


_STILL_RAISES = "still raises NotImplementedError"  # how a note names an earlier exercise that is still a stub


def _unfinished_needs(exercise, variables: dict) -> list[str]:
    """Name the earlier exercises this one builds on that do not pass yet (their tests are run quietly)."""
    notes = []
    for needed_id in exercise.needs:
        try:
            needed, tests = find_exercise(needed_id)
        except (KeyError, FileNotFoundError):
            continue
        outcome = run_exercise(needed, tests, variables)
        if outcome.status == "passed":
            continue
        state = (_STILL_RAISES if outcome.status == "not attempted"
                 else f"does not pass yet ({outcome.message})")
        notes.append(f"{exercise.id} uses your code from {needed.id} ({needed.title}), which {state}: "
                     f"make {needed.id} pass first.")
    return notes


_CLASS_DEF = re.compile(r"^class\s+(\w+)\b", re.MULTILINE)
_ATTACH = re.compile(r"^(\w+)\.(\w+)\s*=(?!=)", re.MULTILINE)


def _stale_class_notes(variables: dict) -> list[str]:
    """Spot a class cell re-run after methods were attached to the class (``Value.__add__ = ...``).

    Running ``class Value: ...`` again makes a new class without the attached methods. The cells the
    kernel ran are in ``In`` (oldest first): find a class defined again after a cell that attached to it,
    with no attaching cell run since.
    """
    history = variables.get("In")
    if not isinstance(history, list):
        return []
    notes = []
    last_defined: dict[str, int] = {}
    attached: dict[str, dict[str, int]] = {}  # class -> {attribute: the last cell that attached it}
    for number, source in enumerate(history):
        if not isinstance(source, str):
            continue
        for name in _CLASS_DEF.findall(source):
            last_defined[name] = number
        for name, attr in _ATTACH.findall(source):
            attached.setdefault(name, {})[attr] = number
    for name, attrs in attached.items():
        defined = last_defined.get(name)
        if defined is None:
            continue
        lost = sorted(attr for attr, number in attrs.items() if number < defined)
        if lost:
            notes.append(f"You ran the cell that defines class {name} again (In[{defined}]) after attaching "
                         f"{', '.join(lost)} to it, so the new {name} no longer has them: run the cells that "
                         f"attach them again (they come after the class cell), then this check.")
    return notes


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
