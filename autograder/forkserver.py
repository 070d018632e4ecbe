"""The warm process each worker forks its students' kernels from: interpreter, NumPy and ipykernel imported once.

Starting a kernel from scratch costs ~0.6 s of CPU, most of it importing Python, IPython, ipykernel and NumPy:
a third of what grading a submission costs. So each worker keeps one *fork server*: a process that has made
those imports and then only waits. For every student it forks a new process, which makes itself a fresh
kernel and runs only that student's code. The fork server never runs student code, so what a student does
(globals, patched modules, threads, memory) lives and dies in that student's process only.

With the sandbox on, the fork server itself runs under bubblewrap (sandbox.wrap), and each student's process
then isolates itself further before any student code runs: a user, mount, IPC and PID namespace of its own,
a fresh /tmp and /dev/shm, the system's root read-only, the worker's folder hidden but for this student's
slot, and no capability left over its mounts. Before it forks a student's process the fork server kills every
earlier one and waits until it is gone: two students of one worker never exist at the same time, and the PID
namespace takes every process a student started down with its kernel.

Between the grader and the fork server sits a tiny *proxy* process per kernel (the kernelspec's command, only
the standard library, ~10 ms): to jupyter_client it is the kernel process. It asks the fork server for a kernel,
waits, and exits as the kernel did (killed by signal N: it kills itself with N). Killing the proxy (what
jupyter_client and `Kernel.discard` do) closes its connection, and the fork server kills that kernel.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: The fork server's socket, in its worker folder (hidden from every student kernel).
CONTROL = "control.sock"
#: The folder of kernel slots inside a worker folder (sandbox: only a student's own slot stays visible to it).
SLOTS = "slots"

# What every kernel imports (and what every notebook's first cell imports): imported once, by the fork server.
_PRELOAD = ("numpy", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython.core.ultratb",
            "IPython.core.completer", "jupyter_client.session", "ast", "inspect", "textwrap", "warnings",
            "faulthandler", "resource", "random")

_SERVER = r"""
import ctypes, json, os, select, signal, socket, sys, traceback
root, sandboxed, preload = sys.argv[1], sys.argv[2] == "1", sys.argv[3].split(",")
# Folders under /tmp the kernel needs read-only (a Python installed there): bound again over the fresh /tmp.
interpreter = json.loads(sys.argv[4])
os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
# Grading needs neither the debugger nor tab completion: importing them (debugpy, jedi) costs a sixth of a start.
sys.modules["debugpy"] = sys.modules["jedi"] = None
for name in preload:
    __import__(name)
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
# Nothing may read or trace this process (every student's process is a copy of it).
libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
NEWNS, NEWUSER, NEWPID, NEWIPC = 0x00020000, 0x10000000, 0x20000000, 0x08000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 0x4000, 1 << 18


def check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None
    check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def kept_flags(path):
    # A remount must keep the mount's locked flags (nosuid, nodev …), whose ST_ bits are the MS_ bits.
    return os.statvfs(path).f_flag & (2 | 4 | 8 | 1024 | 2048 | (1 << 21))


def own_user_namespace(uid, gid):
    check(libc.unshare(NEWUSER), "unshare(user)")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    try:
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        pass


def isolate(slot):
    # Namespaces of this student's own; its kernel (the next fork) is PID 1 of the new PID namespace.
    uid, gid = os.getuid(), os.getgid()
    check(libc.unshare(NEWUSER | NEWNS | NEWIPC | NEWPID), "unshare")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # A fresh /tmp and /dev/shm; the worker's folder (under /tmp) shows this slot only, bound back through a
    # descriptor opened before /tmp was covered.
    keep = [(slot, False)] + [(path, True) for path in interpreter]
    handles = [(os.open(path, os.O_PATH | os.O_DIRECTORY), path, readonly) for path, readonly in keep]
    mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777")
    mount("tmpfs", "/dev/shm", "tmpfs", 0, "mode=1777")
    if not root.startswith("/tmp/"):  # a worker folder outside /tmp: cover it as well
        mount("tmpfs", root, "tmpfs", 0, "mode=0755")
    for handle, path, readonly in handles:
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
        os.close(handle)
        if readonly:
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(path))
    # The sandbox's own root and /dev are writable tmpfs: read-only here, so nothing written there persists.
    for path in ("/", "/dev"):
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(path))
    return uid, gid


def kernel(request, ids):
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if ids is not None:  # give up every capability over the mounts just made
        own_user_namespace(*ids)
    slot = request["slot"]
    os.chdir(os.path.join(slot, "work"))
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.pop("JPY_PARENT_PID", None)
    if sandboxed:
        os.environ.update(HOME="/tmp", MPLCONFIGDIR="/tmp/matplotlib", PYTHONNOUSERSITE="1")
    # The kernel's own start-up chatter (connection banner, TCP warnings) is not the student's output.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    import faulthandler, random, resource
    limit = int(request["memory_limit"])
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # If the student's code kills the kernel, the grader reads here which function was running (crashes.py).
    faults = open(os.path.join(slot, "ipc", request["fault_log"]), "w")
    faulthandler.enable(faults)
    real_exit = os._exit
    def _exit(status):
        faulthandler.dump_traceback(faults, all_threads=False)
        faults.write(f"os._exit({status})\n")
        faults.flush()
        real_exit(status)
    os._exit = _exit
    # A copy of the fork server's random state is every student's: draw fresh seeds, as a new process would.
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    sys.argv = ["ipykernel", *request["argv"]]
    from ipykernel.kernelapp import launch_new_instance
    launch_new_instance()
    real_exit(0)


def student(request):
    # The student's process: isolate (sandbox), fork the kernel, report how it ended.
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.closerange(3, 65536)  # the server's socket, its proxies' connections
    ids = isolate(request["slot"]) if sandboxed else None
    pid = os.fork()
    if pid == 0:
        try:
            kernel(request, ids)
        except BaseException:
            traceback.print_exc()
        os._exit(1)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    _, status = os.waitpid(pid, 0)
    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


def main():
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.path.join(root, "control.sock"))
    listener.listen(8)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    running = {}  # pid -> the connection of its proxy
    grader = os.getppid()
    if sandboxed:  # can this host make a student's namespaces inside the sandbox? Say so now, not per kernel.
        probe = os.path.join(root, "slots", "probe")
        os.makedirs(probe)
        pid = os.fork()
        if pid == 0:
            try:
                isolate(probe)
                os._exit(0)
            except BaseException as error:
                print(f"a student's namespaces cannot be made inside the sandbox: {error}", file=sys.stderr)
                os._exit(1)
        if os.waitpid(pid, 0)[1] != 0:
            sys.exit(1)
        os.rmdir(probe)
    print("ready", flush=True)

    def end(pid, status):
        conn = running.pop(pid)
        code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        try:
            conn.sendall(f"{code}\n".encode())
        except OSError:
            pass
        conn.close()

    def stop(pid):
        # SIGTERM: the student's process kills its kernel (and so its PID namespace) and waits for it.
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
        end(pid, status)

    while True:
        ready, _, _ = select.select([listener, wake_r, *running.values()], [], [], 1.0)
        if os.getppid() != grader:  # the grader is gone: so are its kernels
            for pid in list(running):
                stop(pid)
            return
        if wake_r in ready:
            os.read(wake_r, 512)
        while running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in running:
                end(pid, status)
        for pid, conn in list(running.items()):
            if conn in ready and pid in running:  # the proxy is gone (killed): so is its kernel
                stop(pid)
        if listener in ready:
            conn, _ = listener.accept()
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if not data.endswith(b"\n"):
                conn.close()
                continue
            request = json.loads(data)
            for pid in list(running):  # an earlier student's kernel never lives beside the next one
                stop(pid)
            pid = os.fork()
            if pid == 0:
                try:
                    student(request)
                except BaseException:
                    traceback.print_exc()
                os._exit(1)
            running[pid] = conn


main()
"""

# The kernelspec's command: to jupyter_client, this process is the kernel. Standard library only (-I -S).
_PROXY = r"""
import json, os, signal, socket, sys
control, request = sys.argv[1], json.loads(sys.argv[2])
request.update(argv=sys.argv[3:], env=dict(os.environ))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(control)
s.sendall(json.dumps(request).encode() + b"\n")
signal.signal(signal.SIGTERM, lambda *_: os._exit(128 + signal.SIGTERM))  # the fork server sees the socket close
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(64)
    if not chunk:
        os._exit(1)
    data += chunk
code = int(data)
if code > 128:  # the kernel was killed by a signal: end the same way, as a kernel of its own would have
    signal.signal(code - 128, signal.SIG_DFL)
    os.kill(os.getpid(), code - 128)
os._exit(code)
"""


class ForkServer:
    """One worker's fork server (sandboxed or not) in its own folder; `slot()` makes a folder per kernel."""

    def __init__(self, root: Path, sandbox: bool):
        self.root, self.sandbox = root, sandbox
        (root / SLOTS).mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-c", _SERVER, str(root), "1" if sandbox else "0", ",".join(_PRELOAD)]
        if sandbox:
            from .sandbox import python_roots, wrap

            under_tmp = [str(r) for r in python_roots(sys.executable) if r.is_relative_to("/tmp")]
            argv = wrap([*argv, json.dumps(under_tmp)], root, root)
        else:
            argv.append("[]")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH="")
        self.log = root / "server.log"  # what the server or a student's process said when it failed
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(argv, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=log, start_new_session=True)
        self._ready = threading.Event()
        self._error = ""
        threading.Thread(target=self._wait_ready, daemon=True).start()

    def _wait_ready(self) -> None:
        line = self.process.stdout.readline()
        if line.strip() == b"ready":
            self._ready.set()
        else:
            self.process.wait()
            self._error = self.log.read_text(errors="replace")[-2000:]
            self._ready.set()

    def wait(self, timeout: float = 60) -> None:
        """Until the fork server listens; raise with its own words if it could not start."""
        if not self._ready.wait(timeout) or not self.alive:
            self._error = self._error or self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the kernel fork server did not start: {self._error.strip() or 'no answer'}")

    @property
    def control(self) -> Path:
        return self.root / CONTROL

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def command(self, slot: Path, fault_log: str, memory_limit: int) -> list[str]:
        """The kernelspec argv of a kernel in `slot` forked from this server; ipykernel's arguments follow it."""
        request = {"slot": str(slot), "fault_log": fault_log, "memory_limit": memory_limit}
        return [sys.executable, "-I", "-S", "-c", _PROXY, str(self.control), json.dumps(request)]

    def stop(self) -> None:
        if self.alive:
            try:
                os.killpg(self.process.pid, 9)
            except OSError:
                self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)


#: Per worker process: its fork servers, by sandbox on/off.
_SERVERS: dict[bool, ForkServer] = {}
_LOCK = threading.Lock()


def server(sandbox: bool, root_parent: Path, wait: bool = True) -> ForkServer:
    """This process's running fork server for `sandbox`, started if there is none or it died; with `wait`, once
    it listens."""
    with _LOCK:
        current = _SERVERS.get(sandbox)
        if current is None or not current.alive:
            if current is not None:
                current.stop()
            folder = Path(tempfile.mkdtemp(prefix="forkserver-", dir=root_parent))
            current = _SERVERS[sandbox] = ForkServer(folder, sandbox)
        ready = current
    if wait:
        ready.wait()
    return ready


def stop_all() -> None:
    with _LOCK:
        while _SERVERS:
            _SERVERS.popitem()[1].stop()


atexit.register(stop_all)
