"""Benchmark of grading a class of ``ex06_feature_maps`` submissions (not a test).

What it measures
----------------
It makes ``--submissions`` notebooks (default 40) the way students hand them in: the released notebook with
its answer cells filled in, in two class mixes (``--mix``, default both, one after the other): *mixed* — most
are correct, every fifth is wrong (one of three wrong answers) and one loops forever in ``correlate2d`` — and
*correct* — every one correct (no timeout in the mix, which would flatter parallel grading: a worker waiting out
a loop leaves its core to the other). Then, on this machine, for each mix, it times:

* ``floor``  -- executing the very notebooks nbgrader executes (the autograded notebooks of (a): the student's
                answers, the test cells with their hidden tests, outputs cleared) with ``nbclient`` alone, one
                fresh kernel each, one after the other, in this process: no grading, no gradebook, no feedback.
* ``(a)``    -- the baseline: plain ``nbgrader autograde ex06_feature_maps`` over all of them (one CLI call, as an
                nbgrader course does it), in a course directory where the assignment is already released.
* ``(b)``    -- ``python -m autograder grade ex06_feature_maps SUBMISSIONS --workers 1`` (sandbox on, the default);
* ``(b-)``   -- the same with ``--no-sandbox`` (issue 7: what the bubblewrap sandbox costs);
* ``(c)``    -- ``--workers`` = all cores;
* ``(d)``    -- with ``--dask``: ``--cluster`` on a local ``dask scheduler`` and ``dask worker --nworkers <cores>
                --nthreads 1`` started beforehand (the cluster's start-up is not timed; its workers' first
                submission, which sets up nbgrader in each of them, is).

Every variant uses the same per-cell timeout (``--timeout``, default 5 s), so the infinite loop costs each the
same; kernels run with one BLAS thread everywhere (OPENBLAS/OMP/MKL_NUM_THREADS=1, as the grader's kernels do).
``grade`` runs are the real command line (interpreter start, the course checks, the workers' start and set-up,
merging into the gradebook, the CSVs, feedback pages and report all included) with ``--force`` into a fresh output
folder and ``--db`` a copy of the released course's gradebook, which (a) has too.
An untimed warm-up run of ``grade`` on two submissions comes first, so no variant pays for a cold disk cache.

Each variant prints its wall-clock seconds, seconds per submission, CPU seconds per submission (the whole
machine's busy time while it ran, so run this on a quiet machine; on 2 cores no variant can take less wall time
than half its CPU time) and peak memory: the largest total resident memory of the process tree (the command, its
workers and every kernel), sampled every 50 ms with psutil; for (d) only the command's own, since the Dask workers
and their kernels are not its processes.
Then the ratios and the targets (on 2 cores): (c)/(a) <= 0.5, (b)/floor <= 1.2, the sandbox's cost
(b)/(b-) <= 1.10, and CPU per submission of (c) <= 0.7 x (a)'s. It also checks that (a), (b), (b-) and (c) gave every student the same score.

``--phases K`` (default 6; 0 skips) then grades K correct submissions in this process with ``autograder.task.grade``
(sandbox on, after one warm-up) and prints the mean seconds of each phase, beside the same phases of the floor's
nbclient runs: where a submission's time goes.

Run from the repository root:  ``python benchmarks/grading.py [--submissions 40] [--timeout 5] [--dask]``.
It writes only into a temporary folder (``--keep`` keeps it), except that ``grade``, as always, refreshes
``autograder/release/ex06_feature_maps/``. Exit status 0 unless some variant failed or the scores disagree.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, sys.path[0] is benchmarks/

import nbformat  # noqa: E402

from autograder.course import COURSE, nbgrader_api  # noqa: E402
from tests.assignments.test_wrong_ex06_feature_maps import NO_BIAS, PAD_ALL_AXES  # noqa: E402
from tests.grading.fixtures import stop_processes  # noqa: E402

A = "ex06_feature_maps"
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# ---- the class ------------------------------------------------------------------------------------------

INFINITE = "def correlate2d(X, F):\n    while True:\n        pass\n"
WRONG = {  # grade_id -> a plausible wrong answer (two shared with the wrong-answer tests)
    "zero_pad": PAD_ALL_AXES,
    "conv_forward": NO_BIAS,
    "correlate2d": '''def correlate2d(X, F):
    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)
    if X.ndim != 2 or F.ndim != 2 or F.shape[0] > X.shape[0] or F.shape[1] > X.shape[1]:
        raise ValueError(f"F has shape {F.shape} but X has shape {X.shape}")
    views = np.lib.stride_tricks.sliding_window_view(X, F.shape)
    return np.einsum("hwij,ij->hw", views, F[::-1, ::-1])   # flips F: a convolution
''',
}


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def make_class(released: Path, folder: Path, count: int, mix: str = "mixed") -> dict[str, str]:
    """`count` student notebooks in `folder`; returns {student: kind}. `mix`: "mixed" (one infinite loop, every
    fifth wrong) or "correct" (every submission correct: no timeout, which flatters parallel grading)."""
    source = nbformat.read(COURSE / "source" / A / f"{A}.ipynb", as_version=4)
    answers = {}
    for cell in source.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            answers[_grade_id(cell)] = "\n".join(lines) + "\n"
    wrong_ids = sorted(WRONG)
    folder.mkdir(parents=True)
    kinds = {}
    for i in range(count):
        student = f"s{i:03d}"
        mine = dict(answers)
        if mix == "correct":
            kinds[student] = "correct"
        elif i == 0:
            mine["correlate2d"], kinds[student] = INFINITE, "infinite loop"
        elif i % 5 == 4:
            which = wrong_ids[(i // 5) % len(wrong_ids)]
            mine[which], kinds[student] = WRONG[which], f"wrong {which}"
        else:
            kinds[student] = "correct"
        notebook = nbformat.read(released, as_version=4)
        for cell in notebook.cells:
            if _grade_id(cell) in mine:
                cell.source = mine[_grade_id(cell)]
        nbformat.write(notebook, folder / f"{student}.ipynb")
    return kinds


# ---- measuring --------------------------------------------------------------------------------------------

class PeakMemory:
    """Largest summed RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        try:
            import psutil
            self._psutil = psutil
        except ImportError:
            self._psutil = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        psutil = self._psutil
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = 0
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                pass
            self._stop.wait(0.05)

    def __enter__(self):
        if self._psutil is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._psutil is not None:
            self._thread.join()

    @property
    def mib(self) -> str:
        return f"{self.peak / 2**20:,.0f}" if self._psutil is not None else "n/a"


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy so far (psutil; /proc/stat on Linux).

    Machine-wide, because a sandboxed kernel's CPU time never reaches getrusage of the grader (the sandbox's
    PID namespace is killed, not waited for), nor do Dask workers' (not children of the command).
    """
    try:
        import psutil
    except ImportError:
        return float("nan")
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def run_command(command: list[str], cwd: Path, env: dict) -> tuple[float, str, float, subprocess.CompletedProcess]:
    """Run `command`: (wall seconds, peak MiB, busy CPU seconds of the machine meanwhile, the outcome)."""
    cpu = busy_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        out, err = process.communicate()
    seconds = time.perf_counter() - started
    cpu = busy_cpu_seconds() - cpu
    return seconds, memory.mib, cpu, subprocess.CompletedProcess(command, process.returncode, out, err)


def grade_command(submissions: Path, out: Path, db: Path, timeout: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", A, str(submissions), "--out", str(out), "--timeout", str(timeout),
            "--db", f"sqlite:///{db}", "--force", *extra]


def read_scores(out: Path) -> dict[str, float]:
    with open(out / "grades.csv") as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


def nbgrader_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student.id: float(s.score) for s in gradebook.assignment_submissions(A)}


def floor(notebooks: list[Path], timeout: int) -> tuple[float, str, float]:
    """nbclient alone: each notebook in a fresh kernel, one after the other, in this process."""
    from nbclient import NotebookClient

    cpu = busy_cpu_seconds()
    started = time.perf_counter()
    with PeakMemory(os.getpid()) as memory:
        for path in notebooks:
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    return seconds, memory.mib, busy_cpu_seconds() - cpu


# ---- phases -----------------------------------------------------------------------------------------------

class Phases:
    """Accumulates wall-clock seconds per named phase by wrapping functions and methods."""

    def __init__(self):
        self.seconds, self.calls, self._undo = defaultdict(float), defaultdict(int), []

    def wrap(self, owner, attribute: str, name: str):
        original = getattr(owner, attribute)
        phases = self
        if asyncio.iscoroutinefunction(original):
            @functools.wraps(original)
            async def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    phases.seconds[name] += time.perf_counter() - started
                    phases.calls[name] += 1
        else:
            @functools.wraps(original)
            def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    phases.seconds[name] += time.perf_counter() - started
                    phases.calls[name] += 1
        setattr(owner, attribute, timed)
        self._undo.append((owner, attribute, original))

    def reset(self):
        self.seconds.clear()
        self.calls.clear()

    def undo(self):
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)


def profile_phases(workspace: Path, submissions: list[Path], floor_notebooks: list[Path], timeout: int) -> None:
    from nbclient import NotebookClient
    from nbgrader.apps import NbGraderAPI

    import autograder.kernels  # noqa: F401 — wrapped below as task_module.kernels
    import autograder.task as task_module
    from autograder.task import GradingTask

    grade = task_module.grade  # looked up after wrapping, below
    source = (COURSE / "source" / A / f"{A}.ipynb").read_bytes()
    config = (COURSE / "nbgrader_config.py").read_text()
    phases = Phases()
    phases.wrap(task_module, "grade", "total")
    phases.wrap(task_module, "_read_submission", "read the submission")
    phases.wrap(task_module.integrity, "scan", "integrity scan (before running)")
    phases.wrap(task_module.shutil, "copytree", "copy the nbgrader course template")
    phases.wrap(NbGraderAPI, "autograde", "nbgrader autograde")
    # nbgrader (through nbconvert) calls nbclient's synchronous methods, the floor its asynchronous ones: wrap both.
    for sync, name in [("start_new_kernel", "  kernel: start the process"),
                       ("start_new_kernel_client", "  kernel: connect, wait until ready"),
                       ("execute_cell", "  kernel: run the cells"), ("_cleanup_kernel", "  kernel: shut down")]:
        phases.wrap(NotebookClient, sync, name)
        phases.wrap(NotebookClient, "_async_cleanup_kernel" if sync == "_cleanup_kernel" else f"async_{sync}", name)
    # Our kernels are started by autograder.kernels (the next submission's, while this one runs), not nbclient.
    phases.wrap(task_module.kernels, "start", "  kernel: start the process")
    phases.wrap(task_module, "_feedback_page", "feedback page (nbgrader's exporter)")
    phases.wrap(task_module, "_for_feedback", "strip hidden tests for feedback")
    try:
        grade = task_module.grade
        grade(GradingTask(A, "warmup", submissions[0].read_bytes(), source, config, timeout, 4.0, (), True))
        phases.reset()
        for i, path in enumerate(submissions):
            grade(GradingTask(A, f"p{i}", path.read_bytes(), source, config, timeout, 4.0, (str(workspace),), True))
        graded = dict(phases.seconds), dict(phases.calls)
        phases.reset()
        started = time.perf_counter()
        for path in floor_notebooks:
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        floor_total = time.perf_counter() - started
        floored = dict(phases.seconds)
    finally:
        phases.undo()
    n, m = len(submissions), len(floor_notebooks)
    seconds, calls = graded
    print(f"\nWhere a submission's time goes: mean seconds per correct submission, {n} graded in this process "
          f"(autograder.task.grade, sandbox on) and {m} run by nbclient alone (floor)")
    print(f"{'phase':<44}{'grade':>9}{'floor':>9}")
    order = ["read the submission", "integrity scan (before running)", "copy the nbgrader course template", "nbgrader autograde",
             "  kernel: start the process", "  kernel: connect, wait until ready", "  kernel: run the cells",
             "  kernel: shut down", "strip hidden tests for feedback", "feedback page (nbgrader's exporter)"]
    for name in order:
        ours = seconds.get(name, 0.0) / n
        theirs = floored.get(name, 0.0) / m if name.startswith("  kernel") else None
        print(f"{name:<44}{ours:>9.3f}{'' if theirs is None else f'{theirs:9.3f}':>9}")
    accounted = sum(seconds.get(k, 0.0) for k in order if not k.startswith("  ")) / n
    kernel_floor = sum(v for k, v in floored.items() if k.startswith("  kernel")) / m
    print(f"{'rest of grade (gradebook, result, files)':<44}{seconds['total'] / n - accounted:>9.3f}"
          f"{(floor_total / m) - kernel_floor:>9.3f}")
    print(f"{'total':<44}{seconds['total'] / n:>9.3f}{floor_total / m:>9.3f}")
    print(f"(autograde minus its kernel phases, i.e. nbgrader's own preprocessors and database: "
          f"{(seconds['nbgrader autograde'] - sum(v for k, v in seconds.items() if k.startswith('  kernel'))) / n:.3f} s)")


# ---- the run --------------------------------------------------------------------------------------------

def describe_machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")).split()[1])
        memory = f", {kib / 2**20:.0f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    from importlib.metadata import version

    bwrap = shutil.which("bwrap")
    bwrap_version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip() if bwrap else "no bwrap"
    return [f"machine: {cpu}, {cores} cores{memory}; {platform.system()} {platform.release()}",
            f"python {platform.python_version()}, nbgrader {version('nbgrader')}, nbclient {version('nbclient')}, "
            f"ipykernel {version('ipykernel')}, distributed {version('distributed')}, {bwrap_version}"]


def start_dask(workspace: Path, workers: int, env: dict) -> tuple[str, list[subprocess.Popen]]:
    info = workspace / "scheduler.json"
    processes = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", str(info)], cwd=workspace, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    deadline = time.monotonic() + 60
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(info.read_text())["address"]
    processes.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nworkers", str(workers),
                                       "--nthreads", "1", "--no-dashboard"], cwd=workspace, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, processes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40, help="how many submissions (default 40)")
    parser.add_argument("--timeout", type=int, default=5, help="per-cell timeout in seconds, for every variant (default 5)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of (c) (default: all cores)")
    parser.add_argument("--phases", type=int, default=6, metavar="K", help="profile K submissions phase by phase (0: skip)")
    parser.add_argument("--dask", action="store_true", help="also time --cluster on a local Dask scheduler and workers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--mix", choices=("both", "mixed", "correct"), default="both",
                        help="class mix: mixed (a timeout, wrong answers), correct only, or both (default)")
    args = parser.parse_args(argv)

    env = {**os.environ, **ONE_THREAD}
    os.environ.update(ONE_THREAD)  # the floor's kernels (started from this process) too
    print("\n".join(describe_machine()))
    failures = []
    mixes = ("mixed", "correct") if args.mix == "both" else (args.mix,)
    for number, mix in enumerate(mixes):
        failures += measure(args, env, mix, phases=args.phases if number == len(mixes) - 1 else 0)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def measure(args, env: dict, mix: str, phases: int) -> list[str]:
    """Every variant on one class of `mix`; prints the table and ratios; returns what failed."""
    workspace = Path(tempfile.mkdtemp(prefix="autograder-benchmark-"))
    n = args.submissions
    print(f"\n=== class mix: {mix} ===")
    print(f"{n} submissions of {A}, per-cell timeout {args.timeout} s; workspace {workspace}\n", flush=True)
    failures = []
    try:
        # The nbgrader course of the baseline, with the assignment released (as a course has it before grading).
        course = workspace / "course"
        (course / "source").mkdir(parents=True)
        shutil.copy(COURSE / "nbgrader_config.py", course)
        shutil.copytree(COURSE / "source" / A, course / "source" / A)
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            released = nbgrader_api(course).generate_assignment(A, force=True)
        assert released["success"], released["error"]
        # Each `grade` variant merges into a course gradebook that exists already, with the assignment in it, as
        # (a)'s does: a copy of it as released (creating a gradebook costs nbgrader an `alembic` run, ~2-4 s).
        released_gradebook = workspace / "released-gradebook.db"
        shutil.copy(course / "gradebook.db", released_gradebook)
        kinds = make_class(course / "release" / A / f"{A}.ipynb", workspace / "submissions", n, mix)
        for student in kinds:
            target = course / "submitted" / student / A
            target.mkdir(parents=True)
            shutil.copy(workspace / "submissions" / f"{student}.ipynb", target / f"{A}.ipynb")
        counts = defaultdict(int)
        for kind in kinds.values():
            counts[kind.split()[0]] += 1
        print("class: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), flush=True)

        # Untimed warm-up: the same command on two submissions (disk cache, .pyc files).
        warm = workspace / "warmup"
        warm.mkdir()
        for student in list(kinds)[1:3]:
            shutil.copy(workspace / "submissions" / f"{student}.ipynb", warm)
        run_command(grade_command(warm, workspace / "warmup-out", workspace / "warmup.db", args.timeout, "--workers", "1"),
                    ROOT, env)

        rows, scores = {}, {}
        print("(a) nbgrader autograde ...", flush=True)
        seconds, mib, cpu, done = run_command(
            [sys.executable, "-m", "nbgrader", "autograde", A, f"--Execute.timeout={args.timeout}"], course, env)
        if done.returncode != 0:
            failures.append(f"(a) exited {done.returncode}: {done.stderr[-2000:]}")
        rows["(a) nbgrader autograde (one call)"] = (seconds, mib, cpu)
        scores["(a)"] = nbgrader_scores(course)

        autograded = sorted((course / "autograded").glob(f"*/{A}/{A}.ipynb"))
        print("floor: nbclient ...", flush=True)
        rows["floor: nbclient alone, one kernel each"] = floor(autograded, args.timeout)

        variants = [("(b)", f"(b) grade --workers 1", ["--workers", "1"]),
                    ("(b-)", f"(b-) grade --workers 1 --no-sandbox", ["--workers", "1", "--no-sandbox"]),
                    ("(c)", f"(c) grade --workers {args.workers}", ["--workers", str(args.workers)])]
        processes = []
        if args.dask:
            address, processes = start_dask(workspace, args.workers, env)
            variants.append(("(d)", f"(d) grade --cluster (local Dask, {args.workers} workers)", ["--cluster", address]))
        try:
            for key, label, extra in variants:
                print(f"{label} ...", flush=True)
                out = workspace / f"out{key.strip('()')}"
                shutil.copy(released_gradebook, workspace / f"gradebook{key.strip('()')}.db")
                seconds, mib, cpu, done = run_command(
                    grade_command(workspace / "submissions", out, workspace / f"gradebook{key.strip('()')}.db", args.timeout,
                                  *extra), ROOT, env)
                if done.returncode != 0:
                    failures.append(f"{label} exited {done.returncode}: {done.stderr[-2000:]}")
                    continue
                rows[label] = (seconds, mib, cpu)
                scores[key] = read_scores(out)
        finally:
            stop_processes(processes, grace=30)

        print(f"\n{'variant':<48}{'seconds':>9}{'s/submission':>14}{'CPU s/subm.':>13}{'peak MiB':>10}")
        for label, (seconds, mib, cpu) in rows.items():
            print(f"{label:<48}{seconds:>9.1f}{seconds / n:>14.3f}{cpu / n:>13.3f}{mib:>10}")

        def total(prefix):
            return next((s for label, (s, _, _) in rows.items() if label.startswith(prefix)), None)

        a, b, b_open, c, fl = total("(a)"), total("(b) "), total("(b-)"), total("(c)"), total("floor")
        print()
        for name, value, target in [("(b)/floor", b and fl and b / fl, 1.2), ("(c)/(a)", c and a and c / a, 0.5),
                                    ("sandbox: (b)/(b-)", b and b_open and b / b_open, 1.10)]:
            if value is None:
                print(f"{name:<20} n/a (a variant failed)")
            else:
                print(f"{name:<20}{value:6.2f}   target <= {target:.2f}: {'MET' if value <= target else 'NOT MET'}")
        cpu_a, cpu_c = (next((cpu for label, (_, _, cpu) in rows.items() if label.startswith(p)), None) for p in ("(a)", "(c)"))
        if cpu_a and cpu_c:
            ratio = cpu_c / cpu_a
            print(f"{'CPU: (c)/(a)':<20}{ratio:6.2f}   CPU per submission below plain nbgrader's (< 1.00): "
                  f"{'MET' if ratio < 1 else 'NOT MET'}; aim <= 0.70: {'MET' if ratio <= 0.7 else 'NOT MET'}")
        if total("(d)") and c:
            print(f"{'(d)/(c)':<20}{total('(d)') / c:6.2f}   (Dask's overhead on this machine; no target)")

        reference = scores.get("(a)", {})
        disagree = sorted({(key, s) for key, got in scores.items() for s in kinds if got.get(s) != reference.get(s)})
        if len(reference) != n:
            failures.append(f"(a) graded {len(reference)} of {n}")
        if disagree:
            failures.append(f"scores disagree with nbgrader's: {disagree[:10]}")
        else:
            print(f"\nscores: every variant gives each of the {n} students nbgrader's score "
                  f"(class mean {sum(reference.values()) / max(1, len(reference)):.2f} of 13)")

        if phases > 0:
            correct = [workspace / "submissions" / f"{s}.ipynb" for s, k in kinds.items() if k == "correct"][:phases]
            correct_autograded = [course / "autograded" / p.stem / A / f"{A}.ipynb" for p in correct]
            profile_phases(workspace, correct, correct_autograded, args.timeout)
    finally:
        if args.keep:
            print(f"\nkept {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)
    return failures




if __name__ == "__main__":
    sys.exit(main())
