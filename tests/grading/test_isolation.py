"""Students graded one after the other by the same worker share nothing, although their kernels are forked
from one warm fork server (autograder/forkserver.py).

Student A leaves everything a process can leave behind: a global, a monkeypatched NumPy and builtins, an
environment variable, files in /tmp, /dev/shm and the working folder, an open descriptor, a SysV shared memory
segment, a background thread and a background process in a session of its own. Then the same probe runs in A
(which must see all of it, or the probe could not fail) and in student B, graded next in the same process with
the sandbox on, which must see none of it.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import nbformat
import pytest

from autograder import sandbox
from autograder.task import GradingTask, grade
from tests.conftest import ROOT, skip_or_fail
from tests.grading.fixtures import A, _variant

SOURCE = ROOT / "autograder" / "source" / A / f"{A}.ipynb"

PROBE = """
import builtins as _b, ctypes as _c, json as _j, os as _o, threading as _t, numpy as _np
_procs = []
for _p in _o.listdir('/proc'):
    if _p.isdigit():
        try:
            if MARKER.encode() in open(f'/proc/{_p}/cmdline', 'rb').read():
                _procs.append(_p)
        except OSError:
            pass
_fds = []
for _fd in _o.listdir('/proc/self/fd'):
    try:
        _fds.append(_o.readlink(f'/proc/self/fd/{_fd}'))
    except OSError:
        pass
print('SEEN', _j.dumps({
    'global': 'LEFT_BY_A' in globals(),
    'numpy': bool(_np.sum([1, 2]) != 3),
    'builtins': hasattr(_b, 'left_by_a'),
    'environ': 'LEFT_BY_A' in _o.environ,
    'tmp': [f for f in _o.listdir('/tmp') if 'by-a' in f],
    'cwd': [f for f in _o.listdir('.') if 'by-a' in f],
    'shm': [f for f in _o.listdir('/dev/shm') if 'by-a' in f],
    'descriptor': [f for f in _fds if 'by-a' in f],
    'sysv': _c.CDLL(None).shmget(0x5A5A, 0, 0) != -1,
    'thread': [t.name for t in _t.enumerate() if t.name == 'by-a'],
    'process': _procs,
}))
"""

LEAVE = """
import builtins, ctypes, os, subprocess, sys, threading, time
import numpy as np
LEFT_BY_A = True
np.sum = lambda *args, **kwargs: 'patched by A'
builtins.left_by_a = True
os.environ['LEFT_BY_A'] = '1'
for path in ('/tmp/left-by-a', 'left-by-a', '/dev/shm/left-by-a'):
    with open(path, 'w') as f:
        f.write('A was here')
descriptor = os.open('/tmp/descriptor-by-a', os.O_CREAT | os.O_RDWR)
ctypes.CDLL(None).shmget(0x5A5A, 4096, 0o1666)  # IPC_CREAT | 0666
def beat():
    while True:
        with open('/tmp/heartbeat-by-a', 'w') as f:
            f.write(str(time.time()))
        time.sleep(0.05)
threading.Thread(target=beat, name='by-a', daemon=True).start()
subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', MARKER], start_new_session=True)
time.sleep(0.3)
"""


def _notebook(code: str) -> bytes:
    """A correct ex01 notebook whose first answer cell also runs `code`."""
    cell = next(c for c in nbformat.read(SOURCE, as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "to_grayscale")
    return _variant({"to_grayscale": code + "\n" + cell.source}).encode()


def _seen(result) -> dict:
    notebook = nbformat.reads(result.autograded, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith("SEEN "):
                    return json.loads(line[5:])
    raise AssertionError(f"the probe printed nothing ({result.status}: {result.message})")


@pytest.fixture(scope="module")
def two_students():
    works, why = sandbox.check()
    if not works:
        skip_or_fail(f"the bubblewrap sandbox cannot run here: {why}")
    marker = f"autograder-left-by-a-{uuid.uuid4().hex}"
    config = (ROOT / "autograder" / "nbgrader_config.py").read_text()
    prefix = f"MARKER = {marker!r}\n"

    def task(student, code):
        return GradingTask(A, student, _notebook(prefix + code), SOURCE.read_bytes(), config, timeout=30,
                           memory_limit_gib=2.0, sandbox=True, scan=False)

    first = grade(task("a", LEAVE + PROBE))
    second = grade(task("b", PROBE))
    on_host = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    for pid in on_host:
        subprocess.run(["kill", "-9", pid])
    return first, second, on_host


def test_the_probe_sees_what_student_a_left(two_students):
    """Within A's own kernel every trace is there: the probe can tell."""
    first, _, _ = two_students
    seen = _seen(first)
    assert all(seen[k] is True for k in ("global", "numpy", "builtins", "environ", "sysv")), seen
    assert all(seen[k] for k in ("tmp", "cwd", "shm", "descriptor", "thread", "process")), seen
    assert first.status == "flagged"  # the integrity report notices a patched NumPy: A is not graded as is


def test_the_next_student_of_the_worker_sees_nothing_of_a(two_students):
    """B, forked from the same server right after A, finds no global, patch, variable, file, descriptor,
    shared memory, thread or process of A's."""
    _, second, _ = two_students
    assert _seen(second) == {"global": False, "numpy": False, "builtins": False, "environ": False, "tmp": [],
                             "cwd": [], "shm": [], "descriptor": [], "sysv": False, "thread": [], "process": []}
    assert second.status == "graded" and second.score == second.max_score


def test_nothing_of_a_outlives_its_kernel_on_the_host(two_students):
    """A's background process, started in a session of its own, died with A's kernel."""
    assert two_students[2] == []
