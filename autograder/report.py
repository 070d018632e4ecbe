"""The grading run's outputs: grades.csv, tests.csv, feedback/ and report.html (self-contained: no network)."""

from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from pathlib import Path

from .reasons import commonest
from .task import SCORED, STATUSES, GradingResult

GRADE_COLUMNS = ["student_id", "assignment", "score", "max_score", "status", "message", "seconds", "sandbox", "language"]
#: what the report calls a translated notebook's language
LANGUAGE_NAMES = {"ko": "Korean"}
TEST_COLUMNS = ["student_id", "assignment", "test", "score", "max_score", "passed", "status", "reason"]


def write_csvs(results: list[GradingResult], out: Path) -> None:
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, GRADE_COLUMNS)
        writer.writeheader()
        for r in results:
            writer.writerow({k: getattr(r, k) for k in GRADE_COLUMNS})
    with open(out / "tests.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, TEST_COLUMNS)
        writer.writeheader()
        for r in results:
            for test, (score, top) in sorted(r.tests.items()):
                writer.writerow({"student_id": r.student_id, "assignment": r.assignment, "test": test,
                                 "score": score, "max_score": top, "passed": score == top, "status": r.status,
                                 "reason": r.reasons.get(test, "") if score != top else ""})


def write_feedback(results: list[GradingResult], out: Path, words: dict[str, dict[str, str] | None] | None = None) -> None:
    """feedback/<student>.html; `words` ({language: {English: translation}}, feedback_words.py) puts the page the
    grader writes itself for a notebook nbgrader could not run in the student's language."""
    folder = out / "feedback"
    folder.mkdir(exist_ok=True)
    for r in results:
        page = r.feedback_html or _fallback_feedback(r, (words or {}).get(r.language))
        (folder / f"{r.student_id}.html").write_text(page)


def _fallback_feedback(r: GradingResult, words: dict[str, str] | None = None) -> str:
    """Feedback for a submission nbgrader could not run (invalid, flagged before running, crashed): in the
    student's language when `words` has its words; the status and the message are the grader's (English)."""
    say = (words or {}).get
    lang, message_lang = (r.language, ' lang="en"') if words else ("en", "")
    return (f"<!DOCTYPE html><html lang='{html.escape(lang)}'><head><meta charset='utf-8'><title>{html.escape(r.assignment)} — "
            f"{html.escape(r.student_id)}</title></head><body><h1>{html.escape(r.assignment)}</h1>"
            f"<p>{html.escape(say('Student', 'Student'))}: {html.escape(r.student_id)}</p>"
            f"<p>{html.escape(say('Score', 'Score'))}: {r.score:g} / {r.max_score:g}</p>"
            f"<p>{html.escape(say('Status', 'Status'))}: <b{message_lang}>{html.escape(r.status)}</b></p>"
            f"<p{message_lang}>{html.escape(r.message)}</p></body></html>")


def _figure_png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _charts(results: list[GradingResult], rates: dict[str, float]) -> tuple[str, str]:
    # matplotlib's object API, not pyplot: no global state, no GUI backend to choose, a quicker import.
    from matplotlib.figure import Figure

    top = max((r.max_score for r in results), default=1) or 1
    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    ax.hist([r.score for r in results], bins=min(20, max(5, int(top) + 1)), range=(0, top), color="tab:blue", edgecolor="white")
    ax.set_xlabel(f"score (out of {top:g})")
    ax.set_ylabel("submissions")
    ax.set_title("Score distribution")
    histogram = _figure_png(fig)

    fig = Figure(figsize=(7, 0.35 * max(3, len(rates)) + 1))
    ax = fig.subplots()
    names = list(rates)
    ax.barh(names, [rates[n] * 100 for n in names], color=["tab:orange" if rates[n] < 0.5 else "tab:blue" for n in names])  # not red/green: colour-blind readers
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of graded submissions passing")
    ax.set_title("Pass rate per test (most failed first)")
    chart = _figure_png(fig)
    return histogram, chart


def _pass_rates(results: list[GradingResult]) -> dict[str, float]:
    counted = [r for r in results if r.status in SCORED]
    tests = sorted({t for r in counted for t in r.tests})
    rates = {t: sum(r.tests.get(t, (0, 1))[0] == r.tests.get(t, (0, 1))[1] for r in counted) / len(counted)
             for t in tests} if counted else {}
    return dict(sorted(rates.items(), key=lambda kv: (kv[1], kv[0])))


def _histogram_alt(results: list[GradingResult]) -> str:
    """The histogram in words (WCAG 1.1.1): how many submissions got each score."""
    counts: dict[float, int] = {}
    for r in results:
        counts[r.score] = counts.get(r.score, 0) + 1
    top = max((r.max_score for r in results), default=0)
    listed = "; ".join(f"{n} scored {score:g}" for score, n in sorted(counts.items(), reverse=True))
    return f"Histogram of the {len(results)} scores out of {top:g}: {listed or 'no submissions'}."


def _rates_alt(rates: dict[str, float]) -> str:
    """The pass-rate chart in words: each test's pass rate, most failed first."""
    listed = "; ".join(f"{test} {rate * 100:.0f}%" for test, rate in rates.items())
    return f"Bar chart of the share of graded submissions that pass each test, most failed first: {listed or 'no tests'}."


def write_report(results: list[GradingResult], out: Path, assignment: str, notes: list[str],
                 locales: Path | None = None) -> None:
    """report.html; `locales`: the catalogues that put a translated notebook's reasons back in English (the
    checkout's by default)."""
    from .translations import LOCALES, in_english

    rates = _pass_rates(results)
    histogram, chart = _charts(results, rates)
    scores = [r.score for r in results]
    top = max((r.max_score for r in results), default=0)
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    others = [r for r in results if r.status != "graded"]
    esc = html.escape
    rows = "".join(f"<tr><td><a href='feedback/{esc(r.student_id)}.html'>{esc(r.student_id)}</a></td><td>{r.score:g}</td>"
                   f"<td>{esc(r.status)}</td><td>{esc(r.message)}</td></tr>" for r in results)
    common = commonest(results, in_english=lambda r, why: in_english(why, r.assignment, r.language, locales or LOCALES))

    def seen_as(shown: dict[str, str]) -> str:
        return "".join(f"<br>{esc(LANGUAGE_NAMES.get(language, language))}: <span lang='{esc(language)}'>{esc(why)}</span>"
                       for language, why in sorted(shown.items()))

    wrong = "".join(
        f"<tr><th scope='row' rowspan='{len(common[t])}'>{esc(t)}<br>{rates.get(t, 0) * 100:.0f}% pass</th>"
        + "</tr><tr>".join(f"<td>{n}</td><td>{esc(why)}{seen_as(shown)}</td>" for why, n, shown in common[t]) + "</tr>"
        for t in rates if t in common)
    attention = "".join(f"<tr><td>{esc(r.student_id)}</td><td>{esc(r.status)}</td><td>{esc(r.message)}</td></tr>" for r in others)
    stats = (f"{len(results)} submissions; mean {statistics.mean(scores):.2f}, median {statistics.median(scores):g} "
             f"out of {top:g}") if scores else "no submissions"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grading report — {esc(assignment)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}}th{{background:#eee}}</style></head>
<body><h1>Grading report — {esc(assignment)}</h1>
<p>{esc(stats)}.</p>
<p>{' · '.join(f'{esc(k)}: {v}' for k, v in counts.items())}</p>
{''.join(f'<p><b>Note:</b> {esc(n)}</p>' for n in notes)}
<h2>Scores</h2><img alt="{esc(_histogram_alt(results))}" src="data:image/png;base64,{histogram}">
<h2>Tests</h2><p>The most-failed tests point at common misconceptions.</p>
<img alt="{esc(_rates_alt(rates))}" src="data:image/png;base64,{chart}">
<h2>What students got wrong</h2>
<p>For each test, most failed first: the commonest reasons it failed (the first line of the check's message, as
each student's feedback shows it; a translated notebook's message is counted with its English one) and how many
students hit each.</p>
{f'<table><tr><th scope="col">test</th><th scope="col">students</th><th scope="col">reason</th></tr>{wrong}</table>' if wrong else '<p>No test failed.</p>'}
<h2>Needs attention</h2>
{f'<table><tr><th>student</th><th>status</th><th>why</th></tr>{attention}</table>' if others else '<p>Every submission was graded normally.</p>'}
<h2>All submissions</h2>
<table><tr><th>student</th><th>score</th><th>status</th><th>message</th></tr>{rows}</table>
</body></html>"""
    (out / "report.html").write_text(page)
