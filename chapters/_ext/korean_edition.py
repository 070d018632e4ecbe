"""Sphinx extension: the book's translated editions (Korean) and a language switch on every page.

* **The Korean edition.** When the English HTML build has finished, the same sources are built again with
  ``language = "ko"`` into ``_build/html/ko/`` — one more Sphinx run through Jupyter Book's own entry point
  (``jupyter_book.sphinx.build_sphinx``) on the same ``_config.yml``, in a subprocess (Sphinx keeps its
  translators per process), with the English build's strictness (``-W``, ``--keep-going``, ``-n``, ``--all``). A
  warning in the Korean build fails the whole build. Its output folder's parent is ``_build`` (``_build/html-ko``,
  moved into ``_build/html/ko`` when done), so it shares the execution cache (``_build/.jupyter_cache``: no chapter
  is executed twice) and every output the other extensions keep beside the book; its environment is
  ``_build/.doctrees-ko``. The extensions run in it as in the English build (offline MathJax, accessibility fixes).
* **Translations** are Sphinx's gettext catalogues under ``locales/<language>/LC_MESSAGES/``: ``chapters/<page>.po``
  for each page (``gettext_compact = False``), ``course.po`` for the strings of the book's extensions
  (``translations.py``), ``sphinx.po`` and ``booktheme.po`` for theme strings the theme has no (or wrong) Korean
  for. Toctree captions from _toc.yml are translated too (TranslateInsertedToctrees). The gettext
  build (``python -m locales update``) also writes ``course.pot`` (every ``_("…")`` of chapters/_ext/*.py, and the
  book's title) beside the pages' .pot files.
* **The language switch**: ``templates/language-switch.html`` in the article header (``article_header_end``)
  links each page to the same page in every other edition; ``<link rel="alternate" hreflang>`` says the same to
  search engines.
* **Korean type**: ``static/korean_edition.css`` gives Korean text a stack of common Korean fonts and breaks its
  lines between words.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)

#: each edition's name for itself, as its switch shows it
AUTONYMS = {"en": "English", "ko": "한국어"}


def _read_in(language: str) -> str:
    """The switch's tooltip for a link to ``language`` (each a message of its own, so translators see it whole)."""
    from translations import _

    return {"en": _("Read this page in English"), "ko": _("Read this page in Korean")}[language]


def source_language(config) -> str:
    """The language the book is written in (``en``): the edition at the top of ``_build/html``. (A book built
    without this extension has no ``source_language``: it has one edition, its own language.)"""
    return getattr(config, "source_language", None) or config.language


def is_translated(config) -> bool:
    """Whether the edition being built is a translation (the Korean one), not the book's own language."""
    return config.language != source_language(config)


def translation_of(config, path: Path) -> Path | None:
    """The translation of the file ``path`` for the edition being built, kept beside it as
    ``<folder>/<language>/<name>`` (the Korean exercise notebooks: ``chapters/exercises/ko/``); None in the source
    edition or when there is none."""
    if not is_translated(config):
        return None
    twin = path.parent / config.language / path.name
    return twin if twin.is_file() else None


def editions(config) -> list[str]:
    """Every edition's language, the source language first."""
    source = source_language(config)
    return [source, *(language for language in config.translated_editions if language != source)]


def relative_root(config, pagename: str) -> str:
    """The relative URL from a page to the top of ``_build/html`` (the source edition), e.g. ``../../`` from
    ``ko/chapters/intro.html``: where files shared by all editions can be linked."""
    up = "../" * pagename.count("/")
    return up + "../" if is_translated(config) else up


def _href(app, pagename: str, language: str) -> str:
    edition = "" if language == source_language(app.config) else f"{language}/"
    return relative_root(app.config, pagename) + edition + app.builder.get_target_uri(pagename)


# ---- the translated editions ------------------------------------------------------------------------------

def _build_translations(app, exception) -> None:
    """After the source edition's HTML build, build each translated edition into ``_build/html/<language>``."""
    if exception is not None or app.builder.name != "html" or is_translated(app.config):
        return
    for language in editions(app.config)[1:]:
        final = Path(app.outdir) / language
        staging = Path(app.outdir).parent / f"{Path(app.outdir).name}-{language}"
        if final.exists():  # last build's pages: Sphinx rewrites only what changed
            shutil.rmtree(staging, ignore_errors=True)
            os.replace(final, staging)
        spec = {
            "srcdir": str(app.srcdir),
            "outdir": str(staging),
            "doctreedir": str(Path(app.doctreedir).parent / f"{Path(app.doctreedir).name}-{language}"),
            "config": str(Path(app.srcdir) / "_config.yml"),
            "overrides": {
                "language": language,
                "source_language": source_language(app.config),
                "external_toc_path": app.config.external_toc_path,
                "latex_individualpages": False,
                "nitpicky": app.config.nitpicky,
            },
            "warningiserror": app.warningiserror or app.keep_going,
            "keep_going": app.keep_going,
            "freshenv": bool(app.fresh_env_used),
            "verbosity": app.verbosity,
            "quiet": app.quiet,
        }
        logger.info(f"translated edition [{language}]: building into {final}")
        status = subprocess.run([sys.executable, __file__, json.dumps(spec)]).returncode
        if staging.exists():
            os.replace(staging, final)
        if status != 0:
            raise ExtensionError(f"the {language} edition did not build (exit status {status}): its log is above")


def _build_edition(spec: dict) -> int:
    """Run one edition's Sphinx build as ``jupyter-book build`` does; its exit status."""
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(spec["srcdir"], spec["outdir"], noconfig=True, path_config=spec["config"],
                          confoverrides=spec["overrides"], doctreedir=spec["doctreedir"], builder="html",
                          warningiserror=spec["warningiserror"], keep_going=spec["keep_going"],
                          freshenv=spec["freshenv"], verbosity=spec["verbosity"], quiet=spec["quiet"])
    return 1 if isinstance(result, Exception) else int(result or 0)


def _translate_config(app, config) -> None:
    """A translated edition's title (the sidebar and the browser tab) and MyST-NB's code toggles (unless the
    book set its own) come from the course catalogue."""
    if not is_translated(config):
        return
    from translations import _

    if config.html_title:
        config.html_title = str(_(config.html_title))
    # MyST-NB's default prompts name the cell's part ({type}: source, outputs); the book hides only sources
    # (hide-input), and a translation cannot use an English word inside its sentence.
    if config.nb_code_prompt_show == "Show code cell {type}":
        config.nb_code_prompt_show = str(_("Show code cell source"))
    if config.nb_code_prompt_hide == "Hide code cell {type}":
        config.nb_code_prompt_hide = str(_("Hide code cell source"))


class TranslateInsertedToctrees(SphinxTransform):
    """Translates the captions of the toctrees that sphinx-external-toc inserts from _toc.yml ("Lecture 5 — Conv
    Layers", "Reference"): it inserts them after Sphinx's Locale transform has run (priority 100 > 20), so their
    messages, though extracted into the root page's catalogue, would stay English."""

    default_priority = 101

    def apply(self, **kwargs) -> None:
        if not is_translated(self.config):
            return
        dirs = [str(Path(self.env.srcdir) / folder) for folder in self.config.locale_dirs]
        catalog, found = init_locale(dirs, self.config.language, docname_to_domain(self.env.docname,
                                                                                   self.config.gettext_compact))
        if not found:
            return
        for toctree in self.document.findall(addnodes.toctree):
            if "rawcaption" not in toctree and not toctree.get("rawentries"):
                toctree.preserve_original_messages()
            for message in toctree.extract_original_messages():
                translated = catalog.gettext(message)
                if translated != message:
                    toctree.apply_translated_message(message, translated)


def _has_prompt(node) -> bool:
    return isinstance(node, nodes.Element) and "prompt_show" in node.attributes


class TranslateCellPrompts(SphinxTransform):
    """Translates the labels a notebook cell gives its hide/show toggle (``mystnb.code_prompt_show``/``_hide`` in
    the cell's metadata, such as the exercises' "Show the loop checker …"): metadata, not text, so Sphinx's Locale
    transform does not see them; they are messages of the course catalogue (see course_messages)."""

    default_priority = 102

    def apply(self, **kwargs) -> None:
        if not is_translated(self.config):
            return
        from translations import _

        for cell in self.document.findall(_has_prompt):
            for key in ("prompt_show", "prompt_hide"):
                if cell.get(key):
                    cell[key] = str(_(cell[key]))


def _cell_prompts(app) -> list[tuple[str, str, int]]:
    """The cells' own toggle labels in the pages that are read: (label, source file, line)."""
    defaults = {app.config.nb_code_prompt_show, app.config.nb_code_prompt_hide}
    found = []
    for docname in sorted(app.env.found_docs):
        doctree = app.env.get_doctree(docname)
        for cell in doctree.findall(_has_prompt):
            for key in ("prompt_show", "prompt_hide"):
                if cell.get(key) and cell[key] not in defaults:
                    found.append((cell[key], app.env.doc2path(docname, False), cell.line or 0))
    return found


def _theme_literals() -> dict[str, str]:
    """Markup in which the theme writes English without a message catalogue, and the same markup translated."""
    from translations import _

    primary, secondary = _("Toggle primary sidebar"), _("Toggle secondary sidebar")
    # Translators: the name of the sidebar's table of contents (a navigation landmark), for screen readers
    main = _("Main")
    # Translators: the name of the page's table of contents (the "Contents" beside the page), for screen readers
    page = _("Page")
    return {'title="Toggle primary sidebar"': f'title="{html.escape(str(primary))}"',
            'title="Toggle secondary sidebar"': f'title="{html.escape(str(secondary))}"',
            '<nav class="bd-links bd-docs-nav" aria-label="Main">':
                f'<nav class="bd-links bd-docs-nav" aria-label="{html.escape(str(main))}">',
            '<nav aria-label="Page">': f'<nav aria-label="{html.escape(str(page))}">'}


def _translate_theme_literals(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or not is_translated(app.config):
        return
    literals = _theme_literals()
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        translated = text
        for english, korean in literals.items():
            translated = translated.replace(english, korean)
        if translated != text:
            path.write_text(translated, encoding="utf-8")


# ---- the course catalogue's template, written by the gettext build ----------------------------------------

def course_messages(config) -> list[tuple[str, str, int, list[str]]]:
    """The messages of the ``course`` catalogue found in the book's code: (msgid, file, line, comments for
    translators) for each ``_("…")`` in chapters/_ext/*.py, and the book's title."""
    from babel.messages.extract import extract_from_file

    found = []
    for module in sorted(HERE.glob("*.py")):
        for line, message, comments, _context in extract_from_file(
                "python", str(module), keywords={"_": None}, comment_tags=("Translators:",), strip_comment_tags=True):
            found.append((message, f"chapters/_ext/{module.name}", line, comments))
    if config.html_title:
        found.append((config.html_title, "_config.yml", 0, ["the book's title (title in _config.yml)"]))
    return found


def _write_course_pot(app, exception) -> None:
    if exception is not None or app.builder.name != "gettext":
        return
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from translations import CATALOG

    catalog = Catalog(project=app.config.project, charset="utf-8")
    for message, path, line, comments in course_messages(app.config):
        catalog.add(message, locations=[(path, line or None)], auto_comments=comments)
    for message, path, line in _cell_prompts(app):
        catalog.add(message, locations=[(path, line or None)],
                    auto_comments=["the label of a notebook cell's show/hide toggle (the cell's mystnb metadata)"])
    with open(Path(app.outdir) / f"{CATALOG}.pot", "wb") as out:
        write_po(out, catalog, width=76)


# ---- the language switch ----------------------------------------------------------------------------------

def _language_switch(app, pagename, templatename, context, doctree) -> None:
    """The links to this page in the other editions, for templates/language-switch.html and the page's head."""
    if app.builder.format != "html":
        return
    from translations import _

    links = [{"lang": language, "name": AUTONYMS.get(language, language), "href": _href(app, pagename, language),
              "title": str(_read_in(language))}
             for language in editions(app.config) if language != app.config.language]
    context["language_links"] = links
    context["language_switch_label"] = str(_("Language"))
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{link["lang"]}" href="{html.escape(link["href"])}" />' for link in links)


def _add_paths(app, config) -> None:
    config.templates_path.append(str(HERE / "templates"))


def _add_static(app) -> None:
    static = HERE / "static"
    if all(Path(app.confdir or app.srcdir, folder).resolve() != static for folder in app.config.html_static_path):
        app.config.html_static_path.append(str(static))


def setup(app):
    app.setup_extension("translations")
    app.add_config_value("translated_editions", [], "html", types=[list])
    app.add_config_value("source_language", None, "html", types=[str, type(None)])
    app.add_transform(TranslateInsertedToctrees)
    app.add_transform(TranslateCellPrompts)
    app.connect("config-inited", _add_paths)
    app.connect("config-inited", _translate_config)
    app.connect("builder-inited", _add_static)
    app.add_css_file("korean_edition.css")
    app.connect("html-page-context", _language_switch)
    app.connect("build-finished", _write_course_pot)
    app.connect("build-finished", _translate_theme_literals)
    # last: the source edition's own outputs are complete before the translations build
    app.connect("build-finished", _build_translations, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(_build_edition(json.loads(sys.argv[1])))
