"""The student's kernel (autograder/kernels.py) and the feedback page: the speed-ups change nothing a student sees.

Each worker forks its students' kernels from a warm fork server; these tests check that every kernel is a new
process with its own limits, one at a time, that a dead server is replaced, that nothing outlives a grading run,
and that the feedback page made by the worker's long-lived exporter is nbgrader's own, byte for byte.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


from autograder import accessibility, forkserver, kernels
from autograder.course import nbgrader_api
from autograder.task import GradingTask, _feedback_page
from tests.assignments.roundtrip import course_copy
from tests.conftest import ROOT
from tests.grading.fixtures import A, CLASS

PLAIN = kernels.KernelSettings(memory_limit_gib=1.0, sandbox=False)


def run(kernel: kernels.Kernel, code: str) -> str:
    """Execute `code` in `kernel` and return what it printed."""
    from jupyter_core.utils import run_sync

    client = kernel.manager.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=60)
        printed = []
        reply = run_sync(client.execute_interactive)(code, timeout=60, output_hook=lambda m: printed.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(printed)
    finally:
        client.stop_channels()


def _parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_kernels_are_forked_from_the_worker_s_fork_server():
    """Each take() forks a new kernel from one warm server (imports already made); the earlier one is gone first."""
    first = kernels.take(PLAIN)
    try:
        assert run(first, "import sys\nprint('numpy' in sys.modules, sys.modules['ipykernel'] is not None)").split() == ["True", "True"]
        pid_first = int(run(first, "import os\nprint(os.getpid())"))
        server = forkserver._SERVERS[False]
        assert _parent_pid(_parent_pid(pid_first)) == server.process.pid  # kernel <- student's process <- server
        second = kernels.take(PLAIN)
        try:
            assert run(second, "print(6 * 7)").strip() == "42"
            # one student's kernel at a time: the server killed the first before it forked the second
            assert not Path(f"/proc/{pid_first}").exists()
            first.manager.provisioner.process.wait(timeout=10)
            assert int(run(second, "import os\nprint(os.getpid())")) != pid_first
        finally:
            second.discard()
    finally:
        first.discard()
    assert not first.slot.exists() and not second.slot.exists()


def test_a_dead_fork_server_is_replaced():
    """If the worker's fork server died, the next kernel comes from a new one, and works."""
    kernels.prestart(PLAIN)
    dead = forkserver._SERVERS[False]
    dead.process.kill()
    dead.process.wait()
    kernel = kernels.take(PLAIN)
    try:
        assert forkserver._SERVERS[False] is not dead and forkserver._SERVERS[False].alive
        assert run(kernel, "print('ready')").strip() == "ready"
    finally:
        kernel.discard()


def test_each_kernel_gets_its_own_memory_limit():
    """The address-space limit is set in each forked kernel, per submission, not once for the server."""
    for limit in (0.75, 1.0):
        kernel = kernels.take(kernels.KernelSettings(memory_limit_gib=limit, sandbox=False))
        try:
            printed = run(kernel, "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0])")
            assert int(printed) == int(limit * 2**30)
        finally:
            kernel.discard()


def test_a_crashed_kernel_reports_its_signal():
    """A kernel killed by a signal ends its proxy the same way: crashes.py reads the cause from the exit status."""
    kernel = kernels.take(PLAIN)
    try:
        client = kernel.manager.client()
        client.start_channels()
        from jupyter_core.utils import run_sync

        run_sync(client.wait_for_ready)(timeout=60)
        client.execute("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
        kernel.manager.provisioner.process.wait(timeout=30)
        client.stop_channels()
        assert kernel.exit_status == -11
    finally:
        kernel.discard()


def test_the_kernel_folder_holds_nothing_of_the_course():
    """The kernel works in an empty folder of its own: not where nbgrader keeps the notebook with its hidden tests."""
    kernel = kernels.take(PLAIN)
    try:
        printed = run(kernel, "import os\nprint(os.getcwd())\nprint(os.listdir('.'))").splitlines()
        assert printed == [str(kernel.work_dir), "[]"]
        assert kernel.work_dir.parent.parent.parent.parent == kernels.kernels_root()
    finally:
        kernel.discard()


def test_a_killed_worker_s_kernels_folder_is_removed_by_the_next_grader():
    """A worker killed by SIGKILL (atexit never runs) leaves its kernels folder; the next process that starts
    kernels there removes it, and leaves a live process's folder alone."""
    base = Path(tempfile.mkdtemp(prefix="orphans-", dir="/tmp"))  # short: kernels_root() keeps it as TMPDIR
    env = {**os.environ, "TMPDIR": str(base)}
    code = ("import os, signal, sys\nfrom autograder import kernels\nprint(kernels.kernels_root(), flush=True)\n"
            "signal.pause() if sys.argv[1] == 'live' else os.kill(os.getpid(), signal.SIGKILL)")
    live = subprocess.Popen([sys.executable, "-c", code, "live"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        alive = Path(live.stdout.readline().strip())
        killed = subprocess.run([sys.executable, "-c", code, "killed"], env=env, cwd=ROOT, capture_output=True, text=True)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        orphan = Path(killed.stdout.strip())
        assert orphan.is_dir() and alive.is_dir() and orphan.parent == alive.parent == base
        assert kernels.remove_orphans(base) == [orphan]
        assert not orphan.exists() and alive.is_dir()
    finally:
        live.kill()
        live.wait()
        shutil.rmtree(base, ignore_errors=True)


def test_feedback_page_is_nbgrader_s(tmp_path):
    """The worker's feedback exporter writes exactly the page `nbgrader generate_feedback` writes, made accessible."""
    course = course_copy(tmp_path, A)
    submitted = course / "submitted" / "wrong" / A
    submitted.mkdir(parents=True)
    (submitted / f"{A}.ipynb").write_text(CLASS["wrong"][0])
    api = nbgrader_api(course, **{"Execute.timeout": 30})
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert api.generate_assignment(A, force=True)["success"]
        assert api.autograde(A, "wrong", force=True, create=True)["success"]
        assert api.generate_feedback(A, "wrong", force=True)["success"]
    nbgrader_page = (course / "feedback" / "wrong" / A / f"{A}.html").read_text()
    task = GradingTask(A, "wrong", b"", b"", (course / "nbgrader_config.py").read_text())
    ours = _feedback_page(api, task, course / "autograded" / "wrong" / A / f"{A}.ipynb")
    assert "Score: 5.0 / 8.0" in nbgrader_page  # the wrong answer loses its test: the page is not trivially empty
    assert ours == accessibility.feedback(nbgrader_page)
    assert ours != nbgrader_page and '<html lang="en">' in ours[:100]


def test_nothing_outlives_a_grading_run(tmp_path, request):
    """After `grade` exits, no kernel (used or pre-started) is running and no scratch folder (kernel slots, task
    courses, templates, the unpacked zip) is left behind."""
    scratch = Path(tempfile.mkdtemp(prefix="ag-", dir="/tmp"))  # short: the kernels' sockets live under it
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    folder = tmp_path / "submissions"
    folder.mkdir()
    for student in ("correct", "wrong", "blank"):
        (folder / f"{student}.ipynb").write_text(CLASS[student][0])
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as archive:  # a zip is unpacked into TMPDIR: checked too
        for notebook in folder.iterdir():
            archive.write(notebook, notebook.name)
    course = course_copy(tmp_path / "course", A)
    env = dict(os.environ, TMPDIR=str(scratch))
    code = ("import sys\nfrom pathlib import Path\nfrom autograder.grading import Options, grade_class\n"
            f"grade_class({A!r}, Path({str(tmp_path / 'class.zip')!r}), Path({str(tmp_path / 'out')!r}), "
            "Options(workers=2, timeout=10, memory_limit_gib=1.0, quiet=True, sandbox=False), "
            f"course=Path({str(course)!r}))\n")
    finished = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / "out" / "grades.csv").read_text().count("\n") == 1 + 3  # header and the three students
    survivors = subprocess.run(["pgrep", "-f", str(scratch)], capture_output=True, text=True).stdout.split()
    for pid in survivors:
        subprocess.run(["kill", "-9", pid])
    assert survivors == [], "a kernel outlived the grading run"
    assert sorted(p.name for p in scratch.iterdir()) == []
