"""What the instructor learns from a run: why each test failed, the commonest mistakes, and the review of flagged work.

A class of ex01 where three students make the same mistake (the mean of R, G, B instead of the weighted sum),
one a different one, one leaves the notebook blank, one is flagged (imports the reference) and one is correct.
"""

from __future__ import annotations

import csv
import datetime
import html
import re

import pytest
from nbgrader.api import Gradebook

from autograder.__main__ import main
from autograder.grading import Options, grade_class
from autograder.review import REVIEWS, ReviewError, accept
from tests.assignments.roundtrip import course_copy
from tests.grading.fixtures import CLASS, GREY_MEAN, _variant

A = "ex01_image_tensors"
#: The err_msg of the visible check that the mean of R, G, B fails (in the notebook's test_to_grayscale cell).
MEAN_MISTAKE = "grey values of pure red, green, blue and white pixels"
STUDENTS = {"mean_1": CLASS["wrong"][0], "mean_2": CLASS["wrong"][0], "mean_3": CLASS["wrong"][0],
            "hidden_only": CLASS["hidden_only"][0], "blank": CLASS["blank"][0],
            "flagged": CLASS["imports_reference"][0], "correct": CLASS["correct"][0]}


def _rows(path, key="student_id"):
    with open(path) as f:
        return list(csv.DictReader(f))


def _grade(course, folder, out):
    results, failed = grade_class(A, folder, out, Options(workers=2, timeout=20, quiet=True), course=course)
    assert not failed, failed
    return {r["student_id"]: r for r in _rows(out / "grades.csv")}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    course = course_copy(tmp, A)
    folder = tmp / "submissions"
    folder.mkdir()
    for student, text in STUDENTS.items():
        (folder / f"{student}.ipynb").write_text(text)
    out = tmp / "out"
    return course, folder, out, _grade(course, folder, out)


def test_every_failed_test_has_a_reason(run):
    """tests.csv gives each failed test a one-line reason in the check's own words; passed tests have none."""
    _, _, out, _ = run
    tests = _rows(out / "tests.csv")
    for row in tests:
        if row["passed"] == "True":
            assert row["reason"] == "", row
        else:
            assert row["reason"] and "\n" not in row["reason"], row
    by = {(r["student_id"], r["test"]): r["reason"] for r in tests}
    assert MEAN_MISTAKE in by[("mean_1", "test_to_grayscale")]
    assert by[("blank", "test_stack_images")] == "NotImplementedError"
    hidden = by[("hidden_only", "test_to_grayscale")]
    assert hidden.startswith("to_grayscale: 1 of 7 hidden checks failed: to_grayscale(X shape (2, 1, 3, 4, 3))"), hidden


def test_reasons_reveal_no_more_than_the_feedback(run):
    """Every reason is text the student's own feedback page shows (nothing more of the hidden tests)."""
    _, _, out, _ = run
    for row in _rows(out / "tests.csv"):
        if row["reason"] and row["student_id"] != "flagged":
            page = html.unescape(re.sub(r"<[^>]+>", "", (out / "feedback" / f"{row['student_id']}.html").read_text()))
            words = row["reason"].removeprefix("NotImplementedError").split(": ")[-1][:60]
            assert words in " ".join(page.split()), (row["student_id"], row["reason"])


def test_the_report_counts_the_commonest_reasons(run):
    """report.html lists, for test_to_grayscale, the mean-of-RGB mistake first, with the 3 students who made it."""
    _, _, out, _ = run
    page = (out / "report.html").read_text()
    section = page[page.index("What students got wrong"):page.index("Needs attention")]
    grey = section[section.index("test_to_grayscale"):]
    first = re.search(r"<td>(\d+)</td><td>([^<]*)</td>", grey)
    assert first.group(1) == "3" and MEAN_MISTAKE in html.unescape(first.group(2)), grey[:500]
    assert "<td>1</td>" in grey  # the hidden-only mistake, once


def test_review_lists_what_waits(run, capsys):
    """`review DIR` lists the flagged student with why it was flagged and what it would score."""
    _, _, out, _ = run
    assert main(["review", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 flagged submission(s) waiting for review" in printed
    assert "flagged: flagged for review:" in printed and "would score 5/8" in printed, printed


def test_accepting_changes_that_student_only_and_is_recorded(run, capsys):
    """Accepting gives the flagged student its would-be score (status accepted, who/when), others unchanged, gradebook too."""
    course, folder, out, before = run
    assert main(["review", str(out), "--accept", "flagged", "--by", "Prof. Kim"]) == 0
    after = {r["student_id"]: r for r in _rows(out / "grades.csv")}
    assert after["flagged"]["status"] == "accepted" and float(after["flagged"]["score"]) == 5.0
    assert after["flagged"]["message"].startswith("accepted by Prof. Kim at 20"), after["flagged"]["message"]
    assert {s: r for s, r in after.items() if s != "flagged"} == {s: r for s, r in before.items() if s != "flagged"}
    assert "accepted by Prof. Kim" in (out / "report.html").read_text()
    assert (out / REVIEWS).exists()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(A, A, "flagged")
        assert notebook.score == 5.0 and not notebook.flagged
        assert any("accepted by Prof. Kim" in (c.auto_comment or "") for c in notebook.comments)
        assert gradebook.find_submission_notebook(A, A, "correct").score == 8.0


def test_an_acceptance_survives_a_rerun_but_not_a_resubmission(run):
    """A later grade run keeps the acceptance; a changed submission is flagged again, and says why."""
    course, folder, out, _ = run
    assert _grade(course, folder, out)["flagged"]["status"] == "accepted"
    (folder / "flagged.ipynb").write_text(_variant({"to_grayscale": "from solutions import to_grayscale\n" + GREY_MEAN}))
    rows = _grade(course, folder, out)
    assert rows["flagged"]["status"] == "flagged" and float(rows["flagged"]["score"]) == 0.0
    assert "an earlier acceptance by Prof. Kim no longer applies" in rows["flagged"]["message"]


def test_only_flagged_students_can_be_accepted(run):
    """Accepting a student who is not flagged, or unknown, is refused with the reason, and records nothing."""
    _, _, out, _ = run
    before = (out / REVIEWS).read_text()
    with pytest.raises(ReviewError, match="correct is not flagged .status graded.; nobody was not graded"):
        accept(out, ["correct", "nobody"], "TA", datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc))
    assert (out / REVIEWS).read_text() == before
