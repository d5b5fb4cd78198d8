"""The judge: ``python -I -m minitorch.course.judge TESTS.py REQUEST_FD REPLY_FD`` (started by grader.py).

Runs a lesson's graded tests without ever executing learner code: ``nb`` is a ``RemoteNamespace``,
and every operation on a learner's object is a request to the worker (see ``remote.py``). Commands
come from the grader on stdin, one JSON object per line (``{"run": [e, k]}``); each answer is one line
on stdout: ``{"e": e, "k": k, "passed": bool, "message": str, "broken": bool}``. ``broken`` says the
channel to the worker is unusable (it died, or sent something that is not a reply): the grader then
starts a fresh worker. The grader enforces every time limit by killing this process and the worker.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from . import proxy, remote
from .proxy import _NAMESPACE, JudgeEnd, _ByName, _by_name, _movable
from .remote import ProtocolError


class RemoteNamespace:
    """``nb`` in the grader: the worker's notebook namespace."""

    def __init__(self, end: JudgeEnd) -> None:
        self._end = end

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        from .exercises import MissingDefinition

        found = self._end.request("global", name)
        if not isinstance(found, dict) or ("value" not in found and "missing" not in found):
            raise ProtocolError("a malformed answer for a name")
        if "missing" in found:
            raise MissingDefinition(f"the notebook does not define `{name}` — run the cell that defines it "
                                    "(or check the spelling of the name)")
        return found["value"]

    def __contains__(self, name: str) -> bool:
        return bool(self._end.request("has", name))

    def run(self, fn: Any, *args: Any) -> Any:
        """``fn(nb, *args)`` run in the worker (``fn`` must be a top-level function of the test module)."""
        if _by_name(fn) is None:
            raise TypeError(f"nb.run needs a top-level function of the test module, not {fn!r}")
        return self._end.request("call", _ByName(fn), [_NAMESPACE, *args], {})

    def attributes(self, objects: Any, name: str) -> list:
        return self._end.request("getattrs", list(objects), name)

    def identity(self, obj: Any, name: str) -> int:
        return self._end.request("identity", obj, name)

    def remote(self, obj: Any) -> Any:
        """Move a minitorch object into the notebook's process now (see ``Namespace.remote``)."""
        if _movable(obj) and self._end.move(obj) is None:
            raise TypeError(f"cannot move {type(obj).__name__} into the notebook's process (it does not pickle)")
        return obj


def _mirror_seeding() -> None:
    """``minitorch.manual_seed(s)`` in a test seeds the worker's generator too: a test that seeds, then lets
    the learner's code draw (dropout masks, a shuffled loader) expects the same numbers as in process."""
    import minitorch

    original = minitorch.manual_seed

    def manual_seed(seed: int) -> Any:
        result = original(seed)
        end = proxy._END
        if end is not None and not end.broken:
            end.request("call", _ByName(original), [seed], {})
        return result

    manual_seed.__wrapped__ = original  # type: ignore[attr-defined]
    minitorch.manual_seed = manual_seed

    # ``with minitorch.no_grad():`` around a call of the learner's code switches recording off there too.
    from minitorch.tensor import grad_mode

    enter, leave = grad_mode._GradMode.__enter__, grad_mode._GradMode.__exit__

    def __enter__(self: Any) -> None:
        enter(self)
        self._remote_previous = None
        end = proxy._END
        if end is not None and not end.broken:
            self._remote_previous = end.request("grad_mode", self.mode)

    def __exit__(self: Any, *exc: Any) -> None:
        leave(self, *exc)
        end = proxy._END
        if getattr(self, "_remote_previous", None) is not None and end is not None and not end.broken:
            end.request("grad_mode", self._remote_previous)

    grad_mode._GradMode.__enter__, grad_mode._GradMode.__exit__ = __enter__, __exit__


def _traced(fn: Any) -> Any:
    """The test, printing its traceback to stderr when it fails (MINITORCH_GRADE_DEBUG=1)."""
    import functools
    import traceback

    @functools.wraps(fn)
    def run(nb: Any) -> None:
        try:
            fn(nb)
        except BaseException:
            traceback.print_exc()
            raise
    return run


def main(tests_file: str, request_fd: int, reply_fd: int) -> None:
    from .exercises import load_lesson_file, run_test
    from .sandbox import apply_limits

    apply_limits(4096, 24 * 3600, None)
    _mirror_seeding()
    send = sys.stdout.write
    exercises, tests = load_lesson_file(tests_file)
    remote.TEST_MODULE[0] = next(fn.__module__ for fns in tests.values() for fn in fns)
    end = JudgeEnd(reply_fd, request_fd)
    proxy._END = end
    nb = RemoteNamespace(end)
    first = True
    for line in sys.stdin:
        command = json.loads(line)
        e, k = command["run"]
        fn = tests[exercises[e].id][k]
        try:
            if first:
                first = False
                with open(tests_file, encoding="utf-8") as f:
                    end.request("test_module", fn.__module__, fn.__code__.co_filename, f.read())
            outcome = run_test(_traced(fn) if os.environ.get("MINITORCH_GRADE_DEBUG") else fn, nb, None)
        except BaseException as error:  # the channel broke outside the test itself: this test fails
            from .exercises import TestOutcome

            end.broken = end.broken or f"{type(error).__name__}: {error}"
            outcome = TestOutcome(fn.__name__, False)
        if end.broken:
            outcome.passed = False
            outcome.message = f"the grading process stopped answering ({end.broken})"
        if not end.broken:
            try:
                end.request("release", [])
            except BaseException:
                pass
        end.reset()
        send(json.dumps({"e": e, "k": k, "passed": outcome.passed, "message": outcome.message,
                         "broken": bool(end.broken)}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    os._exit(0)
