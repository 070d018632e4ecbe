"""Translated strings for the book's own extensions: the ``course`` message catalogue.

Use it in an extension (any module in chapters/_ext/)::

    from translations import _

    def setup(app):
        app.setup_extension("translations")   # registers the catalogue (once, whoever asks first)

    ... _("Open {notebook} in the browser").format(notebook=name) ...

``_`` is Sphinx's ``get_translation("course")``: it returns the message in the language being built, looked up in
``locales/<language>/LC_MESSAGES/course.po`` (compiled to ``course.mo`` when the build starts), and the English
message itself in the English edition or when a message has no translation yet. Call it where the text is made
(in an event handler), not at import time. Messages are found by their ``_("…")`` calls: the gettext build
(``python -m locales update``) extracts them from chapters/_ext/*.py into ``course.pot`` beside the pages' .pot files
and adds them to each language's ``course.po``, where they are translated like any page.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.locale import get_translation
from sphinx.util.i18n import CatalogInfo

#: the name of the catalogue: ``course.pot``, ``course.po``, ``course.mo``
CATALOG = "course"
#: the theme's own catalogue, whose messages ``booktheme.po`` corrects or completes (its Korean lacks "Search")
THEME_CATALOG = "booktheme"
EXTENSIONS = Path(__file__).parent

_ = get_translation(CATALOG)


def locale_dir(app) -> Path:
    """The book's locale folder (the first of ``locale_dirs``: ``locales/``)."""
    return Path(app.srcdir) / app.config.locale_dirs[0]


def _first(name: str, folder: Path, language: str) -> None:
    """Our catalogue ``name`` is looked up before the one the theme registered (Sphinx makes a catalogue added later
    a fallback of the first: the theme's setup runs before ours, as Jupyter Book lists it first)."""
    import gettext

    from sphinx import locale

    ours = gettext.translation(name, str(folder), [language], fallback=True)
    if type(ours) is gettext.NullTranslations:
        return
    theirs = locale.translators.get(("general", name))
    if theirs is not None:
        ours.add_fallback(theirs)
    locale.translators[("general", name)] = ours


def _register(app) -> None:
    language = app.config.language
    for name in (CATALOG, THEME_CATALOG):
        catalog = CatalogInfo(str(locale_dir(app) / language / "LC_MESSAGES"), name, app.config.source_encoding)
        if Path(catalog.po_path).exists() and catalog.is_outdated():
            catalog.write_mo(language, app.config.gettext_allow_fuzzy_translations)
    app.add_message_catalog(CATALOG, str(locale_dir(app)))
    _first(THEME_CATALOG, locale_dir(app), language)


def setup(app):
    _register(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
