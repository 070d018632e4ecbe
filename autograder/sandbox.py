"""The grading sandbox: each student's kernel runs under bubblewrap (`bwrap`), no daemon needed.

Inside, the kernel sees the system and the Python environment read-only, its own empty /tmp, a writable
folder holding only that student's notebook, and the folder of ZMQ IPC sockets it talks to the grader
through. It has its own PID namespace (nothing it starts outlives it), no network (a private network
namespace), and it dies with the grader. Nothing of the course is visible: not the repository, not
`solutions/`, not `autograder/` (sources, hidden tests, gradebook), not other submissions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

BWRAP = "bwrap"

# bwrap's --die-with-parent ties the sandbox to the *thread* that started it, and jupyter_client starts
# kernels from short-lived threads. So a small watchdog process starts bwrap and stays its parent; it kills
# bwrap (and so the sandbox) as soon as its own parent, the grader, is gone.
_WATCHDOG = """\
import os, subprocess, sys, threading, time
grader = os.getppid()
child = subprocess.Popen(sys.argv[1:])
def watch():
    while child.poll() is None:
        if os.getppid() != grader:
            child.kill()
            os._exit(1)
        time.sleep(0.2)
threading.Thread(target=watch, daemon=True).start()
sys.exit(child.wait())
"""


def _system_binds() -> list[str]:
    args = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/hosts", "/etc/mime.types"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    return args


def _python_binds() -> list[str]:
    """The interpreter and its packages, read-only, at their own paths."""
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots.add(Path(sys.executable).resolve().parent.parent)
    args = []
    for root in sorted(roots):
        if not any(str(root).startswith(system) for system in ("/usr/", "/bin/", "/lib")):
            args += ["--ro-bind", str(root), str(root)]
    return args


def wrap(command: list[str], own_dir: Path, ipc_dir: Path) -> list[str]:
    """`command` run inside the sandbox, in `own_dir` (writable), talking through sockets in `ipc_dir`."""
    return [
        sys.executable, "-I", "-S", "-c", _WATCHDOG,  # the watchdog needs only the standard library
        BWRAP, "--unshare-all", "--die-with-parent", "--new-session",
        *_system_binds(), *_python_binds(),
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        "--bind", str(own_dir), str(own_dir), "--bind", str(ipc_dir), str(ipc_dir),
        "--chdir", str(own_dir),
        # ipykernel exits when its parent's pid is 1, which inside a PID namespace it always is:
        # the watchdog and --die-with-parent tie the kernel to the grader instead.
        "--unsetenv", "JPY_PARENT_PID",
        "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "PYTHONNOUSERSITE", "1",
        "--", *command,
    ]


def check() -> tuple[bool, str]:
    """Whether the sandbox works on this host (user namespaces may be off), and a one-line description."""
    if shutil.which(BWRAP) is None:
        return False, "bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)"
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"autograder-sandbox-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        code = "import socket, os; s = socket.socket(); s.settimeout(1); print(os.getcwd(), s.connect_ex(('1.1.1.1', 53)) != 0)"
        run = subprocess.run(wrap([sys.executable, "-c", code], probe, probe), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"bubblewrap could not start: {error}"
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if run.returncode != 0 or "True" not in run.stdout:
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return False, f"bubblewrap is installed but cannot create a sandbox here ({reason}); user namespaces may be disabled"
    version = subprocess.run([BWRAP, "--version"], capture_output=True, text=True).stdout.strip()
    return True, f"{version}: no network, private /tmp and PIDs, read-only system, the course invisible"
