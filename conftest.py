"""Settings for the whole test run (library tests, graded tests and nbval over solutions/)."""

import os

# BLAS reads its thread count once, when numpy is first imported -- by the import below -- so the
# one-thread setting of REPRODUCIBLE_ENV must already be in place for this process (the graded
# tests execute notebooks in it); kernels started later get it from use_reproducible_env().
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from minitorch.course.reproducible import use_reproducible_env  # noqa: E402

# The same environment `python -m minitorch execute` stored the outputs under (graphviz-pure, no
# progress bars), so nbval compares like with like.
use_reproducible_env()


def pytest_addoption(parser):
    parser.addoption("--notebooks", default="solutions",
                     help="folder of lesson notebooks the graded tests run against (default: solutions/)")
