"""A student's environment outside the repository: Python 3.10 with NumPy 1.26 in a venv, and the notebooks to run.

- `find_python310()` — a real Python 3.10 interpreter on this machine (PATH, then pyenv), or None;
- `student_venv(python, pins)` — a venv with `pins` (default `PINS`) installed, under the system's temporary folder (kept between local
  runs, keyed by the interpreter and the pins; CI starts clean), built once under a file lock;
- `answered(assignment)`, `blank(assignment)` — the released notebook with the source's solutions, and as released;
- `execute(python, notebooks, tmp)` — runs `runner.py` with that interpreter: every notebook in a fresh kernel
  of it, in an empty folder outside the repository; returns each notebook's cell outcomes and the kernel's probe.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat

from tests.conftest import ROOT

RUNNER = Path(__file__).with_name("runner.py")
SOURCE = ROOT / "autograder" / "source"
RELEASED = ROOT / "chapters" / "exercises"
# The notebooks import only numpy (and the standard library); ipykernel, nbclient and nbformat run them.
# ipykernel 7.4 needs Python >= 3.11: 7.3.0 is the newest for 3.10.
PINS = ("numpy==1.26.4", "ipykernel==7.3.0", "nbclient==0.11.0", "nbformat==5.11.1")
PYTHON = (3, 10)
NUMPY = "1.26.4"
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def find_python(version: tuple[int, int] = PYTHON) -> str | None:
    """`python3.X` on PATH (a pyenv shim counts only if it runs), then pyenv's 3.X builds; None if there is none."""
    name = f"python{version[0]}.{version[1]}"
    candidates = [shutil.which(name)]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        if root:
            candidates += sorted(glob.glob(f"{root}/versions/{version[0]}.{version[1]}*/bin/{name}"), reverse=True)
    candidates += sorted(glob.glob(f"/root/.pyenv/versions/{version[0]}.{version[1]}*/bin/{name}"), reverse=True)
    for python in candidates:
        if python and _version(python) == version:
            return python
    return None


def find_python310() -> str | None:
    return find_python(PYTHON)


def student_venv(python: str, pins: tuple[str, ...] = PINS) -> Path:
    """The venv's interpreter: `python` with `pins`, outside the repository (built now unless already there)."""
    base = Path(tempfile.gettempdir()).resolve()
    assert not base.is_relative_to(ROOT), f"the system temporary folder {base} is inside the repository"
    key = hashlib.sha256(json.dumps([os.path.realpath(python), pins]).encode()).hexdigest()[:12]
    version = _version(python)
    home = base / f"conv-layers-env-{key}"
    ready = home / "ready.txt"
    venv_python = home / "bin" / "python"
    with open(base / f"{home.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists() and _version(str(venv_python)) == version:
            return venv_python
        shutil.rmtree(home, ignore_errors=True)
        steps = ([python, "-m", "venv", str(home)],
                 [str(venv_python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
                 [str(venv_python), "-m", "pip", "freeze"])
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900, cwd=base,
                                  env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
            if done.returncode != 0:
                shutil.rmtree(home, ignore_errors=True)
                raise RuntimeError(f"{' '.join(step)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        ready.write_text(done.stdout)
    return venv_python


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def released(assignment: str):
    return nbformat.read(RELEASED / f"{assignment}.ipynb", as_version=4)


def solutions_of(assignment: str) -> dict[str, str]:
    """{grade_id: the source's solution cell without its BEGIN/END SOLUTION marker lines}."""
    source = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    return {_grade_id(c): "\n".join(line for line in c.source.splitlines() if not MARKER.match(line))
            for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}


def answered(assignment: str, replace: dict[str, str] | None = None):
    """The released notebook with every solution cell holding the source's solution (or `replace[grade_id]`).

    Only solution cells change: the test cells stay the released ones (visible tests only).
    """
    notebook = released(assignment)
    answers = solutions_of(assignment) | (replace or {})
    stubs = {_grade_id(c) for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")}
    assert stubs and stubs == set(solutions_of(assignment)), \
        f"{assignment}: released solution cells {sorted(stubs)} differ from the source's {sorted(solutions_of(assignment))}"
    for cell in notebook.cells:
        if _grade_id(cell) in stubs:
            cell.source = answers[_grade_id(cell)]
    return notebook


def blank(assignment: str):
    """The released notebook exactly as a student downloads it."""
    return released(assignment)


def execute(python: str | Path, notebooks: dict, tmp: Path) -> dict[str, dict]:
    """Run each notebook ({name: notebook}) with `python` through `runner.py`; {name: {"cells", "probe", "error"}}."""
    jobs = []
    for name, notebook in notebooks.items():
        workdir = tmp / name
        workdir.mkdir(parents=True)
        path = tmp / f"{name}.ipynb"
        nbformat.write(notebook, path)
        jobs.append({"name": name, "notebook": str(path), "workdir": str(workdir)})
    (tmp / "jobs.json").write_text(json.dumps(jobs))
    done = subprocess.run([str(python), str(RUNNER), str(tmp / "jobs.json"), str(tmp / "results.json")],
                          capture_output=True, text=True, timeout=1200, cwd=tmp,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    if done.returncode != 0:
        raise RuntimeError(f"runner.py under {python} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return json.loads((tmp / "results.json").read_text())
