"""The course works wherever the package is installed (issue 17, item 9).

A wheel carries the graded tests and the student notebooks (pyproject.toml maps ``tests/graded`` and
``lessons/`` into ``minitorch/course``); ``check()`` needs no Jupyter; ``python -m minitorch lessons
DIR`` copies the notebooks out without touching a learner's work.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from minitorch.__main__ import main
from minitorch.course.materials import graded_tests_dir, student_notebooks_dir

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
JUPYTER_STACK = ("jupyterlab", "ipykernel", "ipython", "ipywidgets", "nbformat", "nbclient")


def _toml_list(key: str) -> list[str]:
    """The quoted strings of a TOML array ``key = [...]`` (tomllib is 3.11+; the project supports 3.10)."""
    match = re.search(rf"^{re.escape(key)} = \[(.*?)^\]", PYPROJECT, re.S | re.M)
    assert match, f"pyproject.toml has no {key} = [...]"
    return re.findall(r'"([^"]+)"', match.group(1))


def test_every_package_of_the_source_tree_is_in_the_wheel_list():
    listed = set(_toml_list("packages"))
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "minitorch").rglob("__init__.py")}
    assert on_disk - listed == set(), f"packages missing from pyproject.toml's packages list: {on_disk - listed}"
    assert {"minitorch.course.graded", "minitorch.course.notebooks"} <= listed


def test_the_mapped_folders_are_the_ones_authors_edit():
    mapping = dict(re.findall(r'"(minitorch\.course\.\w+)" = "([^"]+)"', PYPROJECT))
    assert mapping == {"minitorch.course.graded": "tests/graded", "minitorch.course.notebooks": "lessons"}
    assert graded_tests_dir() == ROOT / "tests" / "graded"
    assert student_notebooks_dir() == ROOT / "lessons"


def test_a_plain_install_is_light_and_make_lab_brings_jupyter():
    core = " ".join(_toml_list("dependencies")).lower()
    assert not [name for name in JUPYTER_STACK if re.search(rf"\b{name}\b", core)], core
    course = " ".join(_toml_list("course")).lower()
    assert all(name in course for name in JUPYTER_STACK), course
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-e ".[course,test]"' in makefile  # the venv behind `make lab` and `make test`


# Run in a child: no Jupyter module may be importable there, and minitorch is imported from a copy laid
# out as a wheel installs it (graded tests and notebooks inside the package, no checkout around it).
_WITHOUT_JUPYTER = r"""
import importlib.abc, sys
BLOCKED = {"IPython", "ipykernel", "ipywidgets", "jupyterlab", "nbformat", "nbclient", "pytest", "hypothesis"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed (blocked by the test)")
sys.meta_path.insert(0, Block())

import minitorch
from minitorch.course import check, hint, show_progress
from minitorch.course.materials import graded_tests_dir, student_notebooks_dir
print("package:", minitorch.__file__)
print("graded:", graded_tests_dir())
print("notebooks:", student_notebooks_dir())

def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)

check("01.1")
show_progress("01")
"""


def test_check_runs_from_an_installed_layout_with_no_jupyter(tmp_path):
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "minitorch", site / "minitorch", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests" / "graded", site / "minitorch" / "course" / "graded")
    shutil.copytree(ROOT / "lessons", site / "minitorch" / "course" / "notebooks")
    work = tmp_path / "my-course"
    work.mkdir()
    env = {"PATH": "/usr/bin:/bin", "MINITORCH_PROGRESS_FILE": str(work / "progress.json")}
    child = f"import sys; sys.path.insert(0, {str(site)!r})\n" + _WITHOUT_JUPYTER
    run = subprocess.run([sys.executable, "-c", child], cwd=work, env=env, capture_output=True, text=True,
                         timeout=120)
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert f"package: {site}" in out, out
    assert f"graded: {site / 'minitorch' / 'course' / 'graded'}" in out, out
    assert f"notebooks: {site / 'minitorch' / 'course' / 'notebooks'}" in out, out
    assert "✅ Exercise 01.1" in out and "Lesson 01: 1/" in out, out


def test_lessons_command_copies_the_student_notebooks_and_keeps_the_learners_work(tmp_path, capsys):
    dest = tmp_path / "course"
    assert main(["lessons", str(dest)]) == 0
    expected = sorted(p.name for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in dest.iterdir()) == expected
    first = dest / expected[0]
    assert first.read_bytes() == (ROOT / "lessons" / expected[0]).read_bytes()

    first.write_text("my work", encoding="utf-8")
    assert main(["lessons", str(dest)]) == 0
    assert first.read_text(encoding="utf-8") == "my work"
    assert f"kept your own {len(expected)} notebook(s)" in capsys.readouterr().out

    assert main(["lessons", str(dest), "--force"]) == 0
    assert first.read_bytes() == (ROOT / "lessons" / expected[0]).read_bytes()
