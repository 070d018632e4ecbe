"""`python -m autograder grade`: grade a class folder in parallel, resume after interruption, merge once.

Each submission becomes a pure `GradingTask` (task.py) run by a long-lived worker process; each finished
result is saved at once as `DIR/results/<student_id>.json`, so an interrupted run started again grades only
the rest (and `--force` regrades everyone). Only this process writes the course gradebook.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import threading
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .course import COURSE, CourseError, check_assignments, nbgrader_api
from .report import write_csvs, write_feedback, write_report
from .submissions import Submission, SubmissionsError, find_submissions
from .task import GradingResult, GradingTask, grade


@dataclass
class Options:
    workers: int = 0
    timeout: int = 30
    memory_limit_gib: float = 4.0
    force: bool = False
    db_url: str | None = None
    quiet: bool = False
    sandbox: bool = True
    cluster: str | None = None   # a Dask scheduler's address: grade there instead of in the local pool (cluster.py)


def _warm_worker(sample: GradingTask) -> None:
    """Runs once in each worker as it starts: see task.warm_up."""
    from .task import warm_up

    warm_up(sample)


def _import_for_the_end() -> None:
    try:
        import matplotlib.figure  # noqa: F401
        import nbgrader.api  # noqa: F401
        import nbgrader.apps  # noqa: F401
    except Exception:  # noqa: BLE001 — imported again (and any error shown) where they are used
        pass


#: In the output folder: what the last run graded and how (so that `review` can write the outputs again).
RUN = "run.json"


def _result_path(out: Path, student_id: str) -> Path:
    return out / "results" / f"{student_id}.json"


def _fingerprint(task: GradingTask) -> str:
    """What a saved result depends on: the submission, the source (hidden tests) and the limits."""
    digest = hashlib.sha256()
    limits = f"{task.timeout}/{task.memory_limit_gib}/{task.sandbox}".encode()
    for part in (task.submission, task.source, task.config.encode(), limits):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _save(out: Path, result: GradingResult, fingerprint: str) -> None:
    path = _result_path(out, result.student_id)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"fingerprint": fingerprint, "result": json.loads(result.to_json())}))
    os.replace(temporary, path)  # atomic: a result file is complete or absent, never half-written


def _read_saved(path: Path) -> tuple[GradingResult, str] | None:
    """A saved result file: (the result, the fingerprint it was graded with), or None when unreadable."""
    try:
        saved = json.loads(path.read_text())
        return GradingResult.from_json(json.dumps(saved["result"])), saved["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _load(out: Path, student_id: str, fingerprint: str) -> GradingResult | None:
    saved = _read_saved(_result_path(out, student_id))
    return saved[0] if saved is not None and saved[1] == fingerprint else None


def load_results(out: Path) -> dict[str, tuple[GradingResult, str]]:
    """Every saved result in `out/results/`: {student_id: (result, the fingerprint it was graded with)}."""
    found = {}
    for path in sorted((out / "results").glob("*.json")):
        if (saved := _read_saved(path)) is not None:
            found[saved[0].student_id] = saved
    return found


def make_tasks(assignment: str, submissions: list[Submission], options: Options, course: Path = COURSE) -> list[GradingTask]:
    """One task per submission, each with the source notebook in the submission's language: a Korean notebook is
    graded against the Korean source (made from the English one and the catalogues: translations.py), so nbgrader
    restores Korean test cells and the feedback is in Korean; cells, points and hidden tests are the same."""
    from .translations import KOREAN, korean_source, language_of

    sources = {"en": (course / "source" / assignment / f"{assignment}.ipynb").read_bytes()}
    config = (course / "nbgrader_config.py").read_text()
    roots = sorted({str(course.parent.resolve()), str(Path(submissions[0].path).parent.resolve())} if submissions else set())
    tasks = []
    for s in submissions:
        submission = s.path.read_bytes()
        language = language_of(submission)
        if language == KOREAN and KOREAN not in sources:
            sources[KOREAN] = korean_source(assignment, course)
        tasks.append(GradingTask(assignment, s.student_id, submission, sources[language], config, options.timeout,
                                 options.memory_limit_gib, tuple(roots), options.sandbox, language=language))
    return tasks


def run_local(tasks: list[GradingTask], workers: int, on_result) -> list[str]:
    """Grade `tasks` in `workers` long-lived processes; call on_result(task, result) as each finishes.

    Returns the student ids whose grading failed inside the grader (not the student's fault).
    """
    failed = []
    if not tasks:
        return failed
    sample = dataclasses.replace(tasks[0], submission=b"", student_id="")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(tasks))), mp_context=get_context("spawn"),
                             initializer=_warm_worker, initargs=(sample,)) as pool:
        pending = {pool.submit(grade, task): task for task in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    on_result(task, future.result())
                except Exception as error:  # the grader failed, not the student: report, never invent a grade
                    failed.append(f"{task.student_id}: {type(error).__name__}: {error}")
    return failed


def merge_into_gradebook(results: list[GradingResult], assignment: str, db_url: str | None, course: Path = COURSE) -> None:
    """Write every result into the course gradebook (one writer), as `nbgrader autograde` would have.

    Each autograded notebook goes to `course/autograded/<student>/<assignment>/`, where nbgrader's formgrader
    opens it, and nbgrader's own SaveAutoGrades stores its per-cell scores and comments; manual grades given in
    the formgrader are never touched. A submission that does not count (flagged, invalid) has its auto scores set
    to 0 and is flagged in the formgrader; the status and message go into the auto comment of its first answer.
    """
    import contextlib
    import io

    import nbformat
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.preprocessors import SaveAutoGrades

    from .task import SCORED

    api = nbgrader_api(course, **({"CourseDirectory.db_url": db_url} if db_url else {}))
    url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            known = True
        except MissingEntry:
            known = False
    if not known:  # the assignment's grade cells come from generate_assignment
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            made = api.generate_assignment(assignment, force=True)
        if not made["success"]:
            raise CourseError(f"nbgrader could not register {assignment} in the gradebook: {made['error']}")
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = [c.metadata.nbgrader["grade_id"] for c in source.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    with Gradebook(url) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's add_submission trips SQLAlchemy's harmless autoflush warnings
        for r in results:
            gradebook.update_or_create_student(r.student_id)
            try:
                gradebook.find_submission(assignment, r.student_id)
            except MissingEntry:
                gradebook.add_submission(assignment, r.student_id)
            if r.autograded:
                folder = course / "autograded" / r.student_id / assignment
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{assignment}.ipynb").write_text(r.autograded)
                resources = {"nbgrader": {"notebook": assignment, "assignment": assignment, "student": r.student_id,
                                          "db_url": url}}
                SaveAutoGrades().preprocess(nbformat.reads(r.autograded, as_version=4), resources)
            counts = r.status in SCORED
            notebook = gradebook.find_submission_notebook(assignment, assignment, r.student_id)
            for test, (score, _) in r.tests.items():
                grade_row = gradebook.find_grade(test, assignment, assignment, r.student_id)
                grade_row.auto_score = score if counts else 0.0
            notebook.flagged = r.status == "flagged"
            first = next((c for c in notebook.comments if c.name == answers[0]), None) if answers else None
            if first is not None and r.status != "graded":
                first.auto_comment = f"autograder: {r.status}; {r.message}"
            gradebook.db.commit()


def publish(results: list[GradingResult], fingerprints: dict[str, str], assignment: str, out: Path, course: Path,
            db_url: str | None, notes: list[str]) -> list[GradingResult]:
    """Apply the instructor's reviews (tied to `fingerprints`, {student: what they were graded from}), then write
    the gradebook, grades.csv, tests.csv, feedback/ and report.html."""
    from . import review
    from .feedback_words import translate_pages
    from .translations import locales_for

    results = review.apply(results, fingerprints, review.load(out))
    locales = locales_for(course)
    words, untranslated = translate_pages(results, locales)
    notes = notes + untranslated
    merge_into_gradebook(results, assignment, db_url, course)
    write_csvs(results, out)
    write_feedback(results, out, words)
    write_report(results, out, assignment, notes=notes, locales=locales)
    (out / RUN).write_text(json.dumps({"assignment": assignment, "course": str(course), "db_url": db_url,
                                       "students": [r.student_id for r in results], "notes": notes}))
    return results


def republish(out: Path) -> list[GradingResult]:
    """Write `out`'s outputs again from its saved results (after a review), as its last `grade` run did."""
    run = json.loads((out / RUN).read_text())
    saved = load_results(out)
    results = [saved[s][0] for s in run["students"] if s in saved]
    return publish(results, {s: f for s, (_, f) in saved.items()}, run["assignment"], out, Path(run["course"]),
                   run["db_url"], run["notes"])


def sandbox_status(wanted: bool) -> str:
    """The one line that says how student code runs; an error when the sandbox was wanted but cannot work."""
    from . import sandbox

    if not wanted:
        return "sandbox: OFF (--no-sandbox): student code runs as this user and can see the course and the network"
    works, description = sandbox.check()
    if not works:
        raise CourseError(f"the grading sandbox cannot run here: {description}. "
                          "Install bubblewrap, or pass --no-sandbox to grade without it (not recommended).")
    return f"sandbox: on ({description})"


def grade_class(assignment: str, where: Path, out: Path, options: Options, course: Path = COURSE,
                runner=None) -> tuple[list[GradingResult], list[str]]:
    """Grade every submission in `where`; write the outputs to `out`. Returns (results, grader failures).

    `runner(tasks, workers, on_result)` grades the tasks: by default the local pool (`run_local`), or the Dask
    cluster at `options.cluster`. A runner with a `sandbox_status` method checks the sandbox where it grades.
    """
    from .checks.embed import stale_reasons

    check_assignments([assignment])
    source = course / "source" / assignment / f"{assignment}.ipynb"
    if course == COURSE and (stale := stale_reasons(source)):
        raise CourseError(f"the hidden tests of {assignment} are out of date ({'; '.join(sorted(set(stale.values())))}): "
                          f"run `python -m autograder embed {assignment}`")
    submissions = find_submissions(where, assignment)
    if not submissions:
        raise SubmissionsError(f"no .ipynb submissions found in {where}")
    if runner is None:
        if options.cluster:
            from .cluster import DaskRunner

            runner = DaskRunner(options.cluster)
        else:
            runner = run_local
    sandbox_line = (getattr(runner, "sandbox_status", None) or sandbox_status)(options.sandbox)
    if not options.quiet:
        print(sandbox_line, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)

    # The merge and the report import nbgrader and matplotlib (~1 s): do it now, while this process only waits.
    threading.Thread(target=_import_for_the_end, daemon=True).start()
    tasks = make_tasks(assignment, submissions, options, course)
    fingerprints = {t.student_id: _fingerprint(t) for t in tasks}
    results = {}
    if not options.force:
        for t in tasks:
            if (saved := _load(out, t.student_id, fingerprints[t.student_id])) is not None:
                results[t.student_id] = saved
    todo = [t for t in tasks if t.student_id not in results]

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=options.quiet or not todo, transient=False) as progress:
        bar = progress.add_task(assignment, total=len(todo))

        def on_result(task, result):
            _save(out, result, fingerprints[task.student_id])
            results[task.student_id] = result
            progress.advance(bar)

        failed = runner(todo, options.workers or os.cpu_count() or 1, on_result)

    ordered = [results[t.student_id] for t in tasks if t.student_id in results]
    ordered = publish(ordered, fingerprints, assignment, out, course, options.db_url,
                      notes=[sandbox_line, f"graded with a {options.timeout} s per-cell timeout "
                             f"and a {options.memory_limit_gib:g} GiB memory limit"])
    return ordered, failed


def print_summary(results: list[GradingResult], failed: list[str], out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(results)} submissions graded → {out}")
    for column in ("student", "score", "status", "message"):
        table.add_column(column)
    for r in results:
        table.add_row(r.student_id, f"{r.score:g}/{r.max_score:g}", r.status, r.message[:80])
    console = Console(file=sys.stdout)
    console.print(table)
    for line in failed:
        console.print(f"[red]not graded (grader error, run again): {line}[/red]")
