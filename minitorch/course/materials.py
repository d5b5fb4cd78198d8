"""Where the course's own materials are: the graded tests and the student notebooks.

In a source checkout they live where authors edit them, ``tests/graded/`` and ``lessons/``. A
wheel carries them inside the package — ``pyproject.toml`` maps ``tests/graded`` to
``minitorch/course/graded`` and ``lessons`` to ``minitorch/course/notebooks`` — so ``check()``
works wherever minitorch is installed (a hosted notebook service, a plain ``pip install``), and
``python -m minitorch lessons DIR`` copies the student notebooks out. Standard library only: a
light install (no Jupyter) imports this.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parents[1]  # the repository root, when minitorch runs from a source checkout


def graded_tests_dir() -> Path:
    """The folder of ``test_lessonNN.py`` files that ``check()`` and the grader run.

    ``$MINITORCH_GRADED_TESTS`` if set (the grader points its workers at a private copy); else the
    checkout's ``tests/graded``; else the installed package's ``minitorch/course/graded``.

    Raises:
        FileNotFoundError: none of these exists (a broken install).
    """
    env = os.environ.get("MINITORCH_GRADED_TESTS")
    if env:
        return Path(env)
    return _first_folder([_CHECKOUT / "tests" / "graded", _HERE / "graded"], "the graded tests")


def student_notebooks_dir() -> Path:
    """The folder of student notebooks (``NN_topic.ipynb``): the checkout's ``lessons/``, else the
    installed package's ``minitorch/course/notebooks``.

    Raises:
        FileNotFoundError: neither exists.
    """
    return _first_folder([_CHECKOUT / "lessons", _HERE / "notebooks"], "the student notebooks")


def _first_folder(candidates: list[Path], what: str) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find {what}: looked in " + ", ".join(str(c) for c in candidates)
                            + " (reinstall minitorch, or set MINITORCH_GRADED_TESTS for the tests)")


def copy_lessons(dest: str | Path, force: bool = False) -> tuple[list[str], list[str]]:
    """Copy the student notebooks into ``dest`` (created if missing); return (copied, kept).

    A notebook already in ``dest`` is the learner's work: it is kept unless ``force`` is true.
    """
    source, dest = student_notebooks_dir(), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for notebook in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        target = dest / notebook.name
        if target.exists() and not force:
            kept.append(notebook.name)
            continue
        shutil.copyfile(notebook, target)
        copied.append(notebook.name)
    return copied, kept
