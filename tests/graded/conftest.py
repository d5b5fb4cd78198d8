"""The ``nb`` fixture: the namespace of a lesson notebook, for the graded tests in this folder.

By default the graded tests run against ``solutions/`` (they must all pass there). The notebook is
executed up to its last check cell. Point them at
other notebooks with ``--notebooks DIR`` (e.g. ``--notebooks lessons`` to see every stub fail).
"""

from pathlib import Path

import pytest

from minitorch.course.execute import run_cells
from minitorch.course.exercises import Namespace
from minitorch.course.notebook import check_cell_exercise, lesson_of, read_notebook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nb(request):
    lesson = request.module.__name__.rsplit("test_lesson", 1)[-1][:2]
    folder = Path(request.config.getoption("--notebooks"))
    folder = folder if folder.is_absolute() else ROOT / folder
    matches = [p for p in sorted(folder.glob(f"{lesson}_*.ipynb")) if lesson_of(p) == lesson]
    assert matches, f"no notebook for lesson {lesson} in {folder}"
    cells = read_notebook(matches[0]).cells
    # Everything an exercise's tests use is defined by its check cell; what follows the last one
    # (lesson 12's full training runs, for one) is executed by nbval, and need not run twice.
    checks = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and check_cell_exercise(c.get("source", ""))]
    execution = run_cells(cells[: checks[-1] + 1] if checks else cells, cell_timeout=120)
    if folder.resolve() == (ROOT / "solutions").resolve():
        assert not execution.errors, f"solution notebook raised: {execution.errors}"
    return Namespace(execution.namespace)
