"""nbgrader's formgrader shows what `grade` wrote, and a manual adjustment made there survives the next `grade` run.

A real Jupyter server with nbgrader's formgrader extension is started on loopback in a copy of the course; Debian's
headless Chromium opens its pages (every request off this machine refused) as an instructor would.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from autograder.grading import Options, grade_class
from tests.assignments.roundtrip import course_copy
from tests.grading.fixtures import CLASS, write_class

pytestmark = pytest.mark.browser

A = "ex01_image_tensors"
STUDENTS = {"correct": 8.0, "wrong": 5.0, "imports_reference": 0.0}  # fixtures.CLASS's expected scores
TOKEN = uuid.uuid4().hex


def _grade(course, folder, out):
    _, failed = grade_class(A, folder, out, Options(workers=2, timeout=20, quiet=True), course=course)
    assert not failed, failed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str):
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formgrader")
    course = course_copy(tmp, A)
    folder = write_class(tmp / "submissions", list(STUDENTS))
    assert {s: CLASS[s][2] for s in STUDENTS} == STUDENTS
    _grade(course, folder, tmp / "out")
    return course, folder, tmp


@pytest.fixture(scope="module")
def formgrader(graded):
    """`jupyter server` with nbgrader's extensions, serving the course copy on a loopback port."""
    course, _, tmp = graded
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={course}"], cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            _api(base, "/api/status")
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                pytest.fail(f"the Jupyter server did not start:\n{(tmp / 'server.log').read_text()[-3000:]}")
            time.sleep(0.3)
    yield base
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture
def page(browser, formgrader):
    context = browser.new_context(extra_http_headers={"Authorization": f"token {TOKEN}"})
    page = context.new_page()
    # nbgrader's own page template asks a CDN for MathJax: refused, like every request off this machine
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(formgrader) else route.abort())
    yield page
    context.close()


def _gradebook_rows(page, base) -> dict[str, tuple[str, str]]:
    """{student: (overall score text, href of their submission)} from the formgrader's gradebook page."""
    page.goto(f"{base}/formgrader/gradebook/{A}/{A}")
    page.wait_for_selector("table a.name-shown", state="attached", timeout=20000)
    rows = page.locator("table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.querySelector('a.name-shown').textContent.trim(),"
        " r.querySelectorAll('td')[2].textContent.trim(), r.querySelector('a.name-shown').getAttribute('href')])")
    return {student: (score, href) for student, score, href in rows}


def test_the_formgrader_lists_every_student_with_the_scores_grade_wrote(page, formgrader):
    """The gradebook page shows every graded student, each with the score in grades.csv."""
    rows = _gradebook_rows(page, formgrader)
    assert {s: score for s, (score, _) in rows.items()} == {s: f"{v:g} / 8" for s, v in STUDENTS.items()}


def test_the_formgrader_flags_what_needs_review(formgrader):
    """The flagged submission is flagged in the formgrader, the others are not."""
    notebooks = _api(formgrader, f"/formgrader/api/submitted_notebooks/{A}/{A}")
    assert {n["student"]: n["flagged"] for n in notebooks} == {"correct": False, "wrong": False, "imports_reference": True}


def test_a_submission_opens_with_its_per_cell_scores(page, formgrader):
    """A student's submission page renders the autograded notebook, with one score field per test cell."""
    _, href = _gradebook_rows(page, formgrader)["wrong"]
    page.goto(formgrader + href)
    page.wait_for_selector("input.score#test_to_grayscale", timeout=20000)
    assert page.locator("input.score").evaluate_all("els => els.map(e => e.id)") == \
        ["test_to_grayscale", "test_stack_images", "test_to_channels_first"]
    assert "grey values of pure red, green, blue and white pixels" in page.inner_text("body")


def test_a_manual_adjustment_survives_the_next_grade_run(page, formgrader, graded):
    """A score typed in the formgrader stays after `grade` runs again without --force."""
    course, folder, tmp = graded
    _, href = _gradebook_rows(page, formgrader)["wrong"]
    page.goto(formgrader + href)
    field = page.locator("input.score#test_to_grayscale")
    field.wait_for(timeout=20000)
    field.fill("2")
    field.press("Tab")
    deadline = time.time() + 10
    while _gradebook_rows(page, formgrader)["wrong"][0] != "7 / 8" and time.time() < deadline:
        time.sleep(0.5)
    assert _gradebook_rows(page, formgrader)["wrong"][0] == "7 / 8"
    _grade(course, folder, tmp / "out")
    assert _gradebook_rows(page, formgrader)["wrong"][0] == "7 / 8"
    assert _gradebook_rows(page, formgrader)["correct"][0] == "8 / 8"
