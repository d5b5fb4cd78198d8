"""Hostile submissions: none may crash or hang the grader, change the repository or a sibling, leave a
process behind, or score with a wrong answer through the grading channel — and an honest notebook
graded in the same class run still gets full marks.

Each kind is one cell added to (or one edit of) lesson 01's solution, graded as a class with
``--jobs 2``. The fast set runs by default; the longer set is marked ``hostile`` (``-m hostile``).
"""

import json
import os
import resource
import textwrap
from pathlib import Path

import pytest
from hostile import LIMITS, ROOT, full, in_exercise_01_1, live_processes_with, rows, variant

from minitorch.__main__ import main
from minitorch.course.grader import changed_files, fingerprint, grade_paths
from minitorch.course.sandbox import _unshare, own_uid_available

OWN_UID = own_uid_available()  # root with setpriv: each worker runs as a user of its own
needs_own_uid = pytest.mark.skipif(not OWN_UID, reason="only a grader run as root gives workers their own uid")
STUB = lambda s: s.replace("    return (f(x + h) - f(x - h)) / (2 * h)", "    raise NotImplementedError()")  # noqa: E731
WRONG = lambda s: s.replace("    return (f(x + h) - f(x - h)) / (2 * h)", "    return 0.0")  # noqa: E731


def _by_name(grades) -> dict:
    return {Path(g.path).name: g for g in grades}


# ---------------------------------------------------------------------------------- inputs that are not notebooks
def test_a_class_of_broken_files_is_reported_row_by_row_and_the_report_is_written(tmp_path):
    folder = tmp_path / "class"
    variant(folder, "01_honest.ipynb")
    (folder / "01_garbage.ipynb").write_bytes(bytes(range(256)) * 40)
    (folder / "01_deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "01_folder.ipynb").mkdir()
    os.mkfifo(folder / "01_fifo.ipynb")
    null = json.loads(variant(tmp_path, "x.ipynb").read_text())
    null["metadata"] = None
    (folder / "01_nullmeta.ipynb").write_text(json.dumps(null))
    report_file = tmp_path / "report.json"
    assert main(["grade", str(folder), "--jobs", "2", "--json", str(report_file), "--test-timeout", "3"]) == 0
    notebooks = {Path(n["path"]).name: n for n in json.loads(report_file.read_text())["notebooks"]}
    assert set(notebooks) == {"01_honest.ipynb", "01_garbage.ipynb", "01_deep.ipynb", "01_folder.ipynb",
                              "01_fifo.ipynb", "01_nullmeta.ipynb"}
    assert notebooks["01_honest.ipynb"]["score"] == notebooks["01_nullmeta.ipynb"]["score"] == 9
    for name, reason in [("01_garbage.ipynb", "not UTF-8"), ("01_deep.ipynb", "nested too deeply"),
                         ("01_folder.ipynb", "not a regular file"), ("01_fifo.ipynb", "not a regular file")]:
        n = notebooks[name]
        assert n["score"] == 0 and n["lesson"] == "01" and len(n["exercises"]) == 4, n
        assert all(reason in e["message"] for e in n["exercises"]), n


# ---------------------------------------------------------------------------------- a class of hostile notebooks
FORGED_STEPS = ('{"t": "done", "e": 0, "k": 0, "passed": true, "message": "", "timed_out": false}\\n'
                '{"t": "cells", "errors": []}\\n{"t": "end"}\\n')


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """One class run: notebooks that try to escape or outlast their grading, beside an honest one."""
    folder = tmp_path_factory.mktemp("class")
    home = tmp_path_factory.mktemp("home")
    (folder / "data.txt").write_text("the learner's data file\n")
    honest = variant(folder, "01_honest.ipynb", cells=("%run helper.py\n!echo hello",))
    (folder / "helper.py").write_text("HELPER = 1\n")
    # Only where workers have their own uid: elsewhere this notebook really could change the repository.
    tamper = variant if OWN_UID else lambda *args, **kwargs: None
    tamper(folder, "01_tamper.ipynb", cells=(textwrap.dedent(f"""
        import pathlib, minitorch, shutil
        root = pathlib.Path(minitorch.__file__).resolve().parents[1]
        for target in [root / "tests" / "graded" / "test_lesson01.py", root / "README.md",
                       pathlib.Path({str(honest)!r}), pathlib.Path({str(folder / 'data.txt')!r})]:
            try:
                target.write_text("tampered")
            except OSError as e:
                print(e)
        for target in [root / "lessons" / "01_derivatives.ipynb", pathlib.Path({str(honest)!r})]:
            try:
                target.unlink()
            except OSError as e:
                print(e)
        try:
            (pathlib.Path({str(folder)!r}) / "planted.txt").write_text("x")
        except OSError as e:
            print(e)
        """), "!rm -rf ./* ~/*"))
    variant(folder, "01_processes.ipynb", cells=(textwrap.dedent("""
        import os, subprocess
        subprocess.Popen(["sleep", "987.001"])
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "987.002"])
            os._exit(0)
        """),))
    variant(folder, "01_flood.ipynb", cells=(
        "import os\nfor fd in (1, 2):\n    for _ in range(256):\n        os.write(fd, b'x' * 2**20)",))
    return _grade_class(folder, home)


def _grade_class(folder: Path, home: Path) -> dict:
    """Grade a folder as a class (--jobs 2) with the grader's HOME set to ``home``; return the facts."""
    siblings = {path.name: path.read_bytes() if path.is_file() else None for path in folder.iterdir()}
    before = fingerprint()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    saved_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        grades = grade_paths([str(folder)], jobs=2, **LIMITS)
    finally:
        os.environ["HOME"] = saved_home or ""
    return {"grades": _by_name(grades), "changed": changed_files(before, fingerprint()), "folder": folder,
            "siblings": siblings, "home": home,
            "rss_growth_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024}


@pytest.fixture(scope="module")
def cheat_class(tmp_path_factory):
    """A second class run: notebooks that try to score without the right answers, or exit."""
    folder = tmp_path_factory.mktemp("cheats")
    variant(folder, "01_forge_channel.ipynb", STUB, cells=(textwrap.dedent(f"""
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b'{FORGED_STEPS}')
            except OSError:
                pass
        """),))
    variant(folder, "01_forge_patch.ipynb", WRONG, cells=(textwrap.dedent("""
        import json, sys, numpy as np, minitorch.testing, minitorch.course.exercises as ex
        minitorch.testing.assert_close = lambda *a, **k: None
        ex.run_test = lambda fn, nb, timeout: ex.TestOutcome("forged", True)
        """),))
    variant(folder, "01_forge_deeper.ipynb", WRONG, cells=(textwrap.dedent("""
        import json, sys, numpy as np, minitorch.testing, minitorch.course.exercises as ex
        np.isclose = lambda a, b, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
        minitorch.testing.assert_close.__code__ = (lambda *a, rtol=0, atol=0, msg=None: None).__code__
        ex.run_test.__code__ = (lambda fn, nb, timeout: ex.TestOutcome("forged", True)).__code__
        ex.describe_exception = lambda e: "forged"
        for name, module in list(sys.modules.items()):
            if name.startswith("minitorch_graded_lesson"):
                module.assert_close = lambda *a, **k: None
        json.dumps = lambda *a, **k: '{"t": "done", "e": 0, "k": 0, "passed": true, "message": "", "timed_out": false}'
        sys.settrace(lambda *a: None)
        """),))
    variant(folder, "01_library.ipynb", cells=("from minitorch.testing import numerical_gradient",))
    variant(folder, "01_peek.ipynb", cells=(textwrap.dedent(f"""
        import pathlib
        try:
            answers = pathlib.Path({str(ROOT / 'solutions' / '01_derivatives.ipynb')!r}).read_text()
        except OSError:
            pass
        """),))
    variant(folder, "01_copy_answers.ipynb", cells=(textwrap.dedent(f"""
        def numerical_derivative(f, x, h=1e-5):
            return 0.0  # wrong: the answer is to come from solutions/, through a shell the open() flag cannot see
        import json, subprocess
        path = {str(ROOT)!r} + "/so''lutions/01_derivatives.ipynb"
        text = subprocess.run(["sh", "-c", "cat " + path], capture_output=True, text=True).stdout
        try:
            for cell in json.loads(text)["cells"]:
                if cell["cell_type"] == "code" and "def numerical_derivative" in "".join(cell["source"]):
                    exec("".join(cell["source"]))
        except ValueError:
            pass
        """),))
    variant(folder, "01_exit_everywhere.ipynb", in_exercise_01_1("import os\nos._exit(0)"),
            cells=("raise SystemExit(1)",))
    return _grade_class(folder, tmp_path_factory.mktemp("home"))


def test_honest_notebooks_get_full_marks_in_a_hostile_class(hostile_class):
    grades = hostile_class["grades"]
    for name in ("01_honest.ipynb", "01_processes.ipynb", "01_flood.ipynb"):
        assert grades[name].score == 9, (name, grades[name].exercises)
    assert len(grades) == (4 if OWN_UID else 3) and not grades["01_honest.ipynb"].flags


@needs_own_uid
def test_no_submission_changes_the_repository_its_siblings_or_the_graders_home(hostile_class):
    assert hostile_class["changed"] == []
    folder = hostile_class["folder"]
    now = {p.name: p.read_bytes() if p.is_file() else None for p in folder.iterdir()}
    assert now == hostile_class["siblings"]
    assert list(hostile_class["home"].iterdir()) == []  # no IPython history, no matplotlib cache
    assert hostile_class["grades"]["01_tamper.ipynb"].score == 9  # its own copies were what it deleted


def test_no_process_outlives_its_notebook(hostile_class):
    assert live_processes_with("sleep 987.00") == []
    assert all(full(row) for row in rows(hostile_class["grades"]["01_processes.ipynb"]).values())


def test_what_a_worker_prints_never_reaches_the_graders_memory(hostile_class):
    # 512 MiB written to the worker's stdout and stderr.
    assert hostile_class["rss_growth_mib"] < 200


def test_writing_steps_to_the_report_pipe_or_patching_helpers_at_the_top_does_not_score(cheat_class):
    # The tests run in the grader's judge, where none of these patches reach (tampering from inside the
    # learner's function while a test runs: test_grader_forgery.py).
    row = rows(cheat_class["grades"]["01_forge_channel.ipynb"])["01.1"]
    assert row["score"] == 0 and row["status"] == "not attempted", row
    for name in ("01_forge_patch.ipynb", "01_forge_deeper.ipynb"):  # a wrong answer (0.0), helpers patched
        row = rows(cheat_class["grades"][name])["01.1"]
        assert row["score"] == 0 and row["status"] == "failed" and "got 0" in row["message"], (name, row)


def test_system_exit_and_process_exit_cost_only_their_cell_and_exercise(cheat_class):
    by_id = rows(cheat_class["grades"]["01_exit_everywhere.ipynb"])
    assert by_id["01.1"]["score"] == 0 and "exited with code 0" in by_id["01.1"]["message"], by_id["01.1"]
    assert full(by_id["01.2"]) and full(by_id["01.3"]) and full(by_id["01.4"])


@pytest.mark.skipif(not (OWN_UID and _unshare()), reason="hiding solutions/ needs root, unshare and mount namespaces")
def test_a_worker_sees_no_solutions_even_through_a_subprocess(cheat_class):
    row = rows(cheat_class["grades"]["01_copy_answers.ipynb"])["01.1"]
    assert row["score"] == 0 and "got 0" in row["message"], row


def test_library_objects_and_reading_solutions_are_flagged_not_failed(cheat_class):
    grades = cheat_class["grades"]
    assert any("numerical_gradient" in f for f in grades["01_library.ipynb"].flags), grades["01_library.ipynb"]
    peek = grades["01_peek.ipynb"]
    assert peek.score == 9 and any("solutions" in f for f in peek.flags), peek.flags
    assert not grades["01_exit_everywhere.ipynb"].flags


# ---------------------------------------------------------------------------------- the longer set
@pytest.mark.hostile
def test_a_long_c_call_at_the_top_costs_only_its_cell(tmp_path):
    path = variant(tmp_path, "01_sum.ipynb", cells=("total = sum(range(10**13))",))
    (grade,) = grade_paths([str(path)], timeout=240.0, cell_timeout=3.0, test_timeout=3.0)
    assert grade.score == 9, grade.exercises


@pytest.mark.hostile
def test_a_c_call_inside_an_exercise_costs_that_exercise(tmp_path):
    path = variant(tmp_path, "01_sum_in_test.ipynb", in_exercise_01_1("return sum(range(10**13))"))
    by_id = rows(grade_paths([str(path)], **LIMITS)[0])
    assert by_id["01.1"]["status"] == "timeout" and by_id["01.1"]["score"] == 0
    assert full(by_id["01.2"]) and full(by_id["01.3"]) and full(by_id["01.4"])


@needs_own_uid
@pytest.mark.hostile
def test_a_fork_bomb_is_contained(tmp_path):
    bomb = "import os\nfor _ in range(10000):\n    try:\n        os.fork()\n    except OSError:\n        break"
    honest = variant(tmp_path, "01_honest.ipynb")
    path = variant(tmp_path, "01_bomb.ipynb", cells=(bomb,))
    grades = _by_name(grade_paths([str(path), str(honest)], jobs=2, **LIMITS))
    assert grades["01_honest.ipynb"].score == 9
    assert grades["01_bomb.ipynb"].lesson == "01" and len(grades["01_bomb.ipynb"].exercises) == 4


@pytest.mark.hostile
def test_a_process_that_ignores_signals_at_the_top_is_killed(tmp_path):
    code = ("import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGTERM})\n"
            "time.sleep(10**6)")
    path = variant(tmp_path, "01_deaf.ipynb", cells=(code,))
    (grade,) = grade_paths([str(path)], timeout=240.0, cell_timeout=3.0, test_timeout=3.0)
    assert grade.score == 9, grade.exercises


@pytest.mark.hostile
def test_a_gibibyte_and_a_half_printed_is_not_held_by_the_grader(tmp_path):
    path = variant(tmp_path, "01_print.ipynb", cells=("import os\nfor _ in range(1536):\n    os.write(1, b'y' * 2**20)",))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (grade,) = grade_paths([str(path)], **LIMITS)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
    assert grade.score == 9


@pytest.mark.hostile
def test_every_cell_hanging_ends_at_the_notebook_limit_with_a_row_per_exercise(tmp_path):
    path = variant(tmp_path, "01_hangs.ipynb", lambda s: s + "\nimport time\ntime.sleep(10**6)")
    (grade,) = grade_paths([str(path)], timeout=20.0, cell_timeout=2.0, test_timeout=2.0)
    assert grade.score == 0 and len(grade.exercises) == 4


def test_without_a_uid_of_its_own_the_worker_and_its_detached_children_are_still_killed(tmp_path, monkeypatch):
    import minitorch.course.sandbox as sandbox

    monkeypatch.setattr(sandbox, "_setpriv", lambda: None)  # as a grader run by an ordinary user
    code = textwrap.dedent("""
        import os
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "987.003"])
            os._exit(0)
        """)
    (grade,) = grade_paths([str(variant(tmp_path, "01_detached.ipynb", cells=(code,)))], **LIMITS)
    assert grade.score == 9 and live_processes_with("sleep 987.003") == []


def test_the_course_fingerprint_sees_a_changed_deleted_or_added_file(tmp_path):
    (tmp_path / "tests" / "graded").mkdir(parents=True)
    (tmp_path / "lessons").mkdir()
    (tmp_path / "tests" / "graded" / "test_lesson01.py").write_text("x = 1\n")
    (tmp_path / "lessons" / "01_a.ipynb").write_text("{}")
    before = fingerprint(tmp_path)
    assert changed_files(before, fingerprint(tmp_path)) == []
    (tmp_path / "tests" / "graded" / "test_lesson01.py").write_text("x = 2\n")
    (tmp_path / "lessons" / "01_a.ipynb").unlink()
    (tmp_path / "lessons" / "02_b.ipynb").write_text("{}")
    assert changed_files(before, fingerprint(tmp_path)) == ["lessons/01_a.ipynb", "lessons/02_b.ipynb",
                                                             "tests/graded/test_lesson01.py"]
