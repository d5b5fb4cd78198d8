"""The environments under which notebook outputs are stored (``execute``) and compared (the tests).

Both share ``REPRODUCIBLE_ENV`` (renderer, no progress bars), or nbval would report differences that
are only in how the outputs were made.

They deliberately differ in the BLAS: a matrix product's last bits depend on the kernel OpenBLAS
picks for the CPU (``Haswell``, ``SkylakeX``, ``Prescott``...) and on its number of threads, and a
learner's machine may use any of them, or MKL, Apple Accelerate, ARM. No stored output may depend
on that (docs/architecture.md says how to print such numbers). So the outputs are stored with the
machine's own kernel and ``STORE_ENV``'s two threads, and the tests run the notebooks with
``TEST_ENV``: one thread and, on x86-64, OpenBLAS's ``Prescott`` kernel (SSE3, which every x86-64
CPU runs, and which no current CPU picks by itself). An output that depends on the kernel or the
thread count therefore fails nbval on the author's machine, before it reaches anyone else's.
(numpy's bundled OpenBLAS honours ``OPENBLAS_CORETYPE``; other BLAS libraries ignore it.)
"""

from __future__ import annotations

import os
import platform

REPRODUCIBLE_ENV = {
    # Render graphs with the bundled graphviz-pure, whatever else is installed: its SVG is the same
    # byte for byte on every machine, so the SVGs stored in solutions/ can be compared by nbval.
    "MINITORCH_DOT": "graphviz-pure",
    # Progress bars print rates and times that differ on every run.
    "MINITORCH_NO_PROGRESS": "1",
    # check() cells record the learner's progress; running a solution notebook must not.
    "MINITORCH_PROGRESS_FILE": "off",
    # Widgets (the backward stepper) display their static frames: a live widget's output holds a random model id.
    "MINITORCH_STATIC_WIDGETS": "1",
    # Your own engine (course/own.py) is never used while outputs are stored or compared.
    "MINITORCH_OWN_ENGINE": "off",
    # Silences a debugger warning that ipykernel prints on some Python builds.
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}

# `python -m minitorch execute`: the machine's own BLAS kernel, two threads.
STORE_ENV = {"OPENBLAS_NUM_THREADS": "2"}

# The test run (conftest.py): another kernel and another thread count than the stored outputs.
# One thread also keeps parallel test workers from oversubscribing the cores (OpenBLAS threads spin-wait:
# with more threads than free cores, a conv net's medium-sized matmuls ran 10x slower).
TEST_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
if platform.machine().lower() in ("x86_64", "amd64"):
    TEST_ENV["OPENBLAS_CORETYPE"] = "Prescott"


def use_reproducible_env() -> None:
    """Set each of ``REPRODUCIBLE_ENV`` unless the caller already chose a value (kernels inherit it).

    Your own engine is switched off even when the shell switched it on: outputs come from the reference.
    """
    for name, value in REPRODUCIBLE_ENV.items():
        os.environ.setdefault(name, value)
    os.environ["MINITORCH_OWN_ENGINE"] = "off"


def use_store_env() -> None:
    """``REPRODUCIBLE_ENV``, and ``STORE_ENV`` whatever the caller set (for ``execute``)."""
    use_reproducible_env()
    os.environ.update(STORE_ENV)


def use_test_env() -> None:
    """``REPRODUCIBLE_ENV`` and ``TEST_ENV``, each unless the caller already chose a value (conftest.py).

    Processes started afterwards (notebook kernels, grader workers, pytest-xdist workers) load
    their BLAS under it; a BLAS already loaded in this process keeps the settings it started with.
    """
    use_reproducible_env()
    for name, value in TEST_ENV.items():
        os.environ.setdefault(name, value)
