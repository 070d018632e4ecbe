"""A Korean student works in the browser: the Korean exercise page opens the Korean notebook in JupyterLite, its
visible tests say what is wrong in Korean, and the notebook downloaded after the fix grades to full marks with
Korean feedback.

One exercise (ex02) end to end; `tests/browser/test_exercises_in_the_browser.py` runs all six in English. The page,
its offline guard and the student's actions are `tests/browser/lite.py`'s.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder.grading import Options, grade_class
from autograder.translations import KOREAN, hangul_share
from tests.assignments.roundtrip import course_copy
from tests.browser.lite import (errors_of, page, run_all, run_one_by_one, save_and_download,  # noqa: F401 (fixtures)
                                served, set_source, upload_and_open, wait_for_notebook)
from tests.conftest import ROOT
from tests.environments.student_env import solutions_of

pytestmark = [pytest.mark.book, pytest.mark.browser]

A = "ex02_correlation"
#: The Korean release, as the book offers it (and the in-browser site as `ko/<A>.ipynb`).
KOREAN_RELEASE = ROOT / "chapters" / "exercises" / "ko" / f"{A}.ipynb"
#: A student's convolve that forgot to flip F (the lecture: convolution proper flips the filter).
UNFLIPPED = ("def convolve(X, F):\n    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
             "    if X.shape != F.shape:\n        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
             "    return float(np.sum(X * F))\n")
#: What the visible test_convolve says of it, in the Korean catalogue's words (and the English source's).
KOREAN_FAILURE = "먼저 F를 뒤집고(F[n_H−1−i, n_W−1−j]) 그다음에 상관을 계산하자"
ENGLISH_FAILURE = "flip F first (F[n_H−1−i, n_W−1−j]), then correlate"


def _korean_release():
    return nbformat.read(KOREAN_RELEASE, as_version=4)


def _index(notebook, grade_id: str) -> int:
    (index,) = [i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return index


def _graded(notebook) -> list[int]:
    return [i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade")]


def test_the_korean_exercise_page_opens_the_korean_notebook(page, served):
    """The Korean page's button opens `ko/ex02_correlation.ipynb`: Korean instructions, every test NotImplementedError."""
    released = _korean_release()
    page.goto(f"{served}/ko/chapters/exercises/{A}.html")
    page.get_by_role("link", name=f"{A}.ipynb을(를) 브라우저에서 열기").click()
    wait_for_notebook(page, f"ko/{A}.ipynb", len(released.cells))
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell").first.inner_text()
    assert hangul_share(shown) > 0.5, shown
    state = run_one_by_one(page)
    for index in _graded(released):
        errors = errors_of(state, index)
        assert errors and "NotImplementedError" in errors[0]["ename"], state["cells"][index]["outputs"]


def test_a_korean_notebook_fails_in_korean_then_grades_to_full_marks(page, served, tmp_path):
    """Uploaded with an unflipped convolve, the Korean notebook's test_convolve fails with the Korean message and the
    other tests pass; fixed in the page, run again, saved and downloaded, it grades full marks with Korean feedback."""
    notebook = _korean_release()
    answers = solutions_of(A)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = UNFLIPPED if grade_id == "convolve" else answers[grade_id]
    local = tmp_path / f"{A}_ko.ipynb"
    nbformat.write(notebook, local)
    upload_and_open(page, served, local, len(notebook.cells))

    state = run_one_by_one(page)
    failing = {notebook.cells[i].metadata.nbgrader.grade_id: errors_of(state, i) for i in _graded(notebook)
               if errors_of(state, i)}
    assert list(failing) == ["test_convolve"], failing
    (error,) = failing["test_convolve"]
    assert KOREAN_FAILURE in error["evalue"] and ENGLISH_FAILURE not in error["evalue"], error

    set_source(page, _index(notebook, "convolve"), answers["convolve"])
    state = run_all(page)
    assert {i: errors_of(state, i) for i in _graded(notebook) if errors_of(state, i)} == {}
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    save_and_download(page, local.name, submissions / "ko_browser_student.ipynb")

    results, failures = grade_class(A, submissions, tmp_path / "out", Options(workers=1, timeout=20, quiet=True),
                                    course=course_copy(tmp_path / "grading", A))
    assert not failures
    (result,) = results
    assert (result.status, result.score, result.language) == ("graded", result.max_score, KOREAN), result.message
    assert result.max_score > 0
    feedback = (tmp_path / "out" / "feedback" / "ko_browser_student.html").read_text()
    assert '<html lang="ko">' in feedback[:200]
    shutil.rmtree(tmp_path / "out" / "results")  # it holds the hidden tests
