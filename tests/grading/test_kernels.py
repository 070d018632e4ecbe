"""The student's kernel (autograder/kernels.py) and the feedback page: the speed-ups change nothing a student sees.

Each worker starts its next kernel while the current submission runs; these tests check that a pre-started
kernel is only ever used when it fits (same limits, alive, this thread), that nothing outlives a grading run,
and that the feedback page made by the worker's long-lived exporter is nbgrader's own, byte for byte.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest

from autograder import accessibility, kernels
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


@pytest.fixture
def no_waiting_kernel():
    kernels._discard_next()
    yield
    kernels._discard_next()


def test_take_uses_the_prestarted_kernel_and_starts_the_next(no_waiting_kernel):
    """take() hands out the kernel prestart() began, and begins another for the next submission."""
    kernels.prestart(PLAIN)
    waiting = kernels._NEXT[0]
    kernel = kernels.take(PLAIN)
    try:
        assert kernel is waiting
        assert len(kernels._NEXT) == 1 and kernels._NEXT[0] is not kernel and kernels._NEXT[0].running
        assert run(kernel, "print(6 * 7)").strip() == "42"
    finally:
        kernel.discard()
    assert not kernel.running and not kernel.slot.exists()


def test_a_dead_prestarted_kernel_is_replaced(no_waiting_kernel):
    """A pre-started kernel that died while waiting is discarded; the submission gets a fresh, working one."""
    kernels.prestart(PLAIN)
    waiting = kernels._NEXT[0]
    waiting.manager.provisioner.process.kill()
    waiting.manager.provisioner.process.wait()
    kernel = kernels.take(PLAIN, prestart_next=False)
    try:
        assert kernel is not waiting and kernel.running
        assert run(kernel, "print('ready')").strip() == "ready"
        assert not waiting.slot.exists()
    finally:
        kernel.discard()


def test_other_limits_get_a_kernel_of_their_own(no_waiting_kernel):
    """A submission graded with another memory limit never runs in a kernel started with the old one."""
    kernels.prestart(PLAIN)
    waiting = kernels._NEXT[0]
    tighter = kernels.KernelSettings(memory_limit_gib=0.75, sandbox=False)
    kernel = kernels.take(tighter, prestart_next=False)
    try:
        assert kernel is not waiting and kernel.settings == tighter and not waiting.running
        limit = run(kernel, "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0])")
        assert int(limit) == int(0.75 * 2**30)
    finally:
        kernel.discard()


def test_a_kernel_started_in_another_thread_is_not_used(no_waiting_kernel):
    """Its sockets belong to the other thread's event loop (a Dask worker may switch threads): start anew."""
    thread = threading.Thread(target=kernels.prestart, args=(PLAIN,))
    thread.start()
    thread.join()
    waiting = kernels._NEXT[0]
    kernel = kernels.take(PLAIN, prestart_next=False)
    try:
        assert kernel is not waiting and not waiting.running
    finally:
        kernel.discard()


def test_the_kernel_folder_holds_nothing_of_the_course(no_waiting_kernel):
    """The kernel works in an empty folder of its own: not where nbgrader keeps the notebook with its hidden tests."""
    kernel = kernels.take(PLAIN, prestart_next=False)
    try:
        printed = run(kernel, "import os\nprint(os.getcwd())\nprint(os.listdir('.'))").splitlines()
        assert printed == [str(kernel.work_dir), "[]"]
        assert kernel.work_dir.parent.parent == kernels.kernels_root()
    finally:
        kernel.discard()


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
