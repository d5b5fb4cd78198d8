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
   :data:`PARTS` that an earlier lesson provides, if all its exercises passed on the saved file,
   compares it with the reference on a few small cases (``smoke``), and installs it in this kernel
   only: ``minitorch.Value``, the engine's ``unbroadcast``, ``nn.functional``'s losses,
   ``optim``'s optimizers. Anything missing, failing or raising falls back to the reference,
   part by part, and one line says which parts are yours. Nothing is written into the library's
   files: ``own off`` and a kernel restart give the reference library back.

Parts not carried forward: lesson 06-07's ``Tensor`` (a float64 teaching engine without dtypes,
views, in-place ops or most of the ~60 ops lessons 08+ use), lesson 08's ``Module`` (every layer
of the library -- Linear, Conv2d, BatchNorm, LSTM -- subclasses the reference ``Module`` and relies on
its buffers, hooks and state-dict layout), lesson 11's schedulers and lesson 12's loop (their
signatures are the lessons' own, not PyTorch's, which later lessons call).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import inspect
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import progress

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
        lines.append(f"  {part.name:12} from lesson {'-'.join(part.lessons)}, used from lesson "
                     f"{int(part.lessons[-1]) + 1:02d} on; needs {', '.join(part.needs)}")
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
        except BaseException as e:  # noqa: BLE001 -- any error in the saved code means: nothing passes there
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
        path.write_text(f"# Your code from lesson {lesson}, saved by check({exercise_id!r}) for your own engine.\n"
                        + source, encoding="utf-8")
        data = _read_manifest(where)
        data.setdefault("lessons", {})[lesson] = {
            "file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "passed": passed, "failed": failed, "saved": time.strftime("%Y-%m-%dT%H:%M:%S")}
        _write_manifest(where, data)
    except OSError as e:
        return f"(your own engine: cannot save {path}: {e})"
    if exercise_id in passed:
        return f"   Saved for your own engine: {path.name} (later lessons can run on it)."
    return (f"   Your own engine: {exercise_id} passes here but not on the saved definitions alone "
            f"({failed.get(exercise_id, '?')}); later lessons keep the reference for it.")


# ---------------------------------------------------------------------------------- the parts
@dataclass(frozen=True)
class Part:
    """One piece of the library a learner writes: built from the saved namespaces of ``lessons``."""

    name: str
    lessons: tuple[str, ...]
    needs: tuple[str, ...]  # exercises that must pass on the saved code
    build: Callable[[dict[str, dict]], Any]  # {lesson: namespace} -> the learner's implementation
    smoke: Callable[[Any], None]  # raises AssertionError (with a reason) when it differs from the reference
    install: Callable[[Any, dict, list], None]  # (impl, notebook namespace, undo list)


def _patch(obj: Any, attr: str, new: Any, variables: dict, undo: list) -> None:
    """obj.attr = new, and every name bound to the old object in the notebook and in the graded tests
    loaded so far (``from minitorch import Value`` ran before); remembered in ``undo``."""
    old = getattr(obj, attr)
    undo.append((obj, attr, old))
    setattr(obj, attr, new)
    graded = [vars(m) for name, m in list(sys.modules.items()) if name.startswith("minitorch_graded_lesson")]
    for namespace in [variables, *graded]:
        for name, value in list(namespace.items()):
            if value is old and not name.startswith("_"):
                undo.append((namespace, name, old))
                namespace[name] = new


def _restore(undo: list) -> None:
    for target, key, old in reversed(undo):
        if isinstance(target, dict):
            target[key] = old
        else:
            setattr(target, key, old)
    undo.clear()


# ----- Value (lessons 03-04) -> minitorch.Value from lesson 05 on
def _build_value(namespaces: dict[str, dict]) -> type:
    """Lesson 04's Value (your ops) with lesson 03's + * and backward (your code there) attached."""
    ns = namespaces["04"]
    value = ns["Value"]
    lesson03 = namespaces["03"]
    for name in ("value_add", "value_mul", "topological_order", "backward"):
        if name not in lesson03:
            raise AssertionError(f"lesson 03's saved code does not define {name}")
    # Run lesson 03's functions with lesson 04's globals, so that `Value` in them is lesson 04's class.
    glob = dict(ns)
    for name in ("value_add", "value_mul", "topological_order", "backward"):
        fn = lesson03[name]
        glob[name] = type(fn)(fn.__code__, glob, fn.__name__, fn.__defaults__, fn.__closure__)
    value.__add__, value.__mul__, value.backward = glob["value_add"], glob["value_mul"], glob["backward"]
    return value


def _smoke_value(value: type) -> None:
    from ..scalar import Value as Reference

    def expression(make: Callable) -> tuple[float, list[float]]:
        x, y, z = make(1.5), make(-0.5), make(2.0)
        out = ((x * y + z) ** 2 / (1 + x.exp()) - y.tanh() * 3 + (z - x).relu() + (x * z).log()
               + x.sigmoid() + 2 * x + 1 - y)
        out.backward()
        return out.data, [x.grad, y.grad, z.grad]

    mine, ref = expression(value), expression(Reference)
    if not np.allclose([mine[0], *mine[1]], [ref[0], *ref[1]], rtol=1e-9, atol=1e-12):
        raise AssertionError(f"on a test expression your Value gives {mine}, the reference {ref}")


def _install_value(value: type, variables: dict, undo: list) -> None:
    import minitorch

    _patch(minitorch, "Value", value, variables, undo)


# ----- unbroadcast (lesson 07) -> the engine's backward pass from lesson 08 on
_UNBROADCAST_CASES = [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 3, 4), (3, 1)), ((2, 3), (2, 3)), ((5,), ()),
                      ((3, 1, 2), (1, 1, 1)), ((0, 3), (3,)), ((2, 0), (2, 1))]


def _build_unbroadcast(namespaces: dict[str, dict]) -> Callable:
    return namespaces["07"]["unbroadcast"]


def _smoke_unbroadcast(fn: Callable) -> None:
    from ..tensor.autograd import unbroadcast as reference

    rng = np.random.default_rng(0)
    for grad_shape, shape in _UNBROADCAST_CASES:
        grad = rng.normal(size=grad_shape)
        got = np.asarray(fn(grad.copy(), shape))
        if got.shape != shape or not np.allclose(got, reference(grad, shape)):
            raise AssertionError(f"your unbroadcast of a {grad_shape} gradient to {shape} gives shape {got.shape}")


def _install_unbroadcast(fn: Callable, variables: dict, undo: list) -> None:
    from ..tensor import autograd

    reference = autograd.unbroadcast

    def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Your unbroadcast (lesson 07); the reference's answer if yours returns another shape."""
        out = fn(grad, shape)
        if getattr(out, "shape", None) != tuple(shape):
            return reference(grad, shape)
        return out.astype(grad.dtype, copy=False) if out.dtype != grad.dtype else out

    unbroadcast.own = fn  # type: ignore[attr-defined]
    _patch(autograd, "unbroadcast", unbroadcast, variables, undo)


# ----- Module (lesson 08) -> the methods of minitorch.nn's Module, Linear and Sequential from lesson 09 on
# Yours run inside the reference classes (every library layer subclasses the reference Module); a call
# yours does not cover (named_parameters(recurse=False), zero_grad(set_to_none=False), a wrong input
# shape for Linear, a layer without a bias or a tied weight) goes to the reference.
def _build_module(namespaces: dict[str, dict]) -> dict[str, Callable]:
    ns = namespaces["08"]
    module, linear, sequential = ns["Module"], ns["Linear"], ns["Sequential"]
    return {"named_parameters": module.named_parameters, "zero_grad": module.zero_grad, "train": module.train,
            "Linear.forward": linear.forward, "Sequential.forward": sequential.forward}


def _module_methods(fns: dict[str, Callable]) -> list[tuple[type, str, Callable]]:
    from .. import nn
    from ..tensor import Tensor

    ref_named, ref_zero, ref_train = nn.Module.named_parameters, nn.Module.zero_grad, nn.Module.train
    ref_linear = nn.Linear.forward

    def named_parameters(self: Any, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True) -> Any:
        if recurse and remove_duplicate:
            pairs = list(fns["named_parameters"](self, prefix))
            if all(p is not None for _, p in pairs) and len({id(p) for _, p in pairs}) == len(pairs):
                return iter(pairs)
        return ref_named(self, prefix, recurse, remove_duplicate)

    def zero_grad(self: Any, set_to_none: bool = True) -> None:
        return fns["zero_grad"](self) if set_to_none is True else ref_zero(self, set_to_none)

    def train(self: Any, mode: bool = True) -> Any:
        if not isinstance(mode, bool):
            return ref_train(self, mode)
        fns["train"](self, mode)
        return self

    def linear_forward(self: Any, input: Any) -> Any:
        if not isinstance(input, Tensor) or input.ndim == 0 or input.shape[-1] != self.in_features:
            return ref_linear(self, input)  # the reference's error message
        return fns["Linear.forward"](self, input)

    for fn, name in ((named_parameters, "named_parameters"), (zero_grad, "zero_grad"), (train, "train"),
                     (linear_forward, "Linear.forward")):
        fn.own = fns[name]  # type: ignore[attr-defined]
        fn.__doc__ = f"Your {name} (lesson 08) where the call fits it, else the reference's."
    return [(nn.Module, "named_parameters", named_parameters), (nn.Module, "zero_grad", zero_grad),
            (nn.Module, "train", train), (nn.Linear, "forward", linear_forward),
            (nn.Sequential, "forward", fns["Sequential.forward"])]


def _smoke_module(fns: dict[str, Callable]) -> None:
    import minitorch
    from .. import nn

    def models() -> list:
        minitorch.manual_seed(0)
        plain = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Linear(4, 4), nn.ReLU()),
                              nn.BatchNorm1d(4), nn.Linear(4, 2))
        tied = nn.Linear(4, 4)  # the same layer twice, and a layer without a bias: the reference's answer
        tricky = nn.Sequential(nn.Linear(3, 4, bias=False), tied, nn.Tanh(), tied)
        return [plain, tricky]

    x = minitorch.tensor(np.random.default_rng(1).normal(size=(5, 3)))

    def run(net: Any) -> tuple:
        def listed(module: Any) -> bool:  # named_parameters as the reference's registry walk finds them
            truth = [(n, id(p)) for n, p in module._named_members("_parameters", "", True, True)]
            return [(n, id(p)) for n, p in module.named_parameters()] == truth

        names, sub = listed(net), listed(net[0])
        net.eval()
        modes = [m.training for m in net.modules()]
        same = net.train() is net
        out = net(x)
        out.sum().backward()
        grads = [p.grad.numpy().copy() for p in net.parameters()]
        net.zero_grad()
        cleared = all(p.grad is None for p in net.parameters())
        return names, sub, modes, same, out.numpy(), grads, cleared

    reference_nets, nets = models(), models()
    expected = [run(net) for net in reference_nets]
    undo: list = []
    try:
        for cls, attr, fn in _module_methods(fns):
            _patch(cls, attr, fn, {}, undo)
        got = [run(net) for net in nets]
    finally:
        _restore(undo)
    labels = ["named_parameters", "named_parameters of a sub-module", "eval()", "train() returning the module",
              "the output of Linear and Sequential", "the gradients", "zero_grad()"]
    for label, a, b in zip(labels * 2, [v for g in got for v in g], [v for e in expected for v in e]):
        equal = (np.allclose(a, b) if isinstance(a, np.ndarray) else
                 all(np.allclose(x, y) for x, y in zip(a, b)) and len(a) == len(b) if label == "the gradients" else a == b)
        if not equal:
            raise AssertionError(f"on a test model your Module's {label} differs from the reference's")


def _install_module(fns: dict[str, Callable], variables: dict, undo: list) -> None:
    for cls, attr, fn in _module_methods(fns):
        _patch(cls, attr, fn, variables, undo)


# ----- losses (lesson 09) -> nn.functional from lesson 10 on
# (F's name, your name in lesson 09, the options of F yours also takes, how many inputs)
_LOSSES = [("log_softmax", "log_softmax", ("dim",)), ("cross_entropy", "cross_entropy", ()),
           ("binary_cross_entropy_with_logits", "bce_with_logits", ()), ("huber_loss", "huber_loss", ("delta",)),
           ("multi_margin_loss", "multi_margin_loss", ("margin",))]


def _build_losses(namespaces: dict[str, dict]) -> dict[str, Callable]:
    ns = namespaces["09"]
    return {f_name: ns[own_name] for f_name, own_name, _ in _LOSSES if own_name in ns}


def _loss_wrapper(reference: Callable, fn: Callable, options: tuple[str, ...]) -> Callable:
    """Call yours when the call uses only what yours takes (other options at their defaults), else F's."""
    signature = inspect.signature(reference)
    names = list(signature.parameters)

    def loss(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return reference(*args, **kwargs)
        given = dict(bound.arguments)
        x = given.pop(names[0])
        inputs = [x]
        if names[1] in given and names[1] not in options:
            inputs.append(given.pop(names[1]))
        default = {k: p.default for k, p in signature.parameters.items()}

        def is_default(k: str, v: Any) -> bool:
            return v is default[k] or (isinstance(v, (int, float, str)) and v == default[k])

        if any(k not in options and not k.startswith("_") and not is_default(k, v) for k, v in given.items()):
            return reference(*args, **kwargs)
        if reference.__name__ == "log_softmax" and given.get("dim") is None:
            return reference(*args, **kwargs)
        if reference.__name__ in ("cross_entropy", "multi_margin_loss"):
            target = np.asarray(getattr(inputs[1], "data", inputs[1]))
            if getattr(x, "ndim", 0) != 2 or target.ndim != 1 or not np.issubdtype(target.dtype, np.integer):
                return reference(*args, **kwargs)
            inputs[1] = target
        elif len(inputs) > 1 and getattr(inputs[1], "shape", None) != getattr(x, "shape", ()):
            return reference(*args, **kwargs)
        try:
            return fn(*inputs, **{k: v for k, v in given.items() if k in options})
        except Exception:  # a case your code does not handle must not stop the lesson
            loss.fallbacks += 1  # type: ignore[attr-defined]
            return reference(*args, **kwargs)

    loss.fallbacks = 0  # type: ignore[attr-defined]
    loss.own = fn  # type: ignore[attr-defined]
    loss.__name__ = loss.__qualname__ = reference.__name__
    loss.__doc__ = f"Your {fn.__name__} from lesson 09 where the call fits it, else the reference's.\n\n{reference.__doc__}"
    return loss


def _smoke_losses(fns: dict[str, Callable]) -> None:
    import minitorch
    from ..nn import functional as F

    missing = [f for f, _, _ in _LOSSES if f not in fns]
    if missing:
        raise AssertionError(f"the saved code of lesson 09 does not define {', '.join(missing)}")
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(5, 4)) * 3
    targets = rng.integers(0, 4, size=5)
    other = rng.normal(size=(5, 4))
    labels = rng.integers(0, 2, size=(5, 4)).astype(np.float64)
    calls = {"log_softmax": lambda f, s: f(s, dim=1), "cross_entropy": lambda f, s: f(s, minitorch.tensor(targets)),
             "binary_cross_entropy_with_logits": lambda f, s: f(s, minitorch.tensor(labels)),
             "huber_loss": lambda f, s: f(s, minitorch.tensor(other), delta=0.5),
             "multi_margin_loss": lambda f, s: f(s, minitorch.tensor(targets), margin=2.0)}
    for name, call in calls.items():
        own_fn = _loss_wrapper(getattr(F, name), fns[name], dict((f, o) for f, _, o in _LOSSES)[name])
        for dtype in (minitorch.float64, minitorch.float32):
            results = []
            for f in (own_fn, getattr(F, name)):
                s = minitorch.tensor(scores, dtype=dtype, requires_grad=True)
                out = call(f, s)
                out.sum().backward()
                results.append((out.data, s.grad.data))
            (o1, g1), (o2, g2) = results
            if o1.shape != o2.shape or not (np.allclose(o1, o2, rtol=1e-4, atol=1e-5) and np.allclose(g1, g2, rtol=1e-4, atol=1e-5)):
                raise AssertionError(f"your {fns[name].__name__} differs from F.{name} on a {dtype} test case")


def _install_losses(fns: dict[str, Callable], variables: dict, undo: list) -> None:
    from ..nn import functional as F

    for f_name, _, options in _LOSSES:
        _patch(F, f_name, _loss_wrapper(getattr(F, f_name), fns[f_name], options), variables, undo)


# ----- optimizers (lesson 10) -> minitorch.optim from lesson 11 on
_OPTIMIZERS = [("SGD", "SGD"), ("RMSprop", "RMSProp"), ("Adam", "Adam"), ("AdamW", "AdamW")]
# Options of the reference that yours do not have: when a group sets one (truthy), the reference updates it.
_ONLY_REFERENCE = ("maximize", "amsgrad", "centered", "momentum_rmsprop")


def _build_optimizers(namespaces: dict[str, dict]) -> dict[str, type]:
    ns = namespaces["10"]
    return {ref: ns[own] for ref, own in _OPTIMIZERS}


def _own_optimizer(reference: type, learner: type) -> type:
    """A subclass of the reference optimizer whose update_parameter is yours (same interface)."""
    learner_options: dict[str, Any] = {}
    for cls in reversed(learner.__mro__):  # AdamW's own defaults over Adam's (bias_correction)
        if "__init__" in cls.__dict__ and cls is not object:
            learner_options.update({k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()
                                    if p.default is not inspect.Parameter.empty})
    decoupled = reference.__name__ == "AdamW"

    def update_parameter(self: Any, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        only_reference = [k for k in _ONLY_REFERENCE if group.get(k)]
        if reference.__name__ == "RMSprop" and group.get("momentum"):
            only_reference.append("momentum")
        if reference.__name__ == "Adam" and group.get("decoupled_weight_decay"):
            only_reference.append("decoupled_weight_decay")
        if only_reference:
            return reference.update_parameter(self, param, grad, state, group)
        own_group = {**learner_options, **{k: v for k, v in group.items() if k in learner_options}}
        mine = self.__dict__.get("_own")
        if mine is None:
            mine = self.__dict__["_own"] = object.__new__(learner)
        learner.update_parameter(mine, param, grad, state, own_group)
        return None

    doc = f"Your {learner.__name__}.update_parameter (lesson 10) in minitorch's {reference.__name__}.\n\n"
    attrs = {"update_parameter": update_parameter, "__doc__": doc + (reference.__doc__ or ""),
             "__module__": reference.__module__, "own": learner, "decoupled": decoupled}
    return type(reference.__name__, (reference,), attrs)


def _smoke_optimizers(classes: dict[str, type]) -> None:
    import minitorch
    from .. import optim

    cases = {"SGD": [dict(lr=0.1), dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
                     dict(lr=0.05, momentum=0.9, nesterov=True)],
             "RMSprop": [dict(lr=0.01), dict(lr=0.01, weight_decay=0.1)],
             "Adam": [dict(lr=0.1), dict(lr=0.1, weight_decay=0.1)],
             "AdamW": [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5)]}
    start = np.array([[1.5, -2.0, 0.5], [0.25, 3.0, -1.0]])
    for name, options_list in cases.items():
        mine_cls = _own_optimizer(getattr(optim, name), classes[name])
        for options in options_list:
            paths = []
            for cls in (mine_cls, getattr(optim, name)):
                p = minitorch.tensor(start, dtype=minitorch.float32, requires_grad=True)
                opt = cls([p], **options)
                for _ in range(4):
                    opt.zero_grad()
                    ((p * p * p).sum() + (p * 2).sum()).backward()
                    opt.step()
                paths.append(p.data.copy())
            if not np.allclose(paths[0], paths[1], rtol=1e-4, atol=1e-5):
                raise AssertionError(f"your {classes[name].__name__}({options}) moves the parameters "
                                     f"differently from optim.{name}")


def _install_optimizers(classes: dict[str, type], variables: dict, undo: list) -> None:
    from .. import optim

    for name, _ in _OPTIMIZERS:
        _patch(optim, name, _own_optimizer(getattr(optim, name), classes[name]), variables, undo)


PARTS = [
    Part("Value", ("03", "04"), ("03.1", "03.2", "03.3", "04.1", "04.2", "04.3", "04.4"),
         _build_value, _smoke_value, _install_value),
    Part("unbroadcast", ("07",), ("07.2",), _build_unbroadcast, _smoke_unbroadcast, _install_unbroadcast),
    Part("Module", ("08",), ("08.1", "08.2", "08.3"), _build_module, _smoke_module, _install_module),
    Part("losses", ("09",), ("09.1", "09.2", "09.3", "09.4", "09.5"), _build_losses, _smoke_losses, _install_losses),
    Part("optimizers", ("10",), ("10.2", "10.3", "10.4", "10.5"), _build_optimizers, _smoke_optimizers,
         _install_optimizers),
]
NOT_CARRIED = "Tensor (06–07), Module registration and state_dict (08), schedulers (11), training loop (12)"


def _lessons_used() -> set[str]:
    return {lesson for part in PARTS for lesson in part.lessons}


# ---------------------------------------------------------------------------------- carrying forward
_undo: list = []  # what the last carry_forward installed in this kernel


def _saved_namespace(lesson: str, where: Path, manifest: dict, cache: dict) -> dict:
    if lesson not in cache:
        entry = manifest.get("lessons", {}).get(lesson, {})
        path = where / entry.get("file", f"lesson{lesson}.py")
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
    yours, reference, cache = [], [], {}
    for part in PARTS:
        if not lesson.isdigit() or int(part.lessons[-1]) >= int(lesson):
            continue
        label = f"{part.name} ({'–'.join(part.lessons)})"
        missing = [ex_id for ex_id in part.needs if ex_id not in verified]
        if missing:
            reference.append(f"{part.name} ({', '.join(missing)} not passed yet)")
            continue
        undo: list = []
        try:
            with _KeepRandomState():
                impl = part.build({ls: _saved_namespace(ls, where, manifest, cache) for ls in part.lessons})
                part.smoke(impl)
            part.install(impl, variables, undo)
        except BaseException as e:  # noqa: BLE001 -- never break a lesson: fall back, and say why
            _restore(undo)
            reason = str(e) if isinstance(e, AssertionError) else f"your saved code raised {type(e).__name__}: {e}"
            reference.append(f"{part.name} ({reason})")
            continue
        _undo.extend(undo)
        yours.append(label)
    if not yours and not reference:
        return f"Your own engine is on; lesson {lesson} uses no part of it (parts start at lesson 05)."
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
