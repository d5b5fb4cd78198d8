"""The environment under which notebook outputs are stored (``execute``) and compared (the tests).

Both must agree, or nbval would report differences that are only in how the outputs were made.
"""

import os

REPRODUCIBLE_ENV = {
    # Render graphs with the bundled graphviz-pure, whatever else is installed: its SVG is the same
    # byte for byte on every machine, so the SVGs stored in solutions/ can be compared by nbval.
    "MINITORCH_DOT": "graphviz-pure",
    # Progress bars print rates and times that differ on every run.
    "MINITORCH_NO_PROGRESS": "1",
    # One BLAS thread. The lessons' matrix products are small; on two threads each, two pytest workers (or
    # any busy machine) slow them down tenfold and more (threads spin waiting for a core), e.g. the
    # recurrent nets of lesson 15, which make thousands of them.
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    # Silences a debugger warning that ipykernel prints on some Python builds.
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def use_reproducible_env() -> None:
    """Set each of ``REPRODUCIBLE_ENV`` unless the caller already chose a value (kernels inherit it)."""
    for name, value in REPRODUCIBLE_ENV.items():
        os.environ.setdefault(name, value)
