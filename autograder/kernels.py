"""The student's kernel: a new process per submission, forked from the worker's warm fork server.

A kernel started from scratch costs ~0.6 s of CPU, most of it imports; forked from the worker's fork server
(forkserver.py: interpreter, NumPy and ipykernel already imported) it costs a fraction of that. Every kernel
grades exactly one submission and is then killed; one kernel at a time per worker; nothing is shared between
students (see forkserver.py for how, and tests/grading/test_isolation.py for the proof).

A kernel lives in a *slot*, a folder of its own in the fork server's folder: ``jupyter/kernels/<spec>`` (its
kernelspec, whose command is the fork server's proxy), ``ipc/`` (the
ZMQ sockets and connection file the grader talks to it through) and ``work/`` (its working directory, empty:
the notebook it runs is sent to it cell by cell, never placed where it can read it).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import forkserver

KERNEL_NAME = "autograder-python3"
#: In a slot's ipc/ folder: what the kernel wrote as it died (Python's stack), read by crashes.py.
FAULT_LOG = "faults.log"

#: What nbclient would pass to an IPython kernel it started itself (no history file on disk).
_EXTRA_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


@dataclass(frozen=True)
class KernelSettings:
    """What shapes a kernel; a pre-started kernel is used only for a submission with the same settings."""

    memory_limit_gib: float = 4.0
    sandbox: bool = True


@dataclass
class Kernel:
    """A started kernel in its slot. `manager` is a started jupyter_client AsyncKernelManager."""

    settings: KernelSettings
    slot: Path
    manager: object

    @property
    def work_dir(self) -> Path:
        return self.slot / "work"

    @property
    def fault_log(self) -> Path:
        return self.slot / "ipc" / FAULT_LOG

    @property
    def exit_status(self) -> int | None:
        """The kernel process's exit status once it has ended (negative: killed by that signal), else None."""
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        return None if process is None else process.poll()

    @property
    def running(self) -> bool:
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        return process is not None and process.poll() is None

    def discard(self) -> None:
        """Kill the kernel (if still running) and remove its slot. Safe to call twice.

        Killed at once, with its process group (as jupyter_client kills a kernel, which then polls for its end
        every 0.1 s): the notebook has run, and nothing the student started may outlive it.
        """
        if self.running:
            process = self.manager.provisioner.process
            try:
                if os.getpgid(process.pid) == process.pid:  # jupyter_client starts kernels in a session of their own
                    os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.kill()
            process.wait()
        self.manager._close_control_socket()  # nbclient closes it after a run; an unused kernel still has it
        if getattr(self.manager, "_created_context", False):
            # as jupyter_client's cleanup_resources does; left to the garbage collector, a context with a socket
            # that never connected blocks the process forever
            self.manager.context.destroy(linger=0)
        shutil.rmtree(self.slot, ignore_errors=True)


@functools.cache
def _ready_client_class():
    from jupyter_client.asynchronous.client import AsyncKernelClient
    from queue import Empty

    class ReadyClient(AsyncKernelClient):
        """jupyter_client's client, whose wait_for_ready returns as soon as the kernel answers.

        Upstream's ends by draining IOPub until it has been quiet for 0.2 s, which costs every submission 0.2 s.
        nbclient ignores IOPub messages that answer other requests, so nothing needs draining.
        """

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected when the reply's status messages arrive; if not, ask again
                        await self.iopub_channel.get_msg(timeout=0.05)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    return ReadyClient


def _kernelspec(slot: Path, settings: KernelSettings, server) -> None:
    spec = slot / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    limit = int(settings.memory_limit_gib * 2**30) if settings.memory_limit_gib > 0 else 0
    argv = [*server.command(slot, FAULT_LOG, limit), "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"]
    (spec / "kernel.json").write_text(json.dumps({
        "argv": argv,
        "display_name": "Python 3 (autograder)", "language": "python",
        # Interrupt (on a cell timeout) by message: a signal would reach the proxy, not the kernel.
        "interrupt_mode": "message",
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg",
                "PYTHONPATH": "", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                # nbgrader sets this while it autogrades; a kernel started beforehand must see it too
                "NBGRADER_EXECUTION": "autograde"},
    }))


_ROOT: list[Path] = []
#: A kernels folder is named for the process that made it: ``autograder-kernels-<pid>-<random>``.
_ROOT_PREFIX = "autograder-kernels-"


def kernels_root() -> Path:
    """The folder of this process's kernel slots (student code may touch its own slot only)."""
    if not _ROOT:
        # The kernel's ZMQ sockets are Unix sockets, whose paths may not be longer than 107 bytes: under a long
        # TMPDIR (a test's tmp_path, macOS's /var/folders/…) the slots go to /tmp instead.
        base = tempfile.gettempdir()
        if len(base) > 40 and os.access("/tmp", os.W_OK):
            base = "/tmp"
        remove_orphans(Path(base))
        _ROOT.append(Path(tempfile.mkdtemp(prefix=f"{_ROOT_PREFIX}{os.getpid()}-", dir=base)))
        atexit.register(shutil.rmtree, _ROOT[0], True)
    return _ROOT[0]


def remove_orphans(base: Path) -> list[Path]:
    """Remove the kernels folders in `base` whose process is gone without cleaning up (a worker killed by a
    signal, a Dask worker stopped hard: atexit never ran); a folder of a live process, or another user's, stays.
    Returns what it removed."""
    removed = []
    for folder in base.glob(f"{_ROOT_PREFIX}*-*"):
        pid = folder.name[len(_ROOT_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except OSError:  # alive but another user's (EPERM), or gone already
            continue
    return removed


def start(settings: KernelSettings) -> Kernel:
    """Launch a kernel in a new slot and return at once; it becomes ready in the background."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    server = forkserver.server(settings.sandbox, kernels_root())
    slot = Path(tempfile.mkdtemp(prefix="slot-", dir=server.root / forkserver.SLOTS))
    for name in ("work", "ipc"):
        (slot / name).mkdir()
    _kernelspec(slot, settings, server)
    manager = AsyncKernelManager(
        kernel_name=KERNEL_NAME, transport="ipc", ip=str(slot / "ipc" / "kernel"),
        connection_file=str(slot / "ipc" / "connection.json"),
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(slot / "jupyter" / "kernels")]),
        client_factory=_ready_client_class())
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    kernel = Kernel(settings, slot, manager)
    try:
        run_sync(manager.start_kernel)(cwd=str(slot / "work"), env=env, extra_arguments=list(_EXTRA_ARGUMENTS))
    except BaseException:
        kernel.discard()
        raise
    return kernel


def prestart(settings: KernelSettings) -> None:
    """Start this worker's fork server for `settings` (without waiting), so its first kernel is as quick as any other."""
    try:
        forkserver.server(settings.sandbox, kernels_root(), wait=False)
    except Exception:  # noqa: BLE001 — only an optimisation: the first submission starts it instead
        pass


def take(settings: KernelSettings) -> Kernel:
    """A new kernel for the current submission, forked from this worker's fork server.

    The worker's earlier kernel, if one is still running, is killed first (by the fork server): one student's
    kernel at a time per worker.
    """
    return start(settings)
