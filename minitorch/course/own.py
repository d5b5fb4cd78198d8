"""Your own engine, carried forward: later lessons run on the code you wrote, where its checks passed.

Off by default. ``python -m minitorch own on`` (or ``own_engine("on")`` in a notebook, or
``MINITORCH_OWN_ENGINE=on``) turns it on; the reproducible environment sets ``off``
(``course/reproducible.py``), so stored outputs never depend on it.

The data flow, all in the folder of the progress file (``.minitorch-own/`` beside
``.minitorch-progress.json``):

1. **save** -- when ``check("NN.k")`` passes, the definitions of the kernel's history (``In``: imports,
   ``def``, ``class``, attribute assignments such as ``Value.__pow__ = value_pow``, simple constants;
   never calls, loops or prints) are written to ``lessonNN.py``, the last definition of each name
   winning as it did in the kernel. That file is run on its own and every exercise of lesson NN that
   has passed is graded again against it; ``manifest.json`` records which pass there.
2. **carry forward** -- ``show_progress("NN")`` (each lesson's first cell) builds each part of
   ``own_parts.PARTS`` that lesson NN uses, if all its exercises passed on the saved file, compares
   it with the reference on a few small cases (``smoke``), and installs it in this kernel only:
   lesson 04's and 07's starting classes get the methods written in 03 and 06; ``minitorch.Value``
   (lesson 05); the engine's ``unbroadcast``, the ``Module`` methods, ``nn.functional``'s losses
   and ``optim``'s update rules (lessons 08-12 and later). Anything missing, failing or raising
   falls back to the reference, part by part, and one line says which parts are yours. Nothing is
   written into the library's files: ``own off`` and a kernel restart give the reference back.

Not carried forward: lesson 06-07's ``Tensor`` beyond lesson 07 (a float64 teaching engine
without dtypes, views, in-place ops or most of the ~60 ops lessons 08+ use); lesson 08's attribute
registration and ``state_dict`` (every layer of the library -- Linear, Conv2d, BatchNorm, LSTM --
subclasses the reference ``Module`` and relies on its buffers, hooks and state-dict layout); lesson
11's schedulers and lesson 12's loop (their signatures are the lessons' own, not PyTorch's, which
later lessons call).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import progress
from .own_parts import NOT_CARRIED, PARTS, _restore

ENV = "MINITORCH_OWN_ENGINE"
FOLDER = ".minitorch-own"


# ---------------------------------------------------------------------------------- the switch
def own_folder(folder: str | Path | None = None) -> Path | None:
    """``.minitorch-own`` beside the progress file; None when progress is not recorded (``off``)."""
    path = progress.progress_file(folder)
    return None if path is None else path.parent / FOLDER


def _manifest_path(folder: Path) -> Path:
    return folder / "manifest.json"


def _read_manifest(folder: Path | None) -> dict:
    try:
        data = json.loads(_manifest_path(folder).read_text(encoding="utf-8")) if folder is not None else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(folder: Path, data: dict) -> None:
    folder.mkdir(exist_ok=True)
    tmp = _manifest_path(folder).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, _manifest_path(folder))


def enabled(folder: str | Path | None = None) -> bool:
    """$MINITORCH_OWN_ENGINE (on/off) if set, else what ``python -m minitorch own on|off`` stored."""
    env = os.environ.get(ENV, "").strip().lower()
    if env in ("off", "0", "false", "no"):
        return False
    where = own_folder(folder)
    if where is None:
        return False
    if env in ("on", "1", "true", "yes"):
        return True
    return bool(_read_manifest(where).get("enabled", False))


def set_enabled(on: bool, folder: str | Path | None = None) -> str:
    """Store the switch (for ``python -m minitorch own on|off`` and ``own_engine``); return what it did."""
    where = own_folder(folder)
    if where is None:
        return "progress recording is off ($MINITORCH_PROGRESS_FILE=off), so your engine cannot be carried forward"
    data = _read_manifest(where)
    data["enabled"] = bool(on)
    try:
        _write_manifest(where, data)
    except OSError as e:
        return f"cannot write {where}: {e}"
    if on:
        return (f"Your own engine is on (saved in {where}). From now on each passing check() saves your code; "
                "restart a lesson's kernel and run its first cell to run on the parts you have passed.")
    return "Your own engine is off: restart the kernel to run on the reference minitorch again."


def status(folder: str | Path | None = None) -> str:
    """What is switched on and saved, lesson by lesson."""
    where = own_folder(folder)
    state = "on" if enabled(folder) else "off"
    env = os.environ.get(ENV)
    lines = [f"Your own engine: {state}" + (f" (${ENV}={env})" if env else "") + (f"; saved in {where}" if where else "")]
    lessons = _read_manifest(where).get("lessons", {})
    for lesson in sorted(lessons):
        entry = lessons[lesson]
        passed = ", ".join(entry.get("passed", [])) or "none"
        failed = entry.get("failed", {})
        lines.append(f"  lesson {lesson}: passing on the saved code: {passed}"
                     + (f"; not passing there: {', '.join(failed)}" if failed else ""))
    for part in PARTS:
        lines.append(f"  {part.name:20} from lesson {'-'.join(part.lessons)}, used in {part.where()}; "
                     f"needs {', '.join(part.needs)}")
    lines.append(f"  always the reference: {NOT_CARRIED} -- the README's 'Your own engine' says why")
    return "\n".join(lines)


def own_engine(switch: str | None = None) -> None:
    """In a notebook: ``own_engine("on")``, ``own_engine("off")``, or ``own_engine()`` for the status."""
    if switch is None:
        print(status())
    elif switch in ("on", "off"):
        print(set_enabled(switch == "on"))
    else:
        print(f'own_engine: say "on" or "off", not {switch!r}')


# ---------------------------------------------------------------------------------- saving
def _is_simple(node: ast.AST, defined: set[str]) -> bool:
    """A constant-like value: nothing in it runs code now (no calls, comprehensions...; a lambda's body
    may), and every name it reads is one the saved code defines (``EPS = 1e-8``, ``TAU = 2 * math.pi``;
    not ``e = a * b`` from a worked example)."""
    banned = (ast.Call, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Await, ast.Yield,
              ast.YieldFrom, ast.NamedExpr)
    if isinstance(node, ast.Lambda):
        return True
    if isinstance(node, banned) or (isinstance(node, ast.Name) and node.id not in defined
                                    and not hasattr(builtins, node.id)):
        return False
    return all(_is_simple(child, defined) for child in ast.iter_child_nodes(node))


def _kept(statement: ast.stmt, defined: set[str]) -> bool:
    """Whether a top-level statement is a definition that belongs in the saved code."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if not all(isinstance(t, (ast.Name, ast.Attribute)) for t in targets):
            return False
        # Value.__pow__ = value_pow (anything, onto a class or function defined here); NAME = a constant.
        if all(isinstance(t, ast.Attribute) for t in targets):
            return all(isinstance(t.value, ast.Name) and t.value.id in defined for t in targets)
        return all(isinstance(t, ast.Name) for t in targets) and _is_simple(statement.value, defined)
    return False


def _bound(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def definitions(history: list) -> str:
    """The definitions among the cells a kernel ran (``In``), in the order they ran, as one module's source."""
    from IPython.core.inputtransformer2 import TransformerManager

    chunks, defined = [], set()
    for number, source in enumerate(history):
        if not isinstance(source, str) or not source.strip():
            continue
        try:
            code = TransformerManager().transform_cell(source)
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            continue
        kept = []
        for statement in tree.body:
            if _kept(statement, defined):
                defined |= _bound(statement)
                decorators = "".join(f"@{ast.get_source_segment(code, d)}\n"
                                     for d in getattr(statement, "decorator_list", []))
                kept.append(decorators + (ast.get_source_segment(code, statement) or ast.unparse(statement)))
        if kept:
            chunks.append(f"# --- In[{number}]\n" + "\n".join(kept))
    return "\n\n".join(chunks) + "\n"


def load_source(source: str, filename: str, name: str) -> dict:
    """Run saved code in a fresh namespace (its own module name) and return that namespace."""
    namespace: dict[str, Any] = {"__name__": name, "__file__": filename}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 -- the learner's own code, in their kernel
    return namespace


class _KeepRandomState:
    """Grading the saved code must not move the notebook's random streams (random, numpy, minitorch)."""

    def __enter__(self) -> None:
        from ..tensor import random as mt_random

        self._python, self._numpy = random.getstate(), np.random.get_state()
        self._module = mt_random
        self._generator = mt_random._generator
        self._generator_state = mt_random._generator.bit_generator.state
        self._seed = getattr(mt_random, "_seed", None)

    def __exit__(self, *exc: object) -> None:
        random.setstate(self._python)
        np.random.set_state(self._numpy)
        self._generator.bit_generator.state = self._generator_state
        self._module._generator = self._generator
        if self._seed is not None:
            self._module._seed = self._seed


def _grade_saved(lesson: str, source: str, path: Path, candidates: list[str]) -> tuple[list[str], dict[str, str]]:
    """Which of ``candidates`` (exercise ids) pass when graded against the saved code alone."""
    from .exercises import lesson_exercises, run_exercise

    exercises, tests = lesson_exercises(lesson)
    passed, failed = [], {}
    with _KeepRandomState():
        try:
            namespace = load_source(source, str(path), f"minitorch_own_lesson{lesson}")
        except (Exception, SystemExit) as e:  # any error in the saved code means: nothing passes there
            return [], {ex_id: f"the saved code raised {type(e).__name__}: {e}" for ex_id in candidates}
        for exercise in exercises:
            if exercise.id in candidates:
                result = run_exercise(exercise, tests[exercise.id], namespace)
                if result.status == "passed":
                    passed.append(exercise.id)
                else:
                    failed[exercise.id] = result.message
    return passed, failed


def save(exercise_id: str, variables: dict) -> str | None:
    """After a passing check: save the lesson's definitions and grade them alone. Returns a note, or None."""
    if not enabled():
        return None
    lesson = exercise_id.split(".")[0]
    if lesson not in _lessons_used():
        return None
    history = variables.get("In")
    if not isinstance(history, list):
        return None  # not in IPython: nothing to read the cells from
    where = own_folder()
    assert where is not None
    source = definitions(history)
    path = where / f"lesson{lesson}.py"
    recorded = progress.load(progress.progress_file())
    candidates = sorted({ex_id for ex_id, entry in recorded.items()
                         if ex_id.startswith(lesson + ".") and entry.get("status") == "passed"} | {exercise_id})
    passed, failed = _grade_saved(lesson, source, path, candidates)
    try:
        where.mkdir(exist_ok=True)
        text = f"# Your code from lesson {lesson}, saved by check({exercise_id!r}) for your own engine.\n" + source
        path.write_text(text, encoding="utf-8")
        data = _read_manifest(where)
        data.setdefault("lessons", {})[lesson] = {
            "file": path.name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "passed": passed, "failed": failed, "saved": time.strftime("%Y-%m-%dT%H:%M:%S")}
        _write_manifest(where, data)
    except OSError as e:
        return f"(your own engine: cannot save {path}: {e})"
    if exercise_id in passed:
        return f"   Saved for your own engine: {path.name} (later lessons can run on it)."
    return (f"   Your own engine: {exercise_id} passes here but not on the saved definitions alone "
            f"({failed.get(exercise_id, '?')}); later lessons keep the reference for it.")


def _lessons_used() -> set[str]:
    return {lesson for part in PARTS for lesson in part.lessons}


# ---------------------------------------------------------------------------------- carrying forward
_undo: list = []  # what the last carry_forward installed in this kernel


def _saved_namespace(lesson: str, where: Path, manifest: dict, cache: dict) -> dict:
    if lesson not in cache:
        entry = manifest.get("lessons", {}).get(lesson, {})
        path = where / f"lesson{lesson}.py"
        source = path.read_text(encoding="utf-8")
        if hashlib.sha256(source.encode("utf-8")).hexdigest() != entry.get("sha256"):
            raise AssertionError(f"{path.name} changed since it was graded: pass a check of lesson {lesson} again")
        cache[lesson] = load_source(source, str(path), f"minitorch_own_lesson{lesson}")
    return cache[lesson]


def carry_forward(lesson: str, variables: dict | None = None) -> str | None:
    """Install the parts of your engine that earlier lessons provide; return the one-line note (None when off).

    Undoes a previous installation in this kernel first, so running the first cell again is safe.
    """
    _restore(_undo)
    if not enabled():
        return None
    if variables is None:
        from .check import _notebook_variables

        variables = _notebook_variables()
    where = own_folder()
    assert where is not None
    manifest = _read_manifest(where)
    verified = {ex_id for entry in manifest.get("lessons", {}).values() for ex_id in entry.get("passed", [])}
    recorded = progress.load(progress.progress_file())
    yours, reference, cache = [], [], {}
    for part in PARTS:
        if not part.used_in(lesson):
            continue
        label = f"{part.name} ({'–'.join(part.lessons)})"
        missing = [ex_id for ex_id in part.needs if ex_id not in verified]
        if missing:
            # Passed once, but not on the code saved last (e.g. a restarted kernel ran only some cells).
            stale = [ex_id for ex_id in missing if recorded.get(ex_id, {}).get("status") == "passed"]
            reasons = [f"{', '.join(ex_id for ex_id in missing if ex_id not in stale)} not passed yet"] if \
                len(stale) < len(missing) else []
            if stale:
                reasons.append(f"{', '.join(stale)} not passing on your code saved last: run "
                               f"{'its' if len(stale) == 1 else 'their'} cells and check again")
            reference.append(f"{part.name} ({'; '.join(reasons)})")
            continue
        undo: list = []
        try:
            with _KeepRandomState():
                impl = part.build({ls: _saved_namespace(ls, where, manifest, cache) for ls in part.lessons})
                part.smoke(impl)
            part.install(impl, variables, undo)
        except (Exception, SystemExit) as e:  # never break a lesson: fall back, and say why
            _restore(undo)
            reason = str(e) if isinstance(e, AssertionError) else f"your saved code raised {type(e).__name__}: {e}"
            reference.append(f"{part.name} ({reason})")
            continue
        _undo.extend(undo)
        yours.append(label)
    if not yours and not reference:
        return f"Your own engine is on; lesson {lesson} uses none of its parts (`python -m minitorch own status`)."
    line = "Running on your own engine: " + (", ".join(yours) if yours else "nothing yet")
    if reference:
        line += "; reference: " + ", ".join(reference)
    return line


def after_check(exercise_id: str, passed: bool, variables: dict) -> None:
    """check()'s hook: save a passing exercise's code when the switch is on. Never raises."""
    if not passed:
        return
    try:
        note = save(exercise_id, variables)
    except Exception as e:  # noqa: BLE001 -- saving is a bonus: it must not spoil check()'s answer
        note = f"   (your own engine: could not save your code: {type(e).__name__}: {e})"
    if note:
        print(note)


def show_carried(lesson: str) -> None:
    """show_progress()'s hook: carry your engine forward and print the one-line note. Never raises."""
    try:
        line = carry_forward(lesson)
    except Exception as e:  # noqa: BLE001
        _restore(_undo)
        line = f"Your own engine: not used in this lesson ({type(e).__name__}: {e}); running on the reference."
    if line:
        print(line)
