"""Execute solution notebooks in a real kernel and store their outputs (for lesson authors).

They run under ``reproducible.REPRODUCIBLE_ENV`` (the bundled graphviz-pure renderer, no progress
bars), as the test suite does, so stored outputs match what nbval produces on any machine; and under
``STORE_ENV`` (two BLAS threads), while the tests use another BLAS kernel and one thread, so that an
output that depends on them fails the tests (see ``reproducible.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat

from .reproducible import use_store_env


def execute_notebooks(paths: list[Path], timeout: float = 120.0) -> int:
    from nbclient import NotebookClient

    use_store_env()
    failures = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except Exception as e:  # report and go on with the other notebooks
            failures += 1
            print(f"FAILED {path}: {type(e).__name__}: {str(e)[-2000:]}")
            continue
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(nb, path)
        print(f"executed {path} in {time.perf_counter() - start:.1f} s")
    return 1 if failures else 0
