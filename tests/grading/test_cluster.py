"""`grade --cluster`: the same grading tasks on a Dask distributed cluster give the same grades as the local pool."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.course import CourseError
from autograder import grading
from autograder.grading import Options, grade_class
from tests.assignments.roundtrip import course_copy
from tests.conftest import ROOT
from tests.grading.fixtures import A, CLASS, stop_processes, write_class

distributed = pytest.importorskip("distributed")
from autograder.cluster import WORKER_MODULES, DaskRunner, code_zip, where_from  # noqa: E402

OPTIONS = dict(workers=2, timeout=3, memory_limit_gib=1.0, quiet=True)
#: A class with every outcome: full marks, a wrong answer, a timeout, a crash, unreadable, flagged.
STUDENTS = ["correct", "wrong", "infinite_loop", "crash", "invalid_json", "imports_reference"]


def read_grades(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def outcome(out: Path) -> dict[str, tuple]:
    return {s: (r["status"], float(r["score"]), float(r["max_score"]), r["message"]) for s, r in read_grades(out).items()}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return course_copy(tmp_path_factory.mktemp("course"), A)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as local:
        yield local


def test_code_zip_holds_the_grader_and_nothing_of_the_reference():
    """Workers get the modules a task needs, never solutions/ or the hidden-test generator (checks/)."""
    name, data = code_zip()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == sorted(f"autograder/{m}" for m in WORKER_MODULES)
    assert not any("solutions" in n or "checks" in n for n in names)
    assert code_zip()[0] == name  # the same code, the same file: workers see when the code changed


def test_cluster_grades_like_the_local_pool(course, cluster, tmp_path):
    """A LocalCluster of 2 worker processes gives exactly the local pool's grades.csv, from the uploaded code."""
    folder = write_class(tmp_path / "submissions", STUDENTS)
    grade_class(A, folder, tmp_path / "local", Options(**OPTIONS), course=course)
    runner = DaskRunner(cluster.scheduler_address)
    results, failed = grade_class(A, folder, tmp_path / "dask", Options(**OPTIONS, cluster=cluster.scheduler_address),
                                  course=course, runner=runner)
    assert not failed
    assert outcome(tmp_path / "dask") == outcome(tmp_path / "local")
    assert {s: (st, sc) for s, (st, sc, _, _) in outcome(tmp_path / "dask").items()} == \
        {s: CLASS[s][1:] for s in STUDENTS}
    with distributed.Client(cluster.scheduler_address) as client:
        sources = client.run(where_from)
    assert len(sources) == 2 and all(".zip" in path and "autograder-code-" in path for path in sources.values()), sources


def test_killed_worker_still_grades_everyone_once(course, cluster, tmp_path):
    """SIGKILL to a worker in the middle of a run: its submission goes to another worker, and each is recorded once."""
    students = ["correct", "wrong", "blank", "hidden_only"]
    folder = write_class(tmp_path / "submissions", students)
    recorded, killed = [], []
    runner = DaskRunner(cluster.scheduler_address)

    def killing(tasks, workers, on_result):
        def on_first(task, result):
            recorded.append(task.student_id)
            if not killed:
                with distributed.Client(cluster.scheduler_address) as client:
                    busy = [w for w, keys in client.processing().items() if keys]
                    assert busy, "nothing was running to kill"
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(busy[0])
            on_result(task, result)
        return runner(tasks, workers, on_first)

    killing.sandbox_status = runner.sandbox_status
    results, failed = grade_class(A, folder, tmp_path / "out", Options(**OPTIONS), course=course, runner=killing)
    assert killed and not failed
    assert sorted(recorded) == sorted(students)  # every submission once, none twice
    assert {s: (r["status"], float(r["score"])) for s, r in read_grades(tmp_path / "out").items()} == \
        {s: CLASS[s][1:] for s in students}
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(CourseError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskRunner("tcp://127.0.0.1:9", connect_seconds=2).connect()


def _start(args, cwd, env):
    return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=cwd, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_command_line_on_workers_without_a_checkout(tmp_path):
    """`grade --cluster` with `dask scheduler` and `dask worker` run where `autograder` cannot be imported."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = subprocess.run([sys.executable, "-c", "import autograder"], cwd=elsewhere, env=env, capture_output=True)
    assert probe.returncode != 0, "the test needs a folder where the grader is not importable"
    info = tmp_path / "scheduler.json"
    processes = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                        elsewhere, env)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert info.exists(), processes[0].stderr.read() if processes[0].poll() is not None else "no scheduler file"
        address = json.loads(info.read_text())["address"]
        processes.append(_start(["worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"], elsewhere, env))
        write_class(tmp_path / "subs", ["correct", "wrong", "invalid_json"])
        run = subprocess.run([sys.executable, "-m", "autograder", "grade", A, str(tmp_path / "subs"), "--out",
                              str(tmp_path / "out"), "--timeout", "5", "--cluster", address,
                              "--db", f"sqlite:///{tmp_path / 'gb.db'}"], cwd=ROOT, capture_output=True, text=True,
                             timeout=240)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Dask workers" in run.stdout and "1 worker processes" in run.stderr
        assert {s: (r["status"], float(r["score"])) for s, r in read_grades(tmp_path / "out").items()} == \
            {s: CLASS[s][1:] for s in ["correct", "wrong", "invalid_json"]}
    finally:
        stop_processes(processes)


def test_local_pool_is_still_the_default(course, tmp_path, monkeypatch):
    """Without --cluster the runner is the local pool, as before."""
    calls, original = [], grading.run_local

    def counting(tasks, workers, on_result):
        calls.append(len(tasks))
        return original(tasks, workers, on_result)

    monkeypatch.setattr(grading, "run_local", counting)
    grade_class(A, write_class(tmp_path / "subs", ["invalid_json"]), tmp_path / "out", Options(**OPTIONS), course=course)
    assert calls == [1]


def test_workers_get_every_module_a_task_imports():
    """WORKER_MODULES holds each autograder module that the modules it ships import (a worker has no checkout)."""
    import ast

    import autograder

    package = Path(autograder.__file__).parent
    needed = set()
    for name in WORKER_MODULES:
        for node in ast.walk(ast.parse((package / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                # `from . import ASSIGNMENTS` imports a name from __init__.py, `from . import crashes` a module
                needed |= {f"{n}.py" if (package / f"{n}.py").exists() or node.module else "__init__.py" for n in names}
    assert needed <= set(WORKER_MODULES), needed - set(WORKER_MODULES)
