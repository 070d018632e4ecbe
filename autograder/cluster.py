"""Grade on a Dask distributed cluster: `python -m autograder grade … --cluster tcp://HOST:8786`.

The same pure `GradingTask`s the local pool runs (task.py) are submitted to a Dask scheduler; any of its
workers runs them. Nothing is shared but the network:

- a task carries its inputs (the student's notebook, the assignment's source, the nbgrader config) and comes
  back as the result's JSON; only the `grade` command, on the instructor's machine, writes the gradebook;
- the code comes from the `grade` command too: the modules a task needs (`WORKER_MODULES`: not `solutions/`,
  not the hidden-test generator in `checks/`) are zipped and registered as a worker plugin, so every worker,
  including one that joins or is restarted mid-run, imports exactly the grader the instructor runs.
  A worker needs only the course's Python packages (`pip install -r requirements.txt`) and, for the
  sandbox, bubblewrap; no checkout, no shared filesystem.

Set-up, two commands (workers on as many machines as wanted):

    dask scheduler                                           # prints its address, tcp://HOST:8786
    dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1    # on each grading machine: one per core

Each worker process grades one submission at a time (grading changes process-wide state: environment
variables, stdout); a worker started with more threads still grades correctly, one at a time, and the
`grade` command says so. A worker killed mid-run loses only its current submission, which the scheduler
gives to another worker; each submission's result is recorded once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import sys
import threading
import uuid
import zipfile
from pathlib import Path

from .course import CourseError
from .task import GradingResult, GradingTask

#: The modules of the package a task imports on a worker (task.py and what it imports, and this file).
WORKER_MODULES = ("__init__.py", "task.py", "kernels.py", "forkserver.py", "crashes.py", "reasons.py", "accessibility.py", "integrity.py",
                  "sandbox.py", "course.py", "cluster.py", "translations.py")  # course.py's release imports translations
#: Fields of a GradingTask that are the same for every student of a run: sent to each worker once.
SHARED_FIELDS = ("source", "config")
CODE_PREFIX = "autograder-code-"
CONNECT_SECONDS = 20
WORKERS_SECONDS = 60


def code_zip() -> tuple[str, bytes]:
    """(file name, bytes) of a zip of the modules a worker needs; the name changes with the code."""
    package = Path(__file__).resolve().parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in WORKER_MODULES:
            info = zipfile.ZipInfo(f"autograder/{name}", date_time=(2000, 1, 1, 0, 0, 0))  # same code, same bytes
            archive.writestr(info, (package / name).read_bytes(), zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    return f"{CODE_PREFIX}{hashlib.sha256(data).hexdigest()[:16]}.zip", data


def _plugin(filename: str, data: bytes):
    """A worker plugin that installs the zipped grader on a worker.

    Its class is local to this function, so it travels by value (cloudpickle): a worker without the grader's
    code can load it. Everything a task calls is then imported, on the worker, from the zip it installs.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class AutograderCode(WorkerPlugin):
        name = "autograder-code"

        def __init__(self, filename, data):
            self.filename, self.data = filename, data

        def setup(self, worker):
            import importlib
            import os
            import sys

            path = os.path.join(worker.local_directory, self.filename)
            if not os.path.exists(path):
                with open(path + ".tmp", "wb") as f:
                    f.write(self.data)
                os.replace(path + ".tmp", path)
            # This zip, not a checkout or an older upload, is where `autograder` comes from from now on.
            sys.path[:] = [p for p in sys.path if not os.path.basename(p).startswith("autograder-code-")]
            sys.path.insert(0, path)
            for module in [m for m in sys.modules if m == "autograder" or m.startswith("autograder.")]:
                del sys.modules[module]
            importlib.invalidate_caches()
            importlib.import_module("autograder.cluster")

        def teardown(self, worker):
            # Dask ends its worker processes without running atexit: remove the nbgrader templates here.
            import shutil
            import sys

            task = sys.modules.get("autograder.task")
            for root in getattr(task, "_TEMPLATE_ROOT", []):
                shutil.rmtree(root, ignore_errors=True)

    return AutograderCode(filename, data)


def _on_worker(name: str):
    """A function calling `autograder.cluster.<name>` on a worker.

    It is local to this function, so it travels by value: the scheduler, which unpickles every task, needs
    none of the grader's code (only workers import it, from the uploaded zip).
    """
    def call(*args):
        import importlib

        return getattr(importlib.import_module("autograder.cluster"), name)(*args)

    return call


# ---- on a worker ----------------------------------------------------------------------------------

_LOCK = threading.Lock()                 # one grading at a time per worker process, whatever its thread count
_PROBE_LOCK = threading.Lock()
_SANDBOX: list[tuple[bool, str]] = []    # this process's sandbox check, done once


def probe_sandbox() -> tuple[bool, str]:
    """Whether the sandbox works on this worker (checked once per worker process)."""
    from . import sandbox

    with _PROBE_LOCK:
        if not _SANDBOX:
            _SANDBOX.append(sandbox.check())
    return _SANDBOX[0]


def grade_remote(fields: dict, shared: dict) -> str:
    """Run on a worker: grade one task, return the result as JSON."""
    from .task import grade

    task = GradingTask(**fields, **shared)
    if task.sandbox:
        works, description = probe_sandbox()
        if not works:  # a grader problem, never the student's: the grade command reports it as not graded
            raise RuntimeError(f"the sandbox cannot run on this worker: {description}")
    try:
        from distributed import get_worker

        # The worker's own folder (which holds this code) is out of bounds for student code too.
        task.forbidden_roots = (*task.forbidden_roots, str(Path(get_worker().local_directory).resolve()))
    except (ImportError, ValueError):
        pass
    with _LOCK:
        return grade(task).to_json()


def where_from() -> str:
    """Run on a worker: the file the grader's code was imported from (the tests check it is the uploaded zip)."""
    from . import task

    return task.__file__


# ---- on the instructor's machine --------------------------------------------------------------------

class DaskRunner:
    """A `runner` for `grading.grade_class` that grades on the Dask scheduler at `address`."""

    def __init__(self, address: str, *, connect_seconds: float = CONNECT_SECONDS, workers_seconds: float = WORKERS_SECONDS):
        self.address = address
        self.connect_seconds, self.workers_seconds = connect_seconds, workers_seconds
        self.client = None

    def connect(self):
        """The client, connected, with at least one worker, and the grader's code installed on every worker."""
        if self.client is not None:
            return self.client
        try:
            from distributed import Client
        except ImportError as error:
            raise CourseError(f"--cluster needs Dask's `distributed` package ({error}): pip install -r requirements.txt") from None
        try:
            self.client = Client(self.address, timeout=self.connect_seconds, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise CourseError(f"cannot reach the Dask scheduler at {self.address}: {error}") from None
        try:
            self.client.wait_for_workers(1, timeout=self.workers_seconds)
        except TimeoutError:
            self.close()
            raise CourseError(f"the Dask scheduler at {self.address} has no workers "
                              f"(waited {self.workers_seconds:g} s): start some with `dask worker {self.address}`") from None
        try:
            self.client.register_plugin(_plugin(*code_zip()))
        except Exception as error:
            self.close()
            raise CourseError(f"a Dask worker at {self.address} cannot load the grader ({type(error).__name__}: {error}); "
                              "workers need the course's packages: pip install -r requirements.txt") from None
        return self.client

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None

    def describe(self) -> str:
        info = self.connect().scheduler_info(n_workers=-1)["workers"]
        threads = sum(w.get("nthreads", 1) for w in info.values())
        line = f"grading on the Dask cluster at {self.address}: {len(info)} worker processes"
        if threads > len(info):
            line += (f" with {threads} threads in all; each process grades one submission at a time "
                     "(start workers with `--nworkers N --nthreads 1` to use every core)")
        return line

    def sandbox_status(self, wanted: bool) -> str:
        """Like grading.sandbox_status, about the workers (they run the kernels, not this machine)."""
        client = self.connect()
        if not wanted:
            return ("sandbox: OFF (--no-sandbox): student code runs as the Dask workers' user "
                    "and can see their files and the network")
        checks = client.run(probe_sandbox)
        broken = {w: d for w, (works, d) in checks.items() if not works}
        if broken:
            worker, description = next(iter(broken.items()))
            raise CourseError(f"the grading sandbox cannot run on Dask worker {worker}: {description}. Install bubblewrap "
                              "there, or pass --no-sandbox to grade without it (not recommended).")
        descriptions = sorted({d for _, d in checks.values()})
        return f"sandbox: on, on all {len(checks)} Dask workers ({'; '.join(descriptions)})"

    def __call__(self, tasks: list[GradingTask], workers: int, on_result) -> list[str]:
        """Grade `tasks` on the cluster, as grading.run_local does locally (`workers` is the local pool's: unused)."""
        from distributed import as_completed

        failed: list[str] = []
        try:
            if not tasks:
                return failed
            client = self.connect()
            print(self.describe(), file=sys.stderr, flush=True)
            run = uuid.uuid4().hex[:8]
            shared: dict[tuple, object] = {}
            pending = {}
            for task in tasks:
                values = tuple(getattr(task, f) for f in SHARED_FIELDS)
                if values not in shared:  # one copy per worker, not one per student
                    # A task (`dict` of the fields), not scattered data: scattered data dies with the worker that
                    # holds it and takes every submission waiting on it along; a task's result is computed again.
                    shared[values] = client.submit(dict, dict(zip(SHARED_FIELDS, values)), pure=True)
                fields = {f.name: getattr(task, f.name) for f in dataclasses.fields(task) if f.name not in SHARED_FIELDS}
                future = client.submit(_on_worker("grade_remote"), fields, shared[values], key=f"grade-{task.student_id}-{run}-{len(pending)}")
                pending[future.key] = (task, future)
            try:
                for future in as_completed([f for _, f in pending.values()], loop=client.loop):
                    task, _ = pending.pop(future.key)
                    try:
                        on_result(task, GradingResult.from_json(future.result()))
                    except Exception as error:  # the grader failed, not the student: report, never invent a grade
                        failed.append(f"{task.student_id}: {type(error).__name__}: {error}")
                    future.release()
            finally:
                if pending:  # interrupted: stop the rest (every finished result is saved already)
                    client.cancel([f for _, f in pending.values()])
        finally:
            self.close()
        return failed
