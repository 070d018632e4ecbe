"""The grading sandbox: each student's kernel runs under bubblewrap (`bwrap`), no daemon needed.

Inside, the kernel sees the system and the Python environment read-only, its own empty /tmp, a writable
folder holding only that student's notebook, and the folder of ZMQ IPC sockets it talks to the grader
through. It has its own PID namespace (nothing it starts outlives it), no network (a private network
namespace), and it dies with the grader. Nothing of the course is visible: not the repository, not
`solutions/`, not `autograder/` (sources, hidden tests, gradebook), not other submissions.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

BWRAP = "bwrap"
#: Bound read-only from the host as they are; a Python installed below them needs no bind of its own.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

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
    for top in SYSTEM_DIRS:
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/hosts", "/etc/mime.types"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    return args


def python_roots(python: str) -> list[Path]:
    """Where the interpreter `python` and its packages live: its prefixes and site-packages, outermost first."""
    probe = "import json, site, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()]))"
    if Path(python).resolve() == Path(sys.executable).resolve():
        found = [sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()]
    else:
        found = json.loads(subprocess.run([python, "-I", "-c", probe], capture_output=True, text=True, check=True).stdout)
    roots = {Path(p).resolve() for p in found if Path(p).exists()} | {Path(python).resolve().parent.parent}
    # A symlinked interpreter (a venv's bin/python, pyenv's shims) is visible only if the folder it points into is.
    roots.add(Path(python).parent.parent.absolute())
    outermost = [r for r in sorted(roots) if not any(o != r and r.is_relative_to(o) for o in roots)]
    return [r for r in outermost if not any(r == Path(system) or r.is_relative_to(system) for system in SYSTEM_DIRS)]


def _python_binds(python: str) -> list[str]:
    """The interpreter and its packages, read-only, at their own paths (wherever they are: /tmp, $HOME, /opt …)."""
    args = []
    for root in python_roots(python):
        args += ["--ro-bind", str(root), str(root)]
    return args


def wrap(command: list[str], own_dir: Path, ipc_dir: Path, python: str = sys.executable) -> list[str]:
    """`command` run inside the sandbox, in `own_dir` (writable), talking through sockets in `ipc_dir`.

    bubblewrap applies mounts in order, so the private /tmp comes first and the interpreter after it: a Python
    under /tmp (a CI system's virtual environment) stays visible.
    """
    return [
        sys.executable, "-I", "-S", "-c", _WATCHDOG,  # the watchdog needs only the standard library
        BWRAP, "--unshare-all", "--die-with-parent", "--new-session",
        *_system_binds(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        *_python_binds(python),
        "--bind", str(own_dir), str(own_dir), "--bind", str(ipc_dir), str(ipc_dir),
        "--chdir", str(own_dir),
        # ipykernel exits when its parent's pid is 1, which inside a PID namespace it always is:
        # the watchdog and --die-with-parent tie the kernel to the grader instead.
        "--unsetenv", "JPY_PARENT_PID",
        "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "PYTHONNOUSERSITE", "1",
        "--", *command,
    ]


_MOUNTS = {"--ro-bind": 2, "--bind": 2, "--ro-bind-try": 2, "--bind-try": 2, "--dev-bind": 2, "--symlink": 2,
           "--tmpfs": 1, "--proc": 1, "--dev": 1, "--dir": 1}


def hidden_paths(command: list[str], paths) -> dict[str, str]:
    """{path: why} for each of `paths` (host paths) that the sandbox `command` would not show at its own place.

    Reads bubblewrap's mounts in order: a path is visible when the last mount over it binds it from the host.
    """
    mounts, i = [], 0
    while i < len(command):
        arity = _MOUNTS.get(command[i])
        if arity:
            mounts.append((command[i], command[i + arity]))
            i += arity + 1
        else:
            i += 1
    hidden = {}
    for path in map(Path, paths):
        over = [(kind, dest) for kind, dest in mounts if path == Path(dest) or path.is_relative_to(dest)]
        if not over:
            hidden[str(path)] = "nothing mounts it"
        elif over[-1][0] in ("--tmpfs", "--proc", "--dev", "--dir"):
            hidden[str(path)] = f"{over[-1][0]} {over[-1][1]} is mounted over it"
    return hidden


def _needed(python: str) -> dict[str, str]:
    """What a kernel must see: {host path: what it is} — the interpreter and the packages the kernel imports."""
    import importlib.util

    needed = {str(Path(python).absolute()): "the Python interpreter", str(Path(python).resolve()): "the Python interpreter"}
    if Path(python).resolve() == Path(sys.executable).resolve():
        for module in ("numpy", "ipykernel", "zmq"):
            spec = importlib.util.find_spec(module)
            if spec and spec.origin:
                needed[str(Path(spec.origin).resolve().parent)] = f"the {module} package"
    return needed


def explain(stderr: str, command: list[str]) -> str:
    """bubblewrap's or Python's complaint, said as its cause."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()] or ["no output"]
    text = " ".join(lines)
    if "execvp" in text and "No such file" in text:
        missing = text.split("execvp", 1)[1].split(":", 1)[0].strip()
        return f"{missing} is not visible inside the sandbox ({lines[-1].strip()})"
    if "No module named" in text:
        module = text.split("No module named", 1)[1].strip().split()[0].strip("'\"")
        python = command[command.index("--") + 1] if "--" in command else sys.executable
        if subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode != 0:
            return f"the Python package {module} is not installed for {python}"
        return f"the Python package {module} is not visible inside the sandbox ({lines[-1].strip()})"
    if any(word in text for word in ("namespace", "uid map", "Operation not permitted", "Permission denied")):
        return ("user namespaces are disabled on this host, so bubblewrap cannot create a sandbox "
                f"(sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces, or a container without them): "
                f"{lines[-1].strip()}")
    return f"bubblewrap could not start the kernel: {lines[-1].strip()}"


def check(python: str = sys.executable) -> tuple[bool, str]:
    """Whether the sandbox works on this host for the interpreter `python`, and a one-line description or cause."""
    if shutil.which(BWRAP) is None:
        return False, "bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)"
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"autograder-sandbox-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        code = ("import socket, os, numpy, ipykernel; s = socket.socket(); s.settimeout(1); "
                "print(os.getcwd(), s.connect_ex(('1.1.1.1', 53)) != 0)")
        command = wrap([python, "-c", code], probe, probe, python)
        needed = _needed(python)
        hidden = hidden_paths(command, needed)
        if hidden:
            path, why = next(iter(hidden.items()))
            return False, f"{needed[path]} at {path} would not be visible inside the sandbox ({why})"
        run = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return False, f"bubblewrap could not start: {error}"
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if run.returncode != 0 or "True" not in run.stdout:
        return False, explain(run.stderr, command)
    version = subprocess.run([BWRAP, "--version"], capture_output=True, text=True).stdout.strip()
    return True, f"{version}: no network, private /tmp and PIDs, read-only system, the course invisible"
