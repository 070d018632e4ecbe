"""The in-browser site is built only from what its pins and hashes allow; otherwise the book goes without it, and says why."""

from __future__ import annotations

import sys

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


@pytest.mark.book
def test_the_site_ships_only_the_kernel_packages_it_needs(book):
    """The Pyodide packages are the closure of the kernel's start-up list and NumPy, nothing else (no SciPy, no pandas)."""
    import json
    import tarfile

    site = book / "lite" / "static" / "pyodide"
    if not site.exists():
        skip_or_fail("the in-browser site was not built (the build log says why)")
    shipped = json.loads((site / "pyodide-lock.json").read_text())["packages"]
    with tarfile.open(book.parent / ".lite" / "cache" / lite_site.PYODIDE_TARBALL) as tar:
        lock = json.loads(tar.extractfile("package/pyodide-lock.json").read())
    closure = lite_site.dependency_closure(lock, lite_site.KERNEL_NEEDS_FROM_LOCK + lite_site.NOTEBOOK_NEEDS_FROM_LOCK)
    assert sorted(shipped) == closure
    assert "numpy" in closure and "ipython" in closure and "scipy" not in closure and len(closure) < 25, closure
    wheels = sorted(p.name for p in site.glob("*.whl")) + sorted(p.name for p in site.glob("*.zip") if p.name != "python_stdlib.zip")
    assert sorted(wheels) == sorted(entry["file_name"] for entry in shipped.values())
