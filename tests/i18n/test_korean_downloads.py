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
#: a `{download}` link in the page's text
DOWNLOAD = re.compile(r'<a class="reference download internal" download="" href="([^"]+)"')


def _release(assignment: str, edition: str):
    folder = EXERCISES / "ko" if edition == "ko" else EXERCISES
    return nbformat.read(folder / f"{assignment}.ipynb", as_version=4)


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
    folder = EXERCISES / "ko" if edition == "ko" else EXERCISES
    assert files[0].read_bytes() == (folder / f"{assignment}.ipynb").read_bytes()
