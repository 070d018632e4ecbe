"""The Korean notebooks: one source, two languages.

The Korean notebook of an assignment is made from its English source notebook and two catalogues, never by hand:

* the markdown cells, paragraph by paragraph, from the book's catalogue of the exercise page
  (`locales/ko/LC_MESSAGES/chapters/exercises/<a>.po`, which Sphinx extracted from the released notebook);
* the visible tests' messages — the string literals of assert messages, `err_msg=`, `AssertionError(…)` and
  printed lines above `### BEGIN HIDDEN TESTS`, and each test cell's one-line docstring — from the notebook
  catalogue `locales/ko/LC_MESSAGES/notebooks/<a>.po`, extracted by `extract()` (template:
  `locales/notebooks/<a>.pot`; `python -m autograder catalogues` brings both up to date).

Everything else — cells, cell types, nbgrader metadata, solutions, hidden tests, every other character of code —
is the English source's, byte for byte: the same answers score the same in either language.
"""

from __future__ import annotations

import ast
import copy
import functools
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
KOREAN = "ko"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
#: Inserted under the title of the Korean notebook's first cell: the notebook says which edition it is.
EDITION_NOTE = ("> **한국어판.** 영어판과 셀, 테스트, 배점이 모두 같고 안내문과 테스트 메시지만 한국어로 옮겼다. "
                "채점기는 이 노트북을 한국어판으로 알아보고 한국어로 피드백을 준다.")


class TranslationError(RuntimeError):
    """A paragraph or message has no usable translation; the message names it and the catalogue."""


def locales_for(course: Path) -> Path:
    """The catalogues that go with a course directory: `locales/` beside it, else this checkout's."""
    beside = Path(course).parent / "locales"
    return beside if beside.is_dir() else LOCALES


def page_catalogue(assignment: str, locales: Path = LOCALES, language: str = KOREAN) -> Path:
    return locales / language / "LC_MESSAGES" / "chapters" / "exercises" / f"{assignment}.po"


def notebook_catalogue(assignment: str, locales: Path = LOCALES, language: str = KOREAN) -> Path:
    return locales / language / "LC_MESSAGES" / "notebooks" / f"{assignment}.po"


def notebook_template(assignment: str, locales: Path = LOCALES) -> Path:
    return locales / "notebooks" / f"{assignment}.pot"


def _squash(text: str) -> str:
    return " ".join(text.split())


# ---- the visible tests' messages ------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    """One message in a test cell's visible code: `code[start:end]` is the literal (maybe implicitly concatenated)."""
    grade_id: str
    kind: str          # docstring, assert, err_msg, AssertionError, print
    line: int          # 1-based line in the cell
    start: int
    end: int
    prefix: str        # "f" for an f-string, "" otherwise
    quote: str
    msgid: str         # the text between the quotes, as written


_PART = re.compile(r"([rRuUfF]{0,2})('''|\"\"\"|'|\")")


def _parts(segment: str) -> list[tuple[str, str, str]]:
    """The literals of an implicitly concatenated string as (prefix, quote, body as written)."""
    parts, i = [], 0
    while i < len(segment):
        if segment[i].isspace():
            i += 1
            continue
        match = _PART.match(segment, i)
        if not match:
            raise TranslationError(f"cannot read the string literal {segment!r}")
        prefix, quote = match.groups()
        j = match.end()
        while not segment.startswith(quote, j):
            j += 2 if segment[j] == "\\" else 1
        parts.append((prefix.lower(), quote, segment[match.end():j]))
        i = j + len(quote)
    return parts


def fields(body: str) -> list[str]:
    """The replacement fields `{…}` of an f-string's body, in order (`{{` and `}}` are text)."""
    found, i = [], 0
    while i < len(body):
        if body.startswith(("{{", "}}"), i):
            i += 2
        elif body[i] == "{":
            depth, j = 0, i
            while j < len(body):
                depth += {"{": 1, "}": -1}.get(body[j], 0)
                if depth == 0:
                    break
                j += 1
            found.append(body[i:j + 1])
            i = j + 1
        else:
            i += 1
    return found


def _literals_in(expr) -> list:
    if isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
        return [expr]
    parts = {ast.BinOp: ("left", "right"), ast.IfExp: ("body", "orelse"), ast.Tuple: ("elts",)}.get(type(expr), ())
    children = [c for name in parts for c in (getattr(expr, name) if name == "elts" else [getattr(expr, name)])]
    return [n for child in children for n in _literals_in(child)]


def messages(code: str, grade_id: str) -> list[Literal]:
    """The messages of a test cell's visible code (`code`: the part above the hidden tests), in source order."""
    tree = ast.parse(code)
    lines = [line + "\n" for line in code.split("\n")]  # as ast numbers them (splitlines also splits at \x0c, \u2028…)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(lineno, col):  # ast counts columns in UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    found: dict[int, tuple[str, object]] = {}
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        found[id(body[0].value)] = ("docstring", body[0].value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            found.update((id(n), ("assert", n)) for n in _literals_in(node.msg))
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            for keyword in node.keywords:
                if keyword.arg == "err_msg":
                    found.update((id(n), ("err_msg", n)) for n in _literals_in(keyword.value))
            if name in ("print", "AssertionError"):
                found.update((id(n), (name, n)) for arg in node.args for n in _literals_in(arg))
    result = []
    for kind, node in found.values():
        start, end = offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)
        parts = _parts(code[start:end])
        if any("r" in p or "u" in p for p, _, _ in parts):
            raise TranslationError(f"{grade_id}: raw or u-prefixed message literals are not supported: {code[start:end]!r}")
        f = any(p == "f" for p, _, _ in parts)
        text = "".join(b if p == "f" or not f else b.replace("{", "{{").replace("}", "}}") for p, _, b in parts)
        result.append(Literal(grade_id, kind, node.lineno, start, end, "f" if f else "", parts[0][1], text))
    return sorted(result, key=lambda m: m.start)


def _test_cells(notebook):
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            yield cell, meta["grade_id"]


def _visible(source: str) -> tuple[str, str]:
    at = source.find(BEGIN_HIDDEN)
    return (source, "") if at < 0 else (source[:at], source[at:])


def extract(notebook, assignment: str):
    """The notebook catalogue's template: every message of the test cells' visible code (a babel Catalog)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(project=f"Conv Layers notebook {assignment}", version="1", msgid_bugs_address="",
                      copyright_holder="The Conv Layers course team", fuzzy=False, header_comment=(
        f"# The visible tests' messages of {assignment} (extracted by autograder/translations.py:\n"
        "# run `python -m autograder catalogues` after editing the source notebook)."))
    for cell, grade_id in _test_cells(notebook):
        for m in messages(_visible(cell.source)[0], grade_id):
            catalog.add(m.msgid, locations=[(grade_id, m.line)], auto_comments=[f"{m.kind} ({'f-string' if m.prefix else 'string'})"])
    return catalog


def _read_po(path: Path):
    from babel.messages.pofile import read_po

    if not path.exists():
        raise TranslationError(f"no catalogue {path}")
    with open(path, "rb") as f:
        return read_po(f)


def _translated(catalog) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def catalogue_problems(notebook, assignment: str, locales: Path = LOCALES) -> list[str]:
    """What stands between the notebook catalogue and the English source: missing, untranslated or fuzzy messages,
    messages the source no longer has, f-string fields a translation changed (empty when all is well)."""
    fresh = {m.id for m in extract(notebook, assignment) if m.id}
    po = _read_po(notebook_catalogue(assignment, locales))
    have = {m.id: m for m in po if m.id}
    problems = [f"not in the catalogue: {i!r}" for i in sorted(fresh - have.keys())]
    problems += [f"no longer in the source: {i!r}" for i in sorted(have.keys() - fresh)]
    for i in sorted(fresh & have.keys()):
        m = have[i]
        if not m.string:
            problems.append(f"untranslated: {i!r}")
        elif m.fuzzy:
            problems.append(f"fuzzy: {i!r}")
        elif sorted(fields(i)) != sorted(fields(m.string)):
            problems.append(f"the translation changes the fields {sorted(fields(i))}: {m.string!r}")
    return problems


def update_catalogues(notebook, assignment: str, locales: Path = LOCALES) -> list[str]:
    """Re-extract the template and merge it into the Korean catalogue (translations kept; changed messages fuzzy,
    new ones empty); files are rewritten only when their messages change. Returns catalogue_problems()."""
    merge(extract(notebook, assignment), notebook_template(assignment, locales), notebook_catalogue(assignment, locales))
    return catalogue_problems(notebook, assignment, locales)


def merge(template, pot: Path, po_path: Path, language: str = KOREAN) -> None:
    """Write `template` (a babel Catalog) to `pot` and merge it into the catalogue `po_path` (made when missing):
    translations kept, changed messages fuzzy, new ones empty, gone ones dropped; a file is rewritten only when
    its messages change."""
    from babel.messages.pofile import write_po

    if po_path.exists():
        po = _read_po(po_path)
    else:
        from babel.messages.catalog import Catalog

        po = Catalog(locale=language, project=template.project, version="1", msgid_bugs_address="",
                     copyright_holder=template.copyright_holder, fuzzy=False, header_comment=template.header_comment)
    po.update(template)
    po.obsolete.clear()
    for path, catalog in ((pot, template), (po_path, po)):
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=0, ignore_obsolete=True)
        old = _read_po(path) if path.exists() else None
        if old is None or _entries(old) != _entries(catalog):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(buffer.getvalue())


def _entries(catalog) -> list:
    return [(m.id, m.string or "", m.fuzzy, sorted(m.locations), list(m.auto_comments)) for m in catalog if m.id]


def _translate_code(source: str, grade_id: str, translations: dict[str, str], catalogue: Path) -> str:
    visible, hidden = _visible(source)
    for m in reversed(messages(visible, grade_id)):
        text = translations.get(m.msgid)
        if text is None:
            raise TranslationError(f"{grade_id}: the {m.kind} message {m.msgid!r} has no translation in {catalogue} "
                                   "(run `python -m autograder catalogues`, then translate it)")
        if m.prefix and sorted(fields(text)) != sorted(fields(m.msgid)):
            raise TranslationError(f"{grade_id}: the translation {text!r} in {catalogue} must keep the fields "
                                   f"{fields(m.msgid)} of {m.msgid!r}")
        if m.quote in text or "\n" in text and len(m.quote) == 1:
            raise TranslationError(f"{grade_id}: the translation {text!r} in {catalogue} contains its quote {m.quote}")
        visible = visible[:m.start] + m.prefix + m.quote + text + m.quote + visible[m.end:]
    ast.parse(visible)
    return visible + hidden


# ---- the markdown cells ---------------------------------------------------------------------------

def _markdown_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    return MarkdownIt("commonmark").use(dollarmath_plugin)  # blocks as MyST (the book) splits them


_MARKERS = re.compile(r"^[\s>#*+\-\d.)]*$")


def _blocks(source: str) -> list[tuple[list[int], str, str]]:
    """The translatable blocks of a markdown cell: ([first line, end line), text, kind), as Sphinx extracts them."""
    tokens = _markdown_parser().parse(source)
    blocks = []
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.map:
            blocks.append((token.map, token.content, tokens[index - 1].type))
        elif token.type == "math_block" and token.map:
            blocks.append((token.map, token.content, "math_block"))
        elif token.type in ("fence", "code_block", "html_block", "table_open", "math_block_label"):
            raise TranslationError(f"a markdown {token.type} cannot be translated paragraph by paragraph yet:\n{source[:200]}")
    return blocks


def _page_translations(assignment: str, locales: Path) -> dict[str, str]:
    catalogue = _read_po(page_catalogue(assignment, locales))
    return {_squash(m.id): m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def page_problems(notebook, assignment: str, locales: Path = LOCALES) -> list[str]:
    """The markdown paragraphs of `notebook` that the exercise page's catalogue does not translate."""
    pages = _page_translations(assignment, locales)
    return [f"markdown cell {index}: no translation of the paragraph {content[:120]!r} in {page_catalogue(assignment, locales)}"
            for index, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
            for _, content, _ in _blocks(cell.source) if _squash(content) not in pages]


def translate_markdown(source: str, translations: dict[str, str], where: str) -> str:
    """`source` with each paragraph, heading, list item and display formula replaced by its translation.

    `translations`: {msgid with white space squashed: msgstr}. A block without one raises TranslationError.
    """
    lines = source.splitlines()
    blocks = _blocks(source)
    for (start, end), content, kind in reversed(blocks):
        key = _squash(content)
        if key not in translations:
            raise TranslationError(f"{where}: the paragraph {content[:120]!r} has no translation")
        text = translations[key]
        if _squash(text) == key:
            continue  # code or math only: keep it exactly as written
        if kind == "math_block":
            indent = lines[start][:len(lines[start]) - len(lines[start].lstrip())]
            lines[start:end] = [f"{indent}$${text}$$"]
            continue
        first = content.split("\n", 1)[0]
        at = lines[start].find(first)
        prefix = lines[start][:at]
        if at < 0 or not _MARKERS.match(prefix):
            raise TranslationError(f"{where}: cannot place the translation of {content[:80]!r}")
        if kind == "heading_open" and end - start == 2:  # a setext heading keeps its underline
            end -= 1
        lines[start:end] = [prefix + _squash(text)]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


# ---- the Korean notebook --------------------------------------------------------------------------

def korean_notebook(english, assignment: str, locales: Path = LOCALES):
    """The Korean edition of a notebook of `assignment` (its source or its release): a new NotebookNode."""
    pages = _page_translations(assignment, locales)
    catalogue = notebook_catalogue(assignment, locales)
    tests = _translated(_read_po(catalogue))
    notebook = copy.deepcopy(english)
    first = True
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            where = f"{page_catalogue(assignment, locales)}, markdown cell {index}"
            cell.source = translate_markdown(cell.source, pages, where)
            if first:
                head, _, rest = cell.source.partition("\n")
                cell.source = f"{head}\n\n{EDITION_NOTE}\n{rest}" if head.startswith("#") else f"{EDITION_NOTE}\n\n{cell.source}"
                first = False
    for cell, grade_id in _test_cells(notebook):
        cell.source = _translate_code(cell.source, grade_id, tests, catalogue)
    notebook.metadata.setdefault("autograder", {})["language"] = KOREAN
    return notebook


def korean_source(assignment: str, course: Path, locales: Path | None = None) -> bytes:
    """The Korean source notebook (solutions and hidden tests included), as nbgrader reads a source file."""
    english = nbformat.read(Path(course) / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    return nbformat.writes(korean_notebook(english, assignment, locales or locales_for(course))).encode() + b"\n"


# ---- the language of a submission -----------------------------------------------------------------

_CODE_AND_MATH = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|https?://\S+", re.DOTALL)
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")


def prose(markdown: str) -> str:
    """Markdown without its code and math: the words a reader reads."""
    return _CODE_AND_MATH.sub(" ", markdown)


def hangul_share(text: str) -> float:
    """Hangul letters among the Hangul and Latin letters of `text` (0.0 without either)."""
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    return hangul / (hangul + latin) if hangul + latin else 0.0


def language_of(submission: bytes | str) -> str:
    """"ko" for a Korean notebook (its metadata says so or, if that was lost, its markdown is mostly Hangul), else "en"."""
    try:
        notebook = json.loads(submission)
        language = notebook.get("metadata", {}).get("autograder", {}).get("language")
        if isinstance(language, str):
            return KOREAN if language == KOREAN else "en"
        text = "\n".join("".join(c.get("source", "")) for c in notebook.get("cells", []) if c.get("cell_type") == "markdown")
    except (ValueError, AttributeError, TypeError):
        return "en"  # not a readable notebook: graded as invalid in any language
    return KOREAN if hangul_share(prose(text)) > 0.5 else "en"


def _pieces(message: str) -> tuple[list[str], list[str]]:
    """The f-string body `message` as printed around its fields: (the texts between them, `{{` printed `{`; the
    fields), with one text more than fields."""
    texts, found, last = [], fields(message), 0
    for field in found:
        at = message.index(field, last)
        texts.append(message[last:at])
        last = at + len(field)
    texts.append(message[last:])
    return [t.replace("{{", "{").replace("}}", "}") for t in texts], found


def _as_pattern(message: str) -> tuple[re.Pattern, list[str]]:
    """A regex matching what the f-string body `message` prints (each field any text, captured) and its fields."""
    texts, found = _pieces(message)
    return re.compile("(.+?)".join(map(re.escape, texts))), found


def _printed(message: str, values: dict[str, str]) -> str:
    """What the f-string body `message` prints with each field's value from `values`."""
    texts, found = _pieces(message)
    return texts[0] + "".join(values[field] + text for field, text in zip(found, texts[1:]))


def in_english(text: str, assignment: str, language: str = KOREAN, locales: Path = LOCALES) -> str:
    """A line a translated notebook printed (a failed test's reason), with each of its visible tests' messages put
    back in the English source's words and the fields' values kept; other text (the hidden tests' messages, which
    are English) unchanged. Without the catalogue, `text` as it is."""
    path = notebook_catalogue(assignment, locales, language)
    if not path.exists():
        return text
    for pattern, found, msgid in _back_translations(str(path), path.stat().st_mtime_ns):
        match = pattern.search(text)
        if match:
            text = text[:match.start()] + _printed(msgid, dict(zip(found, match.groups()))) + text[match.end():]
    return text


@functools.lru_cache(maxsize=32)
def _back_translations(path: str, mtime_ns: int) -> list[tuple[re.Pattern, list[str], str]]:
    """(the translation as a pattern, its fields, the English message) for every message of a notebook catalogue,
    the longest first (a message that contains a shorter one is matched whole); read once per catalogue version
    (a report reads back every failed test of the class)."""
    catalog = _read_po(Path(path))
    found = []
    for m in sorted((m for m in catalog if m.id and m.string and not m.fuzzy), key=lambda m: -len(m.string)):
        pattern, names = _as_pattern(m.string)
        if set(fields(m.id)) <= set(names):  # (catalogue_problems() refuses one that drops a field)
            found.append((pattern, names, m.id))
    return found
