"""The in-browser site is built only from what its pins and hashes allow; otherwise the book goes without it, and says why."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_or_fail

sys.path.insert(0, str(ROOT / "chapters" / "_ext"))
import lite_site  # noqa: E402

EXERCISES = ROOT / "chapters" / "exercises"


def test_without_npm_there_is_no_site_and_the_reason_is_given(tmp_path, monkeypatch):
    """With no npm to fetch Pyodide, build() raises Unavailable naming npm, and writes no site."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(lite_site.Unavailable, match="npm is not installed"):
        lite_site.build(EXERCISES, tmp_path / "site", tmp_path / "work", tmp_path / "cache")
    assert not (tmp_path / "site").exists()


def test_a_tampered_download_is_refused(tmp_path):
    """A Pyodide tarball in the cache that is not npm's (wrong sha512) is refused before anything is built."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / lite_site.PYODIDE_TARBALL).write_bytes(b"not pyodide")
    with pytest.raises(lite_site.Unavailable, match="does not match the npm integrity"):
        lite_site.build(EXERCISES, tmp_path / "site", tmp_path / "work", cache)
    assert not (tmp_path / "site").exists()


def _npm_lock(book) -> dict:
    with tarfile.open(book.parent / ".lite" / "cache" / lite_site.PYODIDE_TARBALL) as tar:
        return json.loads(tar.extractfile("package/pyodide-lock.json").read())


def _site_pyodide(book) -> Path:
    site = book / "lite" / "static" / "pyodide"
    if not site.exists():
        skip_or_fail("the in-browser site was not built (the build log says why)")
    return site


@pytest.mark.book
def test_the_site_ships_only_the_kernel_packages_it_needs(book):
    """The Pyodide packages are the closure of the kernel's start-up list and NumPy, nothing else (no SciPy, no pandas):
    npm's lock entries plus the kernel's own wheels and comm, each file the one its entry's sha256 names."""
    site = _site_pyodide(book)
    shipped = json.loads((site / "pyodide-lock.json").read_text())["packages"]
    npm = _npm_lock(book)
    added = set(lite_site.KERNEL_WHEELS) | {"comm"}
    roots = [name for name in lite_site.PRELOADED if lite_site.normalize(name) not in added]
    assert sorted(name for name in shipped if name not in added) == lite_site.dependency_closure(npm, roots)
    assert added <= set(shipped)
    assert "numpy" in shipped and "ipython" in shipped and "scipy" not in shipped and len(shipped) < 30, sorted(shipped)
    wheels = sorted(p.name for p in site.glob("*.whl")) + sorted(p.name for p in site.glob("*.zip") if p.name != "python_stdlib.zip")
    assert sorted(wheels) == sorted(entry["file_name"] for entry in shipped.values())
    for entry in shipped.values():
        assert lite_site.sha256_of(site / entry["file_name"]) == entry["sha256"], entry["file_name"]


@pytest.mark.book
def test_pyodide_loads_every_start_up_package_as_it_boots(book):
    """The kernel's settings preload the worker's whole start-up list (so it installs nothing itself) and NumPy."""
    site = _site_pyodide(book)
    config = json.loads((book / "lite" / "jupyter-lite.json").read_text())["jupyter-config-data"]
    preloaded = config["litePluginSettings"][lite_site.PYODIDE_KERNEL_PLUGIN]["loadPyodideOptions"]["packages"]
    assert {"micropip", "piplite", *json.loads(lite_site.KERNEL_WORKER_LIST), "numpy"} <= set(preloaded)
    shipped = json.loads((site / "pyodide-lock.json").read_text())["packages"]
    assert {lite_site.normalize(name) for name in preloaded} <= set(shipped)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.book
def test_precompiling_only_adds_bytecode_beside_its_source(book):
    """Each archive the site ships holds exactly the files of the one npm's lock verified, plus .pyc files, each
    beside its .py, and (in a wheel) RECORD lines for them; the standard library's start-up modules are among them."""
    site = _site_pyodide(book)
    npm = _npm_lock(book)["packages"]
    shipped = json.loads((site / "pyodide-lock.json").read_text())["packages"]
    provisa = book.parent / ".lite" / "cache" / lite_site.PROVISA[2]
    with tarfile.open(book.parent / ".lite" / "cache" / lite_site.PYODIDE_TARBALL) as tar:
        originals = {"python_stdlib.zip": tar.extractfile("package/python_stdlib.zip").read()}
    with zipfile.ZipFile(provisa) as whl:
        for name, entry in shipped.items():
            if name in npm:
                originals[entry["file_name"]] = whl.read(lite_site.PROVISA_PYODIDE_DIR + entry["file_name"])
    for _, file_name, *_ in lite_site.KERNEL_WHEELS.values():
        originals[file_name] = (lite_site.KERNEL_EXTENSION / "static" / "pypi" / file_name).read_bytes()
    originals[lite_site.COMM[2]] = (book.parent / ".lite" / "cache" / lite_site.COMM[2]).read_bytes()
    compiled = {}
    for file_name, original in originals.items():
        before, after = _members(original), _members((site / file_name).read_bytes())
        added = {name for name in after if name not in before}
        assert all(name.endswith(".pyc") for name in added), (file_name, sorted(added)[:5])
        for name in added:
            source = (name[:-1] if file_name == "python_stdlib.zip"
                      else re.sub(r"__pycache__/(\w+)\.cpython-\d+\.pyc$", r"\1.py", name))
            assert source in before, (file_name, name)
        for name, data in before.items():
            if name.endswith(".dist-info/RECORD"):
                lines = after[name].decode().splitlines()
                assert lines[:len(data.decode().splitlines())] == data.decode().splitlines()
                assert {line.split(",")[0] for line in lines[len(data.decode().splitlines()):]} == added, file_name
            else:
                assert after[name] == data, (file_name, name)
        compiled[file_name] = added
    assert {"asyncio/__init__.pyc", "inspect.pyc", "ast.pyc"} <= compiled["python_stdlib.zip"]
    numpy = next(f for f in compiled if f.startswith("numpy-"))
    assert "numpy/__pycache__/__init__.cpython-312.pyc" in compiled[numpy]


def _sphinx_build(tmp_path: Path, chapter: str) -> tuple[subprocess.CompletedProcess, Path]:
    """A two-page book using the extension, built strictly with no npm on PATH (so the site cannot be built)."""
    import shutil

    src, out = tmp_path / "src", tmp_path / "src" / "_build" / "html"
    (src / "chapters" / "exercises").mkdir(parents=True)
    shutil.copy2(EXERCISES / "ex01_image_tensors.ipynb", src / "chapters" / "exercises")
    (src / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(ROOT / 'chapters' / '_ext')!r})\n"
                                 "extensions = ['myst_parser', 'browser_exercises']\nexclude_patterns = ['_build']\n")
    (src / "index.md").write_text("# Book\n\n```{toctree}\nchapters/image_tensors\n```\n")
    (src / "chapters" / "image_tensors.md").write_text(chapter)
    empty = tmp_path / "empty"
    empty.mkdir()
    built = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-n", "-b", "html", str(src), str(out)],
                           capture_output=True, text=True, env={"PATH": str(empty), "HOME": str(tmp_path)})
    return built, out


def test_without_the_site_a_chapter_has_no_browser_link(tmp_path):
    """Where the site cannot be built, the chapter's role leaves no link (and no stray text), the strict build passes
    and its log says why."""
    built, out = _sphinx_build(tmp_path, "# Images\n\n## Exercises\n\nDownload the notebook (or read it "
                                         "here{open-in-browser}`exercises/ex01_image_tensors`), fill it in.\n")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "in-browser exercises: not built (npm is not installed" in built.stdout
    page = (out / "chapters" / "image_tensors.html").read_text()
    assert "(or read it here), fill it in." in page and "open it in the browser" not in page
    assert not (out / "lite").exists()


def test_a_browser_link_to_no_exercise_fails_the_strict_build(tmp_path):
    """A chapter naming an exercise notebook that does not exist is an error, with the name, not a dead link."""
    built, _ = _sphinx_build(tmp_path, "# Images\n\nOpen it{open-in-browser}`exercises/ex09_missing`.\n")
    assert built.returncode != 0
    assert "open-in-browser: no exercise notebook 'exercises/ex09_missing'" in built.stderr


@pytest.mark.book
def test_a_rebuild_keeps_the_site_built_from_the_same_notebooks_and_code(book, tmp_path):
    """Built again from unchanged notebooks and code, the site is checked and kept, not rebuilt; a notebook that
    changed (or the code) makes a new fingerprint, so the next build makes the site again."""
    import shutil

    staging = book.parent / ".lite"
    if not (staging / "site.sha256").exists():
        skip_or_fail("the in-browser site was not built (the build log says why)")
    before = {p: p.stat().st_mtime_ns for p in (staging / "site").rglob("*") if p.is_file()}
    offered = lite_site.build(EXERCISES, staging / "site", staging / "work", staging / "cache")
    assert offered == sorted([p.name for p in EXERCISES.glob("ex0*_*.ipynb")]
                             + [f"{p.parent.name}/{p.name}" for p in EXERCISES.glob("*/ex0*_*.ipynb")])
    assert any(name.startswith("ko/") for name in offered)  # the Korean edition's notebooks too
    assert {p: p.stat().st_mtime_ns for p in (staging / "site").rglob("*") if p.is_file()} == before
    changed = tmp_path / "exercises"
    shutil.copytree(EXERCISES, changed)
    (changed / "ex03_bias.ipynb").write_text((changed / "ex03_bias.ipynb").read_text().replace("bias", "Bias", 1))
    assert lite_site.fingerprint(changed) != lite_site.fingerprint(EXERCISES)
    korean = changed / "ko" / "ex03_bias.ipynb"
    before_korean = lite_site.fingerprint(changed)
    korean.write_text(korean.read_text().replace("편향", "편향 ", 1))
    assert lite_site.fingerprint(changed) != before_korean
