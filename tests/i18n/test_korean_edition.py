"""The Korean edition: every English page has a Korean twin at ko/<page>.html, in Korean, with the same formulas,
figures and sections, and the language switch leads from each to the other. The English edition stays English.

Read from the built files (the `book` fixture builds both editions, as `jupyter-book build .` does).
"""

from __future__ import annotations

import posixpath
import re

import pytest

from tests.book.pages import toc_pages
from tests.i18n.pages import Page, is_hangul

pytestmark = pytest.mark.book

PAGES = toc_pages()
#: pages Sphinx writes beside the documents; they have a switch too
EXTRA_PAGES = ["search", "genindex"]
#: "most letters are Hangul": the prose keeps English terms beside the Korean ones, e.g. 상관(correlation)
MIN_HANGUL_SHARE = 0.6


def _twins(book, docname):
    return Page.read(book / f"{docname}.html"), Page.read(book / "ko" / f"{docname}.html")


def _lands_on(page_path: str, href: str) -> str:
    """The path a relative link on the page at ``page_path`` leads to."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))


@pytest.mark.parametrize("docname", PAGES)
def test_every_page_has_a_korean_twin_in_korean(book, docname):
    """ko/<page>.html exists, says lang="ko", its prose is mostly Hangul and no passage of it is left in English."""
    assert (book / "ko" / f"{docname}.html").is_file(), f"no Korean page for {docname}"
    english, korean = _twins(book, docname)
    assert (english.lang, korean.lang) == ("en", "ko")
    share = korean.hangul_share()
    assert share >= MIN_HANGUL_SHARE, f"ko/{docname}: only {share:.0%} of the prose's letters are Hangul"
    assert korean.latin_passages() == [], f"ko/{docname}: passages left in English: {korean.latin_passages()[:5]}"


@pytest.mark.parametrize("docname", PAGES)
def test_korean_twin_has_the_same_formulas_figures_and_sections(book, docname):
    """The twin has as many formulas and figures as the English page, each figure's text alternative in Korean, and
    the same headings (h1, h2, … in order)."""
    english, korean = _twins(book, docname)
    assert english.math > 0 or docname.startswith("chapters/exercises/"), f"{docname}: no math found: parser broken?"
    assert (korean.math, korean.images) == (english.math, english.images), (
        f"{docname}: formulas, figures en {english.math}, {english.images} / ko {korean.math}, {korean.images}")
    assert [alt for alt in korean.alts if not any(map(is_hangul, alt))] == [], f"ko/{docname}: alt texts not in Korean"
    assert korean.headings == english.headings, f"{docname}: headings en {english.headings} / ko {korean.headings}"
    assert korean.headings.count(1) == 1


@pytest.mark.parametrize("docname", PAGES + EXTRA_PAGES)
def test_language_switch_links_the_twins_both_ways(book, docname):
    """The switch on the English page leads to its Korean twin and back, as do the pages' rel="alternate" links."""
    english, korean = _twins(book, docname)
    to_korean, to_english = english.switch.get("ko"), korean.switch.get("en")
    assert to_korean and to_english, f"{docname}: switch links en→{english.switch} ko→{korean.switch}"
    assert _lands_on(f"{docname}.html", to_korean) == f"ko/{docname}.html"
    assert _lands_on(f"ko/{docname}.html", to_english) == f"{docname}.html"
    assert (english.alternates, korean.alternates) == ({"ko": to_korean}, {"en": to_english})


@pytest.mark.parametrize("docname", PAGES)
def test_english_edition_stays_english(book, docname):
    """The English page keeps its URL and its language: its prose is English (the glossary names each term's Korean
    too, hence not none at all), the switch's "한국어" is outside it."""
    english = Page.read(book / f"{docname}.html")
    assert english.lang == "en"
    assert english.hangul_share() < 0.1, f"{docname}: {english.hangul_share():.0%} of the English prose is Hangul"


def _labels(html: str) -> list[str]:
    """What a reader or a screen reader meets outside the article: text and aria-label, title, placeholder, alt."""
    outside = re.sub(r"<article.*?</article>|<!--.*?-->", " ", html, flags=re.S)
    outside = re.sub(r"<(script|style|code)\b.*?</\1>", " ", outside, flags=re.S)  # code: headings in the page's contents
    found = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', outside)
    found += [t.strip() for t in re.sub(r"<[^>]+>", "\n", outside).splitlines()]
    return [t for t in found if t.strip()]


#: labels that are names, in any edition: the switch's "English", the author, the download menu's file types, keys
NAMES = {"English", "지은이: The Conv Layers course team", ".ipynb", ".md", ".pdf", "Ctrl", "K", "+", "2026"}


@pytest.mark.parametrize("docname", ["chapters/correlation", "chapters/exercises/ex02_correlation", "search"])
def test_theme_speaks_korean(book, docname):
    """On a Korean page every label of the theme (navigation, search, buttons, footer) is Korean, apart from names."""
    html = (book / "ko" / f"{docname}.html").read_text(encoding="utf-8")
    english = sorted({label for label in _labels(html)
                      if re.search(r"[A-Za-z]{2}", label) and not any(map(is_hangul, label)) and label not in NAMES})
    assert english == [], f"ko/{docname}: English labels: {english}"
    assert 'placeholder="검색..."' in html  # the search box, as the theme words it
    assert docname == "search" or '<i class="fa-solid fa-list"></i> 내용' in html  # the theme's "Contents"


def test_korean_edition_is_served_offline_with_the_fixes(book):
    """The Korean edition has its own offline MathJax and the accessibility fixes of the English one."""
    ko = book / "ko"
    assert (ko / "_static" / "mathjax" / "tex-chtml.js").is_file()
    page = (ko / "chapters" / "correlation.html").read_text(encoding="utf-8")
    assert 'mathjax/tex-chtml.js' in page and "accessible.css" in page and "korean_edition.css" in page
    assert '<summary aria-label="Toggle hidden content">' not in page
    assert re.search(r'<summary aria-label="[^"]*[\uac00-\ud7a3][^"]*의 절">', page)
