"""Progress: check() records each result beside the notebooks; `python -m minitorch progress` reads it."""

import json

from minitorch.__main__ import main
from minitorch.course import check, show_progress
from minitorch.course.progress import FILENAME, load, status_line


def _central(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def _forward(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def test_check_records_results_and_a_pass_is_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(tmp_path / FILENAME))
    check("01.1", {"numerical_derivative": _forward})
    check("01.1", {"numerical_derivative": _central})
    check("01.1", {"numerical_derivative": _forward})  # a later slip does not undo the pass
    entry = json.loads((tmp_path / FILENAME).read_text())["exercises"]["01.1"]
    assert entry["status"] == "passed" and entry["score"] == 2 and entry["attempts"] == 3


def test_off_records_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", "off")
    check("01.1", {"numerical_derivative": _central})
    assert not list(tmp_path.iterdir())


def test_the_status_line_counts_passed_exercises(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(tmp_path / FILENAME))
    assert "none checked yet" in status_line("01", tmp_path)
    check("01.1", {"numerical_derivative": _central})
    line = status_line("01", tmp_path)
    assert "1/4 exercises passed" in line and "2/9 points" in line and "01.2" in line
    capsys.readouterr()
    show_progress("99")
    assert "Lesson 99" in capsys.readouterr().out


def test_a_damaged_record_is_ignored_and_replaced(tmp_path, monkeypatch, capsys):
    path = tmp_path / FILENAME
    path.write_text("{not json")
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(path))
    assert load(path) == {}
    check("01.1", {"numerical_derivative": _central})
    assert load(path)["01.1"]["status"] == "passed"


def test_the_progress_command_lists_every_lesson_and_exercise(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(tmp_path / FILENAME))
    check("03.4", {"squared_error_grads": lambda w, x, b, y: {"w": 0.0, "x": 0.0, "b": 0.0}})
    capsys.readouterr()
    assert main(["progress", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Lesson 01: 0/9 points" in out and "not checked yet" in out
    assert "03.4" in out and "failed (0/2)" in out


def test_the_status_line_counts_a_failed_check_as_tried(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(tmp_path / FILENAME))
    check("01.1", {"numerical_derivative": _forward})
    line = status_line("01", tmp_path)
    assert "none checked yet" not in line and "0/4 exercises passed" in line and "01.1" in line
