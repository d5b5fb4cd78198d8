"""Run a notebook's code cells in this process, each under a time limit.

Used by the grader (inside a throw-away subprocess per notebook) and by the graded tests under
pytest (on the solution notebooks). Each cell is compiled under the name ``<cell N>`` so that a
learner's error is reported as "cell 7, line 3" rather than as a path in a temp folder.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterator

from .notebook import check_cell_exercise


class TimeLimitExceeded(BaseException):
    """Raised inside running code when its time is up.

    A BaseException, not an Exception, so that a learner's ``except Exception:`` inside a loop does
    not swallow it.
    """


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str = "code") -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread only; elsewhere, no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded(f"{what} did not finish within {seconds:g} s (an infinite loop?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class CellError:
    cell: int
    error: str


@dataclass
class Execution:
    namespace: dict
    errors: list[CellError] = field(default_factory=list)
    seconds: float = 0.0


def _get_ipython() -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def _notebook_cell_name(filename: str) -> str | None:
    """A readable name for the cell a code object came from, or None if it is not notebook code.

    The grader compiles cells as ``<cell N>``; a Jupyter kernel as ``/tmp/ipykernel_PID/HASH.py``, and
    IPython in a terminal as ``<ipython-input-N-HASH>``: for those, find the cell by its text in ``In``.
    """
    if filename.startswith("<cell "):
        return filename[1:-1]
    if "ipykernel_" not in filename and not filename.startswith("<ipython-input-"):
        return None
    source = "".join(linecache.getlines(filename))
    try:
        from IPython import get_ipython

        inputs = get_ipython().user_ns.get("In", [])
    except Exception:  # no IPython here
        inputs = []
    for number in range(len(inputs) - 1, 0, -1):
        if source and inputs[number].strip() == source.strip():
            return f"cell In[{number}]"
    return "a cell of your notebook"


def raised_through_learner_code(exc: BaseException, test_file: str) -> bool:
    """Did the exception pass through the learner's code, rather than only the test (``test_file``),
    minitorch, installed packages and the standard library? (A test's ``float(result)`` of a
    returned string fails in the test's own code: then the learner's code did not raise.)"""
    import sysconfig

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    system = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        ours = (filename == test_file or filename.startswith(package) or filename.startswith(system)
                or filename.startswith("<frozen"))
        if not ours:
            return True
        tb = tb.tb_next
    return False


def describe_exception(exc: BaseException) -> str:
    """One line: the exception and the innermost place in notebook code where it happened."""
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        cell = _notebook_cell_name(filename)
        if cell:
            where = f" (at {cell}, line {tb.tb_lineno}"
            line = linecache.getline(filename, tb.tb_lineno).strip()
            where += f": {line})" if line else ")"
        tb = tb.tb_next
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {message}{where}" if message else f"{name}{where}"


def run_cells(cells: list[dict], cell_timeout: float | None = 60.0, skip_checks: bool = True,
              skip: Collection[int] = (), before_cell: Callable[[int], None] | None = None) -> Execution:
    """Execute the code cells in order in a fresh namespace; errors are recorded, not raised.

    Check cells (``check("03.1")``) are skipped: the grader runs the tests itself; so are the cells
    whose index is in ``skip`` (the grader's cells that had to be killed). ``before_cell(index)`` is
    called before each cell runs. The namespace is also IPython's ``user_ns`` (once a magic needs the
    shell), so names defined by ``%run helper.py`` land in it.
    """
    import matplotlib
    from IPython.core.inputtransformer2 import TransformerManager

    matplotlib.use("Agg")  # no windows; figures are discarded
    import matplotlib.pyplot as plt

    to_python = TransformerManager().transform_cell  # IPython syntax (%magic, !cmd, x?) -> Python

    namespace: dict = {"__name__": "__main__"}

    def get_ipython() -> Any:  # created on first use (a %magic or !command), bound to this namespace
        shell = _get_ipython()
        shell.user_ns = namespace
        return shell

    namespace["get_ipython"] = get_ipython
    result = Execution(namespace)
    start = time.perf_counter()
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if index in skip or (skip_checks and check_cell_exercise(source) is not None):
            continue
        if before_cell is not None:
            before_cell(index)
        filename = f"<cell {index}>"
        try:
            code_text = to_python(source)
            linecache.cache[filename] = (len(code_text), None, code_text.splitlines(True), filename)
            code = compile(code_text, filename, "exec")
        except (SyntaxError, ValueError) as e:
            result.errors.append(CellError(index, f"{type(e).__name__} in cell {index}: {e}"))
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with time_limit(cell_timeout, f"cell {index}"):
                    exec(code, namespace)
        except (Exception, TimeLimitExceeded, SystemExit, KeyboardInterrupt) as e:
            result.errors.append(CellError(index, describe_exception(e)))
        finally:
            plt.close("all")
    result.seconds = time.perf_counter() - start
    return result
