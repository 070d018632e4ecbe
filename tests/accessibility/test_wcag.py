"""WCAG 2.1 AA on every page a reader, a student or an instructor opens, as axe-core measures it in Chromium.

axe-core (npm, pinned in package-lock.json; `bash tests/setup.sh` installs it) is injected into Debian's headless
Chromium over the built book served on loopback, and over a `report.html` and feedback pages the grader writes.
Beside it: a real text alternative on every figure, one h1 and no skipped heading level, `lang` on every page,
math that a screen reader can read, and a keyboard walk through a chapter with a visible focus at each stop.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from autograder.course import COURSE
from autograder.grading import Options, grade_class
from autograder.translations import korean_notebook
from tests.assignments.roundtrip import course_copy
from tests.book.pages import toc_pages
from tests.conftest import ROOT, serve, skip_or_fail
from tests.grading.fixtures import write_class

pytestmark = [pytest.mark.book, pytest.mark.browser]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = toc_pages()
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.exists():
        skip_or_fail("axe-core is not installed (npm ci --prefix tests/accessibility)")
    return AXE


def violations(page, axe: Path) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the open page, one line per element: rule, impact, where."""
    page.add_script_tag(path=str(axe))
    found = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return result.violations.flatMap(v => v.nodes.map(n =>
            `${v.id} (${v.impact}): ${n.target.join(' ')} :: ${n.html.slice(0, 120)}`));
    }""", WCAG_TAGS)
    return found


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    base = re.match(r"https?://[^/]+", url).group(0)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=20000)
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return page


def _assert_no_violations(browser, url: str, axe: Path) -> None:
    page = _open(browser, url)
    try:
        found = violations(page, axe)
    finally:
        page.close()
    assert found == [], f"{url}: {len(found)} violations:\n" + "\n".join(found)


@pytest.mark.parametrize("docname", PAGES)
def test_book_page_has_no_wcag_violations(browser, site, axe, docname):
    """axe-core finds no WCAG 2.1 A/AA violation on the page (every one is listed when there are any)."""
    _assert_no_violations(browser, f"{site}/{docname}.html", axe)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A grading run's outputs: report.html and the feedback of a correct, a wrong, a crashed and an invalid submission,
    and of a correct Korean one."""
    tmp = tmp_path_factory.mktemp("graded")
    course = course_copy(tmp, "ex01_image_tensors")
    folder = write_class(tmp / "submissions", ["correct", "wrong", "crash", "invalid_json", "imports_reference"])
    korean = korean_notebook(nbformat.read(COURSE / "source" / "ex01_image_tensors" / "ex01_image_tensors.ipynb",
                                           as_version=4), "ex01_image_tensors")
    nbformat.write(korean, folder / "korean.ipynb")  # a Korean student's feedback page: lang="ko", Korean text
    results, failed = grade_class("ex01_image_tensors", folder, tmp / "out", Options(workers=2, timeout=20, quiet=True),
                                  course=course)
    assert not failed
    with serve(tmp / "out") as base:
        yield base


@pytest.mark.parametrize("name", ["report.html", "feedback/correct.html", "feedback/wrong.html", "feedback/crash.html",
                                  "feedback/invalid_json.html", "feedback/imports_reference.html", "feedback/korean.html"])
def test_grader_page_has_no_wcag_violations(browser, graded, axe, name):
    """The report and the feedback pages the grader writes have no WCAG 2.1 A/AA violation."""
    _assert_no_violations(browser, f"{graded}/{name}", axe)


# ---- text alternatives ----------------------------------------------------------------------------------

def _says_something(alt: str) -> bool:
    return len(alt.split()) >= 5 and not re.search(r"\.(png|jpe?g|svg|gif)\b|_images/", alt)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_cell_has_its_alt_text_in_the_source(chapter):
    """Each chapter code cell that draws a figure (plt.show()) carries mystnb.image.alt, a sentence, in its source."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(chapter.read_text())
    missing = [cell.source.splitlines()[0] for cell in notebook.cells if cell.cell_type == "code"
               and "plt.show()" in cell.source
               and not _says_something(cell.metadata.get("mystnb", {}).get("image", {}).get("alt", ""))]
    assert missing == [], f"{chapter.name}: figure cells without a text alternative: {missing}"


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


@pytest.mark.parametrize("docname", [p for p in PAGES if p.startswith("chapters/")])
def test_every_image_on_a_page_says_what_it_shows(book, docname):
    """Every <img> of a chapter or exercise page has an alt that is a sentence, not a file name or one word."""
    parser = _Images()
    parser.feed((book / f"{docname}.html").read_text())
    bad = [alt for alt in parser.alts if alt is None or not _says_something(alt)]
    assert bad == [], f"{docname}: images whose alt says nothing: {bad}"


# ---- structure, language, math ------------------------------------------------------------------------------

@pytest.mark.parametrize("docname", PAGES)
def test_one_h1_no_skipped_level_and_a_language(browser, site, docname):
    """The page's content has one h1 and no skipped heading level, and the page says its language."""
    page = _open(browser, f"{site}/{docname}.html")
    try:
        # what a screen reader meets: the visible headings (the theme's print-only copy of the title is not)
        levels = page.evaluate("() => [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
                               ".filter(h => h.checkVisibility()).map(h => Number(h.tagName[1]))")
        lang = page.evaluate("() => document.documentElement.lang")
    finally:
        page.close()
    assert levels.count(1) == 1 and levels[0] == 1, f"{docname}: headings {levels}"
    skipped = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert skipped == [], f"{docname}: heading levels skip {skipped}"
    assert lang == "en"


def test_math_is_readable_by_assistive_technology(browser, site):
    """Every formula of a chapter carries MathJax's assistive MathML, and formulas are not tab stops."""
    page = _open(browser, f"{site}/chapters/correlation.html")
    try:
        counts = page.evaluate("() => [document.querySelectorAll('mjx-container').length,"
                               " document.querySelectorAll('mjx-container mjx-assistive-mml math').length,"
                               " document.querySelectorAll('mjx-container[tabindex=\"0\"]').length]")
    finally:
        page.close()
    formulas, with_mathml, tab_stops = counts
    assert formulas > 50 and with_mathml == formulas and tab_stops == 0, counts


# ---- keyboard ---------------------------------------------------------------------------------------------------

_FOCUS = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {tag: e.tagName, cls: String(e.className), href: e.getAttribute('href'), label: e.getAttribute('aria-label'),
          text: (e.textContent || '').trim().slice(0, 40), visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
          || (s.boxShadow !== 'none' && !/^rgba\\(0, 0, 0, 0\\)/.test(s.boxShadow))}; }"""


def test_keyboard_reaches_navigation_download_menu_and_next_page(browser, site):
    """Tabbing through a chapter reaches the sidebar, the download menu (and its items) and the next-page link, each
    with a visible focus."""
    page = _open(browser, f"{site}/chapters/correlation.html")
    try:
        stops = []
        for _ in range(400):
            page.keyboard.press("Tab")
            stop = page.evaluate(_FOCUS)
            stops.append(stop)
            if stop["label"] == "Download this page" and not any(s.get("menu") for s in stops):
                page.keyboard.press("Enter")
                page.keyboard.press("ArrowDown")
                item = page.evaluate(_FOCUS)
                item["menu"] = True
                stops.append(item)
                page.keyboard.press("Escape")
            if "right-next" in stop["cls"]:
                break
    finally:
        page.close()
    sidebar = [s for s in stops if s["href"] == "bias.html" and "reference" in s["cls"]]
    download = [s for s in stops if s["label"] == "Download this page"]
    items = [s for s in stops if s.get("menu")]
    following = [s for s in stops if "right-next" in s["cls"]]
    assert sidebar and download and items and following, [(s["tag"], s["cls"][:30], s["label"]) for s in stops][:80]
    assert items[0]["href"] and items[0]["href"].endswith((".md", ".ipynb", ".pdf")), items[0]
    invisible = [s for s in (sidebar[0], download[0], items[0], following[0]) if not s["visible"]]
    assert invisible == [], f"no visible focus on {invisible}"


def test_report_charts_say_what_they_show(graded):
    """report.html's two charts have text alternatives that give the numbers: scores and pass rates."""
    import urllib.request

    parser = _Images()
    parser.feed(urllib.request.urlopen(f"{graded}/report.html", timeout=10).read().decode())
    histogram, rates = parser.alts
    # five English students and a Korean one whose answers are correct (the fixture `graded`)
    assert histogram.startswith("Histogram of the 6 scores out of 8: ") and "2 scored 8" in histogram, histogram
    assert rates.startswith("Bar chart of the share of graded submissions that pass each test") and "test_to_grayscale" in rates


@pytest.mark.parametrize("docname", [p for p in PAGES if p.startswith("chapters/exercises/")])
def test_exercise_page_reads_without_noise(book, docname):
    """An exercise page shows the loop checker only behind a closed toggle with a one-line summary, and its title
    ("Exercise N — …") carries no section number such as 6.11."""
    page = (book / f"{docname}.html").read_text()
    article = page[page.index("<article"):]
    title = re.search(r"<h1>([^<]*)<", article).group(1).strip()
    assert re.fullmatch(r"Exercise \d — .+", title), title
    checker = '<span class="nf">assert_no_loops</span>'
    if checker in article:
        at = article.index(checker)
        toggle = article.rindex("<details", 0, at)
        assert article[toggle:].startswith('<details class="admonition hide above-input">'), article[toggle:toggle + 80]
        assert "Show the loop checker (read-only): assert_no_loops(f) fails if f" in article[toggle:at]
