# Hidden-test harness. `embed.py` copies this file's text verbatim into every hidden test block of the
# source notebooks, so each graded test cell is self-contained: it needs neither `solutions/` nor any
# file of the course at grading time, and a student cannot redefine it from their own cells.
# Keep it to the standard library and NumPy; every name starts with `_hidden` so that it cannot clash
# with a student's names.
import base64 as _hidden_base64
import json as _hidden_json
import warnings as _hidden_warnings
import zlib as _hidden_zlib

import numpy as _hidden_np

# How close an answer must be to the reference to pass; `embed.py` also uses it to judge whether embedded
# values are out of date (closer than this, two values grade alike, whatever a CPU's last bits).
_hidden_RTOL, _hidden_ATOL = 1e-6, 1e-8


def _hidden_canary():
    """Refuse to grade when NumPy's comparisons were rebound (e.g. `np.allclose = lambda *a: True`)."""
    a, b = _hidden_np.array([1.0, 2.0]), _hidden_np.array([1.0, 3.0])
    if _hidden_np.allclose(a, b) or _hidden_np.array_equal(a, b) or not _hidden_np.array_equal(a, a):
        raise AssertionError("NumPy's comparison functions were replaced; the hidden tests cannot grade this notebook")
    if _hidden_np.isclose(1.0, 2.0) or _hidden_np.abs(-2.0) != 2.0 or abs(-2.0) != 2.0 or len([1, 2]) != 2:
        raise AssertionError("NumPy or Python builtins were replaced; the hidden tests cannot grade this notebook")


def _hidden_cases(blob):
    """Decode the embedded cases: (args, kwargs, expected, call) where expected is an array, a number or an error."""
    manifest_size, payload = blob
    raw = _hidden_zlib.decompress(_hidden_base64.b64decode("".join(payload)))
    manifest, data = _hidden_json.loads(raw[:manifest_size]), raw[manifest_size:]

    def value(v):
        if isinstance(v, dict) and "arrays" in v:
            return [value(a) for a in v["arrays"]]
        if isinstance(v, dict) and "array" in v:
            offset, shape = v["array"]
            array = _hidden_np.frombuffer(data, "<f8", int(_hidden_np.prod(shape)), offset).reshape(shape).copy()
            return _hidden_np.asfortranarray(array) if v.get("fortran") else array
        return v

    for case in manifest["cases"]:
        yield ([value(a) for a in case["args"]], {k: value(v) for k, v in case["kwargs"].items()},
               value(case["expect"]), case["call"])


def _hidden_mismatch(got, expected, shape_doc):
    """Why `got` is not `expected` in the lecture's terms, or None when they agree."""
    try:
        got = _hidden_np.asarray(got, dtype=_hidden_np.float64)
    except (TypeError, ValueError):
        return f"returned {type(got).__name__}, not numbers"
    expected = _hidden_np.asarray(expected, dtype=_hidden_np.float64)
    if got.shape != expected.shape:
        return f"has shape {got.shape}; expected {shape_doc} = {expected.shape}"
    close = _hidden_np.isclose(got, expected, rtol=_hidden_RTOL, atol=_hidden_ATOL, equal_nan=True)
    if close.all():
        return None
    wrong = _hidden_np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    return (f"has {len(wrong)} of {got.size} entries wrong; first at index {first}: "
            f"got {float(got[first]):.6g}, expected {float(expected[first]):.6g}")


def _hidden_check(name, function, blob, shape_doc, strict_warnings=False):
    """Run `function` on every embedded case; raise one AssertionError that lists what went wrong."""
    _hidden_canary()
    failures, total = [], 0
    for args, kwargs, expected, call in _hidden_cases(blob):
        total += 1
        with _hidden_warnings.catch_warnings(), _hidden_np.errstate(all="raise" if strict_warnings else "ignore", under="ignore"):
            # Harmless warnings must not cost points (nbgrader zeroes a cell that writes to stderr),
            # except where the exercise is about avoiding them (sigmoid's overflow).
            _hidden_warnings.simplefilter("error" if strict_warnings else "ignore")
            try:
                got = function(*args, **kwargs)
            except ValueError as error:
                if not (isinstance(expected, dict) and "error" in expected):
                    failures.append(f"{call} raised ValueError({error}) but should return {shape_doc}")
                continue
            except Exception as error:  # the student's code failed in another way: report it, keep grading
                kind = "warned" if isinstance(error, (Warning, FloatingPointError)) else "raised"
                failures.append(f"{call} {kind} {type(error).__name__}: {error}")
                continue
        if isinstance(expected, dict) and "error" in expected:
            failures.append(f"{call} should raise ValueError ({expected['error']}) but returned a result")
            continue
        why = _hidden_mismatch(got, expected, shape_doc)
        if why:
            failures.append(f"{call} {why}")
    if failures:
        listed = "\n  ".join(failures[:5]) + ("\n  …" if len(failures) > 5 else "")
        raise AssertionError(f"{name}: {len(failures)} of {total} hidden checks failed:\n  {listed}")
