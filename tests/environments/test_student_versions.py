"""Every released notebook works on an older student setup: Python 3.10 with NumPy 1.26, outside the repository.

Each notebook runs twice in a venv of its own (see `student_env.py`): answered with the source's solutions, where
every visible test cell must pass, and blank as released, where every test cell must fail with NotImplementedError.
The kernel reports its own Python, NumPy and folder, so the checks cannot silently run somewhere else.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder import ASSIGNMENTS
from tests.conftest import ROOT, skip_or_fail
from tests.environments.student_env import NUMPY, PYTHON, answered, blank, execute, find_python310, released, student_venv

# A correct correlate, except that it converts a (1, 1) array to a float: NumPy 1.26 only warns
# (DeprecationWarning, NumPy 1.25), NumPy 2.4, which grades, raises TypeError.
DEPRECATED_CORRELATE = '''\
def correlate(X, F):
    X, F = np.asarray(X, dtype=np.float64), np.asarray(F, dtype=np.float64)
    if X.shape != F.shape:
        raise ValueError(f"X has shape {X.shape} but F has shape {F.shape}")
    return float(np.sum(X * F, keepdims=True))
'''
DEPRECATED = "deprecated-ex02_correlation"


def released_test_ids(notebook) -> list[str]:
    return [c.metadata.nbgrader.grade_id for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]


def errors(run, graded: bool) -> dict[str, list]:
    return {c["grade_id"]: c["error"] for c in run["cells"] if c["grade"] == graded and c["error"]}


@pytest.fixture(scope="module")
def student_python() -> Path:
    python = find_python310()
    if python is None:
        skip_or_fail("no Python 3.10 (neither python3.10 on PATH nor a pyenv 3.10 build)")
    try:
        return student_venv(python)
    except RuntimeError as error:
        pytest.fail(f"could not build the Python 3.10 / NumPy 1.26 venv: {error}")


@pytest.fixture(scope="module")
def runs(student_python, tmp_path_factory) -> dict[str, dict]:
    notebooks = {}
    for assignment in ASSIGNMENTS:
        notebooks[f"answered-{assignment}"] = answered(assignment)
        notebooks[f"blank-{assignment}"] = blank(assignment)
    notebooks[DEPRECATED] = answered("ex02_correlation", {"correlate": DEPRECATED_CORRELATE})
    return execute(student_python, notebooks, tmp_path_factory.mktemp("student-env"))


def test_every_kernel_is_python_310_with_numpy_126_outside_the_repository(runs, student_python):
    """Each notebook's kernel reports Python 3.10, NumPy 1.26.4 from the venv, a folder outside the repository, no course package."""
    venv = student_python.parent.parent
    assert len(runs) == 2 * len(ASSIGNMENTS) + 1
    for name, run in runs.items():
        probe = run["probe"]
        assert probe, f"{name}: the kernel never reported its environment ({run['error']})"
        assert tuple(probe["python"][:2]) == PYTHON, f"{name}: kernel runs Python {probe['python']}"
        assert probe["numpy"] == NUMPY, f"{name}: kernel imports NumPy {probe['numpy']} from {probe['numpy_file']}"
        assert Path(probe["prefix"]).resolve() == venv.resolve(), f"{name}: kernel's sys.prefix is {probe['prefix']}"
        assert Path(probe["numpy_file"]).resolve().is_relative_to(venv.resolve()), probe["numpy_file"]
        cwd = Path(probe["cwd"]).resolve()
        assert cwd.name == name and not cwd.is_relative_to(ROOT), f"{name}: kernel ran in {cwd}"
        assert not any((cwd / p).resolve().is_relative_to(ROOT) for p in probe["sys_path"]), probe["sys_path"]
        assert not any(probe["importable"].values()), f"{name}: course packages importable: {probe['importable']}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answered_notebook_changes_only_the_solution_cells(assignment):
    """The answered notebook is the release with each solution cell filled in: same test cells, no marker, no hidden test."""
    release, filled = released(assignment), answered(assignment)
    assert len(filled.cells) == len(release.cells)
    for stub, cell in zip(release.cells, filled.cells):
        assert cell.metadata == stub.metadata
        if stub.metadata.get("nbgrader", {}).get("solution"):
            assert "NotImplementedError" in stub.source and "NotImplementedError" not in cell.source, stub.metadata
            assert "### BEGIN" not in cell.source and "### END" not in cell.source
        else:
            assert cell.source == stub.source
    assert "HIDDEN" not in "".join(c.source for c in filled.cells)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answered_notebook_passes_every_visible_test(runs, assignment):
    """Answered with the source's solutions, every released test cell passes under Python 3.10 / NumPy 1.26."""
    run = runs[f"answered-{assignment}"]
    assert run["error"] is None, run["error"]
    ran = [c["grade_id"] for c in run["cells"] if c["grade"]]
    assert ran and ran == released_test_ids(released(assignment))
    assert errors(run, graded=True) == {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answered_notebook_prints_no_warning(runs, assignment):
    """The solutions and visible tests write nothing to stderr under NumPy 1.26 (no warning a student would see)."""
    stderr = {c["grade_id"]: c["stderr"] for c in runs[f"answered-{assignment}"]["cells"] if c["stderr"]}
    assert stderr == {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_notebook_fails_every_test_with_not_implemented(runs, assignment):
    """The released stub, unanswered, fails every test cell with NotImplementedError, not with another error."""
    run = runs[f"blank-{assignment}"]
    assert run["error"] is None, run["error"]
    tests = {c["grade_id"]: c["error"] and c["error"][0] for c in run["cells"] if c["grade"]}
    assert list(tests) == released_test_ids(released(assignment))
    assert tests and set(tests.values()) == {"NotImplementedError"}, tests


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_cells_other_than_tests_run_without_error(runs, assignment):
    """Imports, the loop checker and the function cells run without error, answered and blank alike."""
    for variant in ("answered", "blank"):
        assert errors(runs[f"{variant}-{assignment}"], graded=False) == {}, variant


def test_numpy_deprecation_in_a_student_cell_fails_its_test(runs):
    """A student's correlate that only warns under NumPy 1.26 (float of a (1, 1) array) fails test_correlate there."""
    assert "correlate(X, F)" in next(c.source for c in released("ex02_correlation").cells
                                     if c.metadata.get("nbgrader", {}).get("grade_id") == "test_correlate")
    failed = errors(runs[DEPRECATED], graded=True)
    assert list(failed) == ["test_correlate"], (
        f"{failed}: under NumPy 1.26 float() of a (1, 1) array only warns, so test_correlate passes unless the "
        "released imports cell turns DeprecationWarnings raised in the student's cells into errors")
    ename, evalue = failed["test_correlate"]
    assert ename == "DeprecationWarning" and "ndim > 0 to a scalar" in evalue, failed


def test_the_same_answer_is_an_error_under_the_grading_numpy(tmp_path):
    """Under the suite's own NumPy (the one grading uses) that correlate raises TypeError: why 1.26 must not let it pass."""
    notebook = answered("ex02_correlation", {"correlate": DEPRECATED_CORRELATE})
    run = execute(sys.executable, {DEPRECATED: notebook}, tmp_path)[DEPRECATED]
    assert run["probe"]["python"][:2] == list(sys.version_info[:2]), run["probe"]
    failed = errors(run, graded=True)
    assert list(failed) == ["test_correlate"] and failed["test_correlate"][0] == "TypeError", failed


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_names_the_numpy_that_grades(assignment):
    """The released imports cell names the NumPy that grading uses (major.minor of requirements.txt's pin)."""
    pin = next(line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("numpy=="))
    major_minor = ".".join(pin.removeprefix("numpy==").split(".")[:2])
    imports = next(c.source for c in released(assignment).cells if c.metadata.get("nbgrader", {}).get("grade_id") == "imports")
    assert f"Grading runs NumPy {major_minor};" in imports, imports
