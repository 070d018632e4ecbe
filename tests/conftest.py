"""Fixtures shared by the whole suite: the repository root and the book, built once per session."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_HTML = ROOT / "_build" / "html"
IN_CI = bool(os.environ.get("CI"))


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing system tool skips a test; in CI it fails it (CI installs everything)."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must install it: see tests/setup.sh)")
    pytest.skip(f"{reason}; run `bash tests/setup.sh` to install it")


def repo_copy(tmp: Path) -> Path:
    """What an instructor's checkout holds for releasing and grading (autograder/, solutions/, the book's
    exercises, the catalogues of the Korean notebooks), copied to `tmp/repo`: `python -m autograder` run there
    writes nothing into this checkout."""
    repo = tmp / "repo"
    ignore = shutil.ignore_patterns("release", "submitted", "autograded", "feedback", "gradebook.db", "__pycache__")
    for folder in ("autograder", "solutions", "chapters/exercises", "locales"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=ignore)
    return repo


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book() -> Path:
    """Build the book exactly as CI does (strict: any warning fails) and return `_build/html`."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"jupyter-book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return BOOK_HTML


#: Debian's Chromium: the browser tests never download a browser of their own.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright, started with the flags a closed network needs."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        skip_or_fail("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on a loopback port, as a reader's local web server would; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def site(book):
    """The built book (`_build/html`) on a loopback port."""
    with serve(book) as base:
        yield base
