"""Tiered hints: gentlest first, shown only after a real attempt, one more tier per hint() call."""

from minitorch.course import Exercise, hint
import importlib

check_module = importlib.import_module("minitorch.course.check")  # the module, not the function


def test_the_first_tier_is_the_hint_check_shows():
    assert Exercise("01.9", "t", hints=("the idea", "more")).hint == "the idea"
    assert Exercise("01.9", "t").hint == ""


def test_tiers_come_in_order_and_stop_at_the_last(monkeypatch, capsys):
    ex = Exercise("01.9", "t", hints=("idea", "pseudocode", "one line"))
    assert ex.hint == "idea"
    monkeypatch.setattr(check_module, "find_exercise", lambda _id: (ex, []))
    monkeypatch.setattr(check_module, "_hints_shown", {})
    shown = []
    for _ in range(4):
        hint("01.9")
        shown.append(capsys.readouterr().out)
    assert "1/3" in shown[0] and "idea" in shown[0]
    assert "2/3" in shown[1] and "pseudocode" in shown[1]
    assert "3/3" in shown[2] and "one line" in shown[2] and "last hint" in shown[2]
    assert "3/3" in shown[3]


def test_check_of_an_untouched_exercise_shows_no_hint(monkeypatch, capsys):
    ex = Exercise("01.9", "t", hints=("the secret idea", "more"))

    def test_stub(nb):
        raise NotImplementedError

    monkeypatch.setattr(check_module, "find_exercise", lambda _id: (ex, [test_stub]))
    check_module.check("01.9", {})
    out = capsys.readouterr().out
    assert "not attempted" in out and "the secret idea" not in out


def test_check_after_a_wrong_attempt_shows_the_first_tier_only(monkeypatch, capsys):
    ex = Exercise("01.9", "t", hints=("the idea", "the pseudocode"))

    def test_wrong(nb):
        assert False, "got 3, expected 4"

    monkeypatch.setattr(check_module, "find_exercise", lambda _id: (ex, [test_wrong]))
    check_module.check("01.9", {})
    out = capsys.readouterr().out
    assert "the idea" in out and "the pseudocode" not in out and "hint('01.9')" in out


# ------------------------------------------------------------------ no first hint gives the answer away
import re
from pathlib import Path

import pytest

from minitorch.course.exercises import lesson_exercises
from minitorch.course.notebook import BEGIN_SOLUTION, END_SOLUTION, lesson_of, read_notebook

ROOT = Path(__file__).resolve().parents[2]
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\*\*|//|[-+*/=<>!]=|\S")
RUN = 6  # this many consecutive tokens of a solution line, inside a hint, is code from the answer


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def solution_lines(notebook: Path) -> list[list[str]]:
    """The token lists of every line inside the notebook's solution regions."""
    lines, inside = [], False
    for cell in read_notebook(notebook).cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker == BEGIN_SOLUTION:
                inside = True
            elif marker == END_SOLUTION:
                inside = False
            elif inside and len(_tokens(line)) >= RUN and not marker.startswith(("def ", "class ")):
                lines.append(_tokens(line))  # a signature is part of the exercise's statement, not its answer
    return lines


def shared_code(hint: str, lines: list[list[str]]) -> list[str]:
    """The solution fragments (RUN tokens or more, not all punctuation) that the hint repeats."""
    words = " ".join(_tokens(hint))
    found = []
    for line in lines:
        for start in range(len(line) - RUN + 1):
            run = line[start:start + RUN]
            if sum(t[0].isalnum() or t[0] == "_" for t in run) >= 2 and f" {' '.join(run)} " in f" {words} ":
                found.append(" ".join(run))
                break
    return found


def _lessons():
    return sorted((lesson_of(p), p) for p in (ROOT / "solutions").glob("*.ipynb") if lesson_of(p))


def test_the_detector_sees_a_solution_line_inside_a_hint():
    lines = [_tokens("self.grad += other.data * out.grad")]
    assert shared_code("Use self.grad += other.data * out.grad here.", lines)
    assert not shared_code("Each input receives the other input's value times the output's gradient.", lines)


@pytest.mark.parametrize("lesson,notebook", _lessons(), ids=lambda v: v if isinstance(v, str) else "")
def test_first_hints_contain_no_solution_code(lesson, notebook):
    lines = solution_lines(notebook)
    exercises, tests = lesson_exercises(lesson)
    leaks = []
    for ex in exercises:
        firsts = [("first hint", ex.hints[0] if ex.hints else "")]
        firsts += [(f"hint of {fn.__name__}", getattr(fn, "hint", "")) for fn in tests[ex.id]]
        for where, text in firsts:
            for fragment in shared_code(text, lines):
                leaks.append(f"{ex.id} {where}: repeats `{fragment}`")
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("lesson,notebook", _lessons(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_exercise_has_tiered_hints_and_no_tier_gives_more_than_one_line(lesson, notebook):
    lines = solution_lines(notebook)
    exercises, _ = lesson_exercises(lesson)
    problems = []
    for ex in exercises:
        if not 2 <= len(ex.hints) <= 3:
            problems.append(f"{ex.id} has {len(ex.hints)} hint tiers, expected 2 or 3")
        for tier, text in enumerate(ex.hints, start=1):
            whole = [line for line in lines if f" {' '.join(line)} " in f" {' '.join(_tokens(text))} "]
            if len(whole) > 1:
                problems.append(f"{ex.id} hint {tier} contains {len(whole)} whole solution lines")
    assert not problems, "\n".join(problems)


def test_after_check_showed_the_first_tier_hint_goes_on_with_the_second(monkeypatch, capsys):
    ex = Exercise("01.9", "t", hints=("the idea", "the pseudocode", "the line"))

    def test_wrong(nb):
        assert False, "got 3, expected 4"

    monkeypatch.setattr(check_module, "find_exercise", lambda _id: (ex, [test_wrong]))
    monkeypatch.setattr(check_module, "_hints_shown", {})
    check_module.check("01.9", {})
    capsys.readouterr()
    hint("01.9")
    assert "2/3" in capsys.readouterr().out
