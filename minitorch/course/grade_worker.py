"""The grader's worker: ``python -I -m minitorch.course.grade_worker JOB.json FD`` (started by grader.py).

Runs in a throw-away folder (see sandbox.py). It limits itself, executes the notebook's code cells,
then runs the graded tests of each exercise from ``job["start"]`` on, reporting every step as one
JSON object per line on file descriptor FD:

    {"t": "cell", "i": 3}                 about to run code cell 3
    {"t": "cells", "errors": [[3, "..."]]} all cells ran; the ones that raised
    {"t": "flag", "kind": "library", "names": [...]} / {"t": "flag", "kind": "solutions", "path": "..."}
    {"t": "test", "e": 0, "k": 1}         about to run test 1 of exercise 0
    {"t": "done", "e": 0, "k": 1, "passed": false, "message": "...", "timed_out": false}
    {"t": "end"}

The grader reads these as untrusted data: it knows the exercises and their tests itself, accepts only
the next expected step, and kills this process when a step overruns its time limit.
"""

from __future__ import annotations

import json
import os
import sys


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


def main(job_file: str, fd: int) -> None:
    with open(job_file, encoding="utf-8") as f:
        job = json.load(f)
    from .sandbox import apply_limits

    apply_limits(job["memory_mb"], job["cpu_seconds"], job["processes"])
    send = _sender(fd)
    os.environ["MINITORCH_GRADED_TESTS"] = job["tests_dir"]

    from .execute import run_cells, time_limit
    from .exercises import Namespace, lesson_exercises, run_test

    exercises, tests = lesson_exercises(job["lesson"])
    solutions_read: list[str] = []

    def watch(event: str, args: tuple) -> None:  # advisory only: it runs where the learner's code runs
        if event == "open" and not solutions_read and args and isinstance(args[0], str) \
                and "solutions" in args[0].replace("\\", "/").split("/")[:-1]:
            solutions_read.append(args[0][-200:])

    sys.addaudithook(watch)
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

    nb = Namespace(execution.namespace)
    for e in range(job["start"], len(exercises)):
        exercise = exercises[e]
        timeout = job["test_timeout"] or exercise.timeout
        for k, fn in enumerate(tests[exercise.id]):
            send({"t": "test", "e": e, "k": k})
            outcome = run_test(fn, nb, timeout)
            send({"t": "done", "e": e, "k": k, "passed": outcome.passed, "message": outcome.message,
                  "timed_out": outcome.timed_out})
            if outcome.timed_out:
                break  # one infinite loop is enough: the grader marks the exercise's other tests skipped
    send({"t": "end"})


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
    # Skip interpreter teardown: a learner's leftover threads or atexit hooks must not hang us.
    os._exit(0)
