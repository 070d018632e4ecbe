"""Why each failed test failed, in one line: what `tests.csv` records and `report.html` counts across the class.

The line is what the student's feedback page already shows for that cell — the first line of the check's
message, in the lecture's terms — so it reveals nothing of the hidden tests beyond the feedback. Hidden checks
list their failures under a header line ("conv_forward: 2 of 11 hidden checks failed:"): the first listed
failure is kept with it. NumPy's assertion messages start with a generic line ("Not equal to tolerance …"):
the check's own `err_msg` after it is kept.
"""

from __future__ import annotations

import re

MAX_LENGTH = 300
_NUMPY_HEADERS = ("Not equal to tolerance", "Arrays are not equal", "Arrays are not almost equal", "Items are not equal")
_NUMPY_DETAILS = ("Mismatch", "Max absolute", "Max relative", " x:", " y:", "x:", "y:", "ACTUAL", "DESIRED", "(shapes")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def of_error(ename: str, evalue: str) -> str:
    """One line for an error output (`ename: evalue`), e.g. 'ValueError: X has shape (3, 4) but F has shape (3, 3)'."""
    lines = [line.strip() for line in _ANSI.sub("", evalue or "").splitlines() if line.strip()]
    if not lines:
        return ename
    first = lines[0]
    if first.endswith(":") and len(lines) > 1:
        first = f"{first} {lines[1]}"
    elif first.startswith(_NUMPY_HEADERS) and len(lines) > 1 and not lines[1].startswith(_NUMPY_DETAILS):
        first = f"{first}: {lines[1]}"
    text = first if ename in ("", "AssertionError") else f"{ename}: {first}"
    return text if len(text) <= MAX_LENGTH else text[:MAX_LENGTH - 1] + "…"


def of_cell(cell, timeout: int) -> str:
    """Why a test cell that lost points lost them: its error, else what it wrote to stderr (nbgrader scores that 0)."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        error = errors[-1]
        if error.get("ename") in ("CellTimeoutError", "TimeoutError") or "timed out" in (error.get("evalue") or "").lower():
            return f"ran longer than the {timeout} s time limit"
        return of_error(error.get("ename", "Error"), error.get("evalue", ""))
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr").strip()
    if stderr:
        return "wrote to stderr (nbgrader scores such a cell 0): " + of_error("", stderr)
    return "lost points without an error (see the feedback page)"


def of_notebook(notebook, tests: dict[str, tuple[float, float]], timeout: int) -> dict[str, str]:
    """{grade_id: why} for every test of `tests` ({grade_id: (score, max_score)}) that did not get full marks."""
    failed = {name for name, (score, top) in tests.items() if score != top}
    return {cell.metadata.nbgrader["grade_id"]: of_cell(cell, timeout) for cell in notebook.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in failed}


def commonest(results, top: int = 5, in_english=None) -> dict[str, list[tuple[str, int, dict[str, str]]]]:
    """{test: [(reason, how many students, {language: the reason as a student of that language saw it}), …]} over
    the graded results, most frequent first (ties by text). `in_english(result, reason)` gives a translated
    notebook's reason in the English source's words, so that one mistake is counted once whatever the language."""
    from .task import SCORED

    counted: dict[str, dict[str, int]] = {}
    shown: dict[tuple[str, str], dict[str, str]] = {}
    for r in results:
        if r.status in SCORED:
            for test, why in r.reasons.items():
                key = in_english(r, why) if in_english is not None and r.language != "en" else why
                counted.setdefault(test, {}).setdefault(key, 0)
                counted[test][key] += 1
                if key != why:
                    shown.setdefault((test, key), {}).setdefault(r.language, why)
    return {test: [(why, n, shown.get((test, why), {})) for why, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
            for test, counts in counted.items()}
