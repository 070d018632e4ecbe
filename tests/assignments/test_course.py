"""The course as a whole: every reference function is asked for once, and plain nbgrader works as the README says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat

import solutions
from autograder import ASSIGNMENTS
from autograder.course import COURSE


def test_every_reference_function_is_asked_for_in_exactly_one_assignment():
    """The answer cells of the six sources name each of the 19 reference functions once, in its chapter's assignment."""
    asked = Counter()
    for assignment in ASSIGNMENTS:
        notebook = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        names = [c.metadata.nbgrader["grade_id"] for c in notebook.cells
                 if c.metadata.get("nbgrader", {}).get("solution")]
        assert sorted(names) == sorted(solutions.CHAPTERS[assignment]), assignment
        asked.update(names)
    assert set(asked) == set(solutions.__all__) - {"CHAPTERS"} and set(asked.values()) == {1}


def test_plain_nbgrader_commands_work_in_the_course_directory(tmp_path):
    """`nbgrader generate_assignment`, `autograde` and `generate_feedback`, run inside a copy of autograder/, grade a student."""
    course = tmp_path / "autograder"
    a = ASSIGNMENTS[0]
    (course / "source").mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / a, course / "source" / a)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    def nbgrader(*args):
        run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True)
        assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"

    nbgrader("generate_assignment", a)
    (course / "submitted" / "ada" / a).mkdir(parents=True)
    shutil.copy(course / "source" / a / f"{a}.ipynb", course / "submitted" / "ada" / a)
    (course / "submitted" / "bob" / a).mkdir(parents=True)
    shutil.copy(course / "release" / a / f"{a}.ipynb", course / "submitted" / "bob" / a)
    nbgrader("autograde", a)
    nbgrader("generate_feedback", a)
    full = (course / "feedback" / "ada" / a / f"{a}.html").read_text()
    blank = (course / "feedback" / "bob" / a / f"{a}.html").read_text()
    assert "Score: 8.0 / 8.0" in " ".join(full.split()) and "Score: 0.0 / 8.0" in " ".join(blank.split())
    for page in (full, blank):  # no hidden test code, not even quoted in a traceback
        assert "HIDDEN TESTS" not in page and "_hidden_check" not in page
