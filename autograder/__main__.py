"""`python -m autograder` — release assignments and grade a class.

    python -m autograder release [ASSIGNMENT ...]   # all by default → autograder/release/<a>/<a>.ipynb (+ the book's copy)
    python -m autograder embed [ASSIGNMENT ...]     # refresh the hidden tests in autograder/source/ from solutions/
"""

from __future__ import annotations

import argparse
import sys

from . import ASSIGNMENTS
from .course import CourseError, check_assignments, release


def _release(args) -> int:
    from .checks.embed import source_notebooks, stale_cells

    stale = {p.name: cells for p in source_notebooks() if (cells := stale_cells(p))}
    if stale:
        print(f"hidden tests are out of date in {stale}; run `python -m autograder embed` first", file=sys.stderr)
        return 1
    for notebook in release(args.assignments):
        print(f"released {notebook.relative_to(notebook.parents[3])}")
    return 0


def _embed(args) -> int:
    from .checks.embed import refresh, source_notebooks

    wanted = set(check_assignments(args.assignments))
    for path in (p for p in source_notebooks() if p.stem in wanted):
        changed = refresh(path)
        print(f"{path.name}: {'updated ' + ', '.join(changed) if changed else 'up to date'}")
    return 0


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
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
