"""The book's pages in reading order, read from `_toc.yml` (the single source of that order)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _walk(entries):
    for entry in entries or []:
        if "file" in entry:
            yield entry["file"]
        for part in entry.get("parts", []):
            yield from _walk(part.get("chapters"))
        yield from _walk(entry.get("chapters"))
        yield from _walk(entry.get("sections"))


def toc_pages() -> list[str]:
    """Docnames (e.g. ``chapters/intro``) in the order a reader meets them."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *_walk(toc.get("parts")), *_walk(toc.get("chapters"))]
