"""JupyterLite in a real headless Chromium: the served site, a page that refuses every request off this machine, and
what a student does there (open a notebook, run its cells, upload, edit, save, download).

The test server adds JupyterLite's `exposeAppInBrowser` to the site's settings (a test hook: JupyterLab keeps only the
cells in view in the page, so the notebook is read from its model through `window.jupyterapp`); all else is served
as built.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

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


class LiteHandler(http.server.SimpleHTTPRequestHandler):
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
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(LiteHandler, directory=str(book)))
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


def wait_for_notebook(page, path: str, cells: int) -> None:
    """Wait until a notebook is open and loaded; it must be `path`, with `cells` cells."""
    page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb && nb.ready && nb.cells.length > 0; }}",
                           polling=100, timeout=TIMEOUT_MS)
    opened = page.evaluate(NOTEBOOK_JS)
    assert (opened["path"], len(opened["cells"])) == (path, cells), "another notebook opened"
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", state="visible", timeout=TIMEOUT_MS)


def wait_for_kernel(page) -> None:
    """JupyterLab silently drops a cell run before the session has its kernel: wait until the kernel is up."""
    page.wait_for_function(f"() => ({NOTEBOOK_JS})().status === 'idle'", polling=100, timeout=TIMEOUT_MS)


def run_all(page) -> dict:
    """Run → Run All Cells; wait until every code cell has run since (its count above every count before)."""
    wait_for_kernel(page)
    before = max([c["count"] or 0 for c in page.evaluate(NOTEBOOK_JS)["cells"]], default=0)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb.status === 'idle'"
                           f" && nb.cells.every(c => c.type !== 'code' || c.count > {before}); }}", polling=100,
                           timeout=TIMEOUT_MS)
    return page.evaluate(NOTEBOOK_JS)


def set_source(page, index: int, source: str) -> None:
    """Replace cell `index`'s text in the open notebook, as typing it would (the notebook becomes unsaved)."""
    page.evaluate("([i, text]) => window.jupyterapp.shell.currentWidget.content.model.cells.get(i)"
                  ".sharedModel.setSource(text)", [index, source])


def run_one_by_one(page) -> dict:
    """Shift+Enter through every cell, as a student does (Run All would stop at the first failing test)."""
    wait_for_kernel(page)
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


def upload_and_open(page, served: str, local: Path, cells: int) -> None:
    """Upload `local` with the file browser's Upload button and open it (it must have `cells` cells)."""
    page.goto(f"{served}/lite/lab/index.html")
    page.wait_for_selector(".jp-FileBrowser .jp-id-upload", timeout=TIMEOUT_MS)
    with page.expect_file_chooser() as chooser:
        page.locator(".jp-FileBrowser .jp-id-upload").click()
    chooser.value.set_files(str(local))
    item = page.locator(".jp-DirListing-item", has_text=local.name)
    item.wait_for(timeout=TIMEOUT_MS)
    item.dblclick()
    wait_for_notebook(page, local.name, cells)


def save_and_download(page, name: str, target: Path) -> None:
    """Save the open notebook (Ctrl+S), then download it from the file browser (right click → Download) to `target`."""
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", polling=100,
                           timeout=TIMEOUT_MS)
    page.locator(".jp-DirListing-item", has_text=name).click(button="right")
    with page.expect_download() as download:
        page.locator('.lm-Menu-item[data-command="filebrowser:download"]').click()
    download.value.save_as(str(target))


def errors_of(state: dict, index: int) -> list[dict]:
    """The error outputs of cell `index` in a `NOTEBOOK_JS` state."""
    return [o for o in state["cells"][index]["outputs"] if o.get("output_type") == "error"]
