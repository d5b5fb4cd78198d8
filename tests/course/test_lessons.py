"""lessons/ is generated from solutions/: stubs, cleared outputs, and the sync check."""

import ast
from pathlib import Path

import nbformat
import pytest

from minitorch.__main__ import main
from minitorch.course.lessons import MarkerError, build_lessons, stub_source, student_version

ROOT = Path(__file__).resolve().parents[2]


def test_solution_region_becomes_an_indented_stub():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    return y\n    ### END SOLUTION\n"
    assert stub_source(source) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"


def test_top_level_region_and_surrounding_code_are_kept_in_place():
    source = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nprint(a)"
    assert stub_source(source) == "a = 1\n# YOUR CODE HERE\nraise NotImplementedError()\nprint(a)"


def test_hidden_tests_are_removed():
    source = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS\n"
    assert stub_source(source) == "assert f(1) == 2"


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nx = 1\n",  # never closed
    "x = 1\n### END SOLUTION\n",  # closed without opening
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",  # nested
    "### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS\n",  # mismatched
])
def test_unbalanced_markers_are_an_error_naming_the_place(source):
    with pytest.raises(MarkerError, match="cell 3"):
        stub_source(source, where="cell 3")


def test_student_version_clears_exercise_and_check_outputs_but_keeps_explanations():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('graph')", outputs=[nbformat.v4.new_output("stream", text="graph\n")]),
        nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                                  outputs=[nbformat.v4.new_output("stream", text="x\n")], execution_count=2),
        nbformat.v4.new_code_cell('check("01.1")', outputs=[nbformat.v4.new_output("stream", text="ok\n")]),
    ])
    student = student_version(nb)
    assert student.cells[0].outputs and student.cells[1].outputs == [] and student.cells[2].outputs == []
    assert "raise NotImplementedError()" in student.cells[1].source
    assert all(c.execution_count is None for c in student.cells)
    assert nb.cells[1].outputs, "the solution notebook itself must not be modified"


def test_build_and_check_round_trip(tmp_path):
    solutions, lessons = tmp_path / "solutions", tmp_path / "lessons"
    solutions.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    nbformat.write(nb, solutions / "01_a.ipynb")
    assert build_lessons(solutions, lessons, check=True) == ["01_a.ipynb"]
    assert build_lessons(solutions, lessons) == ["01_a.ipynb"]
    assert build_lessons(solutions, lessons, check=True) == []
    (lessons / "99_orphan.ipynb").write_text("{}")
    assert build_lessons(solutions, lessons, check=True) == ["99_orphan.ipynb (no solution notebook)"]


def test_building_selected_notebooks_leaves_the_others_alone(tmp_path):
    solutions, lessons = tmp_path / "solutions", tmp_path / "lessons"
    solutions.mkdir()
    for name in ["01_a.ipynb", "02_b.ipynb"]:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), solutions / name)
    assert build_lessons(solutions, lessons, only=["02_b.ipynb"]) == ["02_b.ipynb"]
    assert sorted(p.name for p in lessons.iterdir()) == ["02_b.ipynb"]
    with pytest.raises(FileNotFoundError, match="09_z.ipynb"):
        build_lessons(solutions, lessons, only=["09_z.ipynb"])


def test_repository_lessons_are_in_sync_with_solutions(capsys):
    code = main(["build-lessons", "--check", "--solutions", str(ROOT / "solutions"), "--lessons", str(ROOT / "lessons")])
    assert code == 0, capsys.readouterr().out


def test_every_solution_notebook_has_exercises_checks_and_a_graph():
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        sources = [c.source for c in nb.cells if c.cell_type == "code"]
        assert sum("### BEGIN SOLUTION" in s for s in sources) >= 3, f"{path.name}: fewer than 3 exercises"
        assert any(s.strip().startswith("check(") for s in sources), f"{path.name}: no check() cell"
        svgs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if "image/svg+xml" in o.get("data", {}) and "graph" in o["data"]["image/svg+xml"]]
        assert svgs, f"{path.name}: no stored SVG rendering of a computation graph"
        assert nb.metadata.get("minitorch", {}).get("lesson") == path.name[:2], f"{path.name}: lesson metadata"


def test_the_library_contains_no_stubs():
    offenders = []
    for path in (ROOT / "minitorch").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"NotImplementedError placeholders in minitorch/: {offenders}"


def _code(*sources):
    return [nbformat.v4.new_code_cell(s) for s in sources]


def test_outputs_that_depend_on_a_solution_region_are_found_transitively():
    from minitorch.course.dependencies import solution_dependent_cells

    cells = _code(
        "import numpy as np\nxs = np.arange(3)\nzs = np.ones(2)",                     # 0 clean
        "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",  # 1 exercise
        'check("01.1")',                                                              # 2 check
        "print(f(3))",                                                                # 3 uses f
        "y = f(xs)",                                                                  # 4 y tainted
        "print(y.sum())",                                                             # 5 through y
        "def g(v):\n    return f(v) + 1",                                             # 6 defines g (uses f)
        "print(g(1))",                                                                # 7 through g's body
        "print(xs)",                                                                  # 8 xs went into f: may be changed
        "print([f for f in range(3)])",                                               # 9 a loop variable, not f
        "for y in range(2):\n    print(y)",                                           # 10 y rebound by the loop
        "def f(x):\n    return x",                                                    # 11 f clean again
        "print(f(3), zs)",                                                            # 12 clean
    )
    assert solution_dependent_cells(cells) == {1, 2, 3, 4, 5, 6, 7, 8}


def test_objects_handed_to_the_learners_code_are_dependent_afterwards():
    from minitorch.course.dependencies import solution_dependent_cells

    cells = _code(
        "import minitorch\nmodel = minitorch.nn.Linear(2, 1)\nstate = model.state_dict()",  # 0
        "def train(m):\n    ### BEGIN SOLUTION\n    m.weight.data[:] = 0\n    ### END SOLUTION",  # 1
        "print(len(state))",                                     # 2 clean
        "train(model)",                                          # 3 model changed by learner code
        "print(model.weight)",                                   # 4
        "other = minitorch.nn.Linear(2, 1)\nother.load_state_dict(model.state_dict())",  # 5 other now too
        "print(other.weight)",                                   # 6
        "fresh = minitorch.nn.Linear(2, 1)\nprint(fresh.weight)",  # 7 clean
    )
    assert solution_dependent_cells(cells) == {1, 3, 4, 5, 6}


def test_lesson_03_does_not_show_the_learners_gradients_before_they_are_written():
    lesson = nbformat.read(ROOT / "lessons" / "03_backprop.ipynb", as_version=4)
    texts = [o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
             for c in lesson.cells if c.cell_type == "code" for o in c.outputs]
    assert not any("yours:" in t for t in texts)
    solution = nbformat.read(ROOT / "solutions" / "03_backprop.ipynb", as_version=4)
    assert any("yours:" in o.get("text", "") for c in solution.cells if c.cell_type == "code" for o in c.outputs)
