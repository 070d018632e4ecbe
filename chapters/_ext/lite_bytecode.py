"""Compiles what a kernel imports at start; runs inside Pyodide (in Node) while the in-browser site builds.

Pyodide ships Python sources only, so without bytecode every kernel start in the browser compiles again the
standard library, IPython and NumPy's Python code it imports (most of a warm start). ``main`` runs the kernel's
start-up imports here, in the same Pyodide, and compiles each module they load with Pyodide's own CPython into an
*unchecked* hash-based ``.pyc`` (the site's archives never change once built, and a file unpacked in the browser has
no meaningful mtime). Only those modules: bytecode of everything would add about 10 MB to a first visit for modules a
kernel never imports at start (and compiles, once, if a student does). `lite_site.precompile()` then adds each
``.pyc`` to its archive beside its source (the sources stay, for tracebacks and for the leak scan).

``main(folder, stdlib_zip, wheels, startup, out)`` writes ``out/<archive>/<member>.pyc`` — in the standard library's
zip beside the ``.py`` (zipimport's layout), in a wheel in ``__pycache__/`` — and prints how many per archive.
"""

import importlib.util
import marshal
import os
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


def imported_by(startup: str) -> set[str]:
    """The source files of every module loaded once `startup` has run (Pyodide's own start-up included)."""
    stdout, stderr = sys.stdout, sys.stderr
    exec(startup, {})
    sys.stdout, sys.stderr = stdout, stderr  # the kernel replaces them with its own streams
    return {getattr(module, "__file__", None) or "" for module in list(sys.modules.values())}


def compile_archive(path: str, out: str, pyc_name, installed_as, wanted: set[str]) -> int:
    """Write a pyc (named by `pyc_name`) under `out` for each ``.py`` of the zip `path` installed as one of `wanted`."""
    count = 0
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for name in sorted(names):
            if not name.endswith(".py") or installed_as(name) not in wanted or pyc_name(name) in names:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. SyntaxWarning of a library's escape sequences
                data = pyc(archive.read(name), installed_as(name))
            target = os.path.join(out, pyc_name(name))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as stream:
                stream.write(data)
            count += 1
    return count


def main(folder: str, stdlib_zip: str, wheels: list[str], startup: str, out: str) -> None:
    wanted = imported_by(startup)
    counts = {stdlib_zip: compile_archive(f"{folder}/{stdlib_zip}", f"{out}/{stdlib_zip}", lambda name: name + "c",
                                          lambda name: f"{STDLIB_ZIP_PATH}/{name}", wanted)}
    for wheel in wheels:
        counts[wheel] = compile_archive(f"{folder}/{wheel}", f"{out}/{wheel}", importlib.util.cache_from_source,
                                        lambda name: f"{SITE_PACKAGES}/{name}", wanted)
    print(", ".join(f"{name}: {count}" for name, count in counts.items() if count))
