"""The translations' catalogues: every message translated (none fuzzy), in step with the English sources, and keeping
what must not change (math, code, cross-reference targets, labels, placeholders).

The sources' message templates are extracted afresh (the gettext build, into a temporary folder), so an English edit
that nobody translated yet fails here, naming each message: run `python -m locales update` and translate.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import locales

LANGUAGES = locales.languages()
CATALOGUES = sorted(p for language in LANGUAGES for p in (locales.LOCALES / language / "LC_MESSAGES").rglob("*.po"))


def _name(path: Path) -> str:
    return str(path.relative_to(locales.LOCALES))


def _read(path: Path):
    with path.open("rb") as stream:
        return read_po(stream)


def _short(message: str) -> str:
    return repr(message if len(message) <= 100 else message[:97] + "...")


def test_every_translated_edition_has_catalogues():
    """Each language of translated_editions has its catalogues (one per page, and the extensions' course.po)."""
    assert LANGUAGES == ["ko"]
    names = {_name(p) for p in CATALOGUES}
    assert {"ko/LC_MESSAGES/course.po", "ko/LC_MESSAGES/chapters/intro.po"} <= names, names


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_every_message_is_translated(po):
    """No message of the catalogue is untranslated or fuzzy (each is listed when there are any)."""
    bad = [("fuzzy" if m.fuzzy else "untranslated", m.id) for m in _read(po) if m.id and (m.fuzzy or not m.string)]
    assert bad == [], f"{_name(po)}: {len(bad)} messages not translated:\n" + "\n".join(
        f"  {kind}: {_short(message)}" for kind, message in bad)


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """The .pot files of the current sources (pages and course.pot), freshly extracted."""
    return locales.extract(tmp_path_factory.mktemp("templates") / "gettext")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_are_up_to_date_with_the_sources(templates, language):
    """Every message the current sources have (each page's text, the figures' alt texts, the extensions' strings) has
    a translation that is not fuzzy, in the catalogue of its page."""
    pots = sorted(templates.rglob("*.pot"))
    assert any(p.name == "course.pot" for p in pots) and len(pots) > 10, pots
    missing = []
    for pot in pots:
        po = locales.LOCALES / language / "LC_MESSAGES" / pot.relative_to(templates).with_suffix(".po")
        translated = {m.id: m for m in _read(po)} if po.exists() else {}
        for message in _read(pot):
            have = translated.get(message.id)
            if message.id and (have is None or not have.string or have.fuzzy):
                state = "no catalogue" if not po.exists() else "missing" if have is None else (
                    "fuzzy" if have.fuzzy else "untranslated")
                missing.append(f"  {_name(po)}: {state}: {_short(message.id)}")
    assert missing == [], (f"{len(missing)} messages of the sources have no {language} translation "
                           "(run `python -m locales update`, then translate):\n" + "\n".join(missing))


# What a translation must keep exactly: MyST roles' names and targets ({doc}`text <target>` may change its text),
# inline code, math and labels; and the placeholders of the extensions' messages.
_ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
_CODE = re.compile(r"`[^`]+`")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
_LABEL = re.compile(r"\(([\w-]+)\)=")
_PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def kept_parts(text: str) -> Counter:
    """The parts of a message that its translation must keep, counted."""
    parts = Counter()
    for name, content in _ROLE.findall(text):
        target = re.search(r"<([^<>]+)>\s*$", content)
        parts[f"{{{name}}} target {target.group(1) if target else content}"] += 1
    text = _ROLE.sub(" ", text)
    parts.update(f"code {c}" for c in _CODE.findall(text))
    text = _CODE.sub(" ", text)
    parts.update(f"math {m}" for m in _MATH.findall(text))
    parts.update(f"label {label}" for label in _LABEL.findall(text))
    parts.update(f"placeholder {p}" for p in _PLACEHOLDER.findall(_MATH.sub(" ", text)))
    return parts


def test_kept_parts_sees_changes():
    """The check below notices a changed formula, a lost code span and a changed reference target."""
    source = "With $z = X \\otimes F$ and `np.sum`, see {doc}`the bias <bias>`."
    assert kept_parts(source) == kept_parts("$z = X \\otimes F$와 `np.sum`으로, {doc}`편향 <bias>`을 보라.")
    assert kept_parts(source) != kept_parts("$z = X \\cdot F$와 `np.sum`으로, {doc}`편향 <bias>`을 보라.")
    assert kept_parts(source) != kept_parts("$z = X \\otimes F$와 np.sum으로, {doc}`편향 <bias>`을 보라.")
    assert kept_parts(source) != kept_parts("$z = X \\otimes F$와 `np.sum`으로, {doc}`편향 <relu>`을 보라.")


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_translations_keep_math_code_and_references(po):
    """Each translation keeps its message's formulas, inline code, role targets, labels and placeholders."""
    changed = []
    for m in _read(po):
        if m.id and m.string and not m.fuzzy and kept_parts(m.id) != kept_parts(m.string):
            lost, added = kept_parts(m.id) - kept_parts(m.string), kept_parts(m.string) - kept_parts(m.id)
            changed.append(f"  {_short(m.id)}\n    lost {sorted(lost)[:3]}, added {sorted(added)[:3]}")
    assert changed == [], f"{_name(po)}: {len(changed)} translations changed what must be kept:\n" + "\n".join(changed)
