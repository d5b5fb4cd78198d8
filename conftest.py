"""Settings for the whole test run (library tests, graded tests and nbval over solutions/)."""

from minitorch.course.reproducible import use_test_env

# The same renderer and progress settings `python -m minitorch execute` stored the outputs under, so
# nbval compares like with like; but another BLAS kernel and thread count, so that an output that
# depends on them fails here rather than on a learner's machine (minitorch/course/reproducible.py).
use_test_env()


def pytest_addoption(parser):
    parser.addoption("--notebooks", default="solutions",
                     help="folder of lesson notebooks the graded tests run against (default: solutions/)")
