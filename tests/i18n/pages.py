"""What the twin-page tests read in a built page: its language, its article's headings, formulas and figures, the
language of its prose, and its language switch."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: elements whose text is not prose: code, program output, formulas (their TeX source), scripts
_NOT_PROSE_TAGS = {"pre", "code", "kbd", "script", "style", "math"}
_NOT_PROSE_CLASSES = {"math", "highlight", "cell_output", "output", "headerlink"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f"


@dataclass
class Page(HTMLParser):
    """One built page, parsed."""

    lang: str = ""
    headings: list[int] = field(default_factory=list)   # levels of the article's h1…h6, in order
    math: int = 0                                        # formulas (inline and display) in the article
    images: int = 0                                      # <img> in the article
    alts: list[str] = field(default_factory=list)        # their text alternatives
    prose: list[str] = field(default_factory=list)       # the article's text outside code, output and math
    switch: dict[str, str] = field(default_factory=dict)  # hreflang → href of the language switch's links
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang → href of <link rel="alternate">

    def __post_init__(self):
        super().__init__()
        self._stack: list[tuple[str, bool]] = []   # (tag, inside something that is not prose)
        self._article = 0
        self._in_switch = 0

    @classmethod
    def read(cls, path: Path) -> "Page":
        page = cls()
        page.feed(path.read_text(encoding="utf-8"))
        return page

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.alternates[attrs["hreflang"]] = attrs["href"]
        if tag == "nav" and "language-switch" in classes:
            self._in_switch = 1
        elif self._in_switch and tag not in _VOID:
            self._in_switch += 1
        if self._in_switch and tag == "a" and attrs.get("hreflang"):
            self.switch[attrs["hreflang"]] = attrs["href"]
        if tag == "article":
            self._article += 1
        if self._article:
            if re.fullmatch(r"h[1-6]", tag):
                self.headings.append(int(tag[1]))
            if "math" in classes and tag in {"span", "div"}:
                self.math += 1
            if tag == "img":
                self.images += 1
                self.alts.append(attrs.get("alt") or "")
        if tag in _VOID:
            return
        outer = self._stack[-1][1] if self._stack else False
        self._stack.append((tag, outer or tag in _NOT_PROSE_TAGS or bool(classes & _NOT_PROSE_CLASSES)))

    def handle_endtag(self, tag):
        if self._in_switch and tag not in _VOID:
            self._in_switch -= 1
        if tag == "article":
            self._article -= 1
        while self._stack:  # tolerate unclosed elements (<p> in lists, etc.)
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._article and not (self._stack and self._stack[-1][1]) and data.strip():
            self.prose.append(data.strip())

    def hangul_share(self) -> float:
        """Of the letters of the prose, the share that are Hangul."""
        letters = [ch for ch in " ".join(self.prose) if ch.isalpha()]
        return sum(map(is_hangul, letters)) / max(len(letters), 1)

    def latin_passages(self, at_least: int = 40) -> list[str]:
        """Prose passages of at least ``at_least`` letters with no Hangul in them: untranslated text."""
        return [text for text in self.prose
                if not any(map(is_hangul, text)) and sum(ch.isascii() and ch.isalpha() for ch in text) >= at_least]
