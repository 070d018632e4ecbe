"""Solutions never reach students: no page, chapter or student notebook carries reference code or hidden tests."""

from __future__ import annotations

import inspect

import pytest

import solutions
from tests.conftest import ROOT, skip_or_fail
from tests.leaks import _squash, fingerprints, leaks_in_text, leaks_in_tree, readable_text, unread_files


def test_fingerprints_cover_every_reference_function():
    """The leak scanner knows at least one statement of every one of the 19 reference functions."""
    prints = fingerprints()
    missing = []
    for name in solutions.__all__:
        if name == "CHAPTERS":
            continue
        source = _squash(inspect.getsource(getattr(solutions, name)))
        if not any(p in source for p in prints):
            missing.append(name)
    # Functions made of one short call (e.g. relu) have no statement long enough to fingerprint.
    assert len(missing) <= 4, f"no fingerprint for {missing}"


def test_scanner_finds_a_planted_leak():
    """A chapter that pasted the reference's conv_forward, or a solution marker, is caught."""
    source = inspect.getsource(solutions.conv_forward)
    assert leaks_in_text(f"# my notes\n{source}\n")
    assert leaks_in_text("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    assert leaks_in_text('{"source": ["from solutions import conv_forward\\n"]}')
    assert not leaks_in_text("import numpy as np\nz = np.sum(X * F)\n")


def test_scanner_sees_through_html_and_notebooks(tmp_path):
    """Syntax highlighting (HTML spans) and notebook JSON do not hide a pasted reference line."""
    line = "return np.where(z >= 0, 1.0, e) / (1.0 + e)"
    page = tmp_path / "page.html"
    page.write_text("<pre>" + "".join(f'<span class="n">{c}</span>' for c in line).replace(">", "&gt;", 0) + "</pre>")
    assert leaks_in_text(readable_text(page))
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text('{"cells": [{"cell_type": "code", "source": ["def sigmoid(z):\\n", "    ' + line + '\\n"], "outputs": []}]}')
    assert leaks_in_tree(tmp_path).keys() == {"nb.ipynb", "page.html"}


def test_chapters_carry_no_solution():
    """Nothing under chapters/ (pages, exercise notebooks, extensions) holds reference code or hidden tests."""
    assert leaks_in_tree(ROOT / "chapters") == {}


@pytest.mark.book
def test_built_book_carries_no_solution(book):
    """No file of the built book (_build/html: pages, sources, notebooks, downloads) holds reference code or hidden tests."""
    assert leaks_in_tree(book) == {}


def test_scanner_reads_inside_wheels(tmp_path):
    """A wheel (as the in-browser site serves) with a pasted reference function or a hidden-test marker is caught."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "planted-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("planted/__init__.py", inspect.getsource(solutions.conv_forward))
    with zipfile.ZipFile(tmp_path / "clean-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("clean/__init__.py", "import numpy as np\n")
    assert leaks_in_tree(tmp_path).keys() == {"planted-1.0-py3-none-any.whl"}


@pytest.mark.book
def test_the_scan_reads_every_file_of_the_built_book(book):
    """Every file of _build/html, the in-browser site included, is one the scan reads (text, or an archive's text
    members) or a format that holds no code (images, fonts, WebAssembly)."""
    assert unread_files(book) == []
    assert any(p.suffix == ".whl" for p in (book / "lite").rglob("*")), "no in-browser site to scan"


def test_scanner_refuses_bytecode_it_cannot_read(tmp_path):
    """A wheel with a .pyc and no source beside it (the scan reads no bytecode) is reported; one with both is not."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "sourceless-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("sourceless/__pycache__/__init__.cpython-312.pyc", b"\xcb\r\r\n")
    with zipfile.ZipFile(tmp_path / "both-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("both/__init__.py", "import numpy as np\n")
        wheel.writestr("both/__pycache__/__init__.cpython-312.pyc", b"\xcb\r\r\n")
    with zipfile.ZipFile(tmp_path / "python_stdlib.zip", "w") as stdlib:
        stdlib.writestr("ast.py", "import sys\n")
        stdlib.writestr("ast.pyc", b"\xcb\r\r\n")
    assert leaks_in_tree(tmp_path) == {"sourceless-1.0-py3-none-any.whl": ["bytecode without its source 'sourceless/__init__.py'"]}


@pytest.mark.book
def test_the_in_browser_site_offers_only_the_released_notebooks(book):
    """The JupyterLite site's files are exactly the released notebooks, byte for byte (no source, no solution): the
    six English ones and each translated edition's (``ko/``)."""
    files = book / "lite" / "files"
    if not files.exists():
        skip_or_fail("the in-browser site was not built (the build log says why)")
    exercises = ROOT / "chapters" / "exercises"
    offered = {str(p.relative_to(files)): p.read_bytes() for p in files.rglob("*") if p.is_file()}
    released = {str(p.relative_to(exercises)): p.read_bytes()
                for p in [*exercises.glob("*.ipynb"), *exercises.glob("*/*.ipynb")]}
    assert sorted(offered) == sorted(released) and len(offered) == 12
    assert offered == released
