"""Sphinx extension: every exercise opens and runs in the browser, in a JupyterLite site the book serves itself.

While the book builds, `lite_site.build()` assembles an offline JupyterLite site (Pyodide kernel, NumPy) from
pinned, hash-checked packages, with the released exercise notebooks as its files; it is copied to
``_build/html/lite/``. Each exercise page then starts with an "Open in the browser" link to its notebook there,
and says where the work is kept and how to submit it; in a chapter, the role ``{open-in-browser}`exercises/exNN_…```
(after the "read it here" link of its Exercises section) becomes ", or open it in the browser". Where the site
cannot be built (no npm, a download that fails or a hash that differs), the book builds without either link and
says why in one line of the build log.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

import lite_site
from korean_edition import is_translated, relative_root, translation_of
from translations import _

logger = logging.getLogger(__name__)
EXERCISES = "chapters/exercises/"
#: Where the site goes inside the built book.
SITE = "lite"

def text() -> dict[str, str]:
    """Every word this extension puts on a page, in the language being built (translations.py: locales/*/course.po).

    ``{notebook}`` is the notebook's file name; ``{link}`` stands for a chapter's link, whose text is
    ``chapter_link``. ``after_button`` and ``keeping`` are HTML (the exercise page's admonition: the button and its
    note, then where the work is kept).
    """
    return {
        "title": str(_("Work in the browser")),
        "button": str(_("Open {notebook} in the browser")),
        "after_button": str(_("— a real Jupyter notebook with Python and NumPy running in this page (JupyterLite): "
                              "nothing to install, and nothing leaves your computer.")),
        "keeping": str(_("Your work is kept in this browser's storage, so it is still there when you come back; "
                         "clearing the site's data (or a private window) loses it. To submit, right-click the notebook "
                         "in JupyterLite's file browser, choose <em>Download</em>, and hand in that <code>.ipynb</code>. "
                         "The browser runs NumPy 2.0, grading a newer NumPy: the notebook turns any deprecated NumPy "
                         "use into an error, so what passes here passes at grading.")),
        "chapter": str(_(", or {link}")),
        "chapter_link": str(_("open it in the browser")),
    }


def _href(app, pagename: str, notebook: str) -> str:
    """The site's URL that opens `notebook` in JupyterLab, relative to the page `pagename`. Every edition links to
    the one site at the top of ``_build/html``; a translated edition opens its own language's notebook there."""
    if translation_of(app.config, Path(app.srcdir) / EXERCISES / notebook) is not None:
        notebook = f"{app.config.language}/{notebook}"
    return relative_root(app.config, pagename) + f"{SITE}/lab/index.html?path={notebook}"


def _build_site(app) -> None:
    app.browser_site, app.browser_site_shared = None, False
    if app.builder.format != "html":
        return
    staging = Path(app.outdir).parent / ".lite"
    if is_translated(app.config):
        # A translated edition (korean_edition.py), built after the source edition: it links to that site.
        if (staging / "site").exists():
            app.browser_site, app.browser_site_shared = staging / "site", True
        return
    try:
        lite_site.build(Path(app.srcdir) / "chapters" / "exercises", staging / "site", staging / "work", staging / "cache")
    except lite_site.Unavailable as why:
        logger.info(f"in-browser exercises: not built ({why}); the exercise pages offer downloads only")
        return
    app.browser_site = staging / "site"


def _reread_when_the_site_comes_or_goes(app, env, added, changed, removed) -> list[str]:
    """Pages carry the links only while the site is built: a change of that re-reads every page."""
    built = getattr(app, "browser_site", None) is not None
    before = getattr(env, "browser_site_built", built)
    env.browser_site_built = built
    return sorted(env.found_docs) if before != built else []


class open_in_browser(nodes.Inline, nodes.Element):
    """Where a chapter links to its exercise in the site; `OpenInBrowserLinks` turns it into the link or drops it."""


class OpenInBrowserRole(SphinxRole):
    """``{open-in-browser}`exercises/ex01_image_tensors``` — the exercise notebook, as ``{doc}`` names it."""

    def run(self):
        docname = str(Path(self.env.docname).parent / self.text.strip()).removeprefix("./")
        source = Path(self.env.srcdir) / f"{docname}.ipynb"
        if not docname.startswith(EXERCISES) or not source.exists():
            message = self.inliner.reporter.error(f"open-in-browser: no exercise notebook {self.text!r} ({source})",
                                                  line=self.lineno)
            return [], [message]
        return [open_in_browser(notebook=source.name)], []


class OpenInBrowserLinks(SphinxPostTransform):
    """Each `open_in_browser` node becomes text()["chapter"] with its link when the site was built; else nothing."""

    default_priority = 100

    def run(self, **kwargs) -> None:
        built = getattr(self.app, "browser_site", None) is not None and self.app.builder.format == "html"
        words = text()
        before, _link, after = words["chapter"].partition("{link}")
        for node in list(self.document.findall(open_in_browser)):
            if not built:
                node.parent.remove(node)
                continue
            link = nodes.reference("", words["chapter_link"], internal=False, classes=["open-in-browser"],
                                   refuri=_href(self.app, self.env.docname, node["notebook"]))
            node.replace_self([nodes.Text(before), link, nodes.Text(after)])


def _link(app, pagename, templatename, context, doctree) -> None:
    """An 'Open in the browser' link at the top of each exercise page (when the site was built)."""
    if app.browser_site is None or not pagename.startswith(EXERCISES) or "body" not in context:
        return
    notebook = pagename.removeprefix(EXERCISES) + ".ipynb"
    words = text()
    button = words["button"].format(notebook=notebook)
    context["body"] = f"""<div class="admonition tip open-in-browser">
<p class="admonition-title">{html.escape(words["title"])}</p>
<p><a class="btn btn-primary" href="{html.escape(_href(app, pagename, notebook))}">{html.escape(button)}</a>
{words["after_button"]}</p>
<p>{words["keeping"]}</p>
</div>
""" + context["body"]


def _copy_site(app, exception) -> None:
    if exception is None and getattr(app, "browser_site", None) is not None and not app.browser_site_shared:
        target = Path(app.outdir) / SITE
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(app.browser_site, target)


def setup(app):
    app.setup_extension("translations")
    app.add_node(open_in_browser)
    app.add_role("open-in-browser", OpenInBrowserRole())
    app.add_post_transform(OpenInBrowserLinks)
    app.connect("builder-inited", _build_site)
    app.connect("env-get-outdated", _reread_when_the_site_comes_or_goes)
    app.connect("html-page-context", _link)
    app.connect("build-finished", _copy_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
