"""End to end, one lesson per test class: the grader gives each solution notebook full marks and its
student version zero, "not attempted", with the reason.

One class per lesson (made below), so that pytest-xdist's ``--dist loadscope`` spreads the lessons
over its workers and a new lesson gets its test by existing.
"""

from pathlib import Path

from minitorch.course.grader import grade_paths
from minitorch.course.notebook import lesson_of

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted({lesson_of(p) for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")} - {None})


def _lesson_case(lesson: str) -> type:
    class Case:
        def test_solution_gets_full_marks_and_the_lesson_gets_zero_with_a_reason(self):
            (solution,) = sorted((ROOT / "solutions").glob(f"{lesson}_*.ipynb"))
            (stub,) = sorted((ROOT / "lessons").glob(f"{lesson}_*.ipynb"))
            graded, stubbed = grade_paths([str(solution), str(stub)])
            for grade in (graded, stubbed):
                assert grade.lesson == lesson and grade.max_score > 0 and grade.exercises, grade
                for ex in grade.exercises:
                    assert set(ex) == {"id", "score", "max_score", "status", "message"}, ex
            assert graded.score == graded.max_score and not graded.flags and not graded.notes, graded
            assert stubbed.score == 0 and not stubbed.flags, stubbed
            for ex in stubbed.exercises:
                assert ex["status"] == "not attempted" and "NotImplementedError" in ex["message"], ex

    Case.__name__ = Case.__qualname__ = f"TestLesson{lesson}"
    return Case


for _lesson in LESSONS:
    globals()[f"TestLesson{_lesson}"] = _lesson_case(_lesson)
