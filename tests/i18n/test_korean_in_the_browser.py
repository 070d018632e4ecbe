"""The Korean pages in Debian's headless Chromium: offline with their math typeset and figures loaded, lang="ko" and
one h1, Hangul drawn with a real Korean font (never tofu), no WCAG 2.1 A/AA violation (axe-core), and the language
switch reachable by keyboard. A screenshot of a Korean chapter is kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import urlparse

import pytest

from tests.accessibility.test_wcag import _assert_no_violations, _open, axe  # noqa: F401 (axe: a fixture)
from tests.book.pages import toc_pages
from tests.book.test_browser import ARTIFACTS, open_page
from tests.conftest import CHROMIUM, skip_or_fail

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGES = toc_pages()
#: families of the Korean font stack (static/korean_edition.css): one of them must draw the Hangul
KOREAN_FONTS = {"Apple SD Gothic Neo", "Malgun Gothic", "맑은 고딕", "Noto Sans KR", "Noto Sans CJK KR", "NanumGothic",
                "Nanum Gothic"}
CHAPTER = "ko/chapters/correlation"


@pytest.mark.parametrize("docname", PAGES)
def test_korean_page_renders_offline(browser, site, docname):
    """The Korean page loads with no console error and no external request, its math is typeset (MathJax from the
    Korean edition's own _static) and its figures load; it says lang="ko" (its switch lang="en" of "English"), and its
    content has one h1 and no skipped heading level."""
    page, problems = open_page(browser, site, f"ko/{docname}")
    levels = page.evaluate("() => [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
                           ".filter(h => h.checkVisibility()).map(h => Number(h.tagName[1]))")
    languages = page.evaluate("() => [document.documentElement.lang,"
                              " ...[...document.querySelectorAll('.language-switch [lang]')].map(e => e.lang)]")
    assert languages == ["ko", "en"], languages
    assert levels.count(1) == 1 and levels[0] == 1, f"ko/{docname}: headings {levels}"
    assert [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1] == [], f"ko/{docname}: heading levels {levels}"
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("MathJax.startup.promise")
    sources, typeset = page.locator("main .math").count(), page.locator("main mjx-container").count()
    assert typeset >= sources > 0, f"ko/{docname}: {sources} formulas, {typeset} typeset"
    assert page.locator("main mjx-merror").count() == 0, f"ko/{docname}: MathJax reported a TeX error"
    mathjax = page.evaluate("[...document.scripts].map(s => s.src).find(s => s.includes('tex-chtml'))")
    assert urlparse(mathjax).path == "/ko/_static/mathjax/tex-chtml.js", mathjax
    broken = page.evaluate("[...document.querySelectorAll('main img')].filter(i => !i.complete || !i.naturalWidth)"
                           ".map(i => i.src)")
    assert broken == [], f"ko/{docname}: figures that did not load: {broken}"
    page.close()
    assert problems == [], f"ko/{docname}: " + "\n".join(problems)


# The first paragraph of the article with a dozen distinct Hangul syllables is the probe; each syllable is drawn alone
# on a canvas in the paragraph's own font: a real font gives each its own shape, a missing one the same box (tofu).
_GLYPH_SHAPES = """() => {
  const hangul = node => [...new Set([...node.textContent].filter(c => c >= '\\uac00' && c <= '\\ud7a3'))];
  const probe = [...document.querySelectorAll('main article p')].find(p =>
    hangul({textContent: [...p.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('')}).length >= 12);
  if (!probe) return {syllables: 0, shapes: 0, font: null};
  probe.setAttribute('data-hangul-probe', '');
  const font = getComputedStyle(probe).fontFamily;
  const syllables = hangul(probe).slice(0, 12);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  const shape = c => {
    context.clearRect(0, 0, 64, 64);
    context.font = `48px ${font}`;
    context.textBaseline = 'top';
    context.fillText(c, 4, 4);
    return context.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3).join(',');
  };
  return {font, syllables: syllables.length, shapes: new Set(syllables.map(shape)).size};
}"""


def hangul_rendering(page) -> dict:
    """How the open page draws Hangul: the probe paragraph's font stack, how many distinct syllables were drawn and
    how many distinct shapes they got, and the platform fonts Chromium drew the paragraph's text with (DevTools)."""
    found = page.evaluate(_GLYPH_SHAPES)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    probe = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-hangul-probe]"})["nodeId"]
    found["fonts"] = {f["familyName"]: f["glyphCount"]
                      for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": probe})["fonts"]} if probe else {}
    cdp.detach()
    return found


def _assert_real_hangul(found: dict) -> None:
    assert found["syllables"] == 12, f"no paragraph with a dozen Hangul syllables: {found}"
    assert found["shapes"] == found["syllables"], f"Hangul drawn as tofu (identical boxes): {found}"
    korean = {name: glyphs for name, glyphs in found["fonts"].items() if name in KOREAN_FONTS}
    assert korean, f"no font of the Korean stack drew the paragraph: {found['fonts']}"


def test_hangul_renders_with_a_korean_font(browser, site):
    """A Korean chapter names common Korean fonts in its font stack, and its Hangul is drawn by one of them, each
    syllable with its own glyph. Screenshot: tests/artifacts/ko__chapters__correlation.png."""
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True).stdout:
        skip_or_fail("no Korean font is installed (Debian: fonts-nanum)")
    page = _open(browser, f"{site}/{CHAPTER}.html")
    try:
        stack = page.evaluate("getComputedStyle(document.querySelector('main p')).fontFamily")
        for family in ("Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", "NanumGothic"):
            assert family in stack, stack
        found = hangul_rendering(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{CHAPTER.replace('/', '__')}.png"))
    finally:
        page.close()
    _assert_real_hangul(found)


def test_tofu_is_detected_without_korean_fonts(browser, site, tmp_path):
    """The check above fails where no Korean font is installed: a Chromium that sees only DejaVu (fontconfig) draws
    the same page's Hangul as identical boxes from a non-Korean font."""
    config = tmp_path / "fonts.conf"
    config.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>
""")
    latin_only = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        env={**os.environ, "FONTCONFIG_FILE": str(config)})
    try:
        page = _open(latin_only, f"{site}/{CHAPTER}.html")
        found = hangul_rendering(page)
        page.close()
    finally:
        latin_only.close()
    with pytest.raises(AssertionError, match="tofu"):
        _assert_real_hangul(found)
    assert not set(found["fonts"]) & KOREAN_FONTS, found


@pytest.mark.parametrize("docname", PAGES)
def test_korean_page_has_no_wcag_violations(browser, site, axe, docname):  # noqa: F811 (axe: the fixture)
    """axe-core finds no WCAG 2.1 A/AA violation on the Korean page (every one is listed when there are any)."""
    _assert_no_violations(browser, f"{site}/ko/{docname}.html", axe)


@pytest.mark.parametrize("start, other", [("chapters/correlation", "ko/chapters/correlation"),
                                          ("ko/chapters/correlation", "chapters/correlation")])
def test_keyboard_reaches_the_language_switch(browser, site, start, other):
    """Tabbing from the top of a page reaches the language switch with a visible focus; Enter opens the same page in
    the other language."""
    page = _open(browser, f"{site}/{start}.html")
    try:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.classList.contains('language-switch__link')"):
                break
        else:
            pytest.fail("the language switch is not reached by the keyboard")
        style = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                              " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
        assert style[0] != "none" and style[1] > 0, f"no visible focus on the switch: {style}"
        with page.expect_navigation(timeout=10000):
            page.keyboard.press("Enter")
        assert urlparse(page.url).path == f"/{other}.html"
    finally:
        page.close()
