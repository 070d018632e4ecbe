"""The words nbgrader's feedback page puts around a student's notebook, in the language of that notebook.

nbgrader's feedback template (``nbgrader/server_extensions/formgrader/templates/feedback/index.html.j2``) writes
its own words in English: "Score", "Test cell", "Student's answer", "Grade cell", "(Top)", "Comments" … For a
submission in another language each is replaced by its translation from ``locales/<language>/LC_MESSAGES/feedback.po``
— only where the template writes it, inside the template's own markup (`PLACES`), never in the student's cells or
outputs. The English pages are left byte for byte as nbgrader writes them.

The catalogue's template is ``locales/feedback.pot``; ``python -m autograder catalogues`` brings both up to date
with `PLACES`.
"""

from __future__ import annotations

import re
from pathlib import Path

from .translations import KOREAN, LOCALES, TranslationError, _read_po, _translated, merge

#: Where the template writes its words: (the words, the template's markup around them, with WORD where one stands).
PLACES = (
    (["Score"], r"<h4>[^<]*\(WORD: "),                                            # the page's title: total score
    (["Test cell", "Coding free-response", "Written response", "Task", "Comment"],
     r'<li><a href="#[^"]*">WORD</a>'),                                            # the list of the graded cells
    (["Score"], r"</a> \(WORD: [^<]*\)</li>"),                                    # each one's score
    (["Late submission penalty"], r'<li class="late-penalty">WORD \('),
    (["Score"], r'<li class="late-penalty">[^<(]* \(WORD: '),
    (["Student's answer", "Student's task", "Grade cell", "Task"], r'<span class="nbgrader-label">WORD'),  # a cell
    (["Score"], r'<span class="pull-right">\s*WORD: '),                            # a cell's score
    (["(Top)"], r'<a href="#top">WORD</a>'),
    (["Comments"], r"<b>WORD:</b>"),                                               # the instructor's comments
)


#: each place as a pattern whose group 1 is the word
_PATTERNS = [re.compile(markup.replace("WORD", "(" + "|".join(map(re.escape, place)) + ")")) for place, markup in PLACES]


#: The words of the page the grader writes itself for a notebook nbgrader could not run (report.py).
OWN_WORDS = ["Student", "Score", "Status"]


def words() -> list[str]:
    """Every word of `PLACES` and `OWN_WORDS`, once each, in order: the catalogue's messages."""
    return list(dict.fromkeys([word for place, _ in PLACES for word in place] + OWN_WORDS))


def catalogue(language: str = KOREAN, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / "feedback.po"


def template(locales: Path = LOCALES) -> Path:
    return locales / "feedback.pot"


def translations(language: str, locales: Path = LOCALES) -> dict[str, str]:
    """{English word: translation} for `language`; raises TranslationError when a word has none."""
    have = _translated(_read_po(catalogue(language, locales)))
    missing = [w for w in words() if w not in have]
    if missing:
        raise TranslationError(f"{catalogue(language, locales)} has no translation of {missing} "
                               "(run `python -m autograder catalogues`, then translate)")
    return {w: have[w] for w in words()}


def translate(page: str, table: dict[str, str] | None) -> str:
    """The feedback `page` with the template's words replaced as `table` ({English: translation}) says; None (an
    English page, or a language without its catalogue) leaves the page as it is."""
    if not table or not page:
        return page

    def swap(match: re.Match) -> str:
        start, end = match.span(1)
        return match.string[match.start():start] + table[match.group(1)] + match.string[end:match.end()]

    for pattern in _PATTERNS:
        page = pattern.sub(swap, page)
    return page


def update_catalogue(locales: Path = LOCALES) -> list[str]:
    """Write the template from `words()` and merge it into the Korean catalogue; returns what is untranslated."""
    from babel.messages.catalog import Catalog

    pot = Catalog(project="Conv Layers feedback pages", version="1", msgid_bugs_address="",
                  copyright_holder="The Conv Layers course team", fuzzy=False, header_comment=(
        "# The words nbgrader's feedback template writes around a student's notebook (autograder/feedback_words.py:\n"
        "# run `python -m autograder catalogues` after changing its PLACES)."))
    for word in words():
        pot.add(word)
    merge(pot, template(locales), catalogue(KOREAN, locales))
    po = _read_po(catalogue(KOREAN, locales))
    return [f"untranslated: {m.id!r}" if not m.string else f"fuzzy: {m.id!r}" for m in po
            if m.id and (not m.string or m.fuzzy)]


def translate_pages(results, locales: Path = LOCALES) -> tuple[dict[str, dict[str, str] | None], list[str]]:
    """Put each result's feedback page's template words in the result's language (in place). Returns the tables
    by language (None for English, and for a language whose catalogue is missing or incomplete: its pages keep
    nbgrader's English words) and one note per such language."""
    notes: list[str] = []
    tables: dict[str, dict[str, str] | None] = {"en": None}
    for r in results:
        if r.language not in tables:
            try:
                tables[r.language] = translations(r.language, locales)
            except TranslationError as error:
                tables[r.language] = None
                notes.append(f"feedback pages in {r.language!r} keep nbgrader's English headings: {error}")
        r.feedback_html = translate(r.feedback_html, tables[r.language])
    return tables, notes
