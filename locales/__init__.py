"""The book's translations and the command that keeps them up to date with the English sources.

Layout (Sphinx's, as sphinx-intl writes it): ``<language>/LC_MESSAGES/chapters/<page>.po`` for each page,
``course.po`` for the strings of the book's extensions (chapters/_ext/translations.py), ``sphinx.po`` for theme
strings with no Korean catalogue of their own. The ``.mo`` files beside them are compiled by the build.

    python -m locales update    # re-extract the .pot files from the sources, update every language's .po files
                                # (the pages', then the exercise notebooks' tests' messages: autograder catalogues)
    python -m locales stat      # per catalogue: how many messages are translated, fuzzy, untranslated
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

LOCALES = Path(__file__).resolve().parent
ROOT = LOCALES.parent
#: where `update` writes the .pot files (`jupyter-book build`'s own gettext folder)
POT_DIR = ROOT / "_build" / "gettext"


def languages() -> list[str]:
    """The translated editions' languages (``translated_editions`` in _config.yml)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return list(config["sphinx"]["config"].get("translated_editions", []))


def extract(out: Path = POT_DIR) -> Path:
    """Write the current sources' message templates into ``out`` (one .pot per page and ``course.pot``): the gettext
    build, with its own doctrees (an HTML build's cannot be reused) and the book's execution cache (figures' alt texts
    are messages, so the chapters' outputs are needed; an up-to-date cache executes nothing). Raises on failure."""
    out = Path(out).resolve()
    subprocess.run([sys.executable, "-m", "locales", "extract", str(out)], cwd=ROOT, check=True)
    return out


def _extract_here(out: Path) -> int:
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        ROOT, out, noconfig=True, path_config=str(ROOT / "_config.yml"), builder="gettext",
        doctreedir=out.parent / f".doctrees-{out.name}", quiet=True,
        confoverrides={"external_toc_path": str(ROOT / "_toc.yml"), "latex_individualpages": False,
                       "nb_execution_cache_path": str(ROOT / "_build" / ".jupyter_cache")},
    )
    return 1 if isinstance(result, Exception) else int(result or 0)


def update() -> None:
    """Extract the templates into _build/gettext, then bring every language's catalogues up to date with them
    (sphinx-intl: new messages are added untranslated, changed ones marked fuzzy with the old translation); then the
    exercise notebooks' catalogues of their tests' messages (``python -m autograder catalogues``)."""
    extract()
    for language in languages():
        subprocess.run([sys.executable, "-m", "sphinx_intl", "update", "-p", str(POT_DIR), "-d", str(LOCALES),
                        "-l", language], cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "autograder", "catalogues"], cwd=ROOT, check=True)


def stat() -> None:
    """Print sphinx-intl's count of translated, fuzzy and untranslated messages of each catalogue."""
    for language in languages():
        subprocess.run([sys.executable, "-m", "sphinx_intl", "stat", "-d", str(LOCALES), "-l", language],
                       cwd=ROOT, check=True)
