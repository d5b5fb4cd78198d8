"""Stored notebook outputs must not depend on the BLAS kernel or its thread count.

nbval (over solutions/) is the proof for the lessons: the test run executes them under another
OpenBLAS kernel and thread count than `python -m minitorch execute` stored them with
(minitorch/course/reproducible.py), so a printed number whose last digits come out of a matrix
product fails there (lesson 12 used to print trained losses to four and six digits). The tests here
check that this set-up really is in force, and that it catches such an output end to end.
"""

import os
import platform
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from minitorch.course.reproducible import STORE_ENV, TEST_ENV

ROOT = Path(__file__).resolve().parents[2]
X86_64 = platform.machine().lower() in ("x86_64", "amd64")


def _numpy_uses_openblas() -> bool:
    blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    return "openblas" in str(blas.get("name", "")).lower()


def test_the_test_run_uses_another_blas_set_up_than_the_stored_outputs():
    assert STORE_ENV["OPENBLAS_NUM_THREADS"] != TEST_ENV["OPENBLAS_NUM_THREADS"]
    if X86_64:
        # Prescott (SSE3): every x86-64 CPU runs it, no current CPU picks it by itself.
        assert TEST_ENV["OPENBLAS_CORETYPE"] == "Prescott"
    for name, value in TEST_ENV.items():  # conftest.py applied it, unless the caller chose a value
        assert os.environ.get(name) == value or name in _CALLER_SET, f"{name} is not set for the notebook kernels"


# Settings the person running the tests chose themselves (e.g. OPENBLAS_CORETYPE=Haswell make test).
_CALLER_SET = {name for name in TEST_ENV if os.environ.get(name) not in (None, TEST_ENV[name])}

PRODUCT = """import hashlib
import numpy as np
rng = np.random.default_rng(0)
a = rng.standard_normal((64, 300)).astype(np.float32)
b = rng.standard_normal((300, 64)).astype(np.float32)
c = a @ b
reference = a.astype(np.float64) @ b.astype(np.float64)"""


@pytest.mark.slow
@pytest.mark.skipif(not (X86_64 and _numpy_uses_openblas()), reason="needs numpy's OpenBLAS on x86-64")
def test_an_output_that_depends_on_the_blas_kernel_fails_nbval_and_a_stable_form_passes(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(PRODUCT),
        nbformat.v4.new_code_cell('print("the exact bits:", hashlib.md5(c.tobytes()).hexdigest())'),
        nbformat.v4.new_code_cell('print("agrees with float64 to 1e-4:", np.allclose(c, reference, rtol=1e-4, atol=1e-4))'),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "kernel_dependent.ipynb"
    nbformat.write(nb, path)

    # Store the outputs as an author would, from a shell without the test run's settings.
    author = {k: v for k, v in os.environ.items() if k not in TEST_ENV or k in _CALLER_SET}
    stored = subprocess.run([sys.executable, "-m", "minitorch", "execute", str(path)], env=author,
                            capture_output=True, text=True, timeout=300)
    assert stored.returncode == 0, stored.stdout + stored.stderr
    outputs = [c.outputs for c in nbformat.read(path, as_version=4).cells]
    assert "the exact bits:" in outputs[1][0]["text"] and "True" in outputs[2][0]["text"]

    # Compare them as the test run does (this process's environment: TEST_ENV).
    compared = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
                               "-p", "no:xdist", "-q", "--rootdir", str(tmp_path), str(path)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
    report = compared.stdout + compared.stderr
    assert "kernel_dependent.ipynb::Cell 1 FAILED" in report or "FAILED kernel_dependent.ipynb::Cell 1" in report, report
    assert "2 passed" in report and "1 failed" in report, report
