"""Every exercise opened from the book runs in the browser (JupyterLite, Pyodide), offline, and what a student
downloads from there grades to full marks; each chapter's Exercises section opens its own notebook there.

The built book is served on loopback and opened in Debian's headless Chromium with every other request refused. The
test server adds JupyterLite's `exposeAppInBrowser` to the site's settings (a test hook: JupyterLab keeps only the
cells in view in the page, so the notebook is read from its model through `window.jupyterapp`); all else is served
as built.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import nbformat
import pytest
import yaml

from autograder.grading import Options, grade_class
from tests.assignments.roundtrip import course_copy
from tests.conftest import ROOT, skip_or_fail
from tests.environments.student_env import answered

pytestmark = [pytest.mark.book, pytest.mark.browser]

ASSIGNMENTS = sorted(path.stem for path in (ROOT / "chapters" / "exercises").glob("ex0*_*.ipynb"))
TIMEOUT_MS = 120_000
NOTEBOOK_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model) { return null; }
  const cells = [];
  for (let i = 0; i < panel.content.model.cells.length; i++) {
    const cell = panel.content.model.cells.get(i).toJSON();
    cells.push({type: cell.cell_type, count: cell.execution_count === undefined ? null : cell.execution_count,
                outputs: cell.outputs || []});
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {path: panel.context.path, ready: panel.context.isReady, cells, status: kernel ? kernel.status : null};
}"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.split("?")[0] == "/lite/jupyter-lite.json":
            config = json.loads((Path(self.directory) / "lite" / "jupyter-lite.json").read_text())
            config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
            body = json.dumps(config).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture(scope="module")
def served(book):
    if not (book / "lite" / "jupyter-lite.json").exists():
        skip_or_fail("the in-browser site was not built (the build log says why)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(book)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def page(browser, served, tmp_path):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    outside = []

    def refuse_outside(route):
        if route.request.url.startswith(served) or route.request.url.startswith(("blob:", "data:")):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", refuse_outside)
    page = context.new_page()
    yield page
    context.close()
    assert outside == [], f"requests off this machine: {outside}"


def _chapter_of(assignment: str) -> str:
    """The chapter whose section the exercise page is, in `_toc.yml`."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    (chapter,) = [c["file"] for part in toc["parts"] for c in part["chapters"]
                  if f"chapters/exercises/{assignment}" in [s["file"] for s in c.get("sections", [])]]
    return chapter


def _wait_for_notebook(page, path: str, cells: int) -> None:
    """Wait until a notebook is open and loaded; it must be `path`, with `cells` cells."""
    page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb && nb.ready && nb.cells.length > 0; }}",
                           polling=100, timeout=TIMEOUT_MS)
    opened = page.evaluate(NOTEBOOK_JS)
    assert (opened["path"], len(opened["cells"])) == (path, cells), "another notebook opened"
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", state="visible", timeout=TIMEOUT_MS)


def _wait_for_kernel(page) -> None:
    """JupyterLab silently drops a cell run before the session has its kernel: wait until the kernel is up."""
    page.wait_for_function(f"() => ({NOTEBOOK_JS})().status === 'idle'", polling=100, timeout=TIMEOUT_MS)


def _run_all(page) -> dict:
    _wait_for_kernel(page)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb.status === 'idle'"
                           " && nb.cells.every(c => c.type !== 'code' || c.count !== null); }", polling=100,
                           timeout=TIMEOUT_MS)
    return page.evaluate(NOTEBOOK_JS)


def _run_one_by_one(page) -> dict:
    """Shift+Enter through every cell, as a student does (Run All would stop at the first failing test)."""
    _wait_for_kernel(page)
    count = len(page.evaluate(NOTEBOOK_JS)["cells"])
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")  # command mode, the first cell selected
    for index in range(count):
        kind = page.evaluate(NOTEBOOK_JS)["cells"][index]["type"]
        # Shift+Enter on the last cell would add a cell below it: Ctrl+Enter runs it in place
        page.keyboard.press("Shift+Enter" if index < count - 1 else "Control+Enter")
        if kind == "code":
            page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb.cells[{index}].count !== null"
                                   " && nb.status === 'idle'; }", polling=100, timeout=TIMEOUT_MS)
    return page.evaluate(NOTEBOOK_JS)


def _test_cells(notebook) -> list[tuple[int, str]]:
    tests = [(i, c.metadata.nbgrader.grade_id) for i, c in enumerate(notebook.cells)
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert tests, "a released notebook without test cells"
    return tests


def _released(assignment: str):
    return nbformat.read(ROOT / "chapters" / "exercises" / f"{assignment}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_chapter_opens_its_exercise_in_the_browser(page, served, assignment):
    """The chapter's Exercises section has one 'open it in the browser' link, and it opens that chapter's notebook."""
    page.goto(f"{served}/{_chapter_of(assignment)}.html")
    links = page.get_by_role("link", name="open it in the browser")
    assert links.count() == 1
    assert page.locator("section#exercises").get_by_role("link", name="open it in the browser").count() == 1
    links.click()
    _wait_for_notebook(page, f"{assignment}.ipynb", len(_released(assignment).cells))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_exercise_opens_from_the_book_and_runs_offline(page, served, assignment):
    """From the exercise page's link, the blank notebook opens in JupyterLite and every test fails NotImplementedError."""
    released = _released(assignment)
    page.goto(f"{served}/chapters/exercises/{assignment}.html")
    page.get_by_role("link", name=f"Open {assignment}.ipynb in the browser").click()
    _wait_for_notebook(page, f"{assignment}.ipynb", len(released.cells))
    state = _run_one_by_one(page)
    for index, grade_id in _test_cells(released):
        errors = [o for o in state["cells"][index]["outputs"] if o.get("output_type") == "error"]
        # the Pyodide kernel names an error "<class 'NotImplementedError'>", ipykernel "NotImplementedError"
        assert errors and "NotImplementedError" in errors[0]["ename"], (grade_id, state["cells"][index]["outputs"])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_filled_notebook_runs_downloads_and_grades_to_full_marks(page, served, tmp_path, assignment):
    """Uploaded, run (visible tests pass), saved and downloaded from JupyterLite, a notebook grades to full marks."""
    released = _released(assignment)
    name = f"{assignment}_filled.ipynb"
    local = tmp_path / name
    nbformat.write(answered(assignment), local)  # the release with the source's solutions in its answer cells
    page.goto(f"{served}/lite/lab/index.html")
    page.wait_for_selector(".jp-FileBrowser .jp-id-upload", timeout=TIMEOUT_MS)
    with page.expect_file_chooser() as chooser:
        page.locator(".jp-FileBrowser .jp-id-upload").click()
    chooser.value.set_files(str(local))
    item = page.locator(".jp-DirListing-item", has_text=name)
    item.wait_for(timeout=TIMEOUT_MS)
    item.dblclick()
    _wait_for_notebook(page, name, len(released.cells))
    state = _run_all(page)
    tests = _test_cells(released)
    failed = {grade_id: state["cells"][i]["outputs"] for i, grade_id in tests
              if any(o.get("output_type") == "error" for o in state["cells"][i]["outputs"])}
    assert failed == {}
    assert all(state["cells"][i]["count"] is not None for i, _ in tests)
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", polling=100,
                           timeout=TIMEOUT_MS)
    page.locator(".jp-DirListing-item", has_text=name).click(button="right")
    with page.expect_download() as download:
        page.locator('.lm-Menu-item[data-command="filebrowser:download"]').click()
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    download.value.save_as(str(submissions / "browser_student.ipynb"))

    course = course_copy(tmp_path / "grading", assignment)
    results, failures = grade_class(assignment, submissions, tmp_path / "out",
                                    Options(workers=1, timeout=20, quiet=True), course=course)
    assert not failures
    (result,) = results
    assert (result.status, result.score) == ("graded", result.max_score) and result.max_score > 0, result.message
    shutil.rmtree(tmp_path / "out" / "results")  # it holds the hidden tests
