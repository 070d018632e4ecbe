"""Grade notebooks through nbgrader's Python API in a throwaway copy of the course directory.

(`nbgrader validate` exits 0 even when tests fail, so the tests grade for real and read the gradebook.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder.course import COURSE, nbgrader_api


def course_copy(tmp: Path, assignment: str) -> Path:
    """A fresh course directory holding the nbgrader config and one assignment's source."""
    course = tmp / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / assignment, course / "source" / assignment)
    return course


def grade(course: Path, assignment: str, submissions: dict[str, Path], **overrides) -> dict[str, dict[str, tuple]]:
    """Release `assignment`, autograde each student's notebook; return {student: {grade_id: (score, max)}}."""
    api = nbgrader_api(course, **overrides)
    result = api.generate_assignment(assignment, force=True)
    assert result["success"], result["error"] or result["log"]
    for student, notebook in submissions.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, folder / f"{assignment}.ipynb")
        result = api.autograde(assignment, student, force=True, create=True)
        assert result["success"], f"autograde of {student} failed:\n{result['error']}\n{result['log']}"
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in submissions:
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
            scores[student] = {g.name: (g.score, g.max_score) for g in notebook.grades}
    return scores


def with_answer(source: Path, answers: dict[str, str], target: Path) -> Path:
    """A copy of the notebook `source` whose solution cells (grade_id = function name) hold `answers` instead."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(notebook, target)
    return target


def autograded(course: Path, assignment: str, student: str):
    """The notebook nbgrader autograded for `student` (with every cell's outputs)."""
    return nbformat.read(course / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)


def cell_error(notebook, grade_id: str) -> str:
    """The error a test cell raised, as `ename: evalue` ('' when the cell passed)."""
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return "\n".join(f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error")
    raise KeyError(grade_id)


def grade_answers(tmp: Path, assignment: str, answers_by_student: dict[str, dict[str, str]]):
    """Grade, in a fresh course copy, one submission per student: the source notebook with their answers.

    Returns (course, scores) as `grade` does.
    """
    course = course_copy(tmp, assignment)
    source = course / "source" / assignment / f"{assignment}.ipynb"
    submissions = {name: with_answer(source, answers, tmp / f"{name}.ipynb") for name, answers in answers_by_student.items()}
    return course, grade(course, assignment, submissions)


def lost(scores, student) -> set[str]:
    """The test cells in which `student` did not get every point."""
    return {cell for cell, (score, top) in scores[student].items() if score != top}
