"""Tiered hints: gentlest first, shown only after a real attempt, one more tier per hint() call."""

from minitorch.course import Exercise, hint
import importlib

check_module = importlib.import_module("minitorch.course.check")  # the module, not the function


def test_a_single_hint_is_one_tier():
    ex = Exercise("01.9", "t", hint="the idea")
    assert ex.hints == ("the idea",) and ex.hint == "the idea"


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
