"""Grading inside the bubblewrap sandbox: hostile submissions see nothing of the course and change nothing.

Each attack runs in a student's answer cell with the integrity scan switched off, so that the sandbox alone
has to stop it; each prints LEAKED when it succeeds and blocked when it fails. A control run without the
sandbox shows that the same attacks do succeed there, so the test can fail.
"""

from __future__ import annotations

import csv
import socket
import subprocess
import threading
import uuid

import pytest

from autograder import sandbox
from autograder.grading import Options, grade_class, run_local
from tests.assignments.roundtrip import course_copy
from tests.conftest import ROOT, skip_or_fail
from tests.grading.fixtures import A, CLASS, _variant

SOLUTION = (ROOT / "autograder" / "source" / A / f"{A}.ipynb")


def attack(code: str) -> str:
    """A correct ex01 notebook whose first answer cell also runs `code` (indented under try)."""
    cell = next(c for c in __import__("nbformat").read(SOLUTION, as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "to_grayscale")
    body = "\n".join("    " + line for line in code.strip().splitlines())
    wrapped = f"try:\n{body}\nexcept Exception as error:\n    print('block' + 'ed:', type(error).__name__, error)\n"
    return _variant({"to_grayscale": wrapped + "\n" + cell.source})


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the host's loopback that records every connection it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, address = server.accept()
                seen.append(address)
                connection.close()
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def attacks(course, submissions, port, marker):
    return {
        "reads_repo": f"import os\nprint('LEAK' + 'ED', os.listdir({str(ROOT)!r}))\nprint('LEAK' + 'ED', open({str(ROOT / 'solutions' / 'feature_maps.py')!r}).read()[:80])",
        "rewrites_gradebooks": f"""
import glob, os, sqlite3
found = [p for root in ('/tmp', '/root', '/work', {str(course)!r}, {str(ROOT)!r}) for p in glob.glob(os.path.join(root, '**', '*.db'), recursive=True)]
print('databases found:', found)
for path in found:
    db = sqlite3.connect(path)
    db.execute('UPDATE grade SET auto_score = 1000')
    db.commit()
    print('LEAK' + 'ED rewrote', path)""",
        "reads_sibling": f"print('LEAK' + 'ED', open({str(submissions / 'correct.ipynb')!r}).read()[:80])",
        "phones_home": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nprint('LEAK' + 'ED connected')",
        # nbgrader's copy of the notebook being graded holds the hidden tests: look for it around the kernel
        "reads_hidden_tests": """
import glob, os
here, found = os.getcwd(), []
while os.path.dirname(here) != '/':
    here = os.path.dirname(here)
    found += glob.glob(os.path.join(here, '**', '*.ipynb'), recursive=True)
print('notebooks found:', found)
for path in found:  # this course's hidden tests (nbgrader's own test notebooks in site-packages hold others)
    if 'python -m autograder ' + 'embed' in open(path, errors='replace').read():
        print('LEAK' + 'ED hidden tests in', path)""",
        "outlives_kernel": f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{marker}'], start_new_session=True)\nprint('started a background process')",
    }


def grade_with_attacks(course, folder, out, attack_ids, sandboxed):
    def runner(tasks, workers, on_result):
        for task in tasks:
            task.scan = task.student_id not in attack_ids  # the sandbox alone must stop the attacks
        return run_local(tasks, workers, on_result)

    options = Options(workers=2, timeout=10, memory_limit_gib=2.0, quiet=True, sandbox=sandboxed)
    grade_class(A, folder, out, options, course=course, runner=runner)
    with open(out / "grades.csv") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def sandboxed_run(tmp_path_factory, listener):
    works, why = sandbox.check()
    if not works:
        skip_or_fail(f"the bubblewrap sandbox cannot run here: {why}")
    tmp = tmp_path_factory.mktemp("sandbox")
    course = course_copy(tmp, A)
    folder = tmp / "submissions"
    folder.mkdir()
    marker = f"autograder-escape-{uuid.uuid4().hex}"
    hostile = attacks(course, folder, listener[0], marker)
    for student in ("correct", "wrong", "blank"):
        (folder / f"{student}.ipynb").write_text(CLASS[student][0])
    for student, code in hostile.items():
        (folder / f"{student}.ipynb").write_text(attack(code))
    rows = grade_with_attacks(course, folder, tmp / "out", set(hostile), sandboxed=True)
    return rows, tmp / "out", hostile, marker, course


def test_every_attack_fails_inside_the_sandbox(sandboxed_run):
    """Listing the repo, rewriting gradebooks, reading a sibling or the hidden tests, connecting out: all fail."""
    rows, out, hostile, _, _ = sandboxed_run
    for student in hostile:
        page = (out / "feedback" / f"{student}.html").read_text()
        assert "LEAKED" not in page, f"{student} escaped the sandbox"
        assert rows[student]["status"] in ("graded", "flagged"), rows[student]
    for student in ("reads_repo", "reads_sibling", "phones_home"):
        assert "blocked:" in (out / "feedback" / f"{student}.html").read_text(), student
    assert "notebooks found: []" in (out / "feedback" / "reads_hidden_tests.html").read_text()


def test_the_host_port_sees_no_connection(sandboxed_run, listener):
    """The loopback server the test opened on the host was never reached from inside the sandbox."""
    assert listener[1] == []


def test_no_process_outlives_its_kernel(sandboxed_run):
    """A background process started by student code is gone once its kernel is."""
    _, _, _, marker, _ = sandboxed_run
    survivors = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    for pid in survivors:
        subprocess.run(["kill", "-9", pid])
    assert survivors == []


def test_other_grades_are_unchanged(sandboxed_run):
    """The honest submissions graded beside the attacks keep exactly their scores, in grades.csv and the gradebook."""
    rows, _, _, _, course = sandboxed_run
    for student in ("correct", "wrong", "blank"):
        assert float(rows[student]["score"]) == CLASS[student][2]
        assert rows[student]["sandbox"] == "True"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(A)}
    assert {k: scores[k] for k in ("correct", "wrong", "blank")} == {k: CLASS[k][2] for k in ("correct", "wrong", "blank")}
    assert max(scores.values()) <= 8.0


def test_a_correct_submission_scores_full_marks_in_the_sandbox(sandboxed_run):
    """Sandboxing costs an honest student nothing."""
    rows, _, _, _, _ = sandboxed_run
    assert (rows["correct"]["status"], float(rows["correct"]["score"])) == ("graded", 8.0)


def test_without_the_sandbox_the_same_attacks_succeed(tmp_path, listener):
    """Control: with --no-sandbox, reading the repo and a sibling's notebook works, so the checks above can fail."""
    course = course_copy(tmp_path, A)
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "correct.ipynb").write_text(CLASS["correct"][0])
    hostile = {k: v for k, v in attacks(course, folder, listener[0], "unused").items() if k in ("reads_repo", "reads_sibling")}
    for student, code in hostile.items():
        (folder / f"{student}.ipynb").write_text(attack(code))
    grade_with_attacks(course, folder, tmp_path / "out", set(hostile), sandboxed=False)
    for student in hostile:
        assert "LEAKED" in (tmp_path / "out" / "feedback" / f"{student}.html").read_text(), student


def test_the_sandbox_dies_with_the_grader(tmp_path):
    """When the grader process is killed outright, the sandboxed process it started is gone within seconds."""
    import os
    import signal
    import sys
    import time

    works, why = sandbox.check()
    if not works:
        skip_or_fail(f"the bubblewrap sandbox cannot run here: {why}")
    marker = f"autograder-orphan-{uuid.uuid4().hex}"
    (tmp_path / "own").mkdir()
    command = sandbox.wrap([sys.executable, "-c", "import time; time.sleep(600)", marker], tmp_path / "own", tmp_path / "own")
    grader = subprocess.Popen([sys.executable, "-c", f"import subprocess; subprocess.Popen({command!r}).wait()"])
    deadline = time.time() + 20
    while not subprocess.run(["pgrep", "-f", marker], capture_output=True).stdout and time.time() < deadline:
        time.sleep(0.1)
    assert subprocess.run(["pgrep", "-f", marker], capture_output=True).stdout, "the sandboxed process never started"
    os.kill(grader.pid, signal.SIGKILL)
    grader.wait()
    deadline = time.time() + 5
    while subprocess.run(["pgrep", "-f", marker], capture_output=True).stdout and time.time() < deadline:
        time.sleep(0.1)
    survivors = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    for pid in survivors:
        subprocess.run(["kill", "-9", pid])
    assert survivors == [], "the sandbox outlived the grader"
