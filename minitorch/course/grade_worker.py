"""The grader's worker: ``python -I -m minitorch.course.grade_worker JOB.json FD`` (started by grader.py).

Runs in a throw-away folder (see sandbox.py). It limits itself, executes the notebook's code cells,
then runs the graded tests of each exercise from ``job["start"]`` on, reporting every step as one
JSON object per line on file descriptor FD:

    {"t": "cell", "i": 3}                 about to run code cell 3
    {"t": "cells", "errors": [[3, "..."]]} all cells ran; the ones that raised
    {"t": "flag", "kind": "library", "names": [...]} / {"t": "flag", "kind": "solutions", "path": "..."}
    {"t": "serve"}                        (with the judge) from now on, answering the judge's requests
    {"t": "test", "e": 0, "k": 1}         (without) about to run test 1 of exercise 0
    {"t": "done", "e": 0, "k": 1, "passed": false, "message": "...", "timed_out": false}
    {"t": "end"}

The grader reads these as untrusted data: it knows the exercises and their tests itself, accepts only
the next expected step, and kills this process when a step overruns its time limit.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import types

# Packages whose state the tests rely on: what the notebook's top-level code rebinds in them is put
# back before every test (see Restorer).
TRUSTED = {"numpy", "minitorch", "json", "contextlib", "math", "random", "functools", "itertools",
           "operator", "collections", "re", "inspect", "traceback", "linecache", "warnings", "builtins",
           "dataclasses", "types", "copy", "signal", "threading", "time"}
_MISSING = object()


def _sender(fd: int):
    dumps, write = json.dumps, os.write  # bound before any learner code runs (patching json.dumps is moot)

    def send(message: dict) -> None:
        data = (dumps(message) + "\n").encode("utf-8")
        while data:
            data = data[write(fd, data):]
    return send


def _library_definitions(namespace: dict, names: list[str]) -> list[str]:
    """Graded names bound to minitorch's own objects (e.g. ``Linear = minitorch.nn.Linear``)."""
    found = []
    for name in names:
        try:
            module = getattr(namespace.get(name), "__module__", "")
            if isinstance(module, str) and module.split(".")[0] == "minitorch" \
                    and not module.startswith("minitorch.course"):
                found.append(name)
        except BaseException:  # a learner's object may raise anything from __getattr__
            pass
    return found


def _behaviour(value: object) -> bool:
    """Functions, classes, methods and modules are restored; data (a seeded generator, a flag) is the
    notebook's to change."""
    return callable(value) or isinstance(value, (types.ModuleType, property, classmethod, staticmethod))


class Restorer:
    """A snapshot, taken before the notebook runs, of the trusted modules' functions, classes and
    submodules, their classes' attributes and their functions' code; ``restore()`` puts back whatever
    was rebound since, and turns tracing and profiling off. It undoes monkeypatching by the notebook's
    top-level code (e.g. ``np.isclose = ...`` or ``assert_close.__code__ = ...``) before each test. It
    cannot undo what the learner's code does while a test is running: see the grader's docstring."""

    def __init__(self, extra: list[types.ModuleType]) -> None:
        self.modules = [(name, module, dict(vars(module))) for name, module in list(sys.modules.items())
                        if isinstance(module, types.ModuleType) and name.split(".")[0] in TRUSTED]
        self.modules += [(m.__name__, m, dict(vars(m))) for m in extra]
        self.classes, self.code = [], []
        seen: set[int] = set()
        for name, _, names in self.modules:
            for value in names.values():
                if id(value) in seen:
                    continue
                seen.add(id(value))
                if isinstance(value, type) and value.__module__ == name and value.__flags__ & (1 << 9):  # Python
                    self.classes.append((value, dict(vars(value))))
                    values = vars(value).values()
                else:
                    values = [value]
                for item in values:
                    function = item.__func__ if isinstance(item, (staticmethod, classmethod)) else item
                    if isinstance(function, types.FunctionType):
                        self.code.append((function, function.__code__, function.__defaults__, function.__kwdefaults__))
        self.settrace, self.setprofile, self.thread_settrace = sys.settrace, sys.setprofile, threading.settrace

    def restore(self) -> None:
        self.settrace(None)
        self.setprofile(None)
        self.thread_settrace(None)
        for name, module, names in self.modules:
            sys.modules[name] = module
            current = vars(module)
            for key, value in names.items():
                if current.get(key, _MISSING) is not value and _behaviour(value):
                    current[key] = value
        for cls, names in self.classes:
            for key, value in names.items():
                if cls.__dict__.get(key, _MISSING) is not value and _behaviour(value) \
                        and key not in ("__dict__", "__weakref__"):
                    try:
                        setattr(cls, key, value)
                    except (AttributeError, TypeError):
                        pass
        for function, code, defaults, kwdefaults in self.code:
            if function.__code__ is not code:
                function.__code__ = code
            function.__defaults__, function.__kwdefaults__ = defaults, kwdefaults


def main(job_file: str, fd: int, judge_fds: tuple[int, int] | None = None) -> None:
    with open(job_file, encoding="utf-8") as f:
        job = json.load(f)
    from .sandbox import apply_limits

    apply_limits(job["memory_mb"], job["cpu_seconds"], job["processes"])
    send = _sender(fd)
    os.environ["MINITORCH_GRADED_TESTS"] = job["tests_dir"]

    from .execute import run_cells, time_limit
    from .exercises import Namespace, lesson_exercises, run_test

    if judge_fds is None:
        exercises, tests = lesson_exercises(job["lesson"])
        test_modules = {sys.modules[fn.__module__] for fns in tests.values() for fn in fns}
        restorer = Restorer(sorted(test_modules, key=lambda m: m.__name__) + [sys.modules[__name__]])
    solutions_read: list[str] = []

    def watch(event: str, args: tuple) -> None:  # advisory only: it runs where the learner's code runs
        if event == "open" and not solutions_read and args and isinstance(args[0], str) \
                and "solutions" in args[0].replace("\\", "/").split("/")[:-1]:
            solutions_read.append(args[0][-200:])

    sys.addaudithook(watch)
    if judge_fds is not None:
        from . import remote  # noqa: F401 (imported before any cell runs: see remote._dumps)
    execution = run_cells(job["cells"], cell_timeout=job["cell_timeout"] or None, skip=set(job["skip"]),
                          before_cell=lambda index: send({"t": "cell", "i": index}))
    send({"t": "cells", "errors": [[e.cell, e.error] for e in execution.errors[:100]]})
    try:
        with time_limit(5.0, "looking for library objects"):
            library = _library_definitions(execution.namespace, job["graded_names"])
    except BaseException:
        library = []
    if library:
        send({"t": "flag", "kind": "library", "names": library})
    if solutions_read:
        send({"t": "flag", "kind": "solutions", "path": solutions_read[0]})

    if judge_fds is not None:  # the tests run in the judge; this process only answers its requests
        from .remote import serve

        send({"t": "serve"})
        serve(judge_fds[0], judge_fds[1], execution.namespace)
        return
    nb = Namespace(execution.namespace)
    for e in range(job["start"], len(exercises)):
        exercise = exercises[e]
        timeout = job["test_timeout"] or exercise.timeout
        for k, fn in enumerate(tests[exercise.id]):
            send({"t": "test", "e": e, "k": k})
            restorer.restore()
            outcome = run_test(fn, nb, timeout)
            send({"t": "done", "e": e, "k": k, "passed": outcome.passed, "message": outcome.message,
                  "timed_out": outcome.timed_out})
            if outcome.timed_out:
                break  # one infinite loop is enough: the grader marks the exercise's other tests skipped
    send({"t": "end"})


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else None)
    # Skip interpreter teardown: a learner's leftover threads or atexit hooks must not hang us.
    os._exit(0)
