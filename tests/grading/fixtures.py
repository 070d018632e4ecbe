"""Fixture submissions for ex01_image_tensors: every kind of notebook a class folder really contains."""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.course import COURSE

A = "ex01_image_tensors"
SOURCE = COURSE / "source" / A / f"{A}.ipynb"
RELEASE = COURSE.parent / "chapters" / "exercises" / f"{A}.ipynb"


def _variant(answers=None, drop=(), edit=None) -> str:
    notebook = nbformat.read(SOURCE, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and grade_id in answers:
            cell.source = answers[grade_id]
        if edit and grade_id in edit:
            cell.source = edit[grade_id]
    notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in drop]
    return nbformat.writes(notebook)


def _other_assignment() -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("def correlate(X, F):\n    return 0.0", metadata={
        "nbgrader": {"grade": False, "grade_id": "correlate", "locked": False, "schema_version": 3, "solution": True}})]
    return nbformat.writes(notebook)


GREY_MEAN = "def to_grayscale(X):\n    return np.asarray(X, dtype=float).mean(axis=-1)\n"

# Passes the visible tests (one image, one batch) but not the hidden ones (more leading axes).
GREY_4D_ONLY = ("def to_grayscale(X):\n    X = np.asarray(X, dtype=float)\n    if X.shape[-1] != 3:\n"
                "        raise ValueError(f'X must have n_C=3; got {X.shape}')\n"
                "    if X.ndim == 3:\n        return np.einsum('ijc,c->ij', X, [0.299, 0.587, 0.114])\n"
                "    return np.einsum('nijc,c->nij', X, [0.299, 0.587, 0.114])\n")

#: student id -> (notebook text, expected status, expected score out of 8)
CLASS = {
    "correct": (SOURCE.read_text(), "graded", 8.0),
    "wrong": (_variant({"to_grayscale": GREY_MEAN}), "graded", 5.0),
    "blank": (RELEASE.read_text(), "graded", 0.0),
    "hidden_only": (_variant({"to_grayscale": GREY_4D_ONLY}), "graded", 5.0),
    "infinite_loop": (_variant({"to_grayscale": "def to_grayscale(X):\n    while True:\n        pass\n"}), "timeout", 5.0),
    "crash": (_variant({"stack_images": "np.lib.stride_tricks.as_strided(np.zeros(1), shape=(10**9,), strides=(10**6,)).sum()\n"}), "crashed", 5.0),
    "large_allocation": (_variant({"to_channels_first": "big = np.ones(2**31)\n"}), "graded", 6.0),
    "invalid_json": ('{"cells": [', "invalid", 0.0),
    "deleted_tests": (_variant(drop=("test_to_grayscale", "test_stack_images", "imports")), "graded", 8.0),
    "edited_tests": (_variant({"to_grayscale": GREY_MEAN}, edit={"test_to_grayscale": '"""passes"""\nassert True\n'}), "graded", 5.0),
    "imports_reference": (_variant({"to_grayscale": "from solutions import to_grayscale\n"}), "flagged", 0.0),
    "patches_asserts": (_variant({"to_grayscale": "np.testing.assert_allclose = lambda *args, **kwargs: None\n" + GREY_MEAN}), "flagged", 0.0),
    "other_assignment": (_other_assignment(), "invalid", 0.0),
}


def write_class(folder: Path, students=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for student, (text, _, _) in CLASS.items():
        if students is None or student in students:
            (folder / f"{student}.ipynb").write_text(text)
    return folder


def stop_processes(processes, grace: float = 20) -> None:
    """Stop processes started with start_new_session=True (a Dask scheduler, its workers): SIGTERM to each
    process group, last started first; SIGKILL to any still running after `grace` seconds."""
    import os
    import signal
    import subprocess

    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in reversed(processes):
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
