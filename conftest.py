"""Settings for the whole test run (library tests, graded tests and nbval over solutions/)."""

import importlib.util
from pathlib import Path

# BLAS reads its kernel and thread count once, when numpy is first imported, and importing anything
# from the minitorch package imports numpy: so load reproducible.py by its path (it imports only os
# and platform) and set the test environment first. Then this process (the graded tests execute
# notebooks in it), its xdist workers and every kernel started later all run under it.
_spec = importlib.util.spec_from_file_location("_reproducible", Path(__file__).parent / "minitorch/course/reproducible.py")
_reproducible = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reproducible)
use_test_env = _reproducible.use_test_env

# The same renderer and progress settings `python -m minitorch execute` stored the outputs under, so
# nbval compares like with like; but another BLAS kernel and thread count, so that an output that
# depends on them fails here rather than on a learner's machine (minitorch/course/reproducible.py).
use_test_env()


def pytest_addoption(parser):
    parser.addoption("--notebooks", default="solutions",
                     help="folder of lesson notebooks the graded tests run against (default: solutions/)")


# Longest first: with `-n 2 --dist loadscope` each module (and each notebook under nbval) goes to
# one worker, in collection order (pytest_configure turns xdist's reordering off), so the run ends
# soonest when the long units start first and the many short ones fill in at the end (LPT
# scheduling). Measured costs: the grader end-to-end tests run every notebook in subprocesses;
# then each notebook's nbval run and graded tests, later lessons being the longer ones.
_FIRST = ("tests/course/test_grader.py", "tests/course/test_reproducible.py", "tests/course/test_own_engine.py")


def _cost_rank(nodeid: str) -> tuple:
    path = nodeid.split("::", 1)[0]
    if path in _FIRST:
        return (0, _FIRST.index(path))
    name = path.rsplit("/", 1)[-1]
    if path.startswith("solutions/") and name[:2].isdigit():
        return (1, -int(name[:2]))
    if path.startswith("tests/graded/test_lesson"):
        return (2, -int(name[len("test_lesson"):][:2]))
    return (3, 0)


def pytest_configure(config):
    # nbval runs a notebook's cells in order in one kernel: a notebook must not be split between
    # workers, as plain `-n 2` (xdist's "load") would do.
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadscope"
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # keep the longest-first order made below


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: _cost_rank(item.nodeid))  # stable: keeps each module's own order
