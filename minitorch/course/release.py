"""``python -m minitorch release OUT``: the student bundle — everything a learner needs, no answers.

It holds the library, the lessons (generated afresh from ``solutions/``, so a stale ``lessons/``
cannot leak a solution), the graded tests that ``check()`` runs, the docs and the project files. It
leaves out ``solutions/`` and the instructor's own tests (which read the solutions).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .exercises import graded_tests_dir
from .lessons import build_lessons

INCLUDED = ["README.md", "LICENSE", "Makefile", "pyproject.toml", "conftest.py", "minitorch", "docs",
            "tests/graded", "tests/notebooks"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


def release(out: Path) -> int:
    root = graded_tests_dir().parent.parent
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty: give a new or empty folder")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for name in INCLUDED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=IGNORED)
        elif source.is_file():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / name)
    _point_tests_at_lessons(out / "pyproject.toml")
    written = build_lessons(root / "solutions", out / "lessons")
    print(f"wrote the student bundle to {out}: {len(written)} lesson(s), the library and the graded tests "
          "(no solutions/)")
    return 0


def _point_tests_at_lessons(pyproject: Path) -> None:
    """The bundle has no ``solutions/``: its test command grades the learner's ``lessons/`` instead
    (every exercise not done yet fails, with the same message ``check()`` gives)."""
    text = pyproject.read_text(encoding="utf-8")
    text = text.replace('testpaths = ["tests", "solutions"]', 'testpaths = ["tests/graded"]')
    text = text.replace('addopts = "-ra --strict-markers --nbval', 'addopts = "-ra --strict-markers --notebooks lessons --nbval')
    pyproject.write_text(text, encoding="utf-8")

