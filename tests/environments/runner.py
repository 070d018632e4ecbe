"""Execute notebooks in a fresh kernel of the Python running this script; print each cell's outcome as JSON.

Run by another interpreter than the test suite's (the student environment's venv), so it imports nothing from
the repository, only the standard library, nbformat and nbclient:

    python runner.py JOBS.json RESULTS.json

JOBS.json is a list of {"name": ..., "notebook": path, "workdir": path}. Every notebook runs in its own kernel
(this interpreter, through a kernelspec written here, with a private IPython and Jupyter home), with its folder
`workdir` as the current directory, all cells executed even after an error (allow_errors). RESULTS.json maps
each name to {"cells": [...], "probe": {...}, "error": str | None}: per code cell its nbgrader grade_id, flags,
the error it raised (ename, evalue) and its stderr; `probe` is what the kernel itself reports after the last
cell (Python and NumPy versions, sys.prefix, current directory, whether the course's packages are importable).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL_NAME = "conv-layers-student-env"
PROBE_TAG = "ENVIRONMENT-PROBE "
PROBE = f'''\
import importlib.util as _probe_util, json as _probe_json, os as _probe_os, sys as _probe_sys
import numpy as _probe_np
print({PROBE_TAG!r} + _probe_json.dumps({{
    "python": list(_probe_sys.version_info[:3]),
    "executable": _probe_sys.executable,
    "prefix": _probe_sys.prefix,
    "numpy": _probe_np.__version__,
    "numpy_file": _probe_np.__file__,
    "cwd": _probe_os.getcwd(),
    "sys_path": _probe_sys.path,
    "importable": {{m: _probe_util.find_spec(m) is not None for m in ("solutions", "autograder", "tests")}},
}}))
'''


def isolate(home: Path) -> None:
    """Kernels of this interpreter only, and no user configuration: a private Jupyter and IPython home."""
    spec = home / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python {sys.version_info[0]}.{sys.version_info[1]} (student environment)",
        "language": "python",
    }))
    for name in ("config", "runtime", "ipython"):
        (home / name).mkdir()
    os.environ.update({
        "JUPYTER_PATH": str(home / "jupyter"), "JUPYTER_DATA_DIR": str(home / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
    })
    for name in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "JUPYTER_CONFIG_PATH"):
        os.environ.pop(name, None)


def outcome(cell) -> dict:
    nbgrader = cell.metadata.get("nbgrader", {})
    errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
    return {
        "grade_id": nbgrader.get("grade_id"),
        "grade": bool(nbgrader.get("grade")),
        "solution": bool(nbgrader.get("solution")),
        "error": [errors[0].ename, errors[0].evalue] if errors else None,
        "stderr": "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stderr"),
        "stdout": "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stdout"),
    }


def run(notebook_path: Path, workdir: Path) -> dict:
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE, metadata={"environment_probe": True}))
    result = {"cells": [], "probe": None, "error": None}
    try:
        NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=60, startup_timeout=120, allow_errors=True,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    except Exception:  # a timeout or a dead kernel: report it, with whatever cells did run
        result["error"] = traceback.format_exc(limit=3)
    *cells, probe = notebook.cells
    result["cells"] = [outcome(c) for c in cells if c.cell_type == "code"]
    for line in outcome(probe)["stdout"].splitlines():
        if line.startswith(PROBE_TAG):
            result["probe"] = json.loads(line[len(PROBE_TAG):])
    return result


def main(jobs_path: str, results_path: str) -> None:
    jobs = json.loads(Path(jobs_path).read_text())
    with tempfile.TemporaryDirectory(prefix="student-env-home-") as home:
        isolate(Path(home))
        results = {job["name"]: run(Path(job["notebook"]), Path(job["workdir"])) for job in jobs}
    Path(results_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:])
