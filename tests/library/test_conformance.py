"""The conformance sweep: every case of tests/references/conformance_cases.py replayed with minitorch
and compared with PyTorch's recorded answer (values, dtype, gradients, exception class).

Cases listed in KNOWN_DIFFERENCES are deliberate differences (docs/pytorch-differences.md says why);
each of them must still differ, so the list cannot go stale.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F

REFERENCES = Path(__file__).parents[1] / "references"
sys.path.insert(0, str(REFERENCES))
from conformance_cases import cases, run_case  # noqa: E402

RECORDED = json.loads(gzip.decompress((REFERENCES / "conformance_reference.json.gz").read_bytes()))["cases"]

#: case id -> why minitorch deliberately differs (see docs/pytorch-differences.md)
KNOWN_DIFFERENCES: dict[str, str] = {
    **{f"matmul[{a},{b}]": "mixed dtypes are promoted, as by every other binary op (torch requires one dtype)"
       for a, b in [("int", "vec"), ("bool", "int"), ("uint8", "int"), ("f64", "vec"), ("int32", "int")]},
    "trunc_div[uint8]": "a negative divisor does not fit uint8 (as clamp_both[uint8])",
    "pow_half[inf]": "d/dx x**0.5 at -inf: numpy's (-inf)**-0.5 = 0, torch gives NaN",
    "pow_half[zeros]": "d/dx x**0.5 at -0.0: numpy's (-0.0)**-0.5 = +inf, torch -inf",
    "clamp_both[uint8]": "a negative bound does not fit uint8: minitorch refuses (OverflowError), torch wraps",
    "kron[mat,matT]": "torch's kron refuses a transposed (non-contiguous) operand with a view error; minitorch computes it",
    "histc_range[uint8]": "histc of uint8 with a negative min: torch rejects the range first (RuntimeError), minitorch "
                          "the dtype first (TypeError, torch's NotImplementedError)",
    "einsum_mm[bool]": "bool einsum: TypeError here; torch raises RuntimeError on its bmm path (NotImplementedError on others)",
}


def compare(expected: dict, got: dict) -> str | None:
    """None when minitorch's answer matches torch's, else what differs."""
    if "error" in expected or "error" in got:
        if expected.get("error") == "NotImplementedError" and got.get("error") == "TypeError":
            return None  # torch: no kernel for this dtype; minitorch has no NotImplementedError (a TypeError)
        if expected.get("error") == "_LinAlgError" and got.get("error") == "RuntimeError":
            return None  # torch.linalg.LinAlgError is a RuntimeError (a singular matrix)
        if expected.get("error") != got.get("error"):
            return f"torch: {expected.get('error', 'no error')}, minitorch: {got.get('error', 'no error')} " \
                   f"{got.get('message', '')}"
        return None
    if expected["dtype"] != got["dtype"]:
        return f"dtype: torch {expected['dtype']}, minitorch {got['dtype']}"
    if expected["shape"] != got["shape"]:
        return f"shape: torch {expected['shape']}, minitorch {got['shape']}"
    for key in ("value", "x_after"):
        if key in expected and not _close(expected[key], got.get(key)):
            return f"{key}: torch {expected[key]}, minitorch {got.get(key)}"
    if "grads" in expected:
        if "grads" not in got:
            return "minitorch recorded no gradient"
        for i, (a, b) in enumerate(zip(expected["grads"], got["grads"])):
            if (a is None) != (b is None) or (a is not None and not _close(a, b)):
                return f"gradient {i}: torch {a}, minitorch {b}"
    return None


def _close(a, b) -> bool:
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-5, atol=1e-6, equal_nan=True))


def sweep() -> dict[str, str | None]:
    """case id -> None if it matches torch's recorded answer, else the difference."""
    results = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for case_id, expr, names, inplace in cases():
            results[case_id] = compare(RECORDED[case_id], run_case(minitorch, F, expr, names, inplace))
    return results


def test_every_case_is_recorded():
    assert sorted(RECORDED) == sorted(c[0] for c in cases())


def test_minitorch_matches_torch_on_the_conformance_sweep():
    results = sweep()
    unexpected = {k: v for k, v in results.items() if v is not None and k not in KNOWN_DIFFERENCES}
    stale = [k for k in KNOWN_DIFFERENCES if results.get(k) is None]
    matched = sum(v is None for v in results.values())
    print(f"conformance: {matched}/{len(results)} cases match torch ({100 * matched / len(results):.1f} %)")
    assert not unexpected, f"{len(unexpected)} cases differ from torch:\n" + "\n".join(
        f"{k}: {v}" for k, v in list(unexpected.items())[:40])
    assert not stale, f"listed as known differences but now matching torch: {stale}"


@pytest.mark.torch
def test_live_sweep_against_installed_torch():
    """The same sweep, against the torch installed now (catches a stale reference file)."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as tF

    differ = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for case_id, expr, names, inplace in cases():
            expected = run_case(torch, tF, expr, names, inplace)
            why = compare(expected, run_case(minitorch, F, expr, names, inplace))
            if why is not None and case_id not in KNOWN_DIFFERENCES:
                differ[case_id] = why
    assert not differ, "\n".join(f"{k}: {v}" for k, v in list(differ.items())[:40])


@pytest.mark.torch
def test_pytorchs_docstring_examples_run_on_minitorch(tmp_path, monkeypatch):
    """PyTorch's own examples for the names minitorch exports (tests/references/run_torch_doc_examples.py)."""
    torch = pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)  # some examples write files
    from run_torch_doc_examples import check, names

    verdicts = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for label, obj in names(minitorch, torch):
            result = check(label, obj, torch, minitorch)
            if result is not None:
                verdicts[label] = result
    failing = {k: why for k, (v, why) in verdicts.items() if v != "pass"}
    assert len(verdicts) >= 90 and len(failing) / len(verdicts) <= 0.03, "\n".join(f"{k}: {v}" for k, v in failing.items())


if __name__ == "__main__":  # python tests/library/test_conformance.py: the differences, grouped by op
    res = sweep()
    bad = {k: v for k, v in res.items() if v is not None}
    for k, v in bad.items():
        print(k, "->", v[:160])
    print(f"{len(res) - len(bad)}/{len(res)} match ({100 * (len(res) - len(bad)) / len(res):.1f} %)")
