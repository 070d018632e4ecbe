"""One grading task, pure: a source notebook and one student's notebook in; scores, status, feedback out.

A task carries everything it needs as bytes and text and touches nothing of the course: it grades in its own
scratch nbgrader course directory with a throwaway gradebook, in a kernel with a per-cell timeout and a memory
limit. So the same task runs in a local worker process or on a Dask worker with no shared filesystem; one
writer (the `grade` command) merges the results into the course gradebook.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import accessibility, crashes, integrity, kernels, reasons

#: Statuses, from best to worst (see the README). `accepted` is a flagged submission an instructor reviewed (review.py).
STATUSES = ("graded", "accepted", "timeout", "crashed", "invalid", "flagged")
#: The statuses whose tests' points are the score; the others score 0.
SCORED = ("graded", "accepted", "timeout", "crashed")


@dataclass
class GradingTask:
    assignment: str
    student_id: str
    submission: bytes                 # the student's .ipynb as submitted
    source: bytes                     # the assignment's source notebook (solutions and hidden tests)
    config: str                       # the course's nbgrader_config.py
    timeout: int = 30                 # seconds per cell
    memory_limit_gib: float = 4.0     # address space of the student's kernel
    forbidden_roots: tuple[str, ...] = ()  # folders student code must not touch (the course, other submissions)
    sandbox: bool = True              # run the kernel under bubblewrap (see sandbox.py)
    scan: bool = True                 # read the code for integrity findings before running it (off only to test the sandbox alone)
    language: str = "en"              # the submission's language ("en", "ko"): `source` is that edition (translations.py)


@dataclass
class GradingResult:
    assignment: str
    student_id: str
    status: str
    message: str
    score: float
    max_score: float
    tests: dict[str, tuple[float, float]] = field(default_factory=dict)  # grade_id -> (score, max_score)
    feedback_html: str = ""
    seconds: float = 0.0
    sandbox: bool = True              # whether the kernel ran inside the sandbox
    reasons: dict[str, str] = field(default_factory=dict)  # grade_id -> why that test failed (see reasons.py)
    autograded: str = ""              # the notebook as nbgrader autograded it (hidden tests included: instructor-only)
    language: str = "en"              # the edition it was graded with, and its feedback page's language

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "GradingResult":
        data = json.loads(text)
        data["tests"] = {k: tuple(v) for k, v in data["tests"].items()}
        return cls(**data)


def _grade_cells(notebook) -> dict[str, float]:
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0))
            for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _ids(notebook, **flags) -> set[str]:
    found = set()
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") and all(bool(meta.get(k)) == v for k, v in flags.items()):
            found.add(meta["grade_id"])
    return found


def _read_submission(task: GradingTask, source) -> tuple[object | None, str]:
    """The student's notebook, or None and why it cannot be graded."""
    try:
        notebook = nbformat.reads(task.submission.decode("utf-8"), as_version=4)
        cells = notebook.cells
    except Exception as error:  # bad JSON, bad encoding, not a notebook: all the same to the student
        return None, f"not a readable notebook ({type(error).__name__}: {str(error)[:200]})"
    expected = _ids(source, solution=True)
    if not expected & _ids(notebook, solution=True):
        return None, (f"not a notebook of {task.assignment}: none of its answer cells "
                      f"({', '.join(sorted(expected))}) is there")
    for cell in cells:  # drop outputs the student ran: nbgrader runs everything again
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook, ""


def _restore_locked_cells(notebook, source) -> list[str]:
    """Put back every read-only or test cell of the source the student deleted, where the source has it.

    nbgrader restores deleted test cells itself (`add_missing_cells`) but not other read-only cells such as the
    imports, without which every test would fail: the grade must not depend on what the student deleted.
    """
    def gid(cell):
        return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")

    present = {gid(c) for c in notebook.cells} - {None}
    restored, previous = [], None
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") and (meta.get("locked") or meta.get("grade")) and not meta.get("solution") \
                and meta["grade_id"] not in present:
            ids = [gid(c) for c in notebook.cells]
            at = ids.index(previous) + 1 if previous in ids else 0
            notebook.cells.insert(at, nbformat.from_dict(cell))
            restored.append(meta["grade_id"])
        if meta.get("grade_id") and (meta["grade_id"] in present or meta["grade_id"] in restored):
            previous = meta["grade_id"]
    return restored


def _timed_out(notebook) -> list[int]:
    cells = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error" and (output.ename in ("CellTimeoutError", "TimeoutError", "KeyboardInterrupt")
                                                  or "timed out" in output.evalue.lower()):
                cells.append(index)
    return cells


def _for_feedback(notebook) -> None:
    """Remove the grader's own cells; nbgrader_config.py's feedback preprocessors remove the hidden tests."""
    notebook.cells = [c for c in notebook.cells if not c.get("metadata", {}).get("autograder_internal")]


def grade(task: GradingTask) -> GradingResult:
    """Grade one submission. Never raises for anything the submission does."""
    started = time.perf_counter()
    source = nbformat.reads(task.source.decode("utf-8"), as_version=4)
    points = _grade_cells(source)
    max_score = sum(points.values())

    def result(status, message, tests=None, feedback="", why=None):
        tests = tests if tests is not None else {k: (0.0, v) for k, v in points.items()}
        score = sum(s for s, _ in tests.values()) if status in SCORED else 0.0
        if why is None:  # nothing ran: every test failed for the submission's own reason
            why = {k: message for k in tests}
        return GradingResult(task.assignment, task.student_id, status, message, score, max_score,
                             tests, feedback, round(time.perf_counter() - started, 3), task.sandbox, why,
                             language=task.language)

    notebook, why = _read_submission(task, source)
    if notebook is None:
        return result("invalid", why)
    findings = integrity.scan(notebook, _ids(source, locked=True) | _ids(source, grade=True)) if task.scan else []
    if findings and not task.sandbox:  # without the sandbox, code that reaches for the course is not run at all
        return result("flagged", "flagged for review: " + "; ".join(findings[:5]) + " (not run: no sandbox)")

    _restore_locked_cells(notebook, source)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-task-"))
    settings = kernels.KernelSettings(task.memory_limit_gib, task.sandbox)
    try:
        run = crashes.Run(settings, kernels.take(settings))
    except Exception:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    # Student code may touch its own kernel's folder only: not the course, other submissions, other kernels,
    # or this task's scratch course (which holds the source notebook with the hidden tests).
    first, last = integrity.runtime_cells([*task.forbidden_roots, str(scratch.resolve()),
                                           str(kernels.kernels_root().resolve())])
    for index, code in ((0, first), (len(notebook.cells) + 1, last)):
        notebook.cells.insert(index, nbformat.v4.new_code_cell(code, metadata={"autograder_internal": True}))
    try:
        return _grade_in(scratch, task, notebook, points, result, run, findings)
    finally:
        run.discard()
        shutil.rmtree(scratch, ignore_errors=True)


#: Per worker process: a course directory with the assignment already generated, per (assignment, source, config).
#: `generate_assignment` costs more than grading itself (~2 s: it creates the gradebook), so each task copies this.
_TEMPLATES: dict[str, Path] = {}
_TEMPLATE_ROOT: list[Path] = []


def _template(task: GradingTask) -> Path:
    from .course import nbgrader_api

    key = hashlib.sha256(task.assignment.encode() + task.source + task.config.encode()).hexdigest()[:16]
    if key not in _TEMPLATES:
        if not _TEMPLATE_ROOT:
            _TEMPLATE_ROOT.append(Path(tempfile.mkdtemp(prefix="autograder-templates-")))
            atexit.register(shutil.rmtree, _TEMPLATE_ROOT[0], True)
        course = _TEMPLATE_ROOT[0] / key
        a = task.assignment
        (course / "source" / a).mkdir(parents=True)
        (course / "nbgrader_config.py").write_text(task.config)
        (course / "source" / a / f"{a}.ipynb").write_bytes(task.source)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            released = nbgrader_api(course).generate_assignment(a, force=True)
        if not released["success"]:
            raise RuntimeError(f"nbgrader could not set up {a}: {released['error']}")
        _TEMPLATES[key] = course
    return _TEMPLATES[key]


_EXECUTE: list[type] = []


def _autograde_preprocessors(config) -> list:
    """nbgrader's autograde steps, with its Execute replaced by one that runs in the kernels this task takes."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from .crashes import execute_class

    if not _EXECUTE:
        _EXECUTE.append(execute_class(Execute))
    configured = config.Autograde.get("autograde_preprocessors") or Autograde.class_traits()["autograde_preprocessors"].default()
    return [_EXECUTE[0] if p is Execute or p == "nbgrader.preprocessors.Execute" else p for p in configured]


def warm_up(task: GradingTask) -> None:
    """Get a worker ready for tasks like `task` before the first arrives.

    Its first kernel starts booting, then nbgrader is imported and the course template and the feedback
    exporter (with its compiled page template) are made: the first submission then costs what any other does.
    """
    kernels.prestart(kernels.KernelSettings(task.memory_limit_gib, task.sandbox))
    from .course import nbgrader_api

    course = _template(task)
    exporter = _feedback_exporter(nbgrader_api(course), task.config)
    # Render the released notebook once, without the preprocessors (there is no grade to read): Jinja compiles
    # the page's templates and Pygments loads its Python lexer on a first render (~0.4 s).
    released = nbformat.read(course / "release" / task.assignment / f"{task.assignment}.ipynb", as_version=4)
    for cell in released.cells:  # what GetGrades would have filled in
        cell.metadata.get("nbgrader", {}).update(score=0, comment="")
    preprocessors, exporter._preprocessors = exporter._preprocessors, []
    try:
        exporter.from_notebook_node(released, resources={
            "nbgrader": {"notebook": task.assignment, "score": 0, "max_score": 0, "late_penalty": 0}})
    except Exception:  # noqa: BLE001 — only an optimisation: the first submission pays for it instead
        pass
    finally:
        exporter._preprocessors = preprocessors


def _grade_in(scratch: Path, task: GradingTask, notebook, points, result, run, findings) -> GradingResult:
    """Autograde `notebook` in `run`'s kernel; `findings` (the code scan's) flag it, with what it would score."""
    from nbgrader.api import Gradebook

    from .course import nbgrader_api

    a, sid = task.assignment, task.student_id
    course = scratch / "course"
    shutil.copytree(_template(task), course)
    submitted = course / "submitted" / sid / a
    submitted.mkdir(parents=True)
    nbformat.write(notebook, submitted / f"{a}.ipynb")

    api = nbgrader_api(course, **{"Execute.timeout": task.timeout})
    api.config.Autograde.autograde_preprocessors = _autograde_preprocessors(api.config)
    _EXECUTE[0].run = run
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            graded = api.autograde(a, sid, force=True, create=True)
    finally:
        _EXECUTE[0].run = None
    if not graded["success"]:
        text = f"{graded['error']}\n{graded['log']}"
        if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text.lower():
            why = f"the kernel died (os._exit, a crash, or more than {task.memory_limit_gib:g} GiB of memory)"
        else:
            why = "nbgrader could not run the notebook: " + (graded["error"] or "").strip().splitlines()[-1][:300] if graded["error"] else "nbgrader could not run the notebook"
        return result("crashed", why)

    autograded_path = course / "autograded" / sid / a / f"{a}.ipynb"
    executed = nbformat.read(autograded_path, as_version=4)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(a, a, sid)
        tests = {g.name: (float(g.score), float(g.max_score)) for g in submission.grades if g.name in points}

    failures = reasons.of_notebook(executed, tests, task.timeout)
    report = integrity.runtime_findings(executed.cells[-1].get("outputs", []))
    timeouts = [i for i in _timed_out(executed) if i not in (0, len(executed.cells) - 1)]
    if findings or report:
        status, message = "flagged", "flagged for review: " + "; ".join([*findings, *(report or [])][:5])
    elif run.deaths:
        status = "crashed"
        message = "; ".join(d.message for d in run.deaths[:3]) + ("; …" if len(run.deaths) > 3 else "")
        message += (f"; after {len(run.deaths)} kernels died the remaining cells were not run" if run.gave_up
                    else "; the other cells were graded in a fresh kernel")
    elif timeouts:
        status, message = "timeout", f"cell {timeouts[0]} ran longer than {task.timeout} s and was stopped; the other cells were graded"
    elif report is None:
        status, message = "flagged", "flagged for review: the grader's integrity report did not run (output or kernel tampered with)"
    else:
        status, message = "graded", ""
    if status == "flagged":
        scored = sum(s for s, _ in tests.values())
        message += f" (its tests would score {scored:g}/{sum(points.values()):g})"

    _for_feedback(executed)
    os.chmod(autograded_path, 0o644)
    nbformat.write(executed, autograded_path)
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        feedback = _feedback_page(api, task, autograded_path)
    graded_result = result(status, message, tests, feedback, failures)
    graded_result.autograded = autograded_path.read_text()
    return graded_result


#: Per worker process: the feedback exporter, per course configuration (see _feedback_page).
_FEEDBACK_EXPORTERS: dict[str, object] = {}


def _feedback_exporter(api, config: str):
    """nbgrader's GenerateFeedback exporter, with the course's preprocessors, made once per configuration."""
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config

    key = hashlib.sha256(config.encode()).hexdigest()[:16]
    if key not in _FEEDBACK_EXPORTERS:
        converter = GenerateFeedback(coursedir=api.coursedir, parent=api)
        template = Config()
        template.HTMLExporter.template_name = "feedback"  # as NbGraderAPI.generate_feedback sets it
        converter.update_config(template)
        exporter = converter.exporter_class(parent=converter, config=converter.config)
        for preprocessor in converter.preprocessors:
            exporter.register_preprocessor(preprocessor)
        _FEEDBACK_EXPORTERS[key] = exporter
    return _FEEDBACK_EXPORTERS[key]


def _feedback_page(api, task: GradingTask, autograded_path: Path) -> str:
    """The student's feedback page: what `nbgrader generate_feedback` writes, from one exporter per worker, made
    accessible (accessibility.py: WCAG 2.1 AA).

    nbgrader builds a new HTML exporter (and so compiles its Jinja templates again) on every call, which cost
    more than a quarter of a second per student. This is the same converter's exporter, with the same
    configured preprocessors (GetGrades, then the course's ClearHiddenTests and ShortTracebacks), made once.
    Returns "" when the page cannot be made (the grade stands; the report says there is no feedback).
    """
    exporter = _feedback_exporter(api, task.config)
    a, sid = task.assignment, task.student_id
    resources = {"unique_key": a, "output_files_dir": f"{a}_files",
                 "nbgrader": {"student": sid, "assignment": a, "notebook": a, "db_url": api.coursedir.db_url}}
    try:
        html, _ = exporter.from_filename(str(autograded_path), resources=resources)
    except Exception as error:  # noqa: BLE001 — a feedback page is never worth a lost grade
        print(f"feedback page failed: {type(error).__name__}: {error}", file=sys.stderr)
        return ""
    return accessibility.feedback(html, task.language)
