"""Adds bytecode to the in-browser site's Python archives; runs inside Pyodide (in Node) while the site builds.

Pyodide ships Python sources only, so without this every kernel start in the browser compiles again the standard
library, IPython and NumPy's Python code it imports (most of a warm start). ``main`` runs the kernel's start-up
imports here, in the same Pyodide, and gives each module they load an *unchecked* hash-based ``.pyc`` compiled by
Pyodide's own CPython: the archives never change once built, and a file unpacked in the browser has no meaningful
mtime. Only those modules: bytecode of everything would add about 10 MB to a first visit for modules a kernel never
imports at start (and that it compiles, once, if a student does). The sources stay, for tracebacks (and for the leak
scan). The ``.pyc`` goes beside its source in the standard library's zip (zipimport's layout) and in
``__pycache__/`` in a wheel, whose RECORD lists it.

``lite_site.precompile()`` runs ``main(folder, stdlib_zip, wheels, startup)``; it prints one line per archive.
"""

import base64
import hashlib
import importlib.util
import io
import marshal
import sys
import warnings
import zipfile

#: where Pyodide puts the standard library's zip and the packages of ``install_dir: site``
STDLIB_ZIP_PATH = f"/lib/python{sys.version_info[0]}{sys.version_info[1]}.zip"
SITE_PACKAGES = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
UNCHECKED_HASH = 0b01


def pyc(source: bytes, filename: str) -> bytes:
    """The bytecode file of `source`, as ``py_compile`` writes it with ``UNCHECKED_HASH``."""
    code = compile(source, filename, "exec", dont_inherit=True)
    return (importlib.util.MAGIC_NUMBER + UNCHECKED_HASH.to_bytes(4, "little")
            + importlib.util.source_hash(source) + marshal.dumps(code))


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def add_bytecode(path: str, pyc_name, installed_as, wanted: set[str]) -> tuple[int, int]:
    """Rewrite the zip at `path` with a pyc (named by `pyc_name`) for each ``.py`` installed as one of `wanted`;
    returns (compiled, skipped)."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    names = {info.filename for info, _ in members}
    compiled, skipped, added, record = 0, 0, [], None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as new:
        for info, data in members:
            if info.filename.endswith("/RECORD") and ".dist-info/" in info.filename:
                record = (info, data)
                continue
            new.writestr(info, data)
            wanted_here = info.filename.endswith(".py") and installed_as(info.filename) in wanted
            target = pyc_name(info.filename) if wanted_here else None
            if target is None or target in names:
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # e.g. SyntaxWarning of a library's escape sequences
                    compiled_data = pyc(data, installed_as(info.filename))
            except SyntaxError:  # e.g. a template or Python 2 file shipped as .py: it was never importable
                skipped += 1
                continue
            entry = zipfile.ZipInfo(target, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            new.writestr(entry, compiled_data)
            added.append((target, compiled_data))
            compiled += 1
        if record is not None:
            info, data = record
            new.writestr(info, data + "".join(_record_line(n, d) for n, d in added).encode())
    if added:  # an archive without Python (a shared library's zip) stays byte for byte as it was
        with open(path, "wb") as stream:
            stream.write(out.getvalue())
    return compiled, skipped


def imported_by(startup: str) -> set[str]:
    """The source files of every module loaded once `startup` has run (Pyodide's own start-up included)."""
    stdout, stderr = sys.stdout, sys.stderr
    exec(startup, {})
    sys.stdout, sys.stderr = stdout, stderr  # the kernel replaces them with its own streams
    return {getattr(module, "__file__", None) or "" for module in list(sys.modules.values())}


def main(folder: str, stdlib_zip: str, wheels: list[str], startup: str) -> None:
    wanted = imported_by(startup)
    results = {stdlib_zip: add_bytecode(f"{folder}/{stdlib_zip}", lambda name: name + "c",
                                        lambda name: f"{STDLIB_ZIP_PATH}/{name}", wanted)}
    for wheel in wheels:
        results[wheel] = add_bytecode(f"{folder}/{wheel}", importlib.util.cache_from_source,
                                      lambda name: f"{SITE_PACKAGES}/{name}", wanted)
    for name, (compiled, skipped) in results.items():
        print(f"{name}: {compiled} compiled, {skipped} not Python 3")
