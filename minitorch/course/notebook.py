"""Reading notebooks and recognising their parts (exercise cells, check cells, lesson id)."""

from __future__ import annotations

import json
import os
import re
import stat
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
_LESSON = re.compile(r"^\d\d$")


class NotebookError(Exception):
    """A file that cannot be read as a notebook (not JSON, not nbformat, missing)."""


MAX_NOTEBOOK_BYTES = 64 * 2**20


def read_bytes(path: str | Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them; never blocks (a FIFO is refused, not opened
    for a writer to appear) and raises only ``NotebookError``."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise NotebookError(f"cannot read {path.name}: {e.strerror or e}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"cannot read {path.name}: it is not a regular file")
        if info.st_size > limit:
            raise NotebookError(f"{path.name} is larger than {limit // 2**20} MiB")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(2**20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise NotebookError(f"{path.name} is larger than {limit // 2**20} MiB")
        return b"".join(chunks)
    except OSError as e:
        raise NotebookError(f"cannot read {path.name}: {e.strerror or e}") from None
    finally:
        os.close(fd)


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    return parse_notebook(read_bytes(path), Path(path).name)


def parse_notebook(raw: bytes, name: str = "notebook", node: bool = True) -> nbformat.NotebookNode:
    """Parse a notebook's bytes (nbformat 4, or 3 converted to 4); raises only ``NotebookError``.

    With ``node=False`` a version-4 notebook comes back as plain dicts, without importing nbformat
    (whose import takes seconds: the grader reads a whole class).
    """
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise NotebookError(f"{name} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise NotebookError(f"{name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise NotebookError(f"{name} is JSON nested too deeply to be a notebook") from None
    try:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if not isinstance(data.get("metadata"), dict):
            data["metadata"] = {}
        if data.get("nbformat") == 3 or node:
            # Imported here, not at the top: nbformat's schema validation takes seconds to import, and
            # every lesson's first cell imports check() (which needs only the recognisers below).
            import nbformat

            nb = nbformat.from_dict(data)
            if data.get("nbformat") == 3:
                nb = nbformat.convert(nb, 4)
        else:
            nb = data
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
        for cell in nb["cells"]:
            if not isinstance(cell, dict) or "cell_type" not in cell:
                raise ValueError("a cell without a cell_type")
            if isinstance(cell.get("source"), list) and all(isinstance(x, str) for x in cell["source"]):
                cell["source"] = "".join(cell["source"])  # nbformat on disk may split source in lines
            if not isinstance(cell.get("source", ""), str):
                raise ValueError("a cell whose source is not text")
    except Exception as e:  # nbformat's converters raise anything on garbage
        raise NotebookError(f"{name} is JSON but not a Jupyter notebook ({type(e).__name__}: {e})"[:300]) from None
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
    metadata = nb.get("metadata") if isinstance(nb, dict) else None
    if isinstance(metadata, dict):
        meta = metadata.get("minitorch", {})
        if isinstance(meta, dict) and isinstance(meta.get("lesson"), str) and _LESSON.match(meta["lesson"]):
            return meta["lesson"]
    m = _LESSON_FROM_NAME.match(Path(path).name)
    return m.group(1) if m else None
