"""The instructor's review of flagged submissions: list what waits, accept a student's would-be score.

    python -m autograder review DIR                                   # flagged (waiting) and accepted submissions
    python -m autograder review DIR --accept STUDENT [STUDENT ...] [--by NAME]

A flagged submission scores 0 until reviewed; accepting it gives it the score its tests earned, with the status
`accepted` and who accepted it when, in `grades.csv`, the report, and the gradebook (the auto comment that
nbgrader's formgrader shows). Acceptances are kept in `DIR/reviews.json`, each tied to the graded submission's
fingerprint: a later `grade` run keeps them, and a student who resubmits is flagged (and reviewed) again.
"""

from __future__ import annotations

import dataclasses
import datetime
import getpass
import json
import os
from pathlib import Path

from .task import GradingResult

REVIEWS = "reviews.json"


class ReviewError(ValueError):
    """A review that cannot be recorded (unknown student, not flagged, never run); the message says why."""


def load(out: Path) -> dict[str, dict]:
    try:
        return json.loads((out / REVIEWS).read_text())
    except FileNotFoundError:
        return {}


def _write(out: Path, reviews: dict[str, dict]) -> None:
    temporary = out / (REVIEWS + ".tmp")
    temporary.write_text(json.dumps(reviews, indent=1, sort_keys=True))
    os.replace(temporary, out / REVIEWS)  # atomic: never a half-written record of who accepted what


def apply(results: list[GradingResult], fingerprints: dict[str, str], reviews: dict[str, dict]) -> list[GradingResult]:
    """`results` with every accepted flagged submission (same fingerprint as when accepted) scored as accepted."""
    applied = []
    for r in results:
        review = reviews.get(r.student_id)
        if review and r.status == "flagged":
            if review["fingerprint"] == fingerprints.get(r.student_id):
                r = dataclasses.replace(r, status="accepted", score=sum(s for s, _ in r.tests.values()),
                                        message=f"accepted by {review['by']} at {review['at']} after review; {r.message}")
            else:
                r = dataclasses.replace(r, message=f"{r.message}; an earlier acceptance by {review['by']} "
                                                   "no longer applies: the submission changed")
        applied.append(r)
    return applied


def accept(out: Path, students: list[str], by: str | None = None, now: datetime.datetime | None = None) -> list[str]:
    """Record that `by` accepted the would-be score of each of `students` (flagged in DIR's last run)."""
    from .grading import load_results

    saved = load_results(out)
    problems = []
    for student in students:
        if student not in saved:
            problems.append(f"{student} was not graded in {out}")
        elif saved[student][0].status != "flagged":
            problems.append(f"{student} is not flagged (status {saved[student][0].status})")
        elif not saved[student][0].autograded:
            problems.append(f"{student} was flagged without running (graded with --no-sandbox): "
                            "grade again with the sandbox to see what it would score")
    if problems:
        raise ReviewError("; ".join(problems))
    reviews = load(out)
    at = (now or datetime.datetime.now(datetime.timezone.utc)).isoformat(timespec="seconds")
    for student in students:
        reviews[student] = {"by": by or getpass.getuser(), "at": at, "fingerprint": saved[student][1],
                            "flag": saved[student][0].message}
    _write(out, reviews)
    return students


def waiting(out: Path) -> tuple[list[GradingResult], list[GradingResult]]:
    """(flagged submissions waiting for review, accepted ones) of DIR's last run."""
    from .grading import load_results

    saved = load_results(out)
    results = apply([r for r, _ in saved.values()], {s: f for s, (_, f) in saved.items()}, load(out))
    return [r for r in results if r.status == "flagged"], [r for r in results if r.status == "accepted"]
