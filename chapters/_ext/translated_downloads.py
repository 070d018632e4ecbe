"""Sphinx extension: in a translated edition, a notebook the book offers for download is its translation.

* **Exercises.** `python -m autograder release` writes each exercise's Korean notebook beside the English one
  (``chapters/exercises/ko/<assignment>.ipynb``). In the Korean edition (``korean_edition.py``) the exercise page's
  download buttons (its source and its notebook: both ``_sources/<page>.ipynb``) and every ``{download}`` link to
  ``exercises/<assignment>.ipynb`` give that Korean notebook, under the same file name.
* **Chapters.** A chapter's notebook download (its executed notebook, which course_book.py puts in ``_sources/``) is
  the same notebook with its markdown cells in the page's translation: each paragraph, heading, list item, table
  cell and admonition title replaced by its message from the page's catalogue (the same messages the translated
  page is built from); code cells and their outputs are the English notebook's. The page's MyST source (the other
  download) stays the one English source.

The English edition is untouched, and a notebook with no translation stays the English one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

from korean_edition import is_translated, translation_of

#: What may stand before a message in a markdown cell: a line's start or a table's "|", then markers (heading,
#: quote, list item, a directive's opening fence or its :alt: option).
_BEFORE = r"(?m)(^|\|)([ \t]*(?:#{1,6}[ \t]+|[>*+-][ \t]+|\d+\.[ \t]+|:::\{[\w-]+\}[ \t]*|:alt:[ \t]+|:::[ \t]*)*)"
#: …and after it: the line's end or the table cell's "|".
_AFTER = r"(?=[ \t]*(?:\||$))"


def _notebook_translation(app, path: Path) -> Path | None:
    """The translation of the notebook ``path`` kept beside it (korean_edition.translation_of), or None."""
    return translation_of(app.config, path) if path.suffix == ".ipynb" else None


class DownloadTheTranslation(SphinxTransform):
    """Points each ``{download}`` of a notebook at its translation. It runs after Sphinx's Locale transform
    (priority 20), which re-parses translated paragraphs into new download nodes, and before the download
    collector (at doctree-read) copies the file into ``_downloads/``."""

    default_priority = 30

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(addnodes.download_reference):
            _, filename = self.env.relfn2path(node["reftarget"], self.env.docname)
            twin = _notebook_translation(self.app, Path(filename))
            if twin is not None:
                node["reftarget"] = "/" + twin.relative_to(Path(self.app.srcdir)).as_posix()


def _offer_the_translations(app, exception) -> None:
    """A notebook page's download buttons link ``_sources/<page>.ipynb``, where the English notebook was copied when
    the page was written (course_book.py): once every page is written, an exercise's translation replaces it, and a
    chapter's executed notebook there gets its markdown translated."""
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        twin = _notebook_translation(app, source)
        if twin is not None and target.exists():
            shutil.copy2(twin, target)
        elif source.suffix != ".ipynb" and target.exists() and (catalogue := _catalogue(app, docname)) is not None:
            target.write_text(translated_notebook(target.read_text(encoding="utf-8"), catalogue), encoding="utf-8")


def _catalogue(app, docname: str) -> Path | None:
    """The page's catalogue for the edition being built (sphinx-intl's layout), None in the source edition."""
    if not is_translated(app.config):
        return None
    domain = docname_to_domain(docname, app.config.gettext_compact)
    for folder in app.config.locale_dirs:
        po = Path(app.srcdir) / folder / app.config.language / "LC_MESSAGES" / f"{domain}.po"
        if po.is_file():
            return po
    return None


def translated_notebook(text: str, catalogue: Path) -> str:
    """The notebook (its JSON `text`) with every markdown cell's messages replaced by their translations in the
    .po `catalogue`, the longest message first (a short one, e.g. a heading's word, cannot match inside a longer
    one already translated); untranslated and fuzzy messages stay English."""
    import nbformat
    from babel.messages.pofile import read_po

    with open(catalogue, "rb") as f:
        messages = [m for m in read_po(f) if m.id and m.string and not m.fuzzy and m.string != m.id]
    swaps = [(re.compile(_BEFORE + "(" + r"\s+".join(map(re.escape, m.id.split())) + ")" + _AFTER), m.string)
             for m in sorted(messages, key=lambda m: -len(m.id))]
    notebook = nbformat.reads(text, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for pattern, translation in swaps:
                cell.source = pattern.sub(lambda m, t=translation: m.group(1) + m.group(2) + t, cell.source)
    return nbformat.writes(notebook)


def setup(app):
    app.add_transform(DownloadTheTranslation)
    app.connect("build-finished", _offer_the_translations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
