"""minitorch's tensor ops give PyTorch's outputs, dtypes and gradients.

The default run replays the inputs stored in tests/references/tensor_ops_reference.npz (recorded
from torch by tests/references/record_tensor_ops.py) through minitorch. With torch installed, the
``torch``-marked tests also compare both libraries live, on inputs the file has never seen.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F

_SCRIPT = Path(__file__).resolve().parents[1] / "references" / "record_tensor_ops.py"
_spec = importlib.util.spec_from_file_location("record_tensor_ops", _SCRIPT)
recorder = sys.modules.setdefault("record_tensor_ops", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(recorder)  # (registered first: dataclasses look their module up)

CASES = {case.name: case for case in recorder.CASES}


@pytest.fixture(scope="module")
def reference():
    with np.load(recorder.REFERENCE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def assert_same(got: np.ndarray, expected: np.ndarray, what: str) -> None:
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype}, PyTorch gives {expected.dtype}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, PyTorch gives {expected.shape}"
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected, err_msg=what)
    else:
        tolerance = 1e-10 if expected.dtype == np.float64 else 1e-5
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance, err_msg=what)


def compare(case, got, expected) -> None:
    out, grads, _ = got
    expected_out, expected_grads = expected
    assert_same(out, expected_out, f"{case.name}: output")
    for i, (g, e) in enumerate(zip(grads, expected_grads)):
        if e is None:
            assert g is None, f"{case.name}: input {i} got a gradient, PyTorch gives none"
        else:
            assert g is not None, f"{case.name}: input {i} got no gradient, PyTorch gives one"
            assert_same(g, e, f"{case.name}: gradient of input {i}")


def test_the_reference_file_covers_exactly_the_recorded_cases(reference):
    recorded = {key.split("__")[0] for key in reference if "__" in key}
    assert recorded == set(CASES), (f"stale reference file: re-run {_SCRIPT.name} "
                                    f"(missing {set(CASES) - recorded}, extra {recorded - set(CASES)})")


@pytest.mark.parametrize("name", list(CASES))
def test_matches_recorded_pytorch_outputs_and_gradients(reference, name):
    case = CASES[name]
    arrays = [reference[f"{name}__in{i}"] for i in range(len(case.inputs))]
    v = reference.get(f"{name}__v")
    got = recorder.run(minitorch, F, case, arrays, v)
    expected_grads = [reference.get(f"{name}__grad{i}") for i in range(len(case.inputs))]
    compare(case, got, (reference[f"{name}__out"], expected_grads))


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_matches_live_pytorch_on_fresh_inputs(name):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as tF

    case = CASES[name]
    arrays = recorder.make_inputs(case, seed=10_000 + list(CASES).index(name))
    out, grads, v = recorder.run(torch, tF, case, arrays)
    compare(case, recorder.run(minitorch, F, case, arrays, v), (out, grads))


@pytest.mark.torch
def test_the_reference_file_is_what_this_torch_computes(reference):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as tF

    for index, case in enumerate(recorder.CASES):
        arrays = recorder.make_inputs(case, seed=index)
        out, grads, _ = recorder.run(torch, tF, case, arrays)
        for i, arr in enumerate(arrays):
            np.testing.assert_array_equal(reference[f"{case.name}__in{i}"], arr)
        assert_same(out, reference[f"{case.name}__out"], f"{case.name}: recorded output")
        for i, g in enumerate(grads):
            if g is not None:
                assert_same(g, reference[f"{case.name}__grad{i}"], f"{case.name}: recorded gradient {i}")
