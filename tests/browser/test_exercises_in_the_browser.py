"""Every exercise opened from the book runs in the browser (JupyterLite, Pyodide), offline, and what a student
downloads from there grades to full marks; each chapter's Exercises section opens its own notebook there.

The built book is served on loopback and opened in Debian's headless Chromium with every other request refused
(`tests/browser/lite.py`).
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
import yaml

from autograder.grading import Options, grade_class
from tests.assignments.roundtrip import course_copy
from tests.browser.lite import (errors_of, page, run_all, run_one_by_one, save_and_download,  # noqa: F401 (fixtures)
                                served, upload_and_open, wait_for_notebook)
from tests.conftest import ROOT
from tests.environments.student_env import answered

pytestmark = [pytest.mark.book, pytest.mark.browser]

ASSIGNMENTS = sorted(path.stem for path in (ROOT / "chapters" / "exercises").glob("ex0*_*.ipynb"))


def _chapter_of(assignment: str) -> str:
    """The chapter whose section the exercise page is, in `_toc.yml`."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    (chapter,) = [c["file"] for part in toc["parts"] for c in part["chapters"]
                  if f"chapters/exercises/{assignment}" in [s["file"] for s in c.get("sections", [])]]
    return chapter


def graded_cells(notebook) -> list[tuple[int, str]]:
    tests = [(i, c.metadata.nbgrader.grade_id) for i, c in enumerate(notebook.cells)
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert tests, "a released notebook without test cells"
    return tests


def _released(assignment: str):
    return nbformat.read(ROOT / "chapters" / "exercises" / f"{assignment}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_chapter_opens_its_exercise_in_the_browser(page, served, assignment):
    """The chapter's Exercises section has one 'open it in the browser' link, and it opens that chapter's notebook."""
    page.goto(f"{served}/{_chapter_of(assignment)}.html")
    links = page.get_by_role("link", name="open it in the browser")
    assert links.count() == 1
    assert page.locator("section#exercises").get_by_role("link", name="open it in the browser").count() == 1
    links.click()
    wait_for_notebook(page, f"{assignment}.ipynb", len(_released(assignment).cells))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_exercise_opens_from_the_book_and_runs_offline(page, served, assignment):
    """From the exercise page's link, the blank notebook opens in JupyterLite and every test fails NotImplementedError."""
    released = _released(assignment)
    page.goto(f"{served}/chapters/exercises/{assignment}.html")
    page.get_by_role("link", name=f"Open {assignment}.ipynb in the browser").click()
    wait_for_notebook(page, f"{assignment}.ipynb", len(released.cells))
    state = run_one_by_one(page)
    for index, grade_id in graded_cells(released):
        errors = errors_of(state, index)
        # the Pyodide kernel names an error "<class 'NotImplementedError'>", ipykernel "NotImplementedError"
        assert errors and "NotImplementedError" in errors[0]["ename"], (grade_id, state["cells"][index]["outputs"])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_filled_notebook_runs_downloads_and_grades_to_full_marks(page, served, tmp_path, assignment):
    """Uploaded, run (visible tests pass), saved and downloaded from JupyterLite, a notebook grades to full marks."""
    released = _released(assignment)
    name = f"{assignment}_filled.ipynb"
    local = tmp_path / name
    nbformat.write(answered(assignment), local)  # the release with the source's solutions in its answer cells
    upload_and_open(page, served, local, len(released.cells))
    state = run_all(page)
    tests = graded_cells(released)
    failed = {grade_id: state["cells"][i]["outputs"] for i, grade_id in tests if errors_of(state, i)}
    assert failed == {}
    assert all(state["cells"][i]["count"] is not None for i, _ in tests)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    save_and_download(page, name, submissions / "browser_student.ipynb")

    course = course_copy(tmp_path / "grading", assignment)
    results, failures = grade_class(assignment, submissions, tmp_path / "out",
                                    Options(workers=1, timeout=20, quiet=True), course=course)
    assert not failures
    (result,) = results
    assert (result.status, result.score) == ("graded", result.max_score) and result.max_score > 0, result.message
    shutil.rmtree(tmp_path / "out" / "results")  # it holds the hidden tests
