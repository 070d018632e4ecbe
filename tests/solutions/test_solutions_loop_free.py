"""``solutions/`` is the *vectorized* reference: no Python loop in any of its functions.

Every module-level function of every module in ``solutions/`` (the 19 graded
functions and the helpers beside them) is parsed with ``ast`` and must hold no
``for``/``while`` loop and no comprehension.  The one exception is
``stack_images``, which walks the list of images to check their shapes.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

import solutions as S

SOLUTIONS = Path(S.__file__).resolve().parent
LOOP_NODES = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
ALLOWED_TO_LOOP = {"stack_images"}

EXPECTED = {
    "to_grayscale", "stack_images", "to_channels_first",
    "correlate", "convolve", "similarity", "correlate_batch",
    "correlate_bias", "correlate_filters",
    "relu", "sigmoid", "neuron",
    "flatten", "correlate_dot", "affine",
    "zero_pad", "correlate2d", "im2col", "conv_forward",
}  # fmt: skip


def loops_in(source: str, allowed=frozenset(ALLOWED_TO_LOOP)) -> list[str]:
    """``"function:line:NodeType"`` for each loop or comprehension inside a module-level function.

    Functions named in ``allowed`` are skipped; nested functions and lambdas are searched as part of
    the function that holds them.
    """
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in allowed:
            for inner in ast.walk(node):
                if isinstance(inner, LOOP_NODES):
                    found.append(f"{node.name}:{inner.lineno}:{type(inner).__name__}")
    return found


def module_functions(source: str) -> set[str]:
    return {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


MODULES = sorted(SOLUTIONS.glob("*.py"))


# --- self-tests of the checker: it must be able to fail ------------------------------------------


@pytest.mark.parametrize(
    "body, kind",
    [
        ("for i in range(3):\n    total += i", "For"),
        ("while total < 3:\n    total += 1", "While"),
        ("total = sum([i for i in range(3)])", "ListComp"),
        ("total = sum(i for i in range(3))", "GeneratorExp"),
        ("total = len({i for i in range(3)})", "SetComp"),
        ("total = len({i: i for i in range(3)})", "DictComp"),
        ("def inner():\n    for i in range(3):\n        pass", "For"),
        ("f = lambda xs: [x for x in xs]", "ListComp"),
    ],
)
def test_checker_flags_a_loop_in_a_helper(body, kind):
    source = "import numpy as np\n\ndef _helper(x):\n    total = 0\n" + textwrap.indent(body, "    ") + "\n    return total\n"
    found = loops_in(source)
    assert found and found[0].startswith("_helper:") and found[0].endswith(kind), found


def test_checker_flags_a_loop_in_a_public_function_and_spares_stack_images():
    source = textwrap.dedent(
        """
        def correlate(X, F):
            z = 0.0
            for i in range(len(X)):
                z += X[i] * F[i]
            return z

        def stack_images(images):
            return [image for image in images]

        def relu(z):
            return max(z, 0)
        """
    )
    assert loops_in(source) == ["correlate:4:For"]
    assert loops_in(source, allowed=frozenset()) == ["correlate:4:For", "stack_images:9:ListComp"]


def test_checker_ignores_module_level_code():
    # e.g. solutions/__init__.py builds __all__ with a comprehension: that is not a function's work.
    assert loops_in("names = [n for n in range(3)]\n\ndef f(x):\n    return x\n") == []


# --- the checks themselves -----------------------------------------------------------------------


def test_solutions_has_modules_to_check():
    names = {path.name for path in MODULES}
    assert {"__init__.py", "image_tensors.py", "correlation.py", "bias.py", "activation.py", "dot_product.py",
            "feature_maps.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_module_functions_have_no_loops(path):
    found = loops_in(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.name}: loops or comprehensions in {found}"


def test_every_graded_function_is_a_module_level_function_that_was_checked():
    defined = {}
    for path in MODULES:
        for name in module_functions(path.read_text(encoding="utf-8")):
            defined.setdefault(name, path)
    for name in EXPECTED:
        assert name in defined, f"{name} is not a module-level def in solutions/"
        function = getattr(S, name)
        assert Path(inspect.getsourcefile(function)).resolve() == defined[name].resolve(), name
        assert function.__name__ == name


def test_graded_functions_other_than_stack_images_are_loop_free_in_their_own_source():
    # The same check on the live objects' source, in case a name was rebound after its def.
    for name in sorted(EXPECTED - ALLOWED_TO_LOOP):
        source = textwrap.dedent(inspect.getsource(getattr(S, name)))
        assert loops_in(source) == [], name


def test_all_and_chapters_name_exactly_the_19_functions():
    public = [name for name in S.__all__ if name != "CHAPTERS"]
    assert len(public) == 19
    assert len(set(public)) == 19
    assert set(public) == EXPECTED
    chapters = [name for names in S.CHAPTERS.values() for name in names]
    assert len(chapters) == 19
    assert set(chapters) == EXPECTED
    assert len(S.CHAPTERS) == 6
    for name in EXPECTED:
        assert callable(getattr(S, name)), name


def test_chapters_put_each_function_in_its_chapter():
    # Chapter by chapter, in the order of the course (the nbgrader assignments ex01 … ex06).
    assert [key[:4] for key in S.CHAPTERS] == ["ex01", "ex02", "ex03", "ex04", "ex05", "ex06"]
    assert list(S.CHAPTERS.values()) == [
        ("to_grayscale", "stack_images", "to_channels_first"),
        ("correlate", "convolve", "similarity", "correlate_batch"),
        ("correlate_bias", "correlate_filters"),
        ("relu", "sigmoid", "neuron"),
        ("flatten", "correlate_dot", "affine"),
        ("zero_pad", "correlate2d", "im2col", "conv_forward"),
    ]
