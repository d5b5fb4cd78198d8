"""Settings for the whole test run (library tests, graded tests and nbval over solutions/)."""

from minitorch.course.reproducible import use_reproducible_env

# The same environment `python -m minitorch execute` stored the outputs under (graphviz-pure, no
# progress bars), so nbval compares like with like.
use_reproducible_env()


def pytest_addoption(parser):
    parser.addoption("--notebooks", default="solutions",
                     help="folder of lesson notebooks the graded tests run against (default: solutions/)")
