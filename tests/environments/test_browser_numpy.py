"""The browser's NumPy grades like the grader's: every source notebook passes its visible and hidden tests there.

In-browser exercises (JupyterLite's Pyodide kernel) run Python 3.12 with NumPy 2.0.2, grading runs the pinned
NumPy. Each instructor notebook — solutions, visible tests and hidden tests, as nbgrader autogrades it — runs here
in a Python 3.12 venv with NumPy 2.0.2, outside the repository: every test cell must pass without a warning, so a
notebook that passes in the browser cannot fail at grading for a version reason.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder import ASSIGNMENTS
from tests.conftest import ROOT, skip_or_fail
from tests.environments.student_env import execute, find_python, student_venv

BROWSER_PYTHON = (3, 12)
BROWSER_NUMPY = "2.0.2"
PINS = (f"numpy=={BROWSER_NUMPY}", "ipykernel==7.4.0", "nbclient==0.11.0", "nbformat==5.11.1")
SOURCE = ROOT / "autograder" / "source"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    python = find_python(BROWSER_PYTHON)
    if python is None:
        skip_or_fail("no Python 3.12 (neither python3.12 on PATH nor a pyenv 3.12 build)")
    venv = student_venv(python, PINS)
    notebooks = {a: nbformat.read(SOURCE / a / f"{a}.ipynb", as_version=4) for a in ASSIGNMENTS}
    return execute(venv, notebooks, tmp_path_factory.mktemp("browser-numpy"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_pass_visible_and_hidden_tests_under_the_browser_numpy(runs, assignment):
    """Under Python 3.12 and NumPy 2.0.2 every test cell of the source (hidden tests included) passes, silently."""
    run = runs[assignment]
    assert run["error"] is None, run["error"]
    assert tuple(run["probe"]["python"][:2]) == BROWSER_PYTHON and run["probe"]["numpy"] == BROWSER_NUMPY, run["probe"]
    tests = [c for c in run["cells"] if c["grade"]]
    assert tests and any("HIDDEN" in c.source for c in nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", 4).cells)
    failed = {c["grade_id"]: c["error"] or c["stderr"] for c in tests if c["error"] or c["stderr"]}
    assert failed == {}, failed
