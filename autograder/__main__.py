"""`python -m autograder` — release assignments and grade a class.

    python -m autograder release [ASSIGNMENT ...]   # all by default → autograder/release/<a>/<a>.ipynb and ko/<a>.ipynb (+ the book's copies)
    python -m autograder grade ASSIGNMENT SUBMISSIONS --out DIR [--workers N] [--timeout SECONDS] [--memory-limit GIB] [--force]
                               [--cluster tcp://HOST:8786] [--db URL] [--no-sandbox]
    python -m autograder review DIR [--accept STUDENT ...] [--by NAME]   # flagged submissions: list, or accept their score
    python -m autograder embed [ASSIGNMENT ...]     # refresh the hidden tests in autograder/source/ from solutions/
    python -m autograder catalogues [ASSIGNMENT ...]  # bring the Korean catalogues of the tests' messages (and of the feedback pages' words) up to date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ASSIGNMENTS
from .course import CourseError, check_assignments, korean_release, release
from .review import ReviewError
from .submissions import SubmissionsError
from .translations import TranslationError


def _release(args) -> int:
    from .checks.embed import source_notebooks, stale_reasons

    wanted = set(check_assignments(args.assignments))
    stale = {p.stem: reasons for p in source_notebooks() if p.stem in wanted and (reasons := stale_reasons(p))}
    if stale:
        for assignment, reasons in stale.items():
            why = sorted(set(reasons.values()))
            print(f"{assignment}: the hidden tests of {', '.join(reasons)} are out of date ({'; '.join(why)})", file=sys.stderr)
        print("run `python -m autograder embed` first, then release again", file=sys.stderr)
        return 1
    for notebook in release(args.assignments):
        print(f"released {notebook.relative_to(notebook.parents[3])} (Korean: {korean_release(notebook).relative_to(notebook.parents[3])})")
    return 0


def _catalogues(args) -> int:
    import nbformat

    from .course import COURSE
    from .translations import notebook_catalogue, page_problems, update_catalogues

    waiting = 0
    for assignment in check_assignments(args.assignments):
        notebook = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        problems = update_catalogues(notebook, assignment)
        pages = page_problems(notebook, assignment)
        waiting += len(problems) + len(pages)
        where = notebook_catalogue(assignment).relative_to(COURSE.parent)
        print(f"{assignment}: {where} " + (f"needs {len(problems)} translation(s):" if problems else "is complete"))
        for problem in problems + pages:
            print(f"  {problem}")
    from . import feedback_words

    words = feedback_words.update_catalogue()
    waiting += len(words)
    print(f"feedback pages: {feedback_words.catalogue().relative_to(COURSE.parent)} "
          + (f"needs {len(words)} translation(s):" if words else "is complete"))
    for problem in words:
        print(f"  {problem}")
    if waiting:
        print("translate what is listed (msgstr in the .po; markdown paragraphs come from the book's catalogue of the "
              "exercise page), then run this again", file=sys.stderr)
    return 1 if waiting else 0


def _embed(args) -> int:
    from .checks.embed import refresh, source_notebooks

    wanted = set(check_assignments(args.assignments))
    for path in (p for p in source_notebooks() if p.stem in wanted):
        changed = refresh(path)
        print(f"{path.name}: {'updated ' + ', '.join(changed) if changed else 'up to date'}")
    return 0


def _grade(args) -> int:
    from .grading import Options, grade_class, print_summary

    options = Options(workers=args.workers, timeout=args.timeout, memory_limit_gib=args.memory_limit, force=args.force,
                      db_url=args.db, sandbox=args.sandbox, cluster=args.cluster)
    results, failed = grade_class(args.assignment, Path(args.submissions), Path(args.out), options)
    print_summary(results, failed, Path(args.out))
    return 1 if failed else 0


def _review(args) -> int:
    from .grading import RUN, republish
    from .review import accept, waiting

    out = Path(args.out)
    if not (out / RUN).exists():
        print(f"error: {out} holds no grading run (no {RUN}); run `python -m autograder grade … --out {out}` first",
              file=sys.stderr)
        return 2
    if args.accept:
        accept(out, args.accept, args.by)
        republish(out)
        print(f"accepted {', '.join(args.accept)}: grades.csv, tests.csv, report.html and the gradebook updated")
    flagged, accepted = waiting(out)
    print(f"{len(flagged)} flagged submission(s) waiting for review" + (":" if flagged else ""))
    for r in flagged:
        print(f"  {r.student_id}: {r.message}")
    if accepted:
        print(f"{len(accepted)} accepted after review:")
        for r in accepted:
            print(f"  {r.student_id}: {r.score:g}/{r.max_score:g}, {r.message.split(';')[0]}")
    return 0


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("release", help="generate the student notebooks (nbgrader generate_assignment)")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help=f"default: all of {', '.join(ASSIGNMENTS)}")
    p.set_defaults(run=_release)
    p = commands.add_parser("embed", help="write the hidden test cases into the source notebooks")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    p.set_defaults(run=_embed)
    p = commands.add_parser("catalogues", help="re-extract the tests' messages of the source notebooks into the Korean "
                                               "catalogues (locales/) and list what needs translating")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    p.set_defaults(run=_catalogues)
    p = commands.add_parser("grade", help="grade a folder (or .zip) of submissions into DIR")
    p.add_argument("assignment", metavar="ASSIGNMENT", help=f"one of {', '.join(ASSIGNMENTS)}")
    p.add_argument("submissions", metavar="SUBMISSIONS",
                   help="a folder of <student_id>.ipynb, nbgrader's <student_id>/<assignment>/*.ipynb, or a .zip of either")
    p.add_argument("--out", required=True, metavar="DIR", help="where grades.csv, tests.csv, feedback/ and report.html go")
    p.add_argument("--workers", type=_positive(int), default=0,
                   help="parallel graders on this machine (default: all cores; with --cluster the workers decide)")
    p.add_argument("--timeout", type=_positive(int), default=30, metavar="SECONDS", help="per-cell time limit (default 30)")
    p.add_argument("--memory-limit", type=_positive(float), default=4.0, metavar="GIB", help="memory per student kernel (default 4)")
    p.add_argument("--force", action="store_true", help="regrade everyone, even those already graded in DIR")
    p.add_argument("--sandbox", action=argparse.BooleanOptionalAction, default=True,
                   help="run each student's kernel in a bubblewrap sandbox (default; --no-sandbox to turn it off)")
    p.add_argument("--db", metavar="URL", default=None,
                   help="the course gradebook as an SQLAlchemy URL (default: sqlite in autograder/gradebook.db), "
                        "e.g. postgresql+psycopg://USER@HOST/DB")
    p.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help="grade on the Dask cluster whose scheduler is at ADDRESS, e.g. tcp://10.0.0.5:8786 "
                        "(workers: `dask worker ADDRESS --nworkers N --nthreads 1`; default: grade on this machine)")
    p.set_defaults(run=_grade)
    p = commands.add_parser("review", help="list the flagged submissions of a grading run, or accept their would-be score")
    p.add_argument("out", metavar="DIR", help="a grading run's output folder (grade … --out DIR)")
    p.add_argument("--accept", nargs="+", metavar="STUDENT", default=[], help="accept these students' would-be scores")
    p.add_argument("--by", metavar="NAME", default=None, help="who reviewed them (default: this user)")
    p.set_defaults(run=_review)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (CourseError, SubmissionsError, ReviewError, TranslationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
