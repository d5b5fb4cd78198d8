"""Settings for the whole test run (library tests, graded tests and nbval over solutions/)."""

import os

# Render graphs with the bundled graphviz-pure, whatever else is installed: its SVG is the same
# byte for byte on every machine, so the SVGs stored in solutions/ can be compared by nbval.
os.environ.setdefault("MINITORCH_DOT", "graphviz-pure")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
# Progress bars print rates and times that differ on every run: off for stored and compared outputs.
os.environ.setdefault("MINITORCH_NO_PROGRESS", "1")


def pytest_addoption(parser):
    parser.addoption("--notebooks", default="solutions",
                     help="folder of lesson notebooks the graded tests run against (default: solutions/)")
