"""The benchmarks keep running: ``python -m benchmarks --smoke`` runs every case on tiny sizes and prints
a well-formed table. Nothing here depends on how fast the machine is: no assertion looks at a time."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import Case, Config, Slope, compare_runs, format_table, loglog_slope, run  # noqa: E402

ROW = re.compile(r"^(?P<case>\S.*?)\s{2,}(?P<baseline>\S.*?)\s{2,}(?P<median>-?\d+\.\d\d)x?\s{2,}"
                 r"(?P<lo>-?\d+\.\d\d)\u2013(?P<hi>-?\d+\.\d\d)\s{2,}(?P<time>\d+(\.\d+)? (s|ms|us))$")


def parse_table(text: str) -> list[dict[str, str]]:
    """The rows of the table printed by ``python -m benchmarks``: header, dashes, rows, blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("case "))
    assert set(lines[start + 1].replace(" ", "")) == {"-"}, lines[start + 1]
    rows = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        match = ROW.match(line)
        assert match, f"malformed row: {line!r}"
        rows.append(match.groupdict())
    return rows


def test_smoke_run_prints_a_well_formed_table() -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = parse_table(proc.stdout)
    for row in rows:
        assert float(row["lo"]) <= float(row["median"]) <= float(row["hi"]), row
    cases = {(row["case"], row["baseline"]) for row in rows}
    names = " | ".join(case for case, _ in cases)
    for expected in ("Adam (nn + optim)", "engine (F.linear, SGD)", "deep-narrow", "elementwise ops",
                     "BatchNorm1d + Dropout", "growth, GC on", "growth, GC off", "conv2d", "small CNN training step",
                     "LSTM layer", "GRU layer", "transformer block"):
        assert expected in names, f"no row for {expected!r} in {names}"
    tensor_cases = {case for case, _ in cases if not case.startswith("scalar")}
    assert tensor_cases and all((case, "numpy by hand") in cases for case in tensor_cases)
    slopes = [row for row in rows if "growth" in row["case"]]
    assert all(row["baseline"].startswith("log-log slope") for row in slopes)
    if importlib.util.find_spec("micrograd") is not None:
        assert ("scalar MLP step 2-16-16-1, 2 points, GC off", "micrograd") in cases
    else:
        assert "not compared: micrograd not installed" in proc.stdout
    if importlib.util.find_spec("torch") is not None:
        assert all((case, "torch") in cases for case in tensor_cases)
    assert "load average at start" in proc.stdout and "load average at end" in proc.stdout


def test_rounds_pair_every_baseline_with_the_subject_and_checks_run_first() -> None:
    calls: list[str] = []
    case = Case("toy", lambda: {"a": lambda: calls.append("a") or 1.0, "b": lambda: calls.append("b") or 1.0},
                calls=2, rounds=3, warmup=1)
    [result] = run([case], Config())
    assert (result.case, result.baseline, len(result.values), len(result.subject_seconds)) == ("toy", "b", 3, 3)
    assert calls == ["a", "b"] + ["a"] * 2 + ["b"] * 2 + ["b"] * 2 + ["a"] * 2 + ["a"] * 2 + ["b"] * 2  # rotated

    def disagree(outputs: dict[str, list[float]]) -> None:
        raise AssertionError(f"different: {outputs}")

    bad = Case("bad", lambda: {"a": lambda: 1.0, "b": lambda: 2.0}, check=disagree)
    with pytest.raises(AssertionError, match="different"):
        run([bad], Config())


def test_loglog_slope_recovers_the_exponent() -> None:
    sizes = [1e3, 1e4, 1e5, 1e6]
    assert loglog_slope(sizes, [2e-6 * n**1.33 for n in sizes]) == pytest.approx(1.33)
    assert loglog_slope(sizes, [5e-7 * n for n in sizes]) == pytest.approx(1.0)


def test_slope_rows_and_table_format() -> None:
    slope = Slope("grow", [10, 100], lambda n: ((lambda: None), n), rounds=2, gc=False)
    [result] = run([slope], Config())
    assert result.kind == "slope" and result.baseline == "log-log slope, 10-100 nodes" and len(result.values) == 2
    result.values, result.subject_seconds = [1.2, 1.0, 1.1], [2e-3, 2e-3, 3e-3]
    rows = parse_table(format_table([result]))
    assert rows == [{"case": "grow", "baseline": "log-log slope, 10-100 nodes", "median": "1.10", "lo": "1.00",
                     "hi": "1.20", "time": "2.00 ms"}]


def test_compare_runs_wants_each_median_inside_the_other_runs_spread() -> None:
    a = [{"case": "c", "baseline": "b", "median": 1.2, "min": 1.1, "max": 1.3}]
    close = [{"case": "c", "baseline": "b", "median": 1.25, "min": 1.15, "max": 1.4}]
    far = [{"case": "c", "baseline": "b", "median": 1.5, "min": 1.45, "max": 1.6}]
    assert compare_runs(a, close)[1] is True
    assert compare_runs(a, far)[1] is False


def test_same_outputs_compares_nested_arrays_relative_to_their_largest_entry() -> None:
    import numpy as np

    from benchmarks.harness import same_outputs

    check = same_outputs(1e-4)
    a = {"out": np.array([100.0, 1.0]), "grads": (np.ones(3), 2.5)}
    check({"minitorch": [a], "numpy by hand": [{"out": np.array([100.0, 1.005]), "grads": (np.ones(3), 2.5)}]})
    for bad, what in [({"out": np.array([100.0, 1.1]), "grads": (np.ones(3), 2.5)}, "output 2 of 3"),
                      ({"out": np.array([100.0, 1.0]), "grads": (np.ones(4), 2.5)}, r"shape \(4,\), minitorch's \(3,\)"),
                      ({"out": np.array([100.0, 1.0]), "grads": (np.ones(3),)}, "returns 2 arrays")]:
        with pytest.raises(AssertionError, match=what):
            check({"minitorch": [a], "numpy by hand": [bad]})
