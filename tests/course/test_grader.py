"""The grader charges a failure only to its exercise, never crashes, and reports every notebook.

These tests grade variants of lesson 01's solution notebook written to a temporary folder. Time
limits are cut short only for code that never stops, so no outcome depends on the machine's speed.
The hostile submissions are in test_grader_hostile.py; every lesson end to end in test_grade_lessons.py.
"""

import json

import nbformat
import pytest
from hostile import ANSWER, LIMITS, ROOT, full, in_exercise_01_1, rows, variant

from minitorch.__main__ import main
from minitorch.course.grader import grade_notebook, grade_paths


def test_an_infinite_loop_costs_only_its_exercise(tmp_path):
    grade = grade_notebook(variant(tmp_path, "01_loop.ipynb", in_exercise_01_1("while True:\n    pass")), **LIMITS)
    by_id = rows(grade)
    assert by_id["01.1"]["score"] == 0 and by_id["01.1"]["status"] == "timeout"
    assert "infinite loop" in by_id["01.1"]["message"]
    assert full(by_id["01.2"]) and full(by_id["01.3"]) and full(by_id["01.4"])


def test_a_loop_that_swallows_every_interrupt_costs_only_its_exercise(tmp_path):
    # The worker's own alarm cannot stop this loop; the grader kills the worker and goes on in a fresh one.
    stubborn = "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass"
    grade = grade_notebook(variant(tmp_path, "01_stubborn.ipynb", in_exercise_01_1(stubborn)), **LIMITS)
    by_id = rows(grade)
    assert by_id["01.1"]["status"] == "timeout" and by_id["01.1"]["score"] == 0, by_id["01.1"]
    assert full(by_id["01.2"]) and full(by_id["01.3"]) and full(by_id["01.4"])


def test_the_notebook_time_limit_is_enforced(tmp_path):
    # A top-level loop that swallows interrupts, with a notebook limit shorter than the cell limit: the
    # grader stops the worker at the notebook limit, however fast the machine, and reports every exercise.
    stubborn = "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass"
    path = variant(tmp_path, "01_stubborn.ipynb", cells=(stubborn,))
    grade = grade_notebook(path, timeout=3.0, cell_timeout=600.0, test_timeout=600.0)
    assert grade.score == 0 and len(grade.exercises) == 4
    assert all(e["status"] == "timeout" for e in grade.exercises), grade.exercises


def test_a_loop_at_the_top_of_a_cell_costs_that_cell_only(tmp_path):
    path = variant(tmp_path, "01_toploop.ipynb", cells=("while True:\n    pass",))
    grade = grade_notebook(path, **{**LIMITS, "cell_timeout": 10.0})
    assert grade.score == grade.max_score, grade.exercises


def test_a_notebook_that_is_not_json_gets_zeros_with_the_reason(tmp_path):
    path = tmp_path / "01_broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    grade = grade_notebook(path, **LIMITS)
    assert grade.score == 0 and grade.max_score == 9 and len(grade.exercises) == 4
    assert all("not valid JSON" in e["message"] for e in grade.exercises)


def test_json_that_is_not_a_notebook_gets_zeros(tmp_path):
    path = tmp_path / "01_list.ipynb"
    path.write_text("[1, 2, 3]", encoding="utf-8")
    grade = grade_notebook(path, **LIMITS)
    assert grade.score == 0 and all(e["status"] == "error" for e in grade.exercises)


def test_a_notebook_that_raises_everywhere_is_graded_zero_with_reasons(tmp_path):
    grade = grade_notebook(variant(tmp_path, "01_raises.ipynb", lambda s: "raise RuntimeError('boom')"), **LIMITS)
    assert grade.score == 0
    for row in grade.exercises:
        assert "does not define" in row["message"] and "RuntimeError: boom" in row["message"], row


def test_a_notebook_that_kills_its_process_costs_the_cell_that_did_it(tmp_path):
    path = variant(tmp_path, "01_exit.ipynb", cells=("print('FORGED: 9 / 9 points')\nimport os; os._exit(3)",))
    grade = grade_notebook(path, **LIMITS)
    assert grade.score == grade.max_score, grade.exercises  # the cell ran after every definition


def test_a_process_exit_inside_an_exercise_costs_that_exercise(tmp_path):
    path = variant(tmp_path, "01_exit_in_test.ipynb", in_exercise_01_1("print('FORGED 9/9')\nimport os\nos._exit(3)"))
    by_id = rows(grade_notebook(path, **LIMITS))
    assert by_id["01.1"]["score"] == 0 and "exited with code 3" in by_id["01.1"]["message"], by_id["01.1"]
    assert "FORGED" not in json.dumps(by_id)  # what a dead worker printed is not shown
    assert full(by_id["01.2"]) and full(by_id["01.3"]) and full(by_id["01.4"])


def test_system_exit_inside_an_exercise_costs_that_exercise(tmp_path):
    by_id = rows(grade_notebook(variant(tmp_path, "01_sysexit.ipynb", in_exercise_01_1("raise SystemExit(0)")),
                                **LIMITS))
    assert by_id["01.1"]["status"] == "partial" and "SystemExit" in by_id["01.1"]["message"], by_id["01.1"]
    assert full(by_id["01.2"]) and full(by_id["01.3"])


def test_a_runaway_allocation_costs_only_its_cell(tmp_path):
    # 3 GiB of bytes against a 2 GiB cap: a MemoryError stops the cell that defines 01.1's function
    # (without the cap the allocation would succeed and 01.1 would pass); the other exercises pass.
    path = variant(tmp_path, "01_memory.ipynb", lambda s: s.replace(
        "def numerical_derivative(f, x, h=1e-5):", "hog = bytearray(3 * 2**30)\ndef numerical_derivative(f, x, h=1e-5):"))
    by_id = rows(grade_notebook(path, memory_limit_mb=2048, **LIMITS))
    assert by_id["01.1"]["score"] == 0 and "MemoryError" in by_id["01.1"]["message"], by_id["01.1"]
    assert full(by_id["01.2"]) and full(by_id["01.3"])


def test_partial_credit_is_proportional_to_the_tests_passed(tmp_path):
    # A forward difference passes 1 of the 3 tests of 01.1: x**2 at 3 is within tolerance, but sin/exp
    # and the h = 1e-3 accuracy test are not.
    path = variant(tmp_path, "01_forward.ipynb", lambda s: s.replace(ANSWER, "return (f(x + h) - f(x)) / h"))
    by_id = rows(grade_notebook(path, **LIMITS))
    assert by_id["01.1"]["status"] == "partial" and by_id["01.1"]["score"] == pytest.approx(2 * 1 / 3, abs=0.01)
    assert "numerical_derivative(math.sin" in by_id["01.1"]["message"] and "expected" in by_id["01.1"]["message"]


def test_a_notebook_of_unknown_lesson_is_reported_not_crashed(tmp_path):
    path = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    (grade,) = grade_paths([str(path)])
    assert grade.error and "which lesson" in grade.error and grade.score == 0


def test_names_defined_by_percent_run_reach_the_graded_namespace(tmp_path):
    (tmp_path / "helper.py").write_text("def numerical_derivative(f, x, h=1e-5):\n    " + ANSWER + "\n")
    path = variant(tmp_path, "01_run.ipynb", lambda s: s.replace(
        "def numerical_derivative(f, x, h=1e-5):", "%run helper.py\ndef unused(f, x, h=1e-5):"))
    by_id = rows(grade_notebook(path, **LIMITS))
    assert full(by_id["01.1"]), by_id["01.1"]


def test_a_notebook_whose_metadata_names_another_lesson_is_graded_as_that_lesson_and_says_so(tmp_path):
    path = variant(tmp_path, "03_backprop.ipynb")  # lesson 01's content and metadata, lesson 03's name
    report_file = tmp_path / "report.json"
    assert main(["grade", str(path), "--json", str(report_file)]) == 0
    (notebook,) = json.loads(report_file.read_text())["notebooks"]
    assert notebook["lesson"] == "01" and notebook["score"] == notebook["max_score"] == 9
    assert any("lesson 01" in note and "03" in note for note in notebook["notes"]), notebook


def test_a_version_3_notebook_is_converted_and_graded(tmp_path):
    nb = nbformat.convert(nbformat.read(variant(tmp_path / "v4", "01_derivatives.ipynb"), as_version=4), 3)
    path = tmp_path / "01_old.ipynb"
    path.write_text(nbformat.writes(nb, version=3), encoding="utf-8")
    assert json.loads(path.read_text())["nbformat"] == 3
    grade = grade_notebook(path, **LIMITS)
    assert grade.score == grade.max_score == 9, grade.exercises


def test_release_writes_a_student_bundle_without_solutions(tmp_path):
    out = tmp_path / "bundle"
    assert main(["release", str(out)]) == 0
    assert not (out / "solutions").exists() and not (out / "tests" / "course").exists()
    assert sorted(p.name for p in (out / "lessons").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    for lesson in (out / "lessons").glob("*.ipynb"):
        assert "### BEGIN SOLUTION" not in lesson.read_text(encoding="utf-8"), lesson
    assert (out / "tests" / "graded" / "test_lesson01.py").is_file() and (out / "minitorch" / "__init__.py").is_file()
    config = (out / "pyproject.toml").read_text(encoding="utf-8")
    assert 'testpaths = ["tests/graded"]' in config and "--notebooks lessons" in config, config
    assert main(["release", str(out)]) == 1  # never into a folder that is not empty
