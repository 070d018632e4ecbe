# Loop checker. `embed.py` copies this file's text into each notebook's read-only helper cell (so students
# can check themselves) and again into the hidden block of every `test_<function>_vectorized` cell (so a
# student's redefinition of it changes nothing at grading time).
import ast as _loops_ast
import inspect as _loops_inspect
import textwrap as _loops_textwrap

_LOOP_NODES = {
    _loops_ast.For: "a for loop", _loops_ast.While: "a while loop", _loops_ast.ListComp: "a list comprehension",
    _loops_ast.SetComp: "a set comprehension", _loops_ast.DictComp: "a dict comprehension",
    _loops_ast.GeneratorExp: "a generator expression", _loops_ast.AsyncFor: "an async for loop",
}


def find_loops(function, _seen=None):
    """Every Python loop in `function` and in the notebook's own functions it calls, as readable lines."""
    _seen = set() if _seen is None else _seen
    if function in _seen:
        return []
    _seen.add(function)
    try:
        source = _loops_textwrap.dedent(_loops_inspect.getsource(function))
    except (OSError, TypeError):
        return []
    found = []
    for node in _loops_ast.walk(_loops_ast.parse(source)):
        for kind, label in _LOOP_NODES.items():
            if isinstance(node, kind):
                found.append(f"{function.__name__} uses {label} (line {node.lineno} of the function)")
        if isinstance(node, _loops_ast.Name):
            helper = getattr(function, "__globals__", {}).get(node.id)
            if _loops_inspect.isfunction(helper) and helper.__module__ == function.__module__:
                found.extend(find_loops(helper, _seen))
    return found


def assert_no_loops(function):
    """Fail when `function` (or a helper it calls that this notebook defines) contains a Python loop."""
    loops = find_loops(function)
    assert not loops, "not vectorized: " + "; ".join(loops) + ". Use NumPy operations on whole arrays instead."
