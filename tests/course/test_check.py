"""check("NN.k") in a notebook: short, friendly feedback; never a traceback."""

import math

from minitorch.course import check


def _central(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_a_passing_exercise_says_so(capsys):
    check("01.1", {"numerical_derivative": _central})
    out = capsys.readouterr().out
    assert "✅ Exercise 01.1" in out and "2/2 points" in out and "Hint" not in out


def test_a_stub_is_reported_as_not_attempted_without_giving_a_hint_away(capsys):
    def stub(f, x, h=1e-5):
        raise NotImplementedError()

    check("01.1", {"numerical_derivative": stub})
    out = capsys.readouterr().out
    assert "❌" in out and "0/2 points" in out and "NotImplementedError" in out
    assert "Hint" not in out and "f(x + h)" not in out
    assert "Traceback" not in out


def test_the_failing_case_and_its_numbers_are_shown(capsys):
    check("01.1", {"numerical_derivative": lambda f, x, h=1e-5: (f(x + h) - f(x)) / h})
    out = capsys.readouterr().out
    assert "First problem: derivative of sin and exp" in out and "expected" in out


def test_a_missing_definition_names_the_missing_variable(capsys):
    check("01.1", {})
    assert "does not define `numerical_derivative`" in capsys.readouterr().out


def test_an_exception_in_learner_code_is_summarised_in_one_line(capsys):
    check("01.1", {"numerical_derivative": lambda f, x, h=1e-5: math.log(-1.0)})
    out = capsys.readouterr().out
    assert "your code raised ValueError: math domain error" in out and "Traceback" not in out


def test_an_infinite_loop_is_stopped(capsys, monkeypatch):
    import minitorch.course.exercises as exercises

    def loop(f, x, h=1e-5):
        while True:
            pass

    exercise, tests = exercises.find_exercise("01.1")
    result = exercises.run_exercise(exercises.Exercise(exercise.id, exercise.title, exercise.points, timeout=0.3),
                                    tests, {"numerical_derivative": loop})
    assert result.status == "timeout" and result.score == 0
    assert sum(o.message == "skipped after a time-out" for o in result.outcomes) == len(tests) - 1


def test_an_unknown_exercise_is_a_message_not_an_exception(capsys):
    check("01.9", {})
    out = capsys.readouterr().out
    assert "no exercise '01.9'" in out and "01.1" in out


def test_a_failing_test_with_its_own_hint_shows_that_hint(capsys):
    def mutating_gradient(f, xs, h=1e-5):  # right numbers, but it changes the caller's list
        grads = []
        for i in range(len(xs)):
            plus, minus = list(xs), list(xs)
            plus[i] += h
            minus[i] -= h
            grads.append((f(*plus) - f(*minus)) / (2 * h))
        xs.append(0.0)
        return grads

    check("01.2", {"numerical_gradient": mutating_gradient})
    out = capsys.readouterr().out
    assert "First problem: gradient leaves the input alone" in out
    assert "Hint: Don't modify the caller's list xs" in out
