"""The student's kernel: how it is launched, and the next one started while the current submission runs.

A kernel (ipykernel, NumPy) takes ~0.6 s of CPU to start, nearly half of what grading a submission costs. So
each worker starts the kernel for its *next* submission as soon as it takes the current one: on a machine
with a spare core the next kernel is ready by the time it is needed. Every kernel grades exactly one
submission and is then shut down; nothing is shared between students.

A kernel lives in a *slot*, a folder of its own: ``jupyter/kernels/<spec>`` (its kernelspec), ``ipc/`` (the
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
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

KERNEL_NAME = "autograder-python3"
#: In a slot's ipc/ folder: what the kernel wrote as it died (Python's stack), read by crashes.py.
FAULT_LOG = "faults.log"

# The kernel: a plain ipykernel under an address-space limit, one BLAS thread (workers run side by side).
_LAUNCHER = """\
import os, resource, sys
# The kernel's own start-up chatter (connection banner, TCP warnings) is not the student's output.
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
# Grading needs neither the debugger nor tab completion: importing them (debugpy, jedi) is a sixth of the start-up CPU.
sys.modules["debugpy"] = sys.modules["jedi"] = None
limit = int(sys.argv.pop(1))
if limit > 0:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
# If the student's code kills the kernel, the grader reads here which function was running (see crashes.py):
# Python's stack on a fatal signal (a segfault), and on os._exit.
import faulthandler
_faults = open(sys.argv.pop(1), "w")
faulthandler.enable(_faults)
def _exit(status, _exit=os._exit):
    faulthandler.dump_traceback(_faults, all_threads=False)
    _faults.write(f"os._exit({status})\\n")
    _faults.flush()
    _exit(status)
os._exit = _exit
del _exit
from ipykernel.kernelapp import launch_new_instance
sys.argv[0] = "ipykernel"
launch_new_instance()
"""

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
    thread: int  # the thread whose event loop owns the manager's sockets

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


def _kernelspec(slot: Path, settings: KernelSettings) -> None:
    spec = slot / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    own_dir, ipc_dir = slot / "work", slot / "ipc"
    limit = int(settings.memory_limit_gib * 2**30) if settings.memory_limit_gib > 0 else 0
    argv = [sys.executable, "-c", _LAUNCHER, str(limit), str(ipc_dir / FAULT_LOG), "-f", "{connection_file}",
            "--IPKernelApp.log_level=ERROR"]
    if settings.sandbox:
        from .sandbox import wrap

        argv = wrap(argv, own_dir, ipc_dir)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": argv,
        "display_name": "Python 3 (autograder)", "language": "python",
        # Interrupt (on a cell timeout) by message: a signal would not cross the sandbox's new session.
        "interrupt_mode": "message",
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg",
                "PYTHONPATH": "", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                # nbgrader sets this while it autogrades; a kernel started beforehand must see it too
                "NBGRADER_EXECUTION": "autograde"},
    }))


_ROOT: list[Path] = []


def kernels_root() -> Path:
    """The folder of this process's kernel slots (student code may touch its own slot only)."""
    if not _ROOT:
        # The kernel's ZMQ sockets are Unix sockets, whose paths may not be longer than 107 bytes: under a long
        # TMPDIR (a test's tmp_path, macOS's /var/folders/…) the slots go to /tmp instead.
        base = tempfile.gettempdir()
        if len(base) > 40 and os.access("/tmp", os.W_OK):
            base = "/tmp"
        _ROOT.append(Path(tempfile.mkdtemp(prefix="autograder-kernels-", dir=base)))
        atexit.register(shutil.rmtree, _ROOT[0], True)
    return _ROOT[0]


def start(settings: KernelSettings) -> Kernel:
    """Launch a kernel in a new slot and return at once; it becomes ready in the background."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    slot = Path(tempfile.mkdtemp(prefix="slot-", dir=kernels_root()))
    for name in ("work", "ipc"):
        (slot / name).mkdir()
    _kernelspec(slot, settings)
    manager = AsyncKernelManager(
        kernel_name=KERNEL_NAME, transport="ipc", ip=str(slot / "ipc" / "kernel"),
        connection_file=str(slot / "ipc" / "connection.json"),
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(slot / "jupyter" / "kernels")]),
        client_factory=_ready_client_class())
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    kernel = Kernel(settings, slot, manager, threading.get_ident())
    try:
        run_sync(manager.start_kernel)(cwd=str(slot / "work"), env=env, extra_arguments=list(_EXTRA_ARGUMENTS))
    except BaseException:
        kernel.discard()
        raise
    return kernel


#: Per worker process: the kernel started for the next submission.
_NEXT: list[Kernel] = []


def _discard_next() -> None:
    while _NEXT:
        _NEXT.pop().discard()


atexit.register(_discard_next)


def prestart(settings: KernelSettings) -> None:
    """Start the kernel for this worker's next submission (unless one is already waiting)."""
    if not _NEXT:
        try:
            _NEXT.append(start(settings))
        except Exception:  # noqa: BLE001 — only an optimisation: the next submission starts its own
            pass


def take(settings: KernelSettings, prestart_next: bool = True) -> Kernel:
    """A started kernel for the current submission; then (if `prestart_next`) start the next submission's.

    The pre-started kernel is used when it has the same settings, was started from this thread (its sockets
    belong to this thread's event loop) and is still alive; otherwise it is discarded and a new one started.
    """
    kernel = _NEXT.pop() if _NEXT else None
    if kernel is not None and not (kernel.settings == settings and kernel.thread == threading.get_ident()
                                   and kernel.running):
        kernel.discard()
        kernel = None
    if kernel is None:
        kernel = start(settings)
    if prestart_next:
        prestart(settings)
    return kernel
