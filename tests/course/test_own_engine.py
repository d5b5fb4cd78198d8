"""Your own engine, carried forward (course/own.py): a passing check saves the learner's code, and a
later lesson's first cell installs it in place of the reference, part by part, falling back where
it is missing or wrong.

The learner's code here is the solution notebooks' code (which passes every check), as the kernel's
``In`` history would hold it, plus *markers* a learner could have written -- a distinct ``__repr__``, a
call counter -- so that a test can tell that the learner's code ran, not the reference's.
"""

import json
import os
from pathlib import Path

import nbformat
import numpy as np
import pytest

import minitorch
from minitorch.__main__ import main
from minitorch.course import check, own, own_parts, progress, show_progress
from minitorch.course.exercises import lesson_exercises

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"

# Markers, run as cells after the lesson's own (they attach to what the lesson defined).
VALUE_MARKER = 'Value.__repr__ = lambda self: f"MyValue({self.data:.4g})"'
UNBROADCAST_MARKER = '''UNBROADCAST_CALLS = [0]
_plain_unbroadcast = unbroadcast


def unbroadcast(grad, shape):
    UNBROADCAST_CALLS[0] += 1
    return _plain_unbroadcast(grad, shape)
'''
CROSS_ENTROPY_MARKER = '''CROSS_ENTROPY_CALLS = [0]
_plain_cross_entropy = cross_entropy


def cross_entropy(logits, targets):
    CROSS_ENTROPY_CALLS[0] += 1
    return _plain_cross_entropy(logits, targets)
'''
ADAM_MARKER = '''ADAM_STEPS = [0]
_plain_adam_update = Adam.update_parameter


def counting_adam_update(self, param, grad, state, group):
    ADAM_STEPS[0] += 1
    _plain_adam_update(self, param, grad, state, group)


Adam.update_parameter = counting_adam_update
'''
LINEAR_MARKER = '''LINEAR_CALLS = [0]
_plain_linear_forward = Linear.forward


def counting_linear_forward(self, x):
    LINEAR_CALLS[0] += 1
    return _plain_linear_forward(self, x)


Linear.forward = counting_linear_forward
'''
ADD_MARKER = '''ADD_CALLS = [0]
_plain_value_add = value_add


def value_add(self, other):
    ADD_CALLS[0] += 1
    return _plain_value_add(self, other)


Value.__add__ = value_add
'''
MATMUL_MARKER = '''MATMUL_CALLS = [0]
_plain_matmul = tensor_matmul


def tensor_matmul(self, other):
    MATMUL_CALLS[0] += 1
    return _plain_matmul(self, other)


Tensor.__matmul__ = tensor_matmul
'''
MARKERS = {"03": ADD_MARKER, "04": VALUE_MARKER, "06": MATMUL_MARKER, "07": UNBROADCAST_MARKER, "08": LINEAR_MARKER, "09": CROSS_ENTROPY_MARKER,
           "10": ADAM_MARKER}


def history(lesson: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The kernel's ``In`` after running every code cell of a solution notebook (and ``extra`` cells)."""
    nb = json.loads(next(SOLUTIONS.glob(f"{lesson}_*.ipynb")).read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return ["", *cells, *extra]


def pass_lesson(lesson: str, extra: tuple[str, ...] = ()) -> str | None:
    """Record every exercise of a lesson as passed and save its code, as check() does on a pass."""
    exercises, _ = lesson_exercises(lesson)
    for ex in exercises:
        progress.record(ex.id, "passed", ex.points, ex.points)
    return own.save(exercises[-1].id, {"In": history(lesson, extra)})


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A learner's folder with the switch on (the reproducible environment sets it off)."""
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(tmp_path / progress.FILENAME))
    monkeypatch.setenv(own.ENV, "on")
    yield tmp_path
    own._restore(own._undo)  # whatever a test installed in this process


def manifest(folder: Path) -> dict:
    return json.loads((folder / own.FOLDER / "manifest.json").read_text())


# ---------------------------------------------------------------------------------- saving
def test_the_saved_code_keeps_definitions_and_drops_what_ran_for_show():
    source = own.definitions([
        "",
        "import math\nclass Value:\n    def __init__(self, data):\n        self.data = data\nshow_progress('04')",
        "def value_neg(self):\n    return self * -1\n\n\nValue.__neg__ = value_neg\nEPS = 1e-8\nTAU = 2 * math.pi",
        "a = Value(2.0); a.label = 'a'\ne = a * a; e.label = 'e'\nprint(e)\nminitorch.draw_graph(e)",
        "check('04.2')",
        "%timeit value_neg(a)\nb._backward = value_neg",
        "def value_neg(self):\n    return self * -2",  # a later definition wins, as in the kernel
    ])
    namespace = own.load_source(source, "saved.py", "saved")
    assert namespace["EPS"] == 1e-8 and namespace["TAU"] == 2 * namespace["math"].pi
    assert namespace["Value"].__neg__.__name__ == "value_neg" and namespace["value_neg"].__code__.co_consts[-1] == -2
    for dropped in ("show_progress", "a = Value", "e = a", "print(", "draw_graph", "check(", "timeit", "b._backward"):
        assert dropped not in source, dropped


def test_a_passing_check_saves_the_lessons_code_and_grades_it_alone(course, capsys):
    saved_history = history("07")
    variables = {**own.load_source(own.definitions(saved_history), "07", "lesson07"), "In": saved_history}
    check("07.2", variables)
    out = capsys.readouterr().out
    assert "✅" in out and "Saved for your own engine: lesson07.py" in out
    entry = manifest(course)["lessons"]["07"]
    assert entry["passed"] == ["07.2"] and entry["failed"] == {}
    assert "def unbroadcast(grad, shape):" in (course / own.FOLDER / "lesson07.py").read_text()


def test_saving_does_not_move_the_notebooks_random_streams(course):
    minitorch.manual_seed(3)
    np.random.seed(3)
    pass_lesson("10")  # its tests seed and draw
    after = minitorch.randn(3).numpy(), np.random.rand(2)
    minitorch.manual_seed(3)
    np.random.seed(3)
    assert np.array_equal(after[0], minitorch.randn(3).numpy()) and np.array_equal(after[1], np.random.rand(2))


def test_code_that_only_passes_with_the_notebooks_other_state_is_not_carried(course):
    # unbroadcast reads a global the kernel had from an example cell, which the saved code leaves out.
    pass_lesson("07", ("limit = len('abc')\nunbroadcast_plain = unbroadcast\n"
                       "def unbroadcast(grad, shape):\n    assert limit\n    return unbroadcast_plain(grad, shape)",))
    entry = manifest(course)["lessons"]["07"]
    assert "07.2" not in entry["passed"] and "name 'limit' is not defined" in entry["failed"]["07.2"]
    assert "unbroadcast (07.2 not passing on your code saved last: run its cells and check again)" \
        in own.carry_forward("08", {})


def test_nothing_is_saved_when_the_switch_is_off(course, monkeypatch, capsys):
    monkeypatch.setenv(own.ENV, "off")
    assert pass_lesson("07") is None
    assert not (course / own.FOLDER).exists()


# ---------------------------------------------------------------------------------- carrying forward
def test_each_part_is_installed_where_its_checks_passed_and_the_reference_elsewhere(course):
    for lesson in ("03", "04", "07"):
        pass_lesson(lesson, (MARKERS[lesson],))
    namespace = {"Value": minitorch.Value}
    assert own.carry_forward("05", namespace) == "Running on your own engine: Value (03–04)"
    assert repr(minitorch.Value(2.0)) == "MyValue(2)" and namespace["Value"] is minitorch.Value
    assert own.carry_forward("08", namespace) == "Running on your own engine: unbroadcast (07)"
    from minitorch.scalar import Value

    assert minitorch.Value is Value and namespace["Value"] is Value  # lesson 05 is the last to use Value
    line = own.carry_forward("10", namespace)
    assert line == ("Running on your own engine: unbroadcast (07); reference: Module (08.1, 08.2, 08.3 not "
                    "passed yet), losses (09.1, 09.2, 09.3, 09.4, 09.5 not passed yet)")
    from minitorch.tensor import autograd

    calls = autograd.unbroadcast.own.__globals__["UNBROADCAST_CALLS"]
    before = calls[0]
    x = minitorch.randn(4, 3, requires_grad=True)
    b = minitorch.randn(3, requires_grad=True)
    (x + b).sum().backward()
    assert calls[0] > before
    minitorch.testing.assert_close(b.grad, minitorch.ones(3) * 4)
    # Off again (and the first cell re-run): the reference everywhere, in the notebook's names too.
    own._restore(own._undo)
    assert autograd.unbroadcast.__module__ == "minitorch.tensor.autograd"
    own.carry_forward("05", namespace)
    own.carry_forward("05", namespace)  # twice: no stacking
    assert repr(namespace["Value"](1.0)) == "MyValue(1)"
    own._restore(own._undo)
    assert namespace["Value"] is Value and minitorch.Value is Value


def test_your_unbroadcast_leaves_what_is_not_an_array_to_the_reference(course):
    # A multi-output autograd.Function (lesson 17) hands the engine its gradients packed in one object.
    pass_lesson("07", (UNBROADCAST_MARKER,))
    own.carry_forward("08", {})
    from minitorch.autograd import Function

    class SumAndProduct(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a + b, a * b

        @staticmethod
        def backward(ctx, g_sum, g_product):
            a, b = ctx.saved_tensors
            return g_sum + g_product * b, g_sum + g_product * a

    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    b = minitorch.tensor([3.0, -1.0], requires_grad=True)
    total, product = SumAndProduct.apply(a, b)
    (total * 2 + product).sum().backward()
    minitorch.testing.assert_close(a.grad, minitorch.tensor([5.0, 1.0]))


def first_cell(lesson: str) -> dict:
    """The namespace of a solution notebook's first cell (its starting class), without show_progress."""
    nb = json.loads(next(SOLUTIONS.glob(f"{lesson}_*.ipynb")).read_text(encoding="utf-8"))
    source = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    namespace: dict = {}
    exec(source.replace(f'show_progress("{lesson}")', ""), namespace)
    return namespace


def test_the_next_lessons_starting_class_gets_your_methods_from_before(course):
    pass_lesson("03", (ADD_MARKER,))
    pass_lesson("06", (MATMUL_MARKER,))
    lesson04, lesson07 = first_cell("04"), first_cell("07")
    given_add = lesson04["Value"].__add__
    assert own.carry_forward("04", lesson04) == "Running on your own engine: + * backward (03)"
    value = lesson04["Value"]
    calls = value.__add__.__globals__["ADD_CALLS"]
    calls[0] = 0
    x, y = value(2.0), value(-3.0)
    out = x * y + x  # your + and * on lesson 04's class: they make lesson 04's Values
    out.backward()
    assert calls[0] == 1 and type(out) is value and (x.grad, y.grad) == (-2.0, 2.0)
    assert own.carry_forward("07", lesson07) == "Running on your own engine: @ tanh relu backward (06)"
    assert value.__add__ is given_add  # lesson 04's part is for lesson 04 only, and undone
    tensor = lesson07["Tensor"]
    matmuls = tensor.__matmul__.__globals__["MATMUL_CALLS"]
    matmuls[0] = 0
    w = tensor(np.eye(2))
    (tensor(np.ones((3, 2))) @ w).tanh().sum().backward()
    assert matmuls[0] == 1 and type(w.grad) is np.ndarray and w.grad.shape == (2, 2)
    assert own.carry_forward("08", {}).startswith("Running on your own engine: nothing yet")
    assert "MATMUL_CALLS" not in tensor.__matmul__.__globals__


def test_code_broken_after_its_check_passed_is_not_carried(course):
    # 10.3 passed; then a later cell redefined RMSProp wrongly, and 10.5's check saved that code.
    pass_lesson("10", ("class RMSProp(RMSProp):\n    def update_parameter(self, param, grad, state, group):\n"
                       "        param -= 2 * group['lr'] * grad",))
    assert "10.3" in manifest(course)["lessons"]["10"]["failed"]
    line = own.carry_forward("11", {})
    assert "reference: " in line
    assert "optimizers (10.3 not passing on your code saved last: run its cells and check again)" in line
    assert own.carry_forward("11", {}) == line  # and nothing half-installed stays behind
    assert minitorch.optim.RMSprop.__module__ == "minitorch.optim.rmsprop"


def test_saved_code_that_raises_or_was_edited_falls_back_with_the_reason(course):
    pass_lesson("09")
    saved = course / own.FOLDER / "lesson09.py"
    saved.write_text(saved.read_text() + "\nraise RuntimeError('edited by hand')\n")
    line = own.carry_forward("10", {})
    assert "losses (lesson09.py changed since it was graded" in line
    import minitorch.nn.functional as F

    assert F.cross_entropy.__module__ == "minitorch.nn.functional"


def test_a_smoke_check_catches_what_the_graded_tests_did_not_try(course, monkeypatch):
    pass_lesson("09")

    def squared_huber(namespaces):  # a huber_loss that is the squared error: wrong beyond delta
        return {**own_parts._build_losses(namespaces), "huber_loss": lambda pred, target, delta=1.0: ((pred - target) ** 2).mean()}

    parts = [own_parts.Part(p.name, p.lessons, p.needs, squared_huber if p.name == "losses" else p.build, p.smoke, p.install)
             for p in own.PARTS]
    monkeypatch.setattr(own, "PARTS", parts)
    line = own.carry_forward("10", {})
    assert "losses (your <lambda> differs from F.huber_loss on a float64 test case)" in line
    import minitorch.nn.functional as F

    assert F.huber_loss.__module__ == "minitorch.nn.functional"


def test_your_losses_are_used_where_the_call_fits_them_and_the_reference_elsewhere(course):
    pass_lesson("09", (CROSS_ENTROPY_MARKER,))
    assert own.carry_forward("10", {}) == ("Running on your own engine: losses (09); reference: unbroadcast (07.2 "
                                          "not passed yet), Module (08.1, 08.2, 08.3 not passed yet)")
    import minitorch.nn.functional as F

    calls = F.cross_entropy.own.__globals__["CROSS_ENTROPY_CALLS"]
    calls[0] = 0  # (the smoke check called it too)
    logits = minitorch.randn(5, 3, requires_grad=True)
    targets = minitorch.tensor([0, 2, 1, 1, 0])
    loss = minitorch.nn.CrossEntropyLoss()(logits, targets)  # the module calls F.cross_entropy: yours
    assert calls[0] == 1
    minitorch.nn.CrossEntropyLoss(label_smoothing=0.1)(logits, targets)  # an option yours lacks: the reference
    F.cross_entropy(logits, targets, reduction="sum")
    assert calls[0] == 1
    loss.backward()
    assert logits.grad.shape == (5, 3)


def test_your_module_methods_run_inside_the_librarys_layers(course):
    pass_lesson("08", (LINEAR_MARKER,))
    assert own.carry_forward("09", {}).startswith("Running on your own engine: Module (08)")
    nn = minitorch.nn
    calls = nn.Linear.forward.own.__globals__["LINEAR_CALLS"]
    calls[0] = 0
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2))
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias",
                                                               "3.weight", "3.bias"]
    assert nn.Module.named_parameters.own.__module__ == "minitorch_own_lesson08"
    model.eval()
    assert not model[2].training
    model(minitorch.randn(5, 3)).sum().backward()
    assert calls[0] == 2
    with pytest.raises(RuntimeError, match="in_features=3"):  # a wrong shape: the reference's message
        model(minitorch.randn(5, 2))


def test_a_module_that_does_not_reach_its_sub_modules_is_not_carried(course):
    pass_lesson("08")
    fns = own_parts._build_module({"08": own.load_source((course / own.FOLDER / "lesson08.py").read_text(), "08", "l08")})
    fns["train"] = lambda self, mode=True: object.__setattr__(self, "training", mode)  # not recursive
    with pytest.raises(AssertionError, match=r"your Module's eval\(\) differs"):
        own_parts._smoke_module(fns)
    assert minitorch.nn.Module.train.__module__ == "minitorch.nn.module"


def test_your_optimizers_update_inside_the_reference_optimizer(course):
    pass_lesson("10", (ADAM_MARKER,))
    assert own.carry_forward("11", {}).startswith("Running on your own engine: optimizers (10)")
    steps = minitorch.optim.Adam.own.update_parameter.__globals__["ADAM_STEPS"]
    steps[0] = 0  # (the smoke check stepped it too)
    w = minitorch.nn.Parameter(minitorch.randn(3, 2))
    opt = minitorch.optim.AdamW([w], lr=0.1)  # yours: AdamW calls your Adam's update
    scheduler = minitorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)  # the reference's groups work
    (w * w).sum().backward()
    opt.step()
    scheduler.step()
    assert steps[0] == 1 and opt.param_groups[0]["lr"] == pytest.approx(0.05)
    minitorch.optim.Adam([w], lr=0.1, amsgrad=True).step()  # an option yours lacks: the reference
    assert steps[0] == 1


def test_the_switch_off_leaves_every_lesson_as_it_is(course, monkeypatch, capsys):
    pass_lesson("09")
    monkeypatch.setenv(own.ENV, "off")
    capsys.readouterr()
    show_progress("10")
    assert capsys.readouterr().out.count("\n") == 1  # the status line only
    import minitorch.nn.functional as F

    assert F.cross_entropy.__module__ == "minitorch.nn.functional"


def test_an_early_lesson_says_it_uses_no_part(course, capsys):
    show_progress("02")
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "Your own engine is on; lesson 02 uses none of its parts (`python -m minitorch own status`)."


def test_the_command_line_switch_and_status(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MINITORCH_PROGRESS_FILE", str(tmp_path / progress.FILENAME))
    monkeypatch.delenv(own.ENV, raising=False)
    assert not own.enabled(tmp_path)
    assert main(["own", "on", str(tmp_path)]) == 0
    assert "Your own engine is on" in capsys.readouterr().out and own.enabled(tmp_path)
    monkeypatch.setenv(own.ENV, "off")  # the reproducible environment's setting wins
    assert not own.enabled(tmp_path)
    monkeypatch.delenv(own.ENV)
    assert main(["own", "status", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Your own engine: on" in out and "losses" in out and "needs 09.1" in out
    assert main(["own", "off", str(tmp_path)]) == 0 and not own.enabled(tmp_path)


def test_the_reproducible_environment_turns_it_off_whatever_the_shell_says(monkeypatch):
    from minitorch.course.reproducible import use_store_env, use_test_env

    monkeypatch.setattr(os, "environ", dict(os.environ))  # a copy: use_store_env sets the BLAS threads too
    for use in (use_store_env, use_test_env):
        os.environ[own.ENV] = "on"
        use()
        assert os.environ[own.ENV] == "off"


# ---------------------------------------------------------------------------------- end to end
def run_lesson(lesson: str, folder: Path, extra_cell: str = "", before_check: dict | None = None) -> nbformat.NotebookNode:
    """Execute a solution notebook in a kernel (the switch on) with one extra cell at the end, and
    ``before_check[id]`` as a cell just before the cell ``check(id)``."""
    from nbclient import NotebookClient

    path = next(SOLUTIONS.glob(f"{lesson}_*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    for exercise_id, source in (before_check or {}).items():
        at = next(i for i, c in enumerate(nb.cells) if c.source.startswith(f'check("{exercise_id}")'))
        nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    if extra_cell:
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def outputs(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def check_outputs(nb) -> list[str]:
    return [outputs(c) for c in nb.cells if c.cell_type == "code" and c.source.startswith("check(")]


def test_lesson_05_runs_end_to_end_on_your_value(course):
    pass_lesson("03", (ADD_MARKER,))
    # Lesson 04 for real, on your + * backward from lesson 03; its check() cells save its code.
    nb04 = run_lesson("04", course, before_check={"04.5": VALUE_MARKER})
    assert "Running on your own engine: + * backward (03)" in outputs(nb04.cells[1])
    assert all(r.startswith("✅") and "Saved for your own engine: lesson04.py" in r for r in check_outputs(nb04))
    nb = run_lesson("05", course, "print(repr(Value(1.5)), type(model.parameters()[0]).__module__)")
    first = outputs(nb.cells[1])
    assert "Running on your own engine: Value (03–04)" in first
    assert outputs(nb.cells[-1]).split() == ["MyValue(1.5)", "minitorch_own_lesson04"]
    results = check_outputs(nb)
    assert len(results) == 4 and all(r.startswith("✅") for r in results), results


def test_lesson_12_runs_end_to_end_on_your_unbroadcast_module_losses_and_optimizers(course):
    # Lesson 07 for real, on your @ tanh relu backward from lesson 06: its check() cells save the kernel's
    # own history (with the learner's marker).
    pass_lesson("06", (MATMUL_MARKER,))
    nb07 = run_lesson("07", course, before_check={"07.2": UNBROADCAST_MARKER})
    assert "Running on your own engine: @ tanh relu backward (06)" in outputs(nb07.cells[1])
    assert all(r.startswith("✅") and "Saved for your own engine: lesson07.py" in r for r in check_outputs(nb07))
    assert manifest(course)["lessons"]["07"]["passed"] == ["07.1", "07.2", "07.3", "07.4", "07.5", "07.6"]
    for lesson in ("08", "09", "10"):
        pass_lesson(lesson, (MARKERS[lesson],))
    nb = run_lesson("12", course, "\n".join([
        "from minitorch.tensor import autograd",
        "import minitorch.nn.functional as F",
        "print(autograd.unbroadcast.own.__globals__['UNBROADCAST_CALLS'][0] > 1000,",
        "      F.cross_entropy.own.__globals__['CROSS_ENTROPY_CALLS'][0] > 10,",
        "      nn.Linear.forward.own.__globals__['LINEAR_CALLS'][0] > 10,",
        "      optim.Adam.own.update_parameter.__globals__['ADAM_STEPS'][0] > 10)"]))
    assert "Running on your own engine: unbroadcast (07), Module (08), losses (09), optimizers (10)\n" \
        in outputs(nb.cells[1])
    assert outputs(nb.cells[-1]).split() == ["True", "True", "True", "True"]
    results = check_outputs(nb)
    assert len(results) == 5 and all(r.startswith("✅") for r in results), results
