"""Every assignment round-trips through nbgrader: the source scores full marks, the released stub scores zero.

This is otter-grader's rule — the solution passes every test and the stub fails every test — checked by
really generating and autograding with nbgrader's Python API.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder import ASSIGNMENTS
from autograder.checks.embed import source_notebooks, stale_cells
from autograder.course import COURSE
from tests.assignments.roundtrip import course_copy, grade

AUTHORED = [a for a in ASSIGNMENTS if (COURSE / "source" / a / f"{a}.ipynb").exists()]


@pytest.fixture(scope="module", params=AUTHORED)
def graded(request, tmp_path_factory):
    assignment = request.param
    course = course_copy(tmp_path_factory.mktemp(assignment), assignment)
    source = course / "source" / assignment / f"{assignment}.ipynb"
    stub = course / "stub.ipynb"
    scores = grade(course, assignment, {"solution": source})
    release = course / "release" / assignment / f"{assignment}.ipynb"
    stub.write_bytes(release.read_bytes())
    scores.update(grade(course, assignment, {"stub": stub}))
    return assignment, course, scores


def test_solution_scores_full_marks(graded):
    """The source notebook (the instructor's solution) earns every point of every test cell."""
    assignment, _, scores = graded
    lost = {cell: s for cell, s in scores["solution"].items() if s[0] != s[1]}
    assert scores["solution"] and not lost, f"{assignment}: the solution loses points in {lost}"


def test_stub_scores_zero(graded):
    """The released notebook, unfilled, earns no point at all: every test fails on the stub."""
    assignment, _, scores = graded
    earned = {cell: s for cell, s in scores["stub"].items() if s[0] != 0}
    assert not earned, f"{assignment}: the stub earns points in {earned}"


def test_every_function_has_a_solution_and_a_test_cell(graded):
    """Each graded function has one solution cell (grade_id = its name) and a test cell test_<name>."""
    assignment, course, _ = graded
    notebook = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
    import solutions

    for name in solutions.CHAPTERS[assignment]:
        assert ids.count(name) == 1, f"{assignment}: no single solution cell {name!r}"
        assert f"test_{name}" in ids, f"{assignment}: no test cell test_{name}"


def test_test_cells_open_with_a_docstring(graded):
    """Every test cell starts with a one-line docstring saying what it checks."""
    assignment, _, _ = graded
    notebook = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            first = cell.source.splitlines()[0]
            assert first.startswith('"""') and first.endswith('"""') and len(first) > 20, \
                f"{assignment}: test cell {cell.metadata.nbgrader['grade_id']} opens with {first!r}"


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda p: p.stem)
def test_hidden_tests_are_up_to_date(path):
    """The hidden cases embedded in each source notebook match solutions/ and autograder/checks/ (else: python -m autograder embed)."""
    assert stale_cells(path) == []


def test_book_offers_exactly_the_released_notebook(graded):
    """chapters/exercises/<a>.ipynb, which the book renders and offers, is byte for byte what nbgrader releases."""
    assignment, course, _ = graded
    released = (course / "release" / assignment / f"{assignment}.ipynb").read_bytes()
    offered = COURSE.parent / "chapters" / "exercises" / f"{assignment}.ipynb"
    assert offered.exists(), f"the book does not offer {assignment}; run `python -m autograder release`"
    assert offered.read_bytes() == released, f"{offered} drifted from the release; run `python -m autograder release`"
