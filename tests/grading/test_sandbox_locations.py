"""The sandbox works for a Python installed anywhere, and says the real cause when it cannot start.

A virtual environment under a temp folder is how many CI systems and newcomers install the course; bubblewrap
mounts in order, so a private /tmp mounted after the interpreter would hide it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import sandbox
from tests.conftest import ROOT, repo_copy, skip_or_fail

#: What `python -m autograder grade` imports, pinned as in requirements.txt.
GRADING_PACKAGES = ["nbgrader", "nbformat", "nbclient", "numpy", "matplotlib", "rich"]


def _pins(tmp: Path) -> Path:
    constraints = tmp / "constraints.txt"
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    constraints.write_text("\n".join(line for line in lines if "==" in line and "[" not in line))
    return constraints


@pytest.fixture(scope="module")
def temp_venv(tmp_path_factory) -> Path:
    """A virtual environment created under a temp folder, with the grader's packages installed into it."""
    if shutil.which(sandbox.BWRAP) is None:
        skip_or_fail("bubblewrap is not installed")
    tmp = tmp_path_factory.mktemp("venv-under-tmp")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "-c", str(_pins(tmp)), *GRADING_PACKAGES], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    assert str(python).startswith(("/tmp/", os.path.realpath(os.environ.get("TMPDIR", "/tmp")))), python
    return python


def test_a_venv_under_tmp_grades_in_the_sandbox(temp_venv, tmp_path):
    """`grade`, run by a venv's Python under /tmp, sandboxed, gives a correct submission full marks (and a stub 0)."""
    works, why = sandbox.check(str(temp_venv))
    assert works, why
    repo = repo_copy(tmp_path)
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(repo / "autograder" / "source" / "ex03_bias" / "ex03_bias.ipynb", folder / "correct.ipynb")
    shutil.copy(repo / "chapters" / "exercises" / "ex03_bias.ipynb", folder / "blank.ipynb")
    run = subprocess.run([str(temp_venv), "-m", "autograder", "grade", "ex03_bias", str(folder), "--out", str(tmp_path / "out")],
                         cwd=repo, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout.startswith("sandbox: on"), run.stdout[:500]
    rows = {r.split(",")[0]: r.split(",") for r in (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:]}
    assert rows["correct"][2] == rows["correct"][3] and float(rows["correct"][3]) > 0, rows["correct"]
    assert rows["correct"][4] == "graded" and rows["correct"][7] == "True", rows["correct"]
    assert float(rows["blank"][2]) == 0.0, rows["blank"]


def test_the_interpreter_is_mounted_after_the_private_tmp(temp_venv, tmp_path):
    """The sandbox's own mounts leave the venv's interpreter visible; mounted before --tmpfs /tmp it would be hidden."""
    command = sandbox.wrap([str(temp_venv), "-c", "1"], tmp_path, tmp_path, str(temp_venv))
    assert sandbox.hidden_paths(command, [str(temp_venv), str(temp_venv.parents[1])]) == {}
    # The mount order before the fix: the interpreter bound first, the private /tmp over it.
    binds = sandbox._python_binds(str(temp_venv))
    after_tmp = command.index("--tmpfs") + 2
    assert command[after_tmp:after_tmp + len(binds)] == binds
    moved = command[:after_tmp] + command[after_tmp + len(binds):]
    before = moved[:moved.index("--proc")] + binds + moved[moved.index("--proc"):]
    assert sandbox.hidden_paths(before, [str(temp_venv)]) == {str(temp_venv): "--tmpfs /tmp is mounted over it"}


def test_a_hidden_course_path_is_named(tmp_path):
    """The course itself is never mounted (wherever the checkout is): hidden_paths names it, and says why."""
    command = sandbox.wrap([sys.executable, "-c", "1"], tmp_path, tmp_path)
    hidden = sandbox.hidden_paths(command, [str(ROOT / "solutions"), "/opt/course/solutions", "/tmp/course/solutions"])
    assert hidden == {str(ROOT / "solutions"): hidden.get(str(ROOT / "solutions")),
                      "/opt/course/solutions": "nothing mounts it",
                      "/tmp/course/solutions": "--tmpfs /tmp is mounted over it"}
    assert hidden[str(ROOT / "solutions")] in ("nothing mounts it", "--tmpfs /tmp is mounted over it")


def test_a_python_without_the_kernel_packages_is_named(tmp_path):
    """A bare venv (no NumPy) is refused with the package and the interpreter it is missing from, not a guess."""
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    if shutil.which(sandbox.BWRAP) is None:
        skip_or_fail("bubblewrap is not installed")
    works, why = sandbox.check(str(venv / "bin" / "python"))
    assert not works
    assert why == f"the Python package numpy is not installed for {venv / 'bin' / 'python'}"


def test_missing_bubblewrap_is_said(tmp_path):
    """Without bwrap on PATH, the check says bubblewrap is not installed and how to install it."""
    code = "from autograder import sandbox; print(sandbox.check())"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PATH": str(tmp_path)})
    assert "bubblewrap (bwrap) is not installed" in run.stdout and "False" in run.stdout, run.stdout + run.stderr


@pytest.mark.parametrize("stderr, cause", [
    ("bwrap: execvp /tmp/venv/bin/python: No such file or directory", "/tmp/venv/bin/python is not visible inside the sandbox"),
    ("bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces",
     "user namespaces are disabled on this host"),
    ("bwrap: setting up uid map: Permission denied", "user namespaces are disabled on this host"),
])
def test_bubblewrap_errors_are_said_as_their_cause(stderr, cause):
    """bubblewrap's own error lines (as it prints them) become their cause: a path not visible, namespaces disabled."""
    assert sandbox.explain(stderr, ["bwrap", "--", sys.executable]).startswith(cause)
