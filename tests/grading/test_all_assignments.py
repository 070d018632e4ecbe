"""`grade` works for all six assignments: the solution earns every point and the released stub none."""

from __future__ import annotations

import shutil

import pytest

from autograder import ASSIGNMENTS
from autograder.course import COURSE
from autograder.grading import Options, grade_class
from tests.assignments.roundtrip import course_copy


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_full_marks_stub_zero(assignment, tmp_path):
    """The source notebook scores max_score and the book's student notebook scores 0, both with status graded."""
    course = course_copy(tmp_path, assignment)
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(COURSE / "source" / assignment / f"{assignment}.ipynb", folder / "solution.ipynb")
    shutil.copy(COURSE.parent / "chapters" / "exercises" / f"{assignment}.ipynb", folder / "stub.ipynb")
    results, failed = grade_class(assignment, folder, tmp_path / "out",
                                  Options(workers=2, timeout=20, quiet=True), course=course)
    assert not failed
    by_student = {r.student_id: r for r in results}
    solution, stub = by_student["solution"], by_student["stub"]
    assert (solution.status, solution.score) == ("graded", solution.max_score), solution.message
    assert (stub.status, stub.score) == ("graded", 0.0), stub.message
    assert solution.max_score > 0
