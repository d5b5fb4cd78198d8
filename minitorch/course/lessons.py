"""Generate the student notebooks (``lessons/``) from the solved ones (``solutions/``).

The solution code sits between nbgrader's markers; each region becomes the stub nbgrader
itself would write, at the marker's indentation::

    ### BEGIN SOLUTION                 # YOUR CODE HERE
    return (f(x + h) - f(x)) / h  -->  raise NotImplementedError()
    ### END SOLUTION

Hidden-test regions are removed. Outputs that the learner's code would produce are cleared, so that
a lesson does not show the answers before a line is written (``solution_dependent_cells``): those
of exercise and check cells, and of every cell that uses, directly or through functions it calls, a
name that a solution cell defines or changes. Other outputs (explanatory graphs and plots) are
kept. Cells tagged ``clear-output`` are cleared too.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from .dependencies import solution_dependent_cells
from .notebook import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, check_cell_exercise,
                       is_exercise_cell, read_notebook)


class MarkerError(ValueError):
    """Unbalanced or nested solution / hidden-test markers in a solution notebook."""


def stub_source(source: str, where: str = "cell") -> str:
    """Replace solution regions by stubs and drop hidden-test regions."""
    out: list[str] = []
    region: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker in (BEGIN_SOLUTION, BEGIN_HIDDEN):
            if region is not None:
                raise MarkerError(f"{where}, line {number}: {marker!r} inside an open {region!r} region")
            region = marker
            if marker == BEGIN_SOLUTION:
                indent = line[: len(line) - len(line.lstrip())]
                out += [indent + "# YOUR CODE HERE", indent + "raise NotImplementedError()"]
        elif marker in (END_SOLUTION, END_HIDDEN):
            expected = BEGIN_SOLUTION if marker == END_SOLUTION else BEGIN_HIDDEN
            if region != expected:
                raise MarkerError(f"{where}, line {number}: {marker!r} without a matching {expected!r}")
            region = None
        elif region is None:
            out.append(line)
    if region is not None:
        raise MarkerError(f"{where}: {region!r} is never closed")
    return "\n".join(out)


def student_version(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    student = copy.deepcopy(nb)
    dependent = solution_dependent_cells(student.cells)
    for index, cell in enumerate(student.cells):
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type != "code":
            continue
        clear = (index in dependent or is_exercise_cell(cell) or check_cell_exercise(cell.source) is not None
                 or "clear-output" in cell.get("metadata", {}).get("tags", []))
        cell.source = stub_source(cell.source, where=f"{name}, cell {index}")
        cell.execution_count = None
        if clear:
            cell.outputs = []
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = None
    return student


def build_lessons(solutions: Path, lessons: Path, check: bool = False, only: list[str] | None = None) -> list[str]:
    """Write (or, with ``check``, only compare) every lesson; return the names that differ.

    ``only``: restrict to these notebook names (e.g. ``["03_backprop.ipynb"]``).
    """
    stale = []
    sources = sorted(solutions.glob("*.ipynb"))
    if only:
        wanted = {Path(name).name for name in only}
        missing = wanted - {p.name for p in sources}
        if missing:
            raise FileNotFoundError(f"no such solution notebook(s) in {solutions}: {', '.join(sorted(missing))}")
        sources = [p for p in sources if p.name in wanted]
    expected_names = {p.name for p in sources}
    for source in sources:
        nb = read_notebook(source)
        text = nbformat.writes(student_version(nb, source.name)) + "\n"
        target = lessons / source.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            stale.append(source.name)
            if not check:
                lessons.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    for extra in sorted(lessons.glob("*.ipynb")) if lessons.exists() and not only else []:
        if extra.name not in expected_names:
            stale.append(extra.name + " (no solution notebook)")
            if not check:
                extra.unlink()
    return stale
