"""Building submissions for the grader tests: variants of lesson 01's solution notebook."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_01 = ROOT / "solutions" / "01_derivatives.ipynb"
# Generous for honest code on a busy machine; hostile code that never stops is what they cut.
LIMITS = {"timeout": 240.0, "cell_timeout": 30.0, "test_timeout": 3.0}
ANSWER = "return (f(x + h) - f(x - h)) / (2 * h)"


def variant(folder: Path, name: str, edit=None, cells: tuple[str, ...] = (), lesson: str | None = "01") -> Path:
    """Lesson 01's solution with ``edit`` applied to each code cell's source and ``cells`` appended."""
    nb = nbformat.read(SOLUTION_01, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and edit is not None:
            cell.source = edit(cell.source)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    if lesson is None:
        nb.metadata.pop("minitorch", None)
    else:
        nb.metadata["minitorch"] = {"lesson": lesson}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, path)
    return path


def in_exercise_01_1(code: str):
    """An edit that runs ``code`` in numerical_derivative (exercise 01.1) when the first graded test calls
    it (with x**2 at 3), and answers correctly otherwise: the notebook's own cells call it too."""
    body = "\n".join("        " + line for line in code.splitlines())
    return lambda source: source.replace("    " + ANSWER, f"    if x == 3.0 and f(2.0) == 4.0:\n{body}\n    {ANSWER}")


def rows(grade) -> dict:
    return {e["id"]: e for e in grade.exercises}


def full(row: dict) -> bool:
    return row["score"] == row["max_score"] and row["status"] == "passed"


def live_processes_with(marker: str) -> list[int]:
    """Pids (not zombies) whose command line contains ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            with open(f"/proc/{entry}/status", "rb") as f:
                zombie = any(line.startswith(b"State:") and line.split()[1] == b"Z" for line in f)
        except OSError:
            continue
        if marker in cmdline and not zombie:
            found.append(int(entry))
    return found
