"""Sphinx extension: every exercise opens and runs in the browser, in a JupyterLite site the book serves itself.

While the book builds, `lite_site.build()` assembles an offline JupyterLite site (Pyodide kernel, NumPy) from
pinned, hash-checked packages, with the released exercise notebooks as its files; it is copied to
``_build/html/lite/``. Each exercise page then starts with an "Open in the browser" link to its notebook there,
and says where the work is kept and how to submit it. Where the site cannot be built (no npm, a download that
fails or a hash that differs), the book builds without the links and says why in one line of the build log.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from sphinx.util import logging

import lite_site

logger = logging.getLogger(__name__)
EXERCISES = "chapters/exercises/"
#: Where the site goes inside the built book.
SITE = "lite"


def _build_site(app) -> None:
    app.browser_site = None
    if app.builder.format != "html":
        return
    staging = Path(app.outdir).parent / ".lite"
    try:
        lite_site.build(Path(app.srcdir) / "chapters" / "exercises", staging / "site", staging / "work", staging / "cache")
    except lite_site.Unavailable as why:
        logger.info(f"in-browser exercises: not built ({why}); the exercise pages offer downloads only")
        return
    app.browser_site = staging / "site"


def _link(app, pagename, templatename, context, doctree) -> None:
    """An 'Open in the browser' link at the top of each exercise page (when the site was built)."""
    if app.browser_site is None or not pagename.startswith(EXERCISES) or "body" not in context:
        return
    notebook = pagename.removeprefix(EXERCISES) + ".ipynb"
    depth = pagename.count("/")
    href = "../" * depth + f"{SITE}/lab/index.html?path={notebook}"
    context["body"] = f"""<div class="admonition tip open-in-browser">
<p class="admonition-title">Work in the browser</p>
<p><a class="btn btn-primary" href="{html.escape(href)}">Open {html.escape(notebook)} in the browser</a>
— a real Jupyter notebook with Python and NumPy running in this page (JupyterLite): nothing to install, and
nothing leaves your computer.</p>
<p>Your work is kept in this browser's storage, so it is still there when you come back; clearing the site's data
(or a private window) loses it. To submit, right-click the notebook in JupyterLite's file browser, choose
<em>Download</em>, and hand in that <code>.ipynb</code>. The browser runs NumPy 2.0, grading a newer NumPy: the
notebook turns any deprecated NumPy use into an error, so what passes here passes at grading.</p>
</div>
""" + context["body"]


def _copy_site(app, exception) -> None:
    if exception is None and getattr(app, "browser_site", None) is not None:
        target = Path(app.outdir) / SITE
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(app.browser_site, target)


def setup(app):
    app.connect("builder-inited", _build_site)
    app.connect("html-page-context", _link)
    app.connect("build-finished", _copy_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
