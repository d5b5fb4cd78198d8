"""Forged verdicts: a wrong answer plus a trick from inside the notebook's process scores nothing for its
exercise, and the notebook's honest exercises keep their marks.

The graded tests run in the grader's judge, a process that never runs learner code (``course/judge.py``);
the learner's process only answers requests and never holds an expected value. So patching numpy or the
test helpers, tracing, walking the stack for the expected value, or writing forged replies to the
process's descriptors changes nothing; exiting, looping or returning something huge costs the exercise
it happens in. Each notebook here is lesson 01's solution with ``numerical_derivative`` (01.1) answering
wrongly (0.0, like ``WRONG``) and one trick; ``gradient_descent`` (01.4) calls it, so 01.4 fails with it.
The fast set runs by default; the longer set is marked ``hostile``.
"""

import json
import os
import textwrap
from pathlib import Path

import nbformat
import pytest
from hostile import ANSWER, LIMITS, ROOT, full, rows, variant

from minitorch.__main__ import main
from minitorch.course.grader import changed_files, fingerprint, grade_notebook, grade_paths


def wrong_with(code: str = ""):
    """numerical_derivative runs ``code`` and then answers 0.0: wrong in every test of 01.1."""
    body = "\n".join("    " + line for line in textwrap.dedent(code).strip().splitlines())
    return lambda source: source.replace("    " + ANSWER, (body + "\n" if code else "") + "    return 0.0")


PATCH_NUMPY = """
import numpy as np, numpy.testing
np.isclose = lambda a, b, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
"""
PATCH_HELPERS = """
import gc, sys, minitorch.testing
minitorch.testing.assert_close = lambda *a, **k: None
minitorch.testing.assert_close.__code__ = (lambda *a, **k: None).__code__
for name, module in list(sys.modules.items()):
    if name.startswith("minitorch_graded"):
        vars(module)["assert_close"] = lambda *a, **k: None
for obj in gc.get_objects():
    if isinstance(obj, dict) and "assert_close" in obj and obj is not globals():
        obj["assert_close"] = lambda *a, **k: None
"""
TRACE = """
import ctypes, sys, threading
def tracer(frame, event, arg):
    for name in ("actual", "got"):
        for want in ("expected", "want"):
            if name in frame.f_locals and want in frame.f_locals:
                frame.f_locals[name] = frame.f_locals[want]
                ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
    return tracer
sys.settrace(tracer)
threading.settrace(tracer)
sys.setprofile(lambda frame, event, arg: tracer(frame, event, arg))
"""
# Inside numerical_derivative, while a test calls it: look up the stack for the test's expected value.
FRAMES = """
import sys
frame = sys._getframe(1)
while frame is not None:
    for name in ("expected", "want", "e"):
        value = frame.f_locals.get(name)
        if isinstance(value, (int, float)):
            return value
    frame = frame.f_back
"""
# Inside numerical_derivative: write well-formed replies and grader steps to every descriptor.
DESCRIPTORS = """
import os, json, struct
head = json.dumps({"n": 1, "ok": 6.0, "B": []}).encode()
step = b'{"t": "done", "e": 0, "k": 0, "passed": true, "message": "", "timed_out": false}\\n'
for fd in os.listdir("/proc/self/fd"):
    for data in (struct.pack("!II", len(head), 0) + head, step):
        try:
            os.write(int(fd), data)
        except OSError:
            pass
"""
EXIT = "import os\nos._exit(0)"
LOOP = "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass"
HUGE = "import numpy as np\nreturn np.broadcast_to(np.float64(6.0), (10**9,))  # 8 GB seen as an array, no memory"
DEEP = "out = 6.0\nfor _ in range(100_000):\n    out = [out]\nreturn out"


def _graded_alone(folder: Path, name: str, edit, cells=()) -> dict:
    return rows(grade_notebook(variant(folder, name, edit, cells=cells), **LIMITS))


@pytest.fixture(scope="module")
def forged_class(tmp_path_factory):
    """One class run with --jobs 2: an honest notebook beside wrong answers with forges."""
    folder = tmp_path_factory.mktemp("forged")
    variant(folder, "01_honest.ipynb")
    variant(folder, "01_wrong.ipynb", wrong_with())
    variant(folder, "01_numpy.ipynb", wrong_with(), cells=(PATCH_NUMPY,))
    variant(folder, "01_helpers.ipynb", wrong_with(), cells=(PATCH_HELPERS,))
    variant(folder, "01_trace.ipynb", wrong_with(), cells=(TRACE,))
    variant(folder, "01_frames.ipynb", wrong_with(FRAMES))
    variant(folder, "01_descriptors.ipynb", wrong_with(DESCRIPTORS))
    variant(folder, "01_exit.ipynb", wrong_with(EXIT))
    variant(folder, "01_huge.ipynb", wrong_with(HUGE))
    variant(folder, "01_deep.ipynb", wrong_with(DEEP))
    before = fingerprint()
    report = folder.parent / f"{folder.name}.json"
    assert main(["grade", str(folder), "--jobs", "2", "--json", str(report), "--timeout", str(LIMITS["timeout"]),
                 "--cell-timeout", str(LIMITS["cell_timeout"]), "--test-timeout", str(LIMITS["test_timeout"])]) == 0
    grades = {Path(n["path"]).name: n for n in json.loads(report.read_text())["notebooks"]}
    return {"grades": grades, "changed": changed_files(before, fingerprint())}


def _live_children() -> list[int]:
    """Processes (not zombies) whose parent is this one: the grader ran here, through main()."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(os.getpid()).encode() and fields[0] != b"Z":
            found.append(int(entry))
    return found


def _rows(notebook: dict) -> dict:
    return {e["id"]: e for e in notebook["exercises"]}


FORGES = ["01_numpy.ipynb", "01_helpers.ipynb", "01_trace.ipynb", "01_frames.ipynb", "01_descriptors.ipynb",
          "01_exit.ipynb", "01_huge.ipynb", "01_deep.ipynb"]


def test_an_honest_notebook_in_a_forged_class_gets_full_marks_and_the_repository_is_unchanged(forged_class):
    grades = forged_class["grades"]  # read from the class report
    assert set(grades) == {"01_honest.ipynb", "01_wrong.ipynb", *FORGES}
    assert grades["01_honest.ipynb"]["score"] == 9, grades["01_honest.ipynb"]
    assert forged_class["changed"] == []
    assert _live_children() == []  # no worker, judge or anything they started


@pytest.mark.parametrize("name", FORGES)
def test_a_forge_scores_nothing_for_its_exercise_and_the_honest_ones_keep_their_marks(forged_class, name):
    grades = forged_class["grades"]
    wrong, forged = _rows(grades["01_wrong.ipynb"]), _rows(grades[name])
    assert wrong["01.1"]["score"] == 0 and full(wrong["01.2"]) and full(wrong["01.3"]), wrong
    assert forged["01.1"]["score"] == 0, (name, forged["01.1"])
    assert full(forged["01.2"]) and full(forged["01.3"]), (name, forged)
    assert forged["01.4"]["score"] <= wrong["01.4"]["score"], (name, forged["01.4"])


def test_the_reasons_say_what_happened(forged_class):
    grades = forged_class["grades"]
    assert "got 0" in _rows(grades["01_numpy.ipynb"])["01.1"]["message"]
    assert "exited with code 0" in _rows(grades["01_exit.ipynb"])["01.1"]["message"]
    assert "not an answer" in _rows(grades["01_descriptors.ipynb"])["01.1"]["message"]


def test_a_forged_tensor_lesson_scores_no_more_than_its_wrong_answers(tmp_path):
    """Lesson 06 (tensors): every solution region answers None; the same notebook with numpy and the
    helpers patched scores exactly what the plain wrong one does (the odd test a None passes, no more)."""
    solution = nbformat.read(ROOT / "solutions" / "06_tensors.ipynb", as_version=4)
    for cell in solution.cells:
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            head, _, rest = cell.source.partition("### BEGIN SOLUTION")
            _, _, tail = rest.partition("### END SOLUTION")
            indent = head.rsplit("\n", 1)[-1]
            cell.source = head + "### BEGIN SOLUTION\n" + indent + "return None\n" + indent + "### END SOLUTION" + tail
    nbformat.write(solution, tmp_path / "06_wrong.ipynb")
    solution.cells.append(nbformat.v4.new_code_cell(PATCH_NUMPY + PATCH_HELPERS + TRACE))
    nbformat.write(solution, tmp_path / "06_forged.ipynb")
    wrong, forged = grade_paths([str(tmp_path / "06_wrong.ipynb"), str(tmp_path / "06_forged.ipynb")], jobs=2, **LIMITS)
    assert wrong.score < wrong.max_score / 2, wrong.exercises
    assert [e["score"] for e in forged.exercises] == [e["score"] for e in wrong.exercises], forged.exercises


def test_a_forged_backprop_lesson_keeps_only_its_honest_exercises(tmp_path):
    """Lesson 03: a backward() that does nothing, with tracing and the helpers patched; the hand-derived
    gradients (03.4) stay honest."""
    solution = nbformat.read(ROOT / "solutions" / "03_backprop.ipynb", as_version=4)
    for cell in solution.cells:
        if cell.cell_type == "code" and "def backward(self)" in cell.source and "### BEGIN SOLUTION" in cell.source:
            head, _, rest = cell.source.partition("### BEGIN SOLUTION")
            _, _, tail = rest.partition("### END SOLUTION")
            indent = head.rsplit("\n", 1)[-1]
            cell.source = head + "### BEGIN SOLUTION\n" + indent + "pass\n" + indent + "### END SOLUTION" + tail
    solution.cells.append(nbformat.v4.new_code_cell(PATCH_HELPERS + TRACE))
    path = tmp_path / "03_forged.ipynb"
    nbformat.write(solution, path)
    by_id = rows(grade_notebook(path, **LIMITS))
    assert by_id["03.3"]["score"] == 0, by_id["03.3"]
    assert full(by_id["03.4"]), by_id["03.4"]


@pytest.mark.hostile
def test_an_infinite_loop_in_one_exercise_costs_that_exercise_only(tmp_path):
    by_id = _graded_alone(tmp_path, "01_loop.ipynb", wrong_with(LOOP))
    assert by_id["01.1"]["score"] == 0 and by_id["01.1"]["status"] == "timeout", by_id["01.1"]
    assert full(by_id["01.2"]) and full(by_id["01.3"]), by_id


@pytest.mark.hostile
def test_a_looping_function_called_from_many_cells_costs_its_exercises_not_the_notebook(tmp_path):
    # The notebook's own cells call numerical_derivative 4 times; 3 more here.
    calls = tuple(f"numerical_derivative(lambda x: x, {i}.0)" for i in range(3))
    path = variant(tmp_path, "01_loops.ipynb", wrong_with("while True:\n    pass"), cells=calls)
    by_id = rows(grade_notebook(path, **{**LIMITS, "cell_timeout": 8.0}))
    assert by_id["01.1"]["score"] == 0
    assert full(by_id["01.2"]) and full(by_id["01.3"]), by_id
