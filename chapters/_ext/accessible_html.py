"""Sphinx extension: the book's pages meet WCAG 2.1 AA where the theme and MyST-NB's markup do not.

Each fix rewrites the built HTML once the build has finished and names the axe-core rule it answers; the rules
themselves are never turned off (tests/accessibility runs axe-core over every page).

* ``summary-name`` — the sidebar's expand/collapse toggles are ``<summary>`` elements holding only an icon:
  each gets a name, "Sections of <chapter>".
* WCAG 2.4.7 (focus visible) — ``static/accessible.css`` draws a focus ring on every control the theme leaves
  without one.
* ``scrollable-region-focusable`` — formulas are not tab stops (``mathjax3_config``), but ``static/accessible.js``
  makes a display formula that scrolls sideways focusable, so the keyboard can scroll it.
* ``label-content-name-mismatch`` — controls whose accessible name differs from the text they show: the search
  field ("Search" vs "Search Ctrl+K") and MyST-NB's hidden-code toggles ("Toggle hidden content" vs "Show code
  cell source") lose the ``aria-label`` that hid their visible text; the colour-mode button's icons are marked
  decorative and lose their titles (Font Awesome turns a title into text inside the button), so that its name is
  its label alone.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from translations import _

# summary-name: a sidebar toggle follows the link of the chapter whose sections it shows.
_TOGGLE = re.compile(r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">(?P<title>[^<]+)</a>\s*<details(?: [^>]*)?>\s*)<summary>')
# label-content-name-mismatch
_SEARCH_FIELD = re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="[^"]*"')
_HIDDEN_CODE_TOGGLE = '<summary aria-label="Toggle hidden content">'
_THEME_ICON = re.compile(r'<i class="(theme-switch [^"]*)"([^>]*?) title="[^"]*"')


def _sections_of(title: str) -> str:
    """The label of a sidebar toggle; ``title`` is already HTML (escaped), the translated words are escaped here."""
    # Translators: the label of the sidebar's button that shows a chapter's sections; {title} is the chapter's title
    return html.escape(str(_("Sections of {title}"))).replace("{title}", title)


def accessible(page: str) -> str:
    """The page's HTML with the fixes above (labels in the language being built: see translations.py)."""
    page = _TOGGLE.sub(lambda m: f'{m.group(1)}<summary aria-label="{_sections_of(m.group("title").strip())}">', page)
    page = _SEARCH_FIELD.sub(r"\1", page)
    page = page.replace(_HIDDEN_CODE_TOGGLE, "<summary>")
    page = _THEME_ICON.sub(r'<i aria-hidden="true" class="\1"\2', page)
    return page


def _rewrite_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        fixed = accessible(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def _add_static(app) -> None:
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    app.setup_extension("translations")
    app.connect("builder-inited", _add_static)
    app.add_css_file("accessible.css")
    app.add_js_file("accessible.js")
    app.connect("build-finished", _rewrite_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
