"""Exercises and their graded tests: one registry used by pytest, ``check()`` and the grader.

A lesson's graded tests live in ``tests/graded/test_lessonNN.py`` (shipped in the wheel as
``minitorch/course/graded``; see ``materials.py``)::

    EXERCISES = [Exercise("01.1", "Numerical derivative", points=2,
                          hints=("Look both ways from x, and divide by the distance between the points.",
                                 "f at x + h minus f at x - h, over 2h.",
                                 "return (f(x + h) - f(x - h)) / (2 * h)"))]

    @graded("01.1", hint="A forward difference is only accurate to O(h): look both ways.")
    def test_derivative_of_square(nb):
        assert_close(nb.numerical_derivative(lambda x: x**2, 3.0), 6.0, atol=1e-4, msg="d/dx x² at 3")

``nb`` is the notebook's namespace (what its cells defined). Under pytest a fixture supplies it
by executing the solution notebook; in a notebook ``check("01.1")`` passes the live namespace;
the grader passes a submitted notebook's. The tests are plain functions, so the same code runs
in all three places. Messages must say what was expected: learners see them, not a traceback.

**Rules for test authors: the grader runs each test in a judge process** (``judge.py``), apart from
the learner's code, which lives in the sandboxed worker; ``nb`` is then a proxy and every operation
on a learner's object is a request to the worker (``remote.py``). Most tests need not know, but:

* Compare *values*, never let an expected value reach learner code: ``assert_close(nb.f(x), want)``
  (the comparison runs in the judge) — not ``nb.f(x) == want`` on a learner's object, which asks the
  learner's ``__eq__``. Turn a learner's object into data first (``float(v)``, ``v.data``, ``np.asarray``).
* Plain data (numbers, strings, numpy arrays, lists/dicts of those) crosses by value: a list, dict or
  array passed to learner code is copied back into yours after the call, and ``obj.data[...] = w`` on a
  learner object writes through; but ``obj.data is arr`` compares copies: use ``nb.identity(obj, "data")``.
  A learner's container read once is a snapshot: read it again (``kept.value``) after later calls.
* minitorch objects (and objects of classes defined at the top of the test module) that the test hands to
  learner code *move* into the worker: the test's variable then forwards there (``x.grad`` after the
  learner's ``backward()`` is right). Build the reference first, or from separate objects: a moved module
  called on a tensor with a graph built in the judge cannot take it. ``nb.remote(obj)`` moves an object
  now (e.g. modules whose graph the learner's code must walk: then ``m(x)`` builds it in the worker).
  ``minitorch.manual_seed`` and ``no_grad()`` in a test also act in the worker.
* Lambdas and test helpers passed to learner code are callbacks (each call a round trip, fine for a few
  hundred). Loops of thousands of operations on learner objects, and classes that subclass a notebook
  class (``class Net(nb.Module)``), go in a top-level helper ``def _build(nb, ...)`` run with
  ``nb.run(_build, ...)`` (in the worker, beside the learner's code; it builds inputs, never verdicts);
  ``nb.attributes(objects, "_prev")`` reads one attribute of many objects in one request.
* Seeds, time limits and recursion limits meant for the learner's code must be set in the worker
  (``nb.run``), not in the judge.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .execute import TimeLimitExceeded, describe_exception, raised_through_learner_code, time_limit
from .materials import graded_tests_dir

DEFAULT_TEST_TIMEOUT = 10.0


@dataclass(frozen=True)
class Exercise:
    """One graded exercise. ``hints`` are tiers, gentlest first: the idea, then pseudocode, then at
    most one line of code. ``check()`` shows the first tier after a failed attempt (never up front);
    ``hint("NN.k")`` reveals the next one. ``needs`` lists the exercises whose code this one calls, so
    that a failure can be traced to them."""

    id: str
    title: str
    points: float = 1.0
    timeout: float = DEFAULT_TEST_TIMEOUT  # per test, seconds
    hints: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # earlier exercises whose code this one runs (named when they fail)

    @property
    def hint(self) -> str:
        """The first tier: what ``check()`` shows after a failed attempt."""
        return self.hints[0] if self.hints else ""


def graded(exercise_id: str, hint: str = "") -> Callable[[Callable], Callable]:
    """Mark a test function as one of the graded tests of ``exercise_id``."""

    def mark(fn: Callable) -> Callable:
        fn.exercise_id = exercise_id  # type: ignore[attr-defined]
        fn.hint = hint  # type: ignore[attr-defined]
        return fn

    return mark


class MissingDefinition(AssertionError):
    """The notebook does not define a name a test needs."""


class Namespace:
    """Attribute access to a notebook's variables, with a friendly error for missing names."""

    def __init__(self, variables: dict):
        self._variables = variables
        self._kept: list = []

    def __getattr__(self, name: str) -> Any:
        try:
            return self._variables[name]
        except KeyError:
            raise MissingDefinition(
                f"the notebook does not define `{name}` — run the cell that defines it "
                "(or check the spelling of the name)") from None

    def __contains__(self, name: str) -> bool:
        return name in self._variables

    def remote(self, obj: Any) -> Any:
        """``obj`` itself. In the grader (``judge.RemoteNamespace.remote``) a minitorch object is moved into
        the notebook's process now, so that the test's later reads see what the learner's code did to it."""
        return obj

    def run(self, fn: Callable, *args: Any) -> Any:
        """``fn(nb, *args)``. In the grader ``fn`` (a top-level function of the test module) runs in the
        notebook's process: for building many learner objects at once, or subclassing a notebook class."""
        return fn(self, *args)

    def attributes(self, objects: Any, name: str) -> list:
        """``[getattr(o, name) for o in objects]`` (in the grader, one request instead of one per object)."""
        return [getattr(o, name) for o in objects]

    def identity(self, obj: Any, name: str) -> int:
        """A number that is the same for two reads of ``obj.name`` exactly when they are the same object (in
        the grader, values arrive as copies, so ``obj.data is array`` cannot be asked directly)."""
        value = getattr(obj, name)
        self._kept.append(value)  # alive, so that its id is not given to another object
        return id(value)


# ---------------------------------------------------------------------------------- finding tests
_loaded: dict[Path, ModuleType] = {}


def load_lesson(lesson: str, reload: bool = False) -> ModuleType:
    """Import ``tests/graded/test_lesson{lesson}.py`` (by path: it is not an installed package)."""
    path = graded_tests_dir() / f"test_lesson{lesson}.py"
    if not path.exists():
        raise FileNotFoundError(f"no graded tests for lesson {lesson} ({path} does not exist)")
    if path in _loaded and not reload:
        return _loaded[path]
    spec = importlib.util.spec_from_file_location(f"minitorch_graded_lesson{lesson}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    _loaded[path] = module
    return module


def load_lesson_file(path: str) -> tuple[list[Exercise], dict[str, list[Callable]]]:
    """The exercises and tests of a graded test file given by its path (the grader's judge)."""
    spec = importlib.util.spec_from_file_location(f"minitorch_graded_{Path(path).stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return _module_exercises(module)


def lesson_exercises(lesson: str) -> tuple[list[Exercise], dict[str, list[Callable]]]:
    return _module_exercises(load_lesson(lesson))


def _module_exercises(module: ModuleType) -> tuple[list[Exercise], dict[str, list[Callable]]]:
    exercises = list(getattr(module, "EXERCISES", []))
    tests: dict[str, list[Callable]] = {ex.id: [] for ex in exercises}
    for name in dir(module):
        fn = getattr(module, name)
        if callable(fn) and name.startswith("test_") and hasattr(fn, "exercise_id"):
            if fn.exercise_id not in tests:
                raise ValueError(f"{module.__file__}: {name} is graded for unknown exercise {fn.exercise_id}")
            tests[fn.exercise_id].append(fn)
    for fns in tests.values():  # run in source order
        fns.sort(key=lambda f: f.__code__.co_firstlineno)
    return exercises, tests


def find_exercise(exercise_id: str) -> tuple[Exercise, list[Callable]]:
    lesson = exercise_id.split(".")[0]
    exercises, tests = lesson_exercises(lesson)
    for ex in exercises:
        if ex.id == exercise_id:
            return ex, tests[ex.id]
    known = ", ".join(e.id for e in exercises) or "none"
    raise KeyError(f"no exercise {exercise_id!r}; lesson {lesson} has: {known}")


# ---------------------------------------------------------------------------------- running tests
@dataclass
class TestOutcome:
    name: str
    passed: bool
    message: str = ""
    timed_out: bool = False
    hint: str = ""  # the test's own hint (from @graded), if it has one
    diagnosis: Any = None  # the failing assertion, when it can draw itself (testing.GradientMismatch)


@dataclass
class ExerciseResult:
    id: str
    title: str
    score: float
    max_score: float
    status: str  # passed | partial | failed | not attempted | timeout | error
    message: str
    hint: str = ""
    outcomes: list[TestOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"id": self.id, "score": self.score, "max_score": self.max_score,
                "status": self.status, "message": self.message}


def _readable_test_name(fn: Callable) -> str:
    return fn.__name__.removeprefix("test_").replace("_", " ")


NOT_ATTEMPTED = "not attempted yet: the exercise still raises NotImplementedError"  # a test that met a stub


def run_test(fn: Callable, nb: Namespace, timeout: float) -> TestOutcome:
    name = _readable_test_name(fn)
    try:
        with time_limit(timeout, f"test '{name}'"):
            fn(nb)
    except TimeLimitExceeded:
        return TestOutcome(name, False, f"timed out after {timeout:g} s — is there an infinite loop?", True)
    except NotImplementedError:
        return TestOutcome(name, False, NOT_ATTEMPTED)
    except AssertionError as e:
        text = str(e).strip() or "an assertion failed"
        return TestOutcome(name, False, text, diagnosis=e if callable(getattr(e, "draw", None)) else None)
    except BaseException as e:  # the learner's code raised (even SystemExit): report it in one line
        remote = getattr(e, "minitorch_remote", None)  # raised in the grader's worker (judge.py)
        if isinstance(remote, dict) and remote.get("learner"):
            return TestOutcome(name, False, "your code raised " + remote["where"])
        if remote is None and raised_through_learner_code(e, fn.__code__.co_filename) or isinstance(e, (SystemExit, KeyboardInterrupt)):
            return TestOutcome(name, False, "your code raised " + describe_exception(e))
        # Raised by the test itself, using what the learner's code returned (e.g. float("six")).
        return TestOutcome(name, False, "checking what your code returned raised " + describe_exception(e)
                           + " — does it return the kind of value the exercise asks for?")
    return TestOutcome(name, True)


def run_exercise(exercise: Exercise, tests: list[Callable], variables: dict) -> ExerciseResult:
    """Run an exercise's tests against a notebook namespace; score = points × fraction passed."""
    nb = Namespace(variables)
    start = time.perf_counter()
    outcomes: list[TestOutcome] = []
    for fn in tests:
        if outcomes and outcomes[-1].timed_out:
            # One infinite loop is enough: don't spend the time limit again on every test.
            outcome = TestOutcome(_readable_test_name(fn), False, "skipped after a time-out", True)
        else:
            outcome = run_test(fn, nb, exercise.timeout)
        outcome.hint = getattr(fn, "hint", "")
        outcomes.append(outcome)
    return summarize(exercise, outcomes, time.perf_counter() - start)


def summarize(exercise: Exercise, outcomes: list[TestOutcome], seconds: float = 0.0) -> ExerciseResult:
    """Score and describe an exercise from its tests' outcomes: points × fraction passed."""
    passed = sum(o.passed for o in outcomes)
    total = len(outcomes)
    score = round(exercise.points * passed / total, 2) if total else 0.0
    failures = [o for o in outcomes if not o.passed]
    if not total:
        status, message = "error", "this exercise has no graded tests (tell your instructor)"
    elif not failures:
        status, message = "passed", f"all {total} tests passed"
    else:
        first = failures[0]
        if any(o.timed_out for o in failures):
            status = "timeout"
        elif all(o.message.startswith("not attempted") for o in failures) and passed == 0:
            status = "not attempted"
        elif passed:
            status = "partial"
        else:
            status = "failed"
        message = f"{first.name}: {first.message}"
    hint = (failures[0].hint or exercise.hint) if failures else ""
    return ExerciseResult(exercise.id, exercise.title, score, exercise.points, status, message, hint,
                          outcomes, seconds)
