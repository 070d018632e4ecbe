"""Benchmark of the in-browser exercises (not a test): what a first visit costs a student, cold and warm.

Serves the built book (`_build/html`, built by the README's first command) on loopback, opens an exercise's
notebook in JupyterLite in Debian's headless Chromium with a fresh on-disk profile, and reports for a cold visit
(empty cache) and a warm one (the same profile, cached): the requests and bytes the server sent (and what they
weigh gzipped, as most static hosts send them) and the seconds from opening the page until the first code cell
(the kernel started, NumPy imported) has run; warm is the median of `--warm` visits. Targets on 2 cores: cold <= 20 s,
warm <= 8 s. The server sends `Cache-Control: max-age=600`, as a static host would.

Run from the repository root:  python benchmarks/browser.py [--notebook ex02_correlation] [--warm 3] [--site DIR]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.lite import NOTEBOOK_JS, LiteHandler  # noqa: E402

SITE = ROOT / "_build" / "html"
TIMEOUT_MS = 180_000
CHROMIUM = "/usr/bin/chromium"


class _Counting(LiteHandler):
    sent: list = []
    site = SITE

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def do_GET(self):
        super().do_GET()
        path = self.site / self.path.split("?")[0].lstrip("/")
        if getattr(self, "_status", 0) == 200 and path.is_file():
            data = path.read_bytes()
            type(self).sent.append((len(data), len(gzip.compress(data, 6))))


def visit(context, base: str, notebook: str, cells: int) -> float:
    page = context.new_page()
    start = time.monotonic()
    page.goto(f"{base}/lite/lab/index.html?path={notebook}.ipynb", wait_until="domcontentloaded")
    # Polled every 100 ms, not every frame: the probe must not compete with JupyterLab for the CPU.
    # A cell run before the session has its kernel is silently dropped by JupyterLab: wait for the kernel first.
    page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb && nb.ready && nb.cells.length === {cells}"
                           " && nb.status === 'idle'; }", polling=100, timeout=TIMEOUT_MS)
    first = next(i for i, c in enumerate(page.evaluate(NOTEBOOK_JS)["cells"]) if c["type"] == "code")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(first).locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(f"() => {{ const nb = ({NOTEBOOK_JS})(); return nb.cells[{first}].count !== null"
                           " && nb.status === 'idle'; }", polling=100, timeout=TIMEOUT_MS)
    seconds = time.monotonic() - start
    page.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", default="ex02_correlation")
    parser.add_argument("--warm", type=int, default=3, help="warm visits after the cold one (the median is reported)")
    parser.add_argument("--site", type=Path, default=SITE, help="a built book (a folder holding lite/) to compare")
    args = parser.parse_args()
    _Counting.site = args.site
    if not (args.site / "lite" / "jupyter-lite.json").exists():
        print("no in-browser site in _build/html/lite: build the book first (README's first command)")
        return 1
    cells = len(json.loads((ROOT / "chapters" / "exercises" / f"{args.notebook}.ipynb").read_text())["cells"])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Counting, directory=str(args.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    from playwright.sync_api import sync_playwright

    visits = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--proxy-server=http://127.0.0.1:9"])
        for _ in range(1 + args.warm):
            _Counting.sent.clear()
            seconds = visit(context, base, args.notebook, cells)
            visits.append((seconds, len(_Counting.sent), sum(s for s, _ in _Counting.sent),
                           sum(g for _, g in _Counting.sent)))
        context.close()
    server.shutdown()
    size = sum(p.stat().st_size for p in (args.site / "lite").resolve().rglob("*") if p.is_file())
    print(f"in-browser site: {size / 2**20:.1f} MiB in {args.site / 'lite'}; notebook {args.notebook}")
    print(f"{'visit':6} {'to first output':>16} {'requests':>9} {'MiB sent':>9} {'MiB gzipped':>12}   target")
    warm = sorted(visits[1:], key=lambda v: v[0])
    rows = [("cold", visits[0], 20)] + ([("warm", warm[len(warm) // 2], 8)] if warm else [])
    for name, (seconds, requests, sent, gzipped), target in rows:
        verdict = "MET" if seconds <= target else "NOT MET"
        print(f"{name:6} {seconds:14.1f} s {requests:9d} {sent / 2**20:9.1f} {gzipped / 2**20:12.1f}   <= {target} s: {verdict}")
    if warm:
        print("warm visits (the median above):", ", ".join(f"{v[0]:.1f} s" for v in visits[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
