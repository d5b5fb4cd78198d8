"""Grade submitted notebooks: ``python -m minitorch grade PATH... [--json FILE] [--jobs N]``.

Nothing a submission contains may crash or hang the grader, change the repository or another
submission, or outlive its grading. For each notebook:

1. **Read in the grader, defensively** (``prepare``): a regular file only (a FIFO or a folder is a
   reason, never a wait), at most 64 MiB, JSON, a notebook (nbformat 3 is converted). Its lesson
   comes from its metadata, else its name (a disagreement is noted). The lesson's graded tests are
   loaded here, in the grader, which thereby knows every exercise and test itself.
2. **Run in a sandbox** (``sandbox.py``): a throw-away folder with copies of the code cells, the
   companion files that sat beside the notebook; its own user id when the grader is root; its own
   session; limits on memory, CPU, file size and processes; output to /dev/null. The worker
   (``grade_worker.py``) executes the cells, announcing each, then answers the judge's requests.
3. **Watched from here**: each step has a deadline (a cell: ``cell_timeout``, a quarter of it once a cell
   had to be stopped; a test: its exercise's limit) enforced by killing the worker's processes, whatever
   it does with signals. When a cell overruns or kills the worker, a fresh worker reruns the notebook
   without that cell; when a test does, the exercise scores what it had and a fresh worker goes on from
   the next exercise. So an infinite loop — even a C call or one that catches ``BaseException`` — costs
   one cell or one exercise. The notebook's time limit bounds its cells; its tests have their own limits.
4. **Verdicts computed where the learner's code never ran**: the tests run in a *judge* (``judge.py``), a
   clean child of the grader (its own user, not the worker's) that never executes submitted code; ``nb``
   there is a proxy whose every operation on a learner's object is a request to the worker over a pair of
   pipes (``remote.py``: JSON and raw array bytes, never pickle from the worker). Expected values never
   exist in the worker, so no patching, tracing, stack walking or forged message in it can turn a wrong
   answer into a pass: it can only answer wrongly, break the channel (that test fails, a fresh worker goes
   on) or stall (killed at the deadline). Scores are computed here from the judge's outcomes, capped by
   the tests this grader knows.
5. Anything unexpected becomes zeros with a reason for that notebook; the class report is always
   produced.

``Limits(judge=False)`` runs the tests in the worker instead (the older way, kept for comparison): before
every test the worker undoes what the notebook's top-level code rebound, but tampering from inside the
learner's function while a test runs could fake that notebook's own outcomes.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import Exercise, TestOutcome, graded_tests_dir, lesson_exercises, summarize
from .notebook import BEGIN_SOLUTION, NotebookError, lesson_of, parse_notebook, read_bytes
from .sandbox import Channel, Sandbox

MAX_COMPANIONS = 200
MAX_COMPANION_BYTES = 64 * 2**20
MAX_CODE = 8 * 2**20  # characters of code in one notebook
RESERVED = {"graded", "home", "tmp"}  # names in the sandbox's work folder that are the grader's
MAX_MESSAGE = 600  # characters of a test's message kept in the report


@dataclass
class NotebookGrade:
    path: str
    lesson: str | None
    exercises: list[dict] = field(default_factory=list)
    error: str = ""
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(e["score"] for e in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return round(sum(e["max_score"] for e in self.exercises), 2)

    def to_json(self) -> dict:
        out = {"path": self.path, "lesson": self.lesson, "score": self.score, "max_score": self.max_score,
               "exercises": self.exercises}
        for key in ("error", "notes", "flags"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass
class Limits:
    timeout: float = 300.0  # seconds per notebook, all workers together
    cell_timeout: float = 60.0
    test_timeout: float | None = None  # None: each exercise's own
    memory_limit_mb: int = 8192
    processes: int = 64  # processes and threads of a worker (only with a uid of its own)
    judge: bool = True  # tests run in a clean judge process (judge.py); False: in the worker (older, forgeable)


# ---------------------------------------------------------------------------------- finding notebooks
def collect_notebooks(paths: list[str]) -> list[Path]:
    """Every ``*.ipynb`` under the folders given (symlinked folders not followed), and the files given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                # A folder named like a notebook is reported (as not a notebook), not searched.
                found += [Path(folder) / f for f in sorted(files + dirs) if f.endswith(".ipynb")]
                dirs[:] = [d for d in dirs if not d.endswith(".ipynb")]
        else:
            found.append(path)
    return found


# ---------------------------------------------------------------------------------- reading one
@dataclass
class Submission:
    path: Path
    lesson: str | None = None
    cells: list[dict] = field(default_factory=list)
    error: str = ""
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    companions: list[Path] = field(default_factory=list)


_SOLUTIONS_PATH = re.compile(r"solutions[/\\]")


def prepare(path: Path) -> Submission:
    """Read and check a notebook in the grader (nothing of it runs here). Never raises."""
    sub = Submission(path)
    try:
        nb = parse_notebook(read_bytes(path), path.name, node=False)
    except NotebookError as e:
        nb, sub.error = None, str(e)
    sub.lesson = lesson_of(path, nb)
    by_name = lesson_of(path)
    if nb is not None and by_name and sub.lesson != by_name:
        sub.notes.append(f"graded as lesson {sub.lesson}, as its metadata says, although its name says {by_name}")
    if nb is None:
        return sub
    sub.cells = [{"cell_type": c.get("cell_type"), "source": c.get("source", "") if c.get("cell_type") == "code" else ""}
                 for c in nb["cells"]]
    if sum(len(c["source"]) for c in sub.cells) > MAX_CODE:
        sub.error, sub.cells = f"{path.name} has more than {MAX_CODE // 2**20} MiB of code", []
        return sub
    if any(_SOLUTIONS_PATH.search(c["source"]) for c in sub.cells):
        sub.flags.append("its code refers to the solutions/ folder")
    sub.companions, skipped = _companions(path)
    if skipped:
        sub.notes.append(f"{skipped} file(s) beside the notebook were not copied (not regular files, or over "
                         f"{MAX_COMPANIONS} files / {MAX_COMPANION_BYTES // 2**20} MiB)")
    return sub


def _companions(path: Path) -> tuple[list[Path], int]:
    """The regular files beside the notebook (helper modules, data), other notebooks excepted."""
    files, total, skipped = [], 0, 0
    try:
        entries = sorted(os.scandir(path.parent or "."), key=lambda e: e.name)
    except OSError:
        return [], 0
    for entry in entries:
        if entry.name.endswith(".ipynb") or entry.name.startswith(".") or entry.is_dir(follow_symlinks=False):
            continue
        if entry.name in RESERVED:
            skipped += 1
            continue
        try:
            size = entry.stat(follow_symlinks=False).st_size if entry.is_file(follow_symlinks=False) else -1
        except OSError:
            size = -1
        if size < 0 or total + size > MAX_COMPANION_BYTES or len(files) >= MAX_COMPANIONS:
            skipped += 1
            continue
        files.append(Path(entry.path))
        total += size
    return files, skipped


# ---------------------------------------------------------------------------------- the tests, read once
@dataclass
class Lesson:
    exercises: list[Exercise]
    test_names: dict[str, list[str]]
    source: bytes  # the graded test file, copied into each sandbox
    graded_names: list[str]  # names the exercise cells define (to spot the library's own objects)


_lessons: dict[str, Lesson] = {}


def load_lesson_tests(lesson: str) -> Lesson:
    if lesson not in _lessons:
        source = read_bytes(graded_tests_dir() / f"test_lesson{lesson}.py")
        exercises, tests = lesson_exercises(lesson)
        names = {ex.id: [fn.__name__.removeprefix("test_").replace("_", " ") for fn in tests[ex.id]]
                 for ex in exercises}
        _lessons[lesson] = Lesson(exercises, names, source, _graded_names(lesson))
    return _lessons[lesson]


def _graded_names(lesson: str) -> list[str]:
    """Top-level def/class names of the lesson's exercise cells (solutions/, else lessons/)."""
    root = graded_tests_dir().parent.parent
    for folder, marker in (("solutions", BEGIN_SOLUTION), ("lessons", "# YOUR CODE HERE")):
        for path in sorted((root / folder).glob(f"{lesson}_*.ipynb")):
            try:
                cells = parse_notebook(read_bytes(path), path.name, node=False)["cells"]
            except NotebookError:
                continue
            names = []
            for cell in cells:
                if cell.get("cell_type") == "code" and marker in cell.get("source", ""):
                    try:
                        tree = ast.parse(cell["source"])
                    except SyntaxError:
                        continue
                    names += [node.name for node in tree.body
                              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            return names
    return []


# ---------------------------------------------------------------------------------- grading one
def grade_notebook(path: Path, timeout: float = 300.0, cell_timeout: float = 60.0,
                   test_timeout: float | None = None, memory_limit_mb: int = 8192) -> NotebookGrade:
    """Grade one notebook. Never raises for anything the notebook contains."""
    return grade_submission(prepare(Path(path)), Limits(timeout, cell_timeout, test_timeout, memory_limit_mb))


def grade_submission(sub: Submission, limits: Limits) -> NotebookGrade:
    grade = NotebookGrade(str(sub.path), sub.lesson, notes=list(sub.notes), flags=list(sub.flags))
    if sub.lesson is None:
        grade.error = sub.error or ("cannot tell which lesson this notebook is: its metadata has no "
                                    "minitorch.lesson and its name does not start with a lesson number like '03_'")
        return grade
    try:
        lesson = load_lesson_tests(sub.lesson)
    except (FileNotFoundError, NotebookError) as e:
        grade.error = str(e)
        return grade
    if sub.error:
        grade.error = sub.error
        grade.exercises = [_row(ex, "error", sub.error) for ex in lesson.exercises]
        return grade
    try:
        _Run(sub, lesson, limits, grade).run()
    except Exception as e:  # a fault of the grader's own: this notebook gets zeros, the class goes on
        grade.error = f"the grader failed on this notebook ({type(e).__name__}: {e}); tell your instructor"
        grade.exercises = [_row(ex, "error", grade.error) for ex in lesson.exercises]
    return grade


def _row(ex: Exercise, status: str, message: str) -> dict:
    return {"id": ex.id, "score": 0.0, "max_score": ex.points, "status": status, "message": message}


class _Run:
    """The grader's side of grading one notebook: start workers, check their steps, keep the outcomes."""

    GRACE = 1.0  # seconds on top of a step's own limit before the grader kills (plus 25 % of it)

    def __init__(self, sub: Submission, lesson: Lesson, limits: Limits, grade: NotebookGrade) -> None:
        self.sub, self.lesson, self.limits, self.grade = sub, lesson, limits, grade
        self.outcomes: dict[int, list[TestOutcome]] = {}
        self.cell_errors: dict[int, str] = {}
        self.skip: set[int] = set()
        self.timed_out_cells = 0
        self.deadline = time.monotonic() + limits.timeout
        self.code_cells = {i for i, c in enumerate(sub.cells) if c["cell_type"] == "code"}

    def run(self) -> None:
        exercises = self.lesson.exercises
        start = 0
        for _ in range(len(self.code_cells) + len(exercises) + 2):  # each worker advances by a cell or more
            if start >= len(exercises) or time.monotonic() >= self.deadline:
                break
            start = self._one_worker(start)
        for e in list(self.outcomes):  # an exercise cut short scores out of all its tests, not those run
            self._skip_rest(e, "not graded: the grading stopped before this test", timed_out=True)
        cell_note = ""
        if self.cell_errors:
            first = min(self.cell_errors)
            cell_note = (f" [the notebook raised in {len(self.cell_errors)} cell(s); first: "
                         f"{self.cell_errors[first]}]")
        for e, ex in enumerate(exercises):
            if e not in self.outcomes and self.lesson.test_names[ex.id]:
                self.grade.exercises.append(_row(ex, "timeout", f"the notebook did not finish within "
                                                 f"{self.limits.timeout:g} s, before this exercise was graded"))
                continue
            row = summarize(ex, self.outcomes.get(e, [])).to_json()
            if row["status"] not in ("passed", "not attempted") and cell_note:
                row["message"] += cell_note
            self.grade.exercises.append(row)

    def _limit(self, e: int) -> float:
        return self.limits.test_timeout or self.lesson.exercises[e].timeout

    def _one_worker(self, start: int) -> int:
        """Run one worker (and its judge) from exercise ``start``; return where the next one should start."""
        sandbox = Sandbox()
        judge = None
        fds: list[int] = []
        try:
            tests_dir = sandbox.work / "graded"
            tests_dir.mkdir()
            if not self.limits.judge:  # with the judge, the worker has no use for the tests
                (tests_dir / f"test_lesson{self.sub.lesson}.py").write_bytes(self.lesson.source)
            room = MAX_COMPANION_BYTES
            for path in self.sub.companions:  # read now (bounded, never blocking), not kept in memory
                try:
                    data = read_bytes(path, room)
                except NotebookError:
                    continue
                room -= len(data)
                (sandbox.work / path.name).write_bytes(data)
            job = {"lesson": self.sub.lesson, "tests_dir": str(tests_dir), "cells": self.sub.cells,
                   "start": start, "skip": sorted(self.skip), "cell_timeout": self._cell_timeout(),
                   "test_timeout": self.limits.test_timeout, "memory_mb": self.limits.memory_limit_mb,
                   "cpu_seconds": int(self.limits.timeout) + 5, "processes": self.limits.processes
                   if sandbox.uid is not None else None, "graded_names": self.lesson.graded_names}
            job_file = sandbox.root / "job.json"
            job_file.write_text(json.dumps(job), encoding="utf-8")
            os.chmod(sandbox.root, 0o755)
            sandbox.hand_over()
            extra: tuple[int, ...] = ()
            if self.limits.judge:
                request_r, request_w = os.pipe()
                reply_r, reply_w = os.pipe()
                fds += [request_r, request_w, reply_r, reply_w]
                extra = (request_r, reply_w)
                judge = self._start_judge(sandbox, request_w, reply_r)
            channel = sandbox.start([str(job_file)], extra)
            for fd in fds:
                os.close(fd)
            fds = []
            try:
                return self._follow(channel, sandbox, start, judge)
            finally:
                channel.close()
        finally:
            for fd in fds:
                os.close(fd)
            if judge is not None:
                _kill_judge(judge)
            sandbox.close()

    def _start_judge(self, sandbox: Sandbox, request_w: int, reply_r: int) -> subprocess.Popen:
        """The judge: a clean process of the grader's own user that runs the tests (never learner code).
        Its copy of the tests sits where the worker cannot write."""
        folder = sandbox.root / "judge"
        folder.mkdir()
        tests = folder / f"test_lesson{self.sub.lesson}.py"
        tests.write_bytes(self.lesson.source)
        debug = os.environ.get("MINITORCH_GRADE_DEBUG")
        environment = {k: v for k, v in os.environ.items() if k != "MINITORCH_GRADED_TESTS"}
        environment.update({"MINITORCH_NO_PROGRESS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                            "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"})
        return subprocess.Popen([sys.executable, "-I", "-m", "minitorch.course.judge", str(tests), str(request_w),
                                 str(reply_r)], cwd=folder, env=environment, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL,
                                pass_fds=(request_w, reply_r), start_new_session=True)

    def _cell_timeout(self) -> float:
        """A cell's limit; after a cell had to be stopped, later ones get a quarter of it (at least 2 s), so
        that a looping function called from many cells cannot use up the notebook's time."""
        if not self.timed_out_cells:
            return self.limits.cell_timeout
        return min(self.limits.cell_timeout, max(2.0, self.limits.cell_timeout / 4))

    def _next(self, e: int, k: int) -> tuple[int, int]:
        """The test after test k-1 of exercise e (exercises without tests have no steps)."""
        exercises = self.lesson.exercises
        while e < len(exercises) and k >= len(self.lesson.test_names[exercises[e].id]):
            e, k = e + 1, 0
        return e, k

    def _follow(self, channel: Channel, sandbox: Sandbox, start: int, judge: subprocess.Popen | None) -> int:
        exercises = self.lesson.exercises
        phase: tuple = ("start",)
        step_deadline = self.deadline
        next_test = self._next(start, 0)
        last_cell = -1
        while True:
            message = channel.receive(min(step_deadline, self.deadline))
            if isinstance(message, str) or not self._valid(message, phase, next_test, last_cell):
                return self._interrupted(phase, message, sandbox, next_test)
            kind = message["t"]
            now = time.monotonic()
            if kind == "cell":
                last_cell = message["i"]
                phase, step_deadline = ("cell", last_cell), now + self._with_grace(self._cell_timeout())
            elif kind == "cells":
                for index, error in message["errors"]:
                    self.cell_errors.setdefault(index, error[:MAX_MESSAGE])
                phase, step_deadline = ("cells done",), now + self._with_grace(self.limits.cell_timeout)
                # The notebook's time limit bounds its cells; its tests have limits of their own.
                self.deadline = max(self.deadline, now + self._tests_budget(next_test[0]))
            elif kind == "serve":
                return self._judge_tests(judge, sandbox, next_test)
            elif kind == "flag":
                self._flag(message)
            elif kind == "test":
                e, k = next_test
                phase, step_deadline = ("test", e, k), now + self._with_grace(self._limit(e))
            elif kind == "done":
                e, k = next_test
                names = self.lesson.test_names[exercises[e].id]
                outcome = TestOutcome(names[k], message["passed"], message["message"][:MAX_MESSAGE],
                                      message["timed_out"])
                self.outcomes.setdefault(e, []).append(outcome)
                if outcome.timed_out:
                    self._skip_rest(e, "skipped after a time-out", timed_out=True)
                next_test = self._next(e, len(self.outcomes[e]))
                phase, step_deadline = ("between",), now + self._with_grace(self.limits.cell_timeout)
            elif kind == "end":
                return len(exercises)

    def _tests_budget(self, start: int) -> float:
        exercises = self.lesson.exercises[start:]
        return sum(self._with_grace(self._limit(self.lesson.exercises.index(ex))) * len(self.lesson.test_names[ex.id])
                   for ex in exercises) + 5.0

    def _judge_tests(self, judge: subprocess.Popen | None, sandbox: Sandbox, next_test: tuple[int, int]) -> int:
        """Run the tests from ``next_test`` on in the judge; return where the next worker should start."""
        assert judge is not None and judge.stdin is not None and judge.stdout is not None
        answers = Channel(judge.stdout.fileno())
        exercises = self.lesson.exercises
        while next_test[0] < len(exercises):
            e, k = next_test
            try:
                judge.stdin.write((json.dumps({"run": [e, k]}) + "\n").encode())
                judge.stdin.flush()
            except OSError:
                return self._interrupted(("test", e, k), "closed", sandbox, next_test)
            answer = answers.receive(min(time.monotonic() + self._with_grace(self._limit(e)), self.deadline))
            if isinstance(answer, str) or not (answer.get("e") == e and answer.get("k") == k
                                               and type(answer.get("passed")) is bool
                                               and isinstance(answer.get("message"), str)):
                _kill_judge(judge)
                return self._interrupted(("test", e, k), answer if isinstance(answer, str) else "garbage",
                                         sandbox, next_test)
            names = self.lesson.test_names[exercises[e].id]
            message = answer["message"][:MAX_MESSAGE]
            if answer.get("broken"):  # the worker died or broke the channel: say which
                try:
                    assert sandbox.process is not None
                    sandbox.process.wait(timeout=2)
                    message = f"the grading process {sandbox.exit_description()} during this test"
                except subprocess.TimeoutExpired:
                    message = "the grading process sent something that is not an answer during this test"
            self.outcomes.setdefault(e, []).append(TestOutcome(names[k], answer["passed"] and not answer.get("broken"),
                                                               message, False))
            if answer.get("broken"):  # a fresh worker goes on from the next exercise
                self._skip_rest(e, "skipped: the test before it stopped the grading process", False)
                return e + 1
            next_test = self._next(e, len(self.outcomes[e]))
        return len(exercises)

    def _valid(self, m: dict, phase: tuple, next_test: tuple[int, int], last_cell: int) -> bool:
        """Is this the step the grader expects next, well formed? (Anything else ends the worker.)"""
        kind, stage = m.get("t"), phase[0]
        if kind == "cell":
            i = m.get("i")
            return stage in ("start", "cell") and type(i) is int and i > last_cell and i in self.code_cells \
                and i not in self.skip
        if kind == "cells":
            errors = m.get("errors")
            return (stage in ("start", "cell") and isinstance(errors, list) and len(errors) <= 100 and
                    all(isinstance(x, list) and len(x) == 2 and type(x[0]) is int and x[0] in self.code_cells
                        and isinstance(x[1], str) for x in errors))
        if kind == "flag":
            return stage == "cells done"
        if kind == "serve":
            return stage == "cells done" and self.limits.judge
        if kind == "test":
            return (stage in ("cells done", "between") and next_test[0] < len(self.lesson.exercises)
                    and type(m.get("e")) is int and type(m.get("k")) is int and (m["e"], m["k"]) == next_test)
        if kind == "done":
            return (phase == ("test", *next_test) and type(m.get("e")) is int and type(m.get("k")) is int
                    and (m["e"], m["k"]) == next_test and type(m.get("passed")) is bool
                    and type(m.get("timed_out")) is bool and isinstance(m.get("message"), str))
        if kind == "end":
            return stage in ("cells done", "between") and next_test[0] >= len(self.lesson.exercises)
        return False

    def _flag(self, m: dict) -> None:
        if len(self.grade.flags) >= 5:
            return
        if m.get("kind") == "library" and isinstance(m.get("names"), list):
            names = [n for n in m["names"] if n in self.lesson.graded_names][:20]
            if names:
                self.grade.flags.append("graded definitions are minitorch's own objects, not the learner's: "
                                        + ", ".join(names))
        elif m.get("kind") == "solutions" and isinstance(m.get("path"), str):
            self.grade.flags.append("its code opened a file in solutions/: " + m["path"][-200:])

    def _with_grace(self, seconds: float) -> float:
        return seconds * 1.25 + self.GRACE

    def _skip_rest(self, e: int, message: str, timed_out: bool) -> None:
        names = self.lesson.test_names[self.lesson.exercises[e].id]
        done = self.outcomes.setdefault(e, [])
        done += [TestOutcome(name, False, message, timed_out) for name in names[len(done):]]

    def _interrupted(self, phase: tuple, message: dict | str, sandbox: Sandbox, next_test: tuple[int, int]) -> int:
        """The worker overran a deadline, died, or sent something unexpected: charge the step it was on,
        and return the exercise the next worker starts from."""
        out_of_time = message == "timeout" and time.monotonic() >= self.deadline
        sandbox.kill()
        if message == "timeout":
            what = (f"the notebook's time limit ({self.limits.timeout:g} s) ran out" if out_of_time
                    else "it did not finish within its time limit, so the grader stopped it")
        elif message == "closed":
            what = f"the grading process {sandbox.exit_description()}"
        else:
            what = "the grading process sent something that is not a step of the grading"
        if phase[0] == "cell":
            self.timed_out_cells += message == "timeout"
            self.skip.add(phase[1])
            self.cell_errors.setdefault(phase[1], f"cell {phase[1]}: {what}")
            return next_test[0]
        e = phase[1] if phase[0] == "test" else next_test[0]
        if e >= len(self.lesson.exercises):
            return e
        if phase[0] == "test":
            names = self.lesson.test_names[self.lesson.exercises[e].id]
            self.outcomes.setdefault(e, []).append(TestOutcome(
                names[phase[2]], False, f"{what} (an infinite loop?)" if message == "timeout" else what,
                message == "timeout"))
            self._skip_rest(e, "skipped: the test before it stopped the grading process", message == "timeout")
        else:  # between steps: charge the next exercise, so that every worker makes progress
            self._skip_rest(e, f"not graded: {what} before this test ran", message == "timeout")
        return e + 1


def _kill_judge(judge: subprocess.Popen) -> None:
    try:
        os.killpg(judge.pid, signal.SIGKILL)
    except OSError:
        pass
    for stream in (judge.stdin, judge.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    try:
        judge.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


# ---------------------------------------------------------------------------------- a class
def grade_paths(paths: list[str], jobs: int = 1, **limits) -> list[NotebookGrade]:
    """Grade every notebook under ``paths``; one row per notebook, in order, whatever happens."""
    submissions = [prepare(p) for p in collect_notebooks(paths)]
    for sub in submissions:  # load each lesson's tests once, before any worker runs
        if sub.lesson is not None:
            try:
                load_lesson_tests(sub.lesson)
            except (FileNotFoundError, NotebookError):
                pass
    chosen = Limits(**limits)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda s: grade_submission(s, chosen), submissions))


def format_table(grades: list[NotebookGrade]) -> str:
    lines = []
    for g in grades:
        lines.append(f"{g.path}   {g.score:g} / {g.max_score:g}" + (f"   (lesson {g.lesson})" if g.lesson else ""))
        if g.error and not g.exercises:
            lines.append(f"  ! {g.error}")
        lines += [f"  note: {n}" for n in g.notes] + [f"  FLAG: {f}" for f in g.flags]
        for e in g.exercises:
            detail = "" if e["status"] == "passed" else f"  {e['message']}"
            if len(detail) > 110:
                detail = detail[:107] + "..."
            lines.append(f"  {e['id']:>6}  {e['score']:>5g} / {e['max_score']:<4g} {e['status']:<13}{detail}")
    total = sum(g.score for g in grades)
    possible = sum(g.max_score for g in grades)
    lines.append(f"{len(grades)} notebook(s), {total:g} / {possible:g} points")
    return "\n".join(lines)


def report(grades: list[NotebookGrade]) -> dict:
    return {"notebooks": [g.to_json() for g in grades]}


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never half of it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------- the repository
def fingerprint(root: Path | None = None) -> dict[str, str]:
    """Hashes of the course's own files (package, tests, notebooks): the grader checks they are unchanged."""
    try:
        root = root or graded_tests_dir().parent.parent
    except FileNotFoundError:
        return {}
    hashes = {}
    for pattern in ("minitorch/**/*.py", "tests/**/*.py", "solutions/*.ipynb", "lessons/*.ipynb"):
        for path in sorted(root.glob(pattern)):
            try:
                hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                pass
    return hashes


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


__all__ = ["NotebookGrade", "collect_notebooks", "grade_notebook", "grade_paths", "format_table", "report",
           "write_atomically", "fingerprint", "changed_files"]
