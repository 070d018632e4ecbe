"""Find reference code or hidden tests in files a student or reader can see.

A *fingerprint* is one statement of a reference function's body (docstrings
and short statements excluded), unparsed and with white space removed; a file
leaks when its text, with white space removed, contains a fingerprint or one
of nbgrader's solution/hidden-test markers.
"""

from __future__ import annotations

import ast
import html
import json
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
IMPORTS = re.compile(r"\b(from\s+solutions(\.\w+)*\s+import\b|import\s+solutions\b)")
#: Statements shorter than this (without white space) are too generic to be a fingerprint.
MIN_FINGERPRINT = 24
TEXT_SUFFIXES = {".html", ".md", ".ipynb", ".py", ".txt", ".js", ".mjs", ".json", ".csv", ".css", ".svg", ".map",
                 ".po", ".webmanifest", ".buildinfo"}
#: Archives a site serves (the in-browser site's wheels): their text members are read too.
ARCHIVE_SUFFIXES = {".whl", ".zip"}
#: Files that hold no code to read (images, fonts, WebAssembly, compiled message catalogues, Sphinx's inventory).
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".wasm", ".mo", ".inv"}


def _squash(text: str) -> str:
    """White space removed and one kind of quote, so that formatting cannot hide a copy."""
    return re.sub(r"\s+", "", text).replace("'", '"')


def _without_comments(code: str) -> str:
    return re.sub(r"#[^\n]*", "", code)


def _statements(function: ast.FunctionDef):
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring: the book may quote a contract, not code
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.stmt) and not isinstance(node, (ast.If, ast.For, ast.With, ast.Try)):
                yield node


@lru_cache(maxsize=1)
def fingerprints() -> frozenset[str]:
    """The reference's statements, white space removed."""
    prints = set()
    for module in SOLUTIONS.glob("*.py"):
        source = module.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                for statement in _statements(node):
                    squashed = _squash(_without_comments(ast.get_source_segment(source, statement)))
                    if len(squashed) >= MIN_FINGERPRINT and not squashed.startswith("raiseValueError"):
                        prints.add(squashed)
    return frozenset(prints)


def leaks_in_text(text: str) -> list[str]:
    """What in ``text`` gives the reference or the hidden tests away (empty when nothing does)."""
    found = [f"marker {marker!r}" for marker in MARKERS if marker in text]
    found += [f"import of the reference: {m.group(0).strip()!r}" for m in IMPORTS.finditer(text)]
    squashed = _squash(text)
    found += [f"reference code {p!r}" for p in sorted(fingerprints()) if p in squashed]
    return found


def readable_text(path: Path) -> str:
    """What a person sees in a file: an HTML page without its tags, a notebook's cell sources and outputs."""
    if path.suffix in ARCHIVE_SUFFIXES:
        import zipfile

        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist()
                             if Path(name).suffix in TEXT_SUFFIXES)
    text = path.read_text(errors="replace")
    if path.suffix == ".html":
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    if path.suffix == ".ipynb":
        try:
            notebook = json.loads(text)
        except ValueError:
            return text
        parts = []
        for cell in notebook.get("cells", []):
            parts.append("".join(cell.get("source", "")))
            for output in cell.get("outputs", []):
                parts.append("".join(output.get("text", "")))
                parts.extend("".join(v) for v in output.get("data", {}).values() if isinstance(v, (str, list)))
        return "\n".join(parts)
    return text


def bytecode_without_source(path: Path) -> list[str]:
    """The ``.pyc`` members of an archive with no ``.py`` beside them: the scan reads sources, never bytecode."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    sources = {re.sub(r"(?:__pycache__/)?([^/]+?)(?:\.cpython-\d+)?\.pyc$", r"\1.py", name)
               for name in names if name.endswith(".pyc")}
    return sorted(source for source in sources if source not in names)


def leaks_in_tree(folder: Path) -> dict[str, list[str]]:
    """Leaks per file (relative path) for every text file and archive under ``folder``."""
    report = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and _kind(path) in TEXT_SUFFIXES | ARCHIVE_SUFFIXES and "mathjax" not in path.parts:
            found = leaks_in_text(readable_text(path))
            if _kind(path) in ARCHIVE_SUFFIXES:
                found += [f"bytecode without its source {name!r}" for name in bytecode_without_source(path)]
            if found:
                report[str(path.relative_to(folder))] = found
    return report


def _kind(path: Path) -> str:
    """The suffix, or the whole name of a file like ``.buildinfo``."""
    return (path.suffix or path.name).lower()


def unread_files(folder: Path) -> list[str]:
    """Files under ``folder`` the scan neither reads nor knows to hold no code."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
                  if path.is_file() and _kind(path) not in TEXT_SUFFIXES | ARCHIVE_SUFFIXES | BINARY_SUFFIXES)
