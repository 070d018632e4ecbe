"""A crash costs only the cells it kills: a kernel killed inside one function loses the tests that call it, no more.

Each student is a correct ex06 notebook with one function replaced by one that kills the kernel (a segfault in
pure NumPy, or os._exit); the expected losses are the points of the test cells that call that function, read
from the source notebook. A notebook whose code keeps killing fresh kernels stops after a bounded number.
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from autograder import crashes
from autograder.course import COURSE
from autograder.grading import Options, grade_class, run_local
from tests.assignments.roundtrip import course_copy, with_answer

A = "ex06_feature_maps"
SOURCE = COURSE / "source" / A / f"{A}.ipynb"
SEGFAULT = "np.lib.stride_tricks.as_strided(np.zeros(1), shape=(10**9,), strides=(10**6,)).sum()"

#: The test cells that call each function (the solution's conv_forward calls zero_pad and im2col).
CALLERS = {
    "correlate2d": {"test_correlate2d"},
    "zero_pad": {"test_zero_pad", "test_conv_forward", "test_conv_forward_vectorized"},
    "im2col": {"test_im2col", "test_im2col_vectorized", "test_conv_forward", "test_conv_forward_vectorized"},
}

STUDENTS = {
    "correct": {},
    "segfault_correlate2d": {"correlate2d": f"def correlate2d(X, F):\n    return {SEGFAULT}\n"},
    "segfault_zero_pad": {"zero_pad": f"def zero_pad(X, pad):\n    return {SEGFAULT}\n"},
    "exit_im2col": {"im2col": "import os\n\ndef im2col(X, f, stride=1):\n    os._exit(3)\n"},
    # Every function segfaults: each fresh kernel is killed by the next test cell.
    "kills_every_kernel": {name: f"def {name}(*args, **kwargs):\n    return {SEGFAULT}\n"
                           for name in ("zero_pad", "correlate2d", "im2col", "conv_forward")},
}
UNSCANNED = {"exit_im2col"}  # their imports would be flagged before they ran


def _points() -> dict[str, float]:
    notebook = nbformat.read(SOURCE, as_version=4)
    return {c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points) for c in notebook.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crashes")
    course = course_copy(tmp, A)
    folder = tmp / "submissions"
    folder.mkdir()
    for student, answers in STUDENTS.items():
        with_answer(SOURCE, answers, folder / f"{student}.ipynb")

    def runner(tasks, workers, on_result):
        for task in tasks:
            task.scan = task.student_id not in UNSCANNED
        return run_local(tasks, workers, on_result)

    results, failed = grade_class(A, folder, tmp / "out", Options(workers=2, timeout=10, quiet=True),
                                  course=course, runner=runner)
    assert not failed, failed
    return {r.student_id: r for r in results}, tmp / "out"


@pytest.mark.parametrize("student, function", [("segfault_correlate2d", "correlate2d"), ("segfault_zero_pad", "zero_pad"),
                                               ("exit_im2col", "im2col")])
def test_a_crash_costs_exactly_the_tests_that_call_the_function(graded, student, function):
    """A segfault or os._exit inside one function loses the points of the tests that call it, and no other."""
    results, _ = graded
    points, r = _points(), results[student]
    lost = {test for test, (score, top) in r.tests.items() if score != top}
    assert lost == CALLERS[function], r.message
    assert r.status == "crashed" and r.score == sum(points.values()) - sum(points[t] for t in CALLERS[function])


@pytest.mark.parametrize("student, first", [
    ("segfault_correlate2d", "test_correlate2d: the kernel died (segmentation fault) while running correlate2d"),
    ("segfault_zero_pad", "test_zero_pad: the kernel died (segmentation fault) while running zero_pad"),
    ("exit_im2col", "test_im2col: the kernel died (os._exit(3)) while running im2col"),
])
def test_the_message_names_the_cell_the_cause_and_the_function(graded, student, first):
    """The message says which cell died, why (the signal or os._exit) and which function was running."""
    message = graded[0][student].message
    assert message.startswith(first), message
    assert message.endswith("the other cells were graded in a fresh kernel"), message


def test_a_correct_notebook_in_the_same_run_is_untouched(graded):
    """The correct submission, graded by the same workers, scores full marks with status graded."""
    r = graded[0]["correct"]
    assert (r.status, r.score, r.message) == ("graded", r.max_score, "")


def test_a_notebook_that_kills_every_kernel_stops_after_a_bounded_number(graded, tmp_path):
    """Code that kills every fresh kernel ends after MAX_RESTARTS + 1 deaths: the rest is marked not run, and said."""
    r = graded[0]["kills_every_kernel"]
    deaths = crashes.MAX_RESTARTS + 1
    assert r.status == "crashed" and r.score == 0, r.message
    assert r.message.startswith("test_zero_pad: the kernel died (segmentation fault) while running zero_pad; "
                                "test_correlate2d: the kernel died (segmentation fault) while running correlate2d; "), r.message
    assert r.message.endswith(f"; …; after {deaths} kernels died the remaining cells were not run"), r.message
    page = (graded[1] / "feedback" / "kills_every_kernel.html").read_text()
    assert f"not run: the kernel died {deaths} times" in page


def test_crashes_are_recorded_in_the_csv_and_the_feedback(graded):
    """grades.csv keeps the crashed status and partial score; the feedback page shows why the cell failed."""
    results, out = graded
    with open(out / "grades.csv") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    r = results["segfault_correlate2d"]
    assert rows["segfault_correlate2d"]["status"] == "crashed"
    assert float(rows["segfault_correlate2d"]["score"]) == r.score > 0
    page = (out / "feedback" / "segfault_correlate2d.html").read_text()
    assert "the kernel died (segmentation fault) while running correlate2d" in page
