"""`grade --db postgresql+psycopg://…`: a real PostgreSQL server as the course gradebook holds the same grades as SQLite.

The fixture starts Debian's PostgreSQL on loopback in a temporary folder (initdb, pg_ctl; as the `postgres`
user when the tests run as root, since PostgreSQL refuses to run as root) and stops it afterwards.
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.grading import Options, grade_class
from tests.assignments.roundtrip import course_copy
from tests.conftest import skip_or_fail
from tests.grading.fixtures import A, CLASS, write_class

OPTIONS = dict(workers=2, timeout=3, memory_limit_gib=1.0, quiet=True)
STUDENTS = ["correct", "wrong", "hidden_only", "invalid_json", "imports_reference"]


def _server_binaries() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    bin_dir = _server_binaries()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        skip_or_fail("the PostgreSQL server (initdb, pg_ctl) is not installed (Debian: apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401  — SQLAlchemy's PostgreSQL driver (requirements.txt)
    except ImportError:
        skip_or_fail("the PostgreSQL driver psycopg is not installed (pip install -r requirements.txt)")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="autograder-postgres-"))
    if os.geteuid() == 0:  # PostgreSQL will not run as root: run it as Debian's `postgres` user
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            skip_or_fail("running as root and there is no `postgres` user to run the PostgreSQL server as")
        if shutil.which("runuser") is None:
            shutil.rmtree(folder)
            skip_or_fail("running as root and `runuser` (util-linux) is missing")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()

    def run(*command):
        done = subprocess.run([*as_user, *map(str, command)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"

    run(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
    run(bin_dir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-o", options, "-w", "-t", "60", "start")
    try:
        run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "gradebook")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _gradebook(url: str) -> dict[str, dict[str, float]]:
    """{student: {test: auto_score}} of every submission of A in the gradebook at `url`."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        return {s.student.id: {g.name: g.auto_score for g in s.notebooks[0].grades} for s in gradebook.assignment_submissions(A)}


def _grades(out: Path) -> dict[str, tuple]:
    with open(out / "grades.csv") as f:
        return {r["student_id"]: (r["status"], float(r["score"])) for r in csv.DictReader(f)}


def test_postgres_gradebook_holds_the_same_grades_as_sqlite(postgres_url, tmp_path):
    """The same class graded with the default SQLite gradebook and with PostgreSQL as --db: the same scores, test by test."""
    course = course_copy(tmp_path / "course", A)
    folder = write_class(tmp_path / "submissions", STUDENTS)
    grade_class(A, folder, tmp_path / "sqlite", Options(**OPTIONS), course=course)
    grade_class(A, folder, tmp_path / "postgres", Options(**OPTIONS, db_url=postgres_url), course=course)

    in_sqlite, in_postgres = _gradebook(f"sqlite:///{course / 'gradebook.db'}"), _gradebook(postgres_url)
    assert set(in_postgres) == set(STUDENTS)
    assert in_postgres == in_sqlite
    assert {s: sum(tests.values()) for s, tests in in_postgres.items()} == {s: CLASS[s][2] for s in STUDENTS}
    assert _grades(tmp_path / "postgres") == _grades(tmp_path / "sqlite") == {s: CLASS[s][1:] for s in STUDENTS}

    # Running the command again (everyone's result is saved, so it only merges) updates rows in place.
    grade_class(A, folder, tmp_path / "postgres", Options(**OPTIONS, db_url=postgres_url), course=course)
    from nbgrader.api import Gradebook

    with Gradebook(postgres_url) as gradebook:
        assert len(gradebook.assignment_submissions(A)) == len(STUDENTS)
    assert _gradebook(postgres_url) == in_sqlite
