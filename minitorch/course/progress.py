"""The learner's progress: every ``check()`` records its result; ``python -m minitorch progress`` reads it.

The record is a small JSON file beside the lessons (the notebook's working folder),
``.minitorch-progress.json``::

    {"version": 1, "exercises": {"03.2": {"status": "passed", "score": 3, "max_score": 3,
                                          "attempts": 2, "first_passed": "2026-11-30T20:05:11"}}}

``$MINITORCH_PROGRESS_FILE`` names another file, or ``off`` to record nothing (the test run and
``python -m minitorch execute`` set ``off``, so storing a solution notebook's outputs writes no record).
Recording never raises: a read-only folder or a damaged file only means no record.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

FILENAME = ".minitorch-progress.json"


def progress_file(folder: str | Path | None = None) -> Path | None:
    """Where progress is recorded: $MINITORCH_PROGRESS_FILE, else the file in ``folder`` (default: cwd)."""
    env = os.environ.get("MINITORCH_PROGRESS_FILE")
    if folder is None and env:
        return None if env == "off" else Path(env)
    return Path(folder if folder is not None else Path.cwd()) / FILENAME


def load(path: Path | None) -> dict:
    """The recorded exercises, {id: entry}; empty when there is no (readable, well-formed) record."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
    except (OSError, ValueError):
        return {}
    exercises = data.get("exercises") if isinstance(data, dict) else None
    return {k: v for k, v in exercises.items() if isinstance(v, dict)} if isinstance(exercises, dict) else {}


def record(exercise_id: str, status: str, score: float, max_score: float) -> None:
    """Add one check() result to the record (best status kept; attempts counted)."""
    path = progress_file()
    if path is None:
        return
    exercises = load(path)
    entry = exercises.get(exercise_id, {})
    entry["attempts"] = int(entry.get("attempts", 0)) + (status != "not attempted")
    if entry.get("status") != "passed":  # once passed, an exercise stays passed
        entry.update(status=status, score=score, max_score=max_score)
    if status == "passed":
        entry.setdefault("first_passed", time.strftime("%Y-%m-%dT%H:%M:%S"))
    exercises[exercise_id] = entry
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"version": 1, "exercises": exercises}, indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _lesson_rows(lesson: str, recorded: dict) -> tuple[list[tuple[str, str, str]], float, float]:
    from .exercises import lesson_exercises

    exercises, _ = lesson_exercises(lesson)
    rows, score, total = [], 0.0, 0.0
    for ex in exercises:
        entry = recorded.get(ex.id, {})
        status = entry.get("status", "not checked yet")
        got = float(entry.get("score", 0) or 0)
        score, total = score + got, total + ex.points
        rows.append((ex.id, ex.title, f"{status} ({got:g}/{ex.points:g})"))
    return rows, score, total


def status_line(lesson: str, folder: str | Path | None = None) -> str:
    """One line for the top of a lesson: how many of its exercises have passed a check() so far."""
    recorded = load(progress_file(folder))
    try:
        rows, score, total = _lesson_rows(lesson, recorded)
    except (FileNotFoundError, KeyError):
        return f"Lesson {lesson}: no graded exercises found."
    passed = sum(1 for ex_id, _, _ in rows if recorded.get(ex_id, {}).get("status") == "passed")
    tried = sum(1 for ex_id, _, _ in rows if ex_id in recorded)
    if not tried:
        return f"Lesson {lesson}: {len(rows)} exercises, {total:g} points — none checked yet. Have fun!"
    todo = [ex_id for ex_id, _, _ in rows if recorded.get(ex_id, {}).get("status") != "passed"]
    rest = f"; still open: {', '.join(todo)}" if todo else " — all done!"
    return f"Lesson {lesson}: {passed}/{len(rows)} exercises passed, {score:g}/{total:g} points{rest}"


def report(folder: str | Path | None = None) -> str:
    """Every lesson with graded tests, and each exercise's recorded status."""
    from .exercises import graded_tests_dir

    recorded = load(progress_file(folder))
    lessons = sorted(p.stem.removeprefix("test_lesson") for p in graded_tests_dir().glob("test_lesson*.py"))
    lines = []
    for lesson in lessons:
        rows, score, total = _lesson_rows(lesson, recorded)
        lines.append(f"Lesson {lesson}: {score:g}/{total:g} points")
        lines += [f"  {ex_id:6} {title:48.48} {state}" for ex_id, title, state in rows]
    return "\n".join(lines)


def show_progress(lesson: str) -> None:
    """Print :func:`status_line` (each lesson's first cell calls this). Never raises."""
    try:
        print(status_line(lesson))
    except Exception as e:  # a damaged course folder must not stop the lesson from starting
        print(f"Lesson {lesson}: progress unavailable ({type(e).__name__})")
    from .own import show_carried

    show_carried(lesson)  # your own engine, when switched on: course/own.py
