"""Grade submitted notebooks: ``python -m minitorch grade PATH... [--json FILE]``.

Each notebook is graded in its own subprocess (a learner's ``sys.exit()``, segfault or runaway
memory cannot touch the grader or the other notebooks):

1. the worker executes the notebook's code cells, each under a time limit (an infinite loop at the
   top of a cell costs that cell, not the notebook);
2. it runs each exercise's graded tests against the resulting namespace, each test under a time
   limit, and writes one JSON line per exercise *as soon as it is graded*;
3. the parent kills the worker if the whole notebook exceeds its time limit, and grades whatever
   exercises had not been reported as timed out. The worker's address space is capped too, so a
   runaway allocation is a ``MemoryError`` in that notebook rather than an out-of-memory machine.

A notebook that is not JSON, names no lesson, or raises everywhere still gets a row: zeros with
reasons.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .notebook import NotebookError, lesson_of, read_notebook


@dataclass
class NotebookGrade:
    path: str
    lesson: str | None
    exercises: list[dict] = field(default_factory=list)
    error: str = ""

    @property
    def score(self) -> float:
        return round(sum(e["score"] for e in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return round(sum(e["max_score"] for e in self.exercises), 2)

    def to_json(self) -> dict:
        out = {"path": self.path, "score": self.score, "max_score": self.max_score, "exercises": self.exercises}
        if self.error:
            out["error"] = self.error
        return out


def collect_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    return found


def _zero_rows(lesson: str, status: str, message: str) -> list[dict]:
    from .exercises import lesson_exercises

    exercises, _ = lesson_exercises(lesson)
    return [{"id": ex.id, "score": 0.0, "max_score": ex.points, "status": status, "message": message}
            for ex in exercises]


def _limit_memory(megabytes: int):
    """A preexec_fn for subprocess: cap the child's virtual memory (Linux/macOS; a no-op elsewhere)."""
    def apply() -> None:
        try:
            import resource

            limit = megabytes * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    return apply


def grade_notebook(path: Path, timeout: float = 300.0, cell_timeout: float = 60.0,
                   test_timeout: float | None = None, memory_limit_mb: int = 8192) -> NotebookGrade:
    """Grade one notebook in a subprocess. Never raises for anything the notebook contains."""
    try:
        nb = read_notebook(path)
    except NotebookError as e:
        nb = None
        reason = str(e)
    lesson = lesson_of(path, nb)
    grade = NotebookGrade(str(path), lesson)
    if lesson is None:
        grade.error = ("cannot tell which lesson this notebook is: its metadata has no minitorch.lesson "
                       "and its name does not start with a lesson number like '03_'")
        return grade
    try:
        from .exercises import lesson_exercises

        exercises, _ = lesson_exercises(lesson)
    except FileNotFoundError as e:
        grade.error = str(e)
        return grade
    if nb is None:
        grade.exercises = _zero_rows(lesson, "error", reason)
        grade.error = reason
        return grade

    with tempfile.TemporaryDirectory(prefix="minitorch-grade-") as tmp:
        results_file = Path(tmp) / "results.jsonl"
        cmd = [sys.executable, "-m", "minitorch.course.grader", str(path.resolve()), lesson, str(results_file),
               str(cell_timeout), str(test_timeout or 0)]
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        try:
            import minitorch.course.exercises as exercises_module

            env.setdefault("MINITORCH_GRADED_TESTS", str(exercises_module.graded_tests_dir()))
        except FileNotFoundError:
            pass
        timed_out = False
        try:
            proc = subprocess.run(cmd, cwd=path.resolve().parent, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                                  preexec_fn=_limit_memory(memory_limit_mb) if memory_limit_mb else None)
            tail = proc.stdout.decode("utf-8", "replace").strip().splitlines()[-3:]
            returncode = proc.returncode
        except subprocess.TimeoutExpired:
            timed_out, tail, returncode = True, [], None
        reported = {}
        if results_file.exists():
            for line in results_file.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                reported[row["id"]] = row
    for ex in exercises:
        if ex.id in reported:
            grade.exercises.append(reported[ex.id])
            continue
        if timed_out:
            message = f"the notebook did not finish within {timeout:g} s, before this exercise was graded"
            status = "timeout"
        else:
            message = f"the grader's worker stopped (exit code {returncode}) before this exercise was graded"
            if tail:
                message += ": " + " | ".join(tail)
            status = "error"
        grade.exercises.append({"id": ex.id, "score": 0.0, "max_score": ex.points, "status": status,
                                "message": message})
    return grade


def grade_paths(paths: list[str], jobs: int = 1, **limits) -> list[NotebookGrade]:
    notebooks = collect_notebooks(paths)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda p: grade_notebook(p, **limits), notebooks))


def format_table(grades: list[NotebookGrade]) -> str:
    lines = []
    for g in grades:
        lines.append(f"{g.path}   {g.score:g} / {g.max_score:g}")
        if g.error and not g.exercises:
            lines.append(f"  ! {g.error}")
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


# ---------------------------------------------------------------------------------- the worker
def _worker(notebook: str, lesson: str, results_file: str, cell_timeout: float, test_timeout: float) -> None:
    from dataclasses import replace

    from .execute import run_cells
    from .exercises import lesson_exercises, run_exercise

    exercises, tests = lesson_exercises(lesson)
    nb = read_notebook(notebook)
    execution = run_cells(nb.cells, cell_timeout=cell_timeout or None)
    cell_note = ""
    if execution.errors:
        first = execution.errors[0]
        cell_note = f" [the notebook raised in {len(execution.errors)} cell(s); first: {first.error}]"
    with open(results_file, "a", encoding="utf-8") as out:
        for ex in exercises:
            if test_timeout:
                ex = replace(ex, timeout=test_timeout)
            result = run_exercise(ex, tests[ex.id], execution.namespace).to_json()
            if result["status"] not in ("passed", "not attempted") and cell_note:
                result["message"] += cell_note
            out.write(json.dumps(result) + "\n")
            out.flush()


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    # Skip interpreter teardown: a learner's leftover threads or atexit hooks must not hang us.
    sys.stdout.flush()
    os._exit(0)
