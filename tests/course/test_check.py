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


def test_a_failure_caused_by_an_unfinished_earlier_exercise_names_it(capsys):
    def numerical_derivative(f, x, h=1e-5):
        raise NotImplementedError()

    def gradient_descent(f, x0, lr, steps):
        path, x = [x0], x0
        for _ in range(steps):
            x = x - lr * numerical_derivative(f, x)
            path.append(x)
        return path

    check("01.4", {"numerical_derivative": numerical_derivative, "gradient_descent": gradient_descent})
    out = capsys.readouterr().out
    assert "01.4 uses your code from 01.1 (Numerical derivative), which still raises NotImplementedError" in out
    # gradient_descent is written: the NotImplementedError comes from 01.1, so 01.4 is not "not attempted yet".
    assert "not attempted yet" not in out and "from the unfinished one it uses" in out


def test_no_dependency_note_when_the_earlier_exercise_passes(capsys):
    check("01.4", {"numerical_derivative": lambda f, x, h=1e-5: (f(x + h) - f(x - h)) / (2 * h),
                   "gradient_descent": lambda f, x0, lr, steps: [x0]})
    out = capsys.readouterr().out
    assert "❌" in out and "uses your code from" not in out


def test_re_running_the_class_cell_after_attaching_methods_is_spotted(capsys):
    history = ["", "import math\nclass Value:\n    def __init__(self, data): self.data = data",
               "def value_add(self, other): ...\nValue.__add__ = value_add\nValue.__radd__ = value_add",
               "class Value:\n    def __init__(self, data): self.data = data"]

    class Value:
        def __init__(self, data):
            self.data = data

    check("03.1", {"In": history, "Value": Value})
    out = capsys.readouterr().out
    assert "You ran the cell that defines class Value again (In[3]) after attaching __add__, __radd__" in out


def test_attaching_again_after_the_class_cell_clears_the_warning(capsys):
    history = ["", "class Value:\n    pass", "Value.__add__ = f", "class Value:\n    pass", "Value.__add__ = f"]
    check("03.1", {"In": history, "Value": object})
    assert "You ran the cell that defines class" not in capsys.readouterr().out


def test_an_error_in_a_kernel_cell_names_the_cell_and_line():
    from IPython.testing.globalipapp import get_ipython

    from minitorch.course.execute import describe_exception

    shell = get_ipython()
    shell.run_cell("import numpy as np\ndef f(n):\n    return np.ones(3) @ np.ones(n)\n", store_history=True)
    number = len(shell.user_ns["In"]) - 1
    try:
        shell.user_ns["f"](4)
    except ValueError as e:
        text = describe_exception(e)
    assert f"at cell In[{number}], line 3: return np.ones(3) @ np.ones(n)" in text


def test_an_error_in_the_test_on_a_returned_value_is_not_blamed_on_the_learners_code(capsys):
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_cell("def manual_gradients(a, b, c, f):\n    return {'a': 'six', 'b': 0.0, 'c': 0.0, 'f': 0.0}\n",
                   store_history=True)
    check("01.3", {"manual_gradients": shell.user_ns["manual_gradients"]})
    out = capsys.readouterr().out
    assert "❌" in out and "your code raised" not in out


def test_the_last_hint_does_not_offer_another(capsys):
    from minitorch.course import check, hint
    from minitorch.course.check import _hints_shown

    _hints_shown.pop("01.1", None)
    forward = {"numerical_derivative": lambda f, x, h=1e-5: (f(x + h) - f(x)) / h}
    for _ in range(3):
        hint("01.1")
    capsys.readouterr()
    check("01.1", forward)
    out = capsys.readouterr().out
    assert "Hint:" in out and "Still stuck?" not in out
    _hints_shown.pop("01.1", None)
