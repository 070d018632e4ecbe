"""Sphinx extension: in a translated edition, a notebook the book offers for download is its translation.

`python -m autograder release` writes each exercise's Korean notebook beside the English one
(``chapters/exercises/ko/<assignment>.ipynb``). In the Korean edition (``korean_edition.py``) the exercise page's
download buttons (its source and its notebook: both ``_sources/<page>.ipynb``) and every ``{download}`` link to ``exercises/<assignment>.ipynb`` give that Korean notebook, under the
same file name. The English edition is untouched, and a notebook with no translation beside it stays the English one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx import addnodes
from sphinx.transforms import SphinxTransform


def translation_of(app, path: Path) -> Path | None:
    """The translation of the notebook ``path`` for the edition being built: ``<folder>/<language>/<name>``, or None
    in the source edition or when there is none."""
    source = getattr(app.config, "source_language", None)
    if source is None or app.config.language == source or path.suffix != ".ipynb":
        return None
    twin = path.parent / app.config.language / path.name
    return twin if twin.is_file() else None


class DownloadTheTranslation(SphinxTransform):
    """Points each ``{download}`` of a notebook at its translation. It runs after Sphinx's Locale transform
    (priority 20), which re-parses translated paragraphs into new download nodes, and before the download
    collector (at doctree-read) copies the file into ``_downloads/``."""

    default_priority = 30

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(addnodes.download_reference):
            _, filename = self.env.relfn2path(node["reftarget"], self.env.docname)
            twin = translation_of(self.app, Path(filename))
            if twin is not None:
                node["reftarget"] = "/" + twin.relative_to(Path(self.app.srcdir)).as_posix()


def _offer_the_translations(app, exception) -> None:
    """A notebook page's download button links ``_sources/<page>.ipynb``, where Sphinx copied the English notebook
    when it wrote the page (``html_copy_source``): once every page is written, the translation replaces it."""
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        twin = translation_of(app, Path(app.env.doc2path(docname)))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if twin is not None and target.exists():
            shutil.copy2(twin, target)


def setup(app):
    app.add_transform(DownloadTheTranslation)
    app.connect("build-finished", _offer_the_translations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
