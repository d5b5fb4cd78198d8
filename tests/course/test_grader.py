"""The grader never crashes, isolates notebooks, and charges a failure only to its exercise.

These tests grade variants of lesson 01's solution notebook written to a temporary folder.
"""

import json
from pathlib import Path

import nbformat
import pytest

from minitorch.__main__ import main
from minitorch.course.grader import grade_notebook, grade_paths

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_01 = ROOT / "solutions" / "01_derivatives.ipynb"
FAST = {"timeout": 120.0, "cell_timeout": 5.0, "test_timeout": 2.0}


def _variant(tmp_path: Path, name: str, edit) -> Path:
    nb = nbformat.read(SOLUTION_01, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = edit(cell.source)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _by_id(grade) -> dict:
    return {e["id"]: e for e in grade.exercises}


def test_solutions_get_full_marks_and_lessons_get_zero_with_a_reason(tmp_path):
    report_file = tmp_path / "g.json"
    assert main(["grade", str(ROOT / "solutions"), str(ROOT / "lessons"), "--jobs", "2", "--json", str(report_file)]) == 0
    report = json.loads(report_file.read_text())
    for notebook in report["notebooks"]:
        assert set(notebook) >= {"path", "score", "max_score", "exercises"}
        assert notebook["max_score"] > 0 and notebook["exercises"]
        for ex in notebook["exercises"]:
            assert set(ex) == {"id", "score", "max_score", "status", "message"}
        if "/solutions/" in notebook["path"]:
            assert notebook["score"] == notebook["max_score"], notebook
        else:
            assert notebook["score"] == 0, notebook
            for ex in notebook["exercises"]:
                assert ex["status"] == "not attempted" and "NotImplementedError" in ex["message"], ex


def test_an_infinite_loop_costs_only_its_exercise(tmp_path):
    path = _variant(tmp_path, "01_loop.ipynb", lambda s: s.replace(
        "return (f(x + h) - f(x - h)) / (2 * h)", "while True:\n        pass"))
    grade = grade_notebook(path, **FAST)
    rows = _by_id(grade)
    assert rows["01.1"]["score"] == 0 and rows["01.1"]["status"] == "timeout"
    assert "infinite loop" in rows["01.1"]["message"]
    # 01.2 and 01.3 do not use numerical_derivative; 01.4 does, so it times out too.
    assert rows["01.2"]["score"] == rows["01.2"]["max_score"]
    assert rows["01.3"]["score"] == rows["01.3"]["max_score"]


def test_a_loop_at_the_top_of_a_cell_costs_that_cell_only(tmp_path):
    path = _variant(tmp_path, "01_toploop.ipynb", lambda s: s.replace(
        "np.random.seed(0)", "np.random.seed(0)\nwhile True:\n    pass"))
    grade = grade_notebook(path, **FAST)
    # The import cell was interrupted after its imports ran, so every exercise still works.
    assert grade.score == grade.max_score, grade.exercises


def test_a_notebook_that_is_not_json_gets_zeros_with_the_reason(tmp_path):
    path = tmp_path / "01_broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    grade = grade_notebook(path, **FAST)
    assert grade.score == 0 and grade.max_score == 9 and len(grade.exercises) == 4
    assert all("not valid JSON" in e["message"] for e in grade.exercises)


def test_json_that_is_not_a_notebook_gets_zeros(tmp_path):
    path = tmp_path / "01_list.ipynb"
    path.write_text("[1, 2, 3]", encoding="utf-8")
    grade = grade_notebook(path, **FAST)
    assert grade.score == 0 and all(e["status"] == "error" for e in grade.exercises)


def test_a_notebook_that_raises_everywhere_is_graded_zero_with_reasons(tmp_path):
    path = _variant(tmp_path, "01_raises.ipynb", lambda s: "raise RuntimeError('boom')")
    grade = grade_notebook(path, **FAST)
    assert grade.score == 0
    for row in grade.exercises:
        assert "does not define" in row["message"] and "RuntimeError: boom" in row["message"], row


def test_a_notebook_that_kills_its_process_does_not_kill_the_grader(tmp_path):
    path = _variant(tmp_path, "01_exit.ipynb", lambda s: s.replace("np.random.seed(0)", "import os; os._exit(3)"))
    grade = grade_notebook(path, **FAST)
    assert grade.score == 0 and all(e["status"] == "error" for e in grade.exercises)
    assert "exit code 3" in grade.exercises[0]["message"]


def test_a_runaway_allocation_costs_only_its_cell(tmp_path):
    # 3 GiB of bytes against a 2 GiB cap: a MemoryError stops the cell that defines 01.1's function
    # (without the cap the allocation would succeed and 01.1 would pass); the other exercises pass.
    path = _variant(tmp_path, "01_memory.ipynb", lambda s: s.replace(
        "def numerical_derivative(f, x, h=1e-5):", "hog = bytearray(3 * 2**30)\ndef numerical_derivative(f, x, h=1e-5):"))
    rows = _by_id(grade_notebook(path, memory_limit_mb=2048, **FAST))
    assert rows["01.1"]["score"] == 0 and "MemoryError" in rows["01.1"]["message"], rows["01.1"]
    assert rows["01.2"]["score"] == rows["01.2"]["max_score"]
    assert rows["01.3"]["score"] == rows["01.3"]["max_score"]


def test_the_notebook_time_limit_is_enforced(tmp_path):
    # A loop that swallows even the grader's interrupt: only the per-notebook limit can stop it.
    path = _variant(tmp_path, "01_stubborn.ipynb", lambda s: s.replace(
        "np.random.seed(0)", "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass"))
    grade = grade_notebook(path, timeout=4.0, cell_timeout=1.0, test_timeout=1.0)
    assert grade.score == 0 and all(e["status"] == "timeout" for e in grade.exercises)


def test_partial_credit_is_proportional_to_the_tests_passed(tmp_path):
    # A forward difference passes 1 of the 3 tests of 01.1: x**2 at 3 is within tolerance, but sin/exp
    # and the h = 1e-3 accuracy test are not.
    path = _variant(tmp_path, "01_forward.ipynb", lambda s: s.replace(
        "return (f(x + h) - f(x - h)) / (2 * h)", "return (f(x + h) - f(x)) / h"))
    rows = _by_id(grade_notebook(path, **FAST))
    assert rows["01.1"]["status"] == "partial" and rows["01.1"]["score"] == pytest.approx(2 * 1 / 3, abs=0.01)
    assert "numerical_derivative(math.sin" in rows["01.1"]["message"] and "expected" in rows["01.1"]["message"]


def test_a_notebook_of_unknown_lesson_is_reported_not_crashed(tmp_path):
    path = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    (grade,) = grade_paths([str(path)])
    assert grade.error and "which lesson" in grade.error and grade.score == 0
