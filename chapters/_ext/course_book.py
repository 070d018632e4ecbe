"""Sphinx extension for this book: offline MathJax and chapter downloads.

* MathJax 3 is served from ``_build/html/_static/mathjax/`` (copied from the
  ``django-static-mathjax`` package), so math renders with no network.  It is
  copied into the *output* folder: Jupyter Book injects every script it finds in
  a source ``_static/`` folder one by one, which would break MathJax's loader.
* ``html_copy_source`` is off (raw sources are never published wholesale), so
  the theme's download button would point at missing files; this extension
  copies exactly the pages in the table of contents — their ``.md`` source and,
  for executed chapters, the ``.ipynb`` — into ``_sources/``.
* Some extensions (sphinx-thebe, sphinx-togglebutton) register their inline
  scripts twice under Jupyter Book 1; a second ``const THEBE_JS_URL`` is a
  JavaScript error on every page, so duplicate scripts are dropped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mathjax

MATHJAX_ES5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(MATHJAX_ES5, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def _offer_downloads(app, pagename, templatename, context, doctree) -> None:
    """Copy this page's source (and executed notebook) where the download button links."""
    if doctree is None:
        return
    sources = Path(app.outdir) / "_sources"
    source = Path(app.env.doc2path(pagename))
    context["sourcename"] = f"{pagename}{source.suffix}"
    target = sources / context["sourcename"]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if executed.exists():
        (sources / f"{pagename}.ipynb").write_text(_with_outputs(app, executed), encoding="utf-8")
        context["ipynb_source"] = f"{pagename}.ipynb"


def _with_outputs(app, executed: Path) -> str:
    """The executed notebook MyST-NB wrote, with its outputs: when they came from the execution cache, MyST-NB
    writes the notebook without them (it merges them into a copy), so they are merged in again from the cache."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    config = getattr(app.env, "mystnb_config", None)
    if config is not None and config.execution_mode == "cache":
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(config.execution_cache_path).merge_match_into_notebook(notebook)
        except KeyError:  # not in the cache (not executed): the notebook as written
            pass
    return nbformat.writes(notebook)


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # An inline script is registered once with filename None and once with "": the same script.
        key = (getattr(script, "filename", script) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    # Before the theme (priority 500) builds its download menu from the context.
    app.connect("html-page-context", _offer_downloads, priority=400)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
