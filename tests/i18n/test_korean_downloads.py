"""What each edition offers for download is that edition's notebook: the Korean exercise page's download buttons and
the Korean chapter's `{download}` link give the Korean release, the English pages the English one.

Read from the built files (the `book` fixture builds both editions, as `jupyter-book build .` does).
"""

from __future__ import annotations

import posixpath
import re

import nbformat
import pytest

from autograder import ASSIGNMENTS
from tests.conftest import ROOT
from tests.i18n.pages import is_hangul

pytestmark = pytest.mark.book

EXERCISES = ROOT / "chapters" / "exercises"
#: the theme's download menu: the page's source and its notebook
MENU = re.compile(r'<a href="([^"]+\.ipynb)"[^>]*\s+class="btn btn-sm btn-download-(?:source|notebook)-button')
#: the menu's notebook button alone (a chapter's executed notebook)
NOTEBOOK_BUTTON = re.compile(r'<a href="([^"]+\.ipynb)"[^>]*\s+class="btn btn-sm btn-download-notebook-button')
#: a `{download}` link in the page's text
DOWNLOAD = re.compile(r'<a class="reference download internal" download="" href="([^"]+)"')


def _release_path(assignment: str, edition: str):
    return (EXERCISES / "ko" if edition == "ko" else EXERCISES) / f"{assignment}.ipynb"


def _release(assignment: str, edition: str):
    return nbformat.read(_release_path(assignment, edition), as_version=4)


def _sources(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in notebook.cells]


def _page(edition: str, docname: str) -> str:
    return f"ko/{docname}" if edition == "ko" else docname


def _linked(book, page: str, pattern) -> list:
    """The files the links matching `pattern` on built page `page` (no .html) lead to."""
    html = (book / f"{page}.html").read_text()
    return [book / posixpath.normpath(posixpath.join(posixpath.dirname(page), href)) for href in pattern.findall(html)]


@pytest.mark.parametrize("edition", ["en", "ko"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_exercise_page_downloads_its_edition_s_notebook(book, assignment, edition):
    """Both buttons of the exercise page's download menu give the release of the page's language, cell for cell."""
    files = _linked(book, _page(edition, f"chapters/exercises/{assignment}"), MENU)
    assert len(files) == 2, files
    for file in files:
        assert _sources(nbformat.read(file, as_version=4)) == _sources(_release(assignment, edition)), file
    markdown = "".join(c.source for c in nbformat.read(files[0], as_version=4).cells if c.cell_type == "markdown")
    assert any(map(is_hangul, markdown)) == (edition == "ko")


@pytest.mark.parametrize("edition", ["en", "ko"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_chapter_downloads_its_edition_s_notebook(book, assignment, edition):
    """The chapter's "Download the notebook" link gives the release of the page's language, byte for byte, named
    `<assignment>.ipynb` in either edition."""
    chapters = [p for p in (ROOT / "chapters").glob("*.md") if f"exercises/{assignment}.ipynb" in p.read_text()]
    assert len(chapters) == 1, chapters
    files = [f for f in _linked(book, _page(edition, f"chapters/{chapters[0].stem}"), DOWNLOAD)
             if f.name == f"{assignment}.ipynb"]
    assert len(files) == 1, files
    assert files[0].read_bytes() == _release_path(assignment, edition).read_bytes()


CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.md")
                  if any(f"exercises/{a}.ipynb" in p.read_text() for a in ASSIGNMENTS))
#: markdown that is not prose: math, inline code, MyST roles' names, labels, options, links' targets
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[\w:-]+\}|\([\w-]+\)=|^\s*:[\w-]+:.*$|\]\([^)]*\)", re.S | re.M)


def _english_lines(markdown: str) -> list[str]:
    """Lines of prose with three or more Latin words and no Hangul: text left untranslated."""
    return [line.strip() for line in _NOT_PROSE.sub(" ", markdown).splitlines()
            if len(re.findall(r"[A-Za-z]{3,}", line)) >= 3 and not any(map(is_hangul, line))]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_korean_chapter_s_notebook_is_in_korean(book, chapter):
    """The Korean chapter's notebook download is the English one's cells with the markdown in Korean — no line of
    English prose left — and the code cells, outputs included, untouched; the English chapter's stays English."""
    (english,) = _linked(book, f"chapters/{chapter}", NOTEBOOK_BUTTON)
    (korean,) = _linked(book, f"ko/chapters/{chapter}", NOTEBOOK_BUTTON)
    en, ko = nbformat.read(english, as_version=4), nbformat.read(korean, as_version=4)
    assert [c.cell_type for c in ko.cells] == [c.cell_type for c in en.cells]
    def code(notebook):  # cell ids are made anew each time MyST-NB reads a page
        return [(c.source, c.outputs, c.metadata) for c in notebook.cells if c.cell_type == "code"]

    assert code(ko) == code(en)
    assert sum(bool(outputs) for _, outputs, _ in code(en)) >= 2, f"{chapter}: the download lost the outputs"
    en_md = [c.source for c in en.cells if c.cell_type == "markdown"]
    ko_md = [c.source for c in ko.cells if c.cell_type == "markdown"]
    assert not any(map(is_hangul, "".join(en_md)))
    assert [line for text in ko_md for line in _english_lines(text)] == []
    assert all(any(map(is_hangul, text)) for text, e in zip(ko_md, en_md) if _english_lines(e)), chapter
    # the notation is kept: the same formulas in the same order
    assert [re.findall(r"\$\$.*?\$\$", t, re.S) for t in ko_md] == [re.findall(r"\$\$.*?\$\$", t, re.S) for t in en_md]
