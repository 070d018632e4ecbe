"""`python -m autograder grade` on a class folder with every kind of submission, graded for real by nbgrader."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.grading import Options, grade_class, run_local
from tests.assignments.roundtrip import course_copy
from tests.conftest import ROOT
from tests.grading.fixtures import A, CLASS, write_class

OPTIONS = dict(workers=2, timeout=3, memory_limit_gib=1.0, quiet=True)


def read_grades(out):
    with open(out / "grades.csv") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return course_copy(tmp_path_factory.mktemp("course"), A)


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    out = tmp / "out"
    grade_class(A, write_class(tmp / "submissions"), out, Options(**OPTIONS), course=course)
    return out


@pytest.mark.parametrize("student", CLASS)
def test_status_and_score(graded, student):
    """Each fixture submission gets the status and score its content deserves."""
    _, status, score = CLASS[student]
    row = read_grades(graded)[student]
    assert (row["status"], float(row["score"]), float(row["max_score"])) == (status, score, 8.0), row["message"]


def test_non_graded_submissions_say_why(graded):
    """Every submission that is not plainly graded carries a message in grades.csv saying why."""
    rows = read_grades(graded)
    assert "longer than 3 s" in rows["infinite_loop"]["message"]
    assert "kernel died" in rows["crash"]["message"]
    assert "not a readable notebook" in rows["invalid_json"]["message"]
    assert "not a notebook of ex01_image_tensors" in rows["other_assignment"]["message"]
    assert "imports from solutions" in rows["imports_reference"]["message"]
    assert "rebinds numpy.testing.assert_allclose" in rows["patches_asserts"]["message"]


def test_per_test_results(graded):
    """tests.csv has one row per student and test, and the wrong answer fails exactly test_to_grayscale."""
    with open(graded / "tests.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(CLASS) * 3
    failed = {r["test"] for r in rows if r["student_id"] == "wrong" and r["passed"] == "False"}
    assert failed == {"test_to_grayscale"}


def test_feedback_hides_the_hidden_tests(graded):
    """Every student gets a feedback page, and none shows the hidden tests, their harness or tracebacks into them."""
    pages = {p.stem: p.read_text() for p in (graded / "feedback").glob("*.html")}
    assert set(pages) == set(CLASS)
    for student, page in pages.items():
        for secret in ("HIDDEN TESTS", "_hidden_check", "_hidden_blob", "_integrity_report", "AUTOGRADER-INTEGRITY"):
            assert secret not in page, f"{student}'s feedback shows {secret}"
    assert "grey values of pure red, green, blue and white pixels" in pages["wrong"]  # the visible test's message
    assert "to_grayscale: 1 of 7 hidden checks failed" in pages["hidden_only"]
    assert "to_grayscale(X shape (2, 1, 3, 4, 3))" in pages["hidden_only"]  # which hidden case, not how it is checked


def test_report_lists_what_needs_attention(graded):
    """report.html holds the histogram, the pass-rate chart and every non-graded submission, with no external link."""
    page = (graded / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    for student in ("infinite_loop", "crash", "invalid_json", "imports_reference", "other_assignment"):
        assert student in page.split("Needs attention")[1].split("All submissions")[0]
    assert "http://" not in page and "https://" not in page


def test_rerun_grades_nobody_again(course, graded, tmp_path):
    """Running the same command again gives the same grades without regrading anyone."""
    before = (graded / "grades.csv").read_text()
    calls = []

    def counting(tasks, workers, on_result):
        calls.extend(t.student_id for t in tasks)
        return run_local(tasks, workers, on_result)

    grade_class(A, write_class(tmp_path / "submissions"), graded, Options(**OPTIONS), course=course, runner=counting)
    assert calls == []
    assert (graded / "grades.csv").read_text() == before


def test_interrupted_run_finishes_the_rest(course, tmp_path):
    """A run stopped after some students, started again, grades only the others; --force regrades all."""
    out = tmp_path / "out"
    first = ["correct", "wrong"]
    grade_class(A, write_class(tmp_path / "partial", first), out, Options(**OPTIONS), course=course)
    calls = []

    def counting(tasks, workers, on_result):
        calls.append(sorted(t.student_id for t in tasks))
        return run_local(tasks, workers, on_result)

    everyone = ["correct", "wrong", "blank"]
    folder = write_class(tmp_path / "all", everyone)
    grade_class(A, folder, out, Options(**OPTIONS), course=course, runner=counting)
    assert calls == [["blank"]]
    assert set(read_grades(out)) == set(everyone)
    grade_class(A, folder, out, Options(**OPTIONS, force=True), course=course, runner=counting)
    assert calls[-1] == sorted(everyone)


def test_zip_and_nbgrader_layout(course, tmp_path):
    """A .zip of nbgrader's <student>/<assignment>/*.ipynb layout is graded like a plain folder."""
    layout = tmp_path / "layout"
    for student in ("correct", "blank"):
        (layout / student / A).mkdir(parents=True)
        (layout / student / A / f"{A}.ipynb").write_text(CLASS[student][0])
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in layout.rglob("*.ipynb"):
            zf.write(path, path.relative_to(layout))
    results, failed = grade_class(A, archive, tmp_path / "out", Options(**OPTIONS), course=course)
    assert not failed
    assert {r.student_id: r.score for r in results} == {"blank": 0.0, "correct": 8.0}


def test_gradebook_holds_the_scores(course, graded):
    """The course gradebook (one writer) holds every student's score; flagged and invalid count 0."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(A)}
    assert scores == {student: score for student, (_, _, score) in CLASS.items()}


@pytest.mark.parametrize("args, message", [
    (["grade", "ex99_nothing", "SUBS", "--out", "OUT"], "unknown assignment ex99_nothing"),
    (["grade", A, "MISSING", "--out", "OUT"], "no such folder or zip file"),
    (["grade", A, "SUBS", "--out", "OUT", "--workers", "0"], "must be positive"),
])
def test_bad_arguments_exit_non_zero_with_a_clear_message(tmp_path, args, message):
    """Unknown assignment, missing folder and nonsense options stop before grading, with a clear message."""
    write_class(tmp_path / "subs", ["correct"])
    args = [a.replace("SUBS", str(tmp_path / "subs")).replace("MISSING", str(tmp_path / "missing"))
            .replace("OUT", str(tmp_path / "out")) for a in args]
    run = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode != 0
    assert message in run.stderr


def test_command_line_grades_a_class(tmp_path):
    """The real command line grades a folder, prints a summary and exits 0."""
    write_class(tmp_path / "subs", ["correct", "invalid_json"])
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", A, str(tmp_path / "subs"), "--out",
                          str(tmp_path / "out"), "--workers", "1", "--timeout", "5", "--db", f"sqlite:///{tmp_path / 'gb.db'}"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "correct" in run.stdout and "invalid" in run.stdout
    assert set(read_grades(tmp_path / "out")) == {"correct", "invalid_json"}
    shutil.rmtree(tmp_path / "out")


def test_runtime_check_flags_what_the_scan_cannot_see(course, tmp_path):
    """Code that hides a file read from the scan (a function alias, a path built at run time) is flagged while it runs."""
    import nbformat

    from tests.grading.fixtures import SOURCE, _variant

    correct = next(c.source for c in nbformat.read(SOURCE, as_version=4).cells
                   if c.metadata.get("nbgrader", {}).get("grade_id") == "to_grayscale")
    # A student who guessed where the course lives: the path is built at run time, the reader is an alias.
    target = str(course / "source" / "ex01_image_tensors" / "ex01_image_tensors.ipynb")
    sneaky = ("reader = np.loadtxt\n"
              f"hidden = {target[::-1]!r}[::-1]\n"
              "try:\n    reader(hidden, dtype=str, delimiter=chr(1))\nexcept Exception:\n    pass\n")
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "sneaky.ipynb").write_text(_variant({"to_grayscale": sneaky + correct}))
    results, _ = grade_class(A, folder, tmp_path / "out", Options(**OPTIONS, sandbox=False), course=course)
    assert results[0].status == "flagged" and "at run time: open" in results[0].message, results[0].message
    assert "would score 8/8" in results[0].message
