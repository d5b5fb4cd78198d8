"""Reading notebooks and recognising their parts (exercise cells, check cells, lesson id)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"

_CHECK_CELL = re.compile(r"^\s*check\(\s*['\"](\d\d\.\d+)['\"]\s*\)\s*$")
_LESSON_FROM_NAME = re.compile(r"^(\d\d)[_\-\s]")


class NotebookError(Exception):
    """A file that cannot be read as a notebook (not JSON, not nbformat, missing)."""


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    # Imported here, not at the top: nbformat's schema validation takes seconds to import, and every
    # lesson's first cell imports check() (which needs only the recognisers below).
    import nbformat

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise NotebookError(f"cannot read {path.name}: {e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(f"{path.name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    try:
        nb = nbformat.from_dict(data)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
        for cell in nb.cells:
            if not isinstance(cell, dict) or "cell_type" not in cell:
                raise ValueError("a cell without a cell_type")
            if isinstance(cell.get("source"), list):  # nbformat on disk may split source in lines
                cell["source"] = "".join(cell["source"])
            if not isinstance(cell.get("source", ""), str):
                raise ValueError("a cell whose source is not text")
    except (ValueError, TypeError, AttributeError) as e:
        raise NotebookError(f"{path.name} is JSON but not a Jupyter notebook ({e})") from None
    return nb


def check_cell_exercise(source: str) -> str | None:
    """The exercise id if this cell is a feedback cell like ``check("02.1")``, else None."""
    lines = [ln for ln in source.strip().splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if len(lines) == 1:
        m = _CHECK_CELL.match(lines[0])
        if m:
            return m.group(1)
    return None


def is_exercise_cell(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and BEGIN_SOLUTION in cell.get("source", "")


def lesson_of(path: str | Path, nb: dict | None = None) -> str | None:
    """The two-digit lesson id: from the notebook's metadata, else from its file name ("03_x.ipynb")."""
    if nb is not None:
        meta = nb.get("metadata", {}).get("minitorch", {})
        if isinstance(meta, dict) and isinstance(meta.get("lesson"), str):
            return meta["lesson"]
    m = _LESSON_FROM_NAME.match(Path(path).name)
    return m.group(1) if m else None
