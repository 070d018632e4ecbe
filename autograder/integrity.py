"""Integrity checks: what a submission's code must not do.

A submission is *flagged* (score 0, reason given, for the instructor to review) when its code imports or
loads the reference (`solutions`) or the grader's internals, touches files or the system, or rebinds
NumPy, `numpy.testing` or builtin functions.  `scan(notebook)` reads the code before it runs;
`runtime_cells()` watch it while it runs (a Python audit hook) and report at the end.
"""

from __future__ import annotations

import ast
import builtins
import json
import re

FORBIDDEN_MODULES = {"solutions", "autograder", "nbgrader", "tests", "importlib", "runpy", "ctypes", "subprocess",
                     "socket", "shutil", "glob", "pickle", "marshal", "gc", "inspect", "multiprocessing", "threading",
                     "urllib", "http", "requests", "sqlite3", "sqlalchemy", "pathlib", "os", "io", "sys", "builtins"}
FORBIDDEN_CALLS = {"open", "exec", "eval", "compile", "__import__", "globals", "vars", "setattr", "delattr",
                   "breakpoint", "input", "get_ipython", "getattr"}
NUMPY_LIKE = {"numpy", "numpy.testing", "numpy.linalg", "numpy.lib", "builtins"}
READERS = {"load", "loadtxt", "genfromtxt", "fromfile", "memmap", "save", "savez", "savetxt", "tofile"}
PREFIXES = ("_hidden", "_integrity", "_loops")
#: Builtins the hidden tests and the integrity report rely on: a student's top-level name must not shadow them.
GUARDED_BUILTINS = {"abs", "len", "isinstance", "float", "int", "tuple", "list", "dict", "set", "str", "type", "print",
                    "range", "any", "all", "getattr", "hasattr", "repr", "bool", "enumerate", "zip", "map", "Exception",
                    "ValueError", "TypeError", "AssertionError", "Warning", "FloatingPointError", "OSError",
                    "RuntimeError", "KeyError", "IndexError", "NotImplementedError", "__import__", "__build_class__"}
assert GUARDED_BUILTINS <= set(dir(builtins))
MARKER = "AUTOGRADER-INTEGRITY"


def _code(source: str) -> tuple[str, list[str]]:
    """Cell source without IPython magics; shell escapes are findings in themselves."""
    findings, lines = [], []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("!") or stripped.startswith("%%") or stripped.startswith("%system") or stripped.startswith("%sx"):
            findings.append(f"runs a shell or cell magic: {stripped[:60]!r}")
            lines.append("")
        elif stripped.startswith("%"):
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines), findings


class _Scanner(ast.NodeVisitor):
    def __init__(self):
        self.findings: list[str] = []
        # local name -> module it stands for; the notebook's locked imports cell gives `np`.
        self.modules: dict[str, str] = {"np": "numpy", "numpy": "numpy"}
        self.depth = 0  # > 0 inside a function or class body, where names are local and harmless

    def flag(self, node, why):
        self.findings.append(f"line {getattr(node, 'lineno', '?')}: {why}")

    def visit_Import(self, node):
        for alias in node.names:
            root = alias.name.split(".")[0]
            if root in FORBIDDEN_MODULES:
                self.flag(node, f"imports {alias.name}")
            self.modules[alias.asname or root] = alias.name if alias.asname else root
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if node.level or module.split(".")[0] in FORBIDDEN_MODULES:
            self.flag(node, f"imports from {'.' * node.level}{module}")
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if full in NUMPY_LIKE:
                self.modules[alias.asname or alias.name] = full
        self.generic_visit(node)

    def _module_of(self, node) -> str | None:
        """The module an expression like `np` or `np.testing` stands for, if any."""
        if isinstance(node, ast.Name):
            return self.modules.get(node.id) or ("builtins" if node.id == "__builtins__" else None)
        if isinstance(node, ast.Attribute):
            base = self._module_of(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _check_target(self, target, node):
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._check_target(t, node)
        elif isinstance(target, ast.Attribute):
            module = self._module_of(target.value)
            if module and module.split(".")[0] in ("numpy", "builtins"):
                self.flag(node, f"rebinds {module}.{target.attr}")
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute) and target.value.attr == "__dict__":
            self.flag(node, "writes into a module's __dict__")
        elif isinstance(target, ast.Name) and self.depth == 0:
            if target.id in self.modules:
                self.flag(node, f"rebinds the module name {target.id}")
            elif target.id in GUARDED_BUILTINS:
                self.flag(node, f"rebinds the builtin {target.id}")

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in GUARDED_BUILTINS and self.depth == 0:
            self.flag(node, f"redefines the builtin {node.name}")
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            self.flag(node, f"calls {func.id}()")
        if isinstance(func, ast.Attribute):
            module = self._module_of(func.value)
            if module and module.startswith("numpy") and func.attr in READERS:
                self.flag(node, f"reads or writes files with {module}.{func.attr}()")
            if func.attr in ("read_text", "read_bytes", "write_text", "write_bytes", "open"):
                self.flag(node, f"reads or writes files with .{func.attr}()")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id.startswith(PREFIXES) or node.id in ("__builtins__", "__loader__", "__spec__"):
            self.flag(node, f"uses the grader's name {node.id}")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr.startswith("__") and node.attr.endswith("__") and node.attr not in ("__init__", "__name__", "__doc__", "__class__"):
            self.flag(node, f"uses the special attribute {node.attr}")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and re.search(r"solutions|autograder|gradebook|\.db\b|/work/|\.\./", node.value):
            self.flag(node, f"mentions a course path {node.value[:40]!r}")


def scan_code(source: str, scanner: _Scanner | None = None) -> list[str]:
    """Findings in one cell's code (empty when it is clean); pass a scanner to carry imports across cells."""
    code, findings = _code(source)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return findings  # a syntax error is the student's own loss, not an integrity matter
    scanner = scanner or _Scanner()
    before = len(scanner.findings)
    scanner.visit(tree)
    return findings + scanner.findings[before:]


def scan(notebook, replaced_ids: set[str]) -> list[str]:
    """Findings in the student's code: every code cell except the locked cells the grader replaces."""
    findings, scanner = [], _Scanner()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in replaced_ids:
            continue
        findings += [f"cell {index + 1}, {f}" for f in scan_code(cell.source, scanner)]
    return findings


def runtime_cells(forbidden_roots: list[str]) -> tuple[str, str]:
    """Code for a first cell (installs an audit hook) and a last cell (prints what it saw).

    The hook records imports of the reference or the grader, and any file opened, listed or executed under
    `forbidden_roots` (the course, the other submissions); it also remembers the genuine NumPy comparison
    functions and builtins, so that the last cell can tell whether student code replaced them.
    """
    first = f'''
def _integrity_install(roots={json.dumps(forbidden_roots)}):
    import builtins, os, sys
    import numpy, numpy.testing
    own = os.getcwd()
    events = []
    genuine = {{name: getattr(builtins, name) for name in ("abs", "len", "isinstance", "float", "print", "range", "AssertionError", "ValueError", "getattr")}}
    numeric = {{name: getattr(numpy, name) for name in ("allclose", "isclose", "array_equal", "asarray", "abs", "all", "any")}}
    testing = {{name: getattr(numpy.testing, name) for name in ("assert_allclose", "assert_array_equal", "assert_equal")}}

    def inside(path):
        try:
            path = os.path.realpath(os.fsdecode(path))
        except Exception:
            return False
        if path == own or path.startswith(own + os.sep):
            return False
        return any(path == r or path.startswith(r + os.sep) for r in roots)

    def hook(event, args):
        if len(events) > 50:
            return
        if event == "import" and str(args[0]).split(".")[0] in ("solutions", "autograder", "nbgrader"):
            events.append(f"imported {{args[0]}}")
        elif event in ("open", "os.listdir", "os.scandir", "glob.glob", "os.chdir", "shutil.copyfile") and args and isinstance(args[0], (str, bytes, os.PathLike)) and inside(args[0]):
            events.append(f"{{event}} {{os.fsdecode(args[0])}}")
        elif event in ("socket.connect", "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.fork"):
            events.append(f"{{event}}")

    def report():
        replaced = [f"builtins.{{n}}" for n, f in genuine.items() if getattr(builtins, n) is not f]
        replaced += [f"numpy.{{n}}" for n, f in numeric.items() if getattr(numpy, n) is not f]
        replaced += [f"numpy.testing.{{n}}" for n, f in testing.items() if getattr(numpy.testing, n) is not f]
        if "solutions" in sys.modules:
            events.append("the reference module solutions is loaded")
        return {{"events": list(events), "replaced": replaced}}

    sys.addaudithook(hook)
    return report

_integrity_report = _integrity_install()
del _integrity_install
'''.strip()
    last = f'print("{MARKER}", __import__("json").dumps(_integrity_report()))'
    return first, last


def runtime_findings(outputs) -> list[str] | None:
    """What the last cell reported (None when it did not report: the output was tampered with or never ran)."""
    # The kernel may send one print() as several stream messages (it flushes on a timer): join them first.
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    for line in text.splitlines():
        if line.startswith(MARKER + " "):
            try:
                report = json.loads(line[len(MARKER) + 1:])
            except ValueError:
                return None
            return [f"at run time: {e}" for e in report.get("events", [])] + \
                   [f"at run time: {r} was replaced" for r in report.get("replaced", [])]
    return None
