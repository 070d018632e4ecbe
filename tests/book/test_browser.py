"""Every page of the built book, opened in Debian's headless Chromium with the network cut off.

Screenshots of every page are kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.book.pages import toc_pages
from tests.conftest import ROOT

pytestmark = [pytest.mark.book, pytest.mark.browser]

ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = toc_pages()
# Pages that teach with figures (every chapter); the introduction, glossary and exercise notebooks need none.
def needs_figures(docname: str) -> bool:
    return docname not in {"chapters/intro", "chapters/glossary"} and not docname.startswith("chapters/exercises/")


def open_page(browser, site: str, docname: str):
    """Open a page; record console errors, page errors and any request that leaves the machine."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))

    def offline(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # the book must work with no network: nothing may come from a CDN
            problems.append(f"external request: {route.request.url}")
            route.abort()

    page.route("**/*", offline)
    page.goto(f"{site}/{docname}.html", wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, problems


@pytest.mark.parametrize("docname", PAGES)
def test_page_renders_offline(browser, site, docname):
    """The page loads with no console error and no external request, its math is typeset and its figures load."""
    page, problems = open_page(browser, site, docname)
    # MathJax 3 resolves startup.promise once the first typesetting pass is over.
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("MathJax.startup.promise")
    math_sources = page.locator("main .math").count()
    typeset = page.locator("main mjx-container").count()
    assert math_sources > 0, f"{docname} has no math at all"
    assert typeset >= math_sources, f"{docname}: {math_sources} math elements but only {typeset} typeset by MathJax"
    assert page.locator("main mjx-merror").count() == 0, f"{docname}: MathJax reported a TeX error"

    images = page.locator("main img")
    broken = page.evaluate("[...document.querySelectorAll('main img')].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    assert broken == [], f"{docname}: figures that did not load: {broken}"
    if needs_figures(docname):
        assert images.count() >= 1, f"{docname} teaches without a single figure"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{docname.replace('/', '__')}.png"), full_page=True)
    page.close()
    assert problems == [], f"{docname}: " + "\n".join(problems)


@pytest.mark.parametrize("docname, following", list(zip(PAGES, PAGES[1:])))
def test_next_link_leads_to_the_following_page(browser, site, docname, following):
    """The 'next' button at the foot of each page opens the next page of the table of contents."""
    page, problems = open_page(browser, site, docname)
    page.locator("a.right-next").first.click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path == f"/{following}.html"
    page.close()
    assert problems == []


def test_download_menu_offers_existing_files(browser, site):
    """Every link in a page's download menu (source, notebook) points at a file the book really serves."""
    for docname in PAGES:
        page, problems = open_page(browser, site, docname)
        links = page.evaluate("[...document.querySelectorAll('.dropdown-download-buttons a[href]')].map(a => a.href)")
        assert links, f"{docname} has no download link"
        for link in links:
            response = page.request.get(link)
            assert response.ok, f"{docname}: download {link} answers {response.status}"
        page.close()
        assert problems == []
