"""The nbgrader course directory, driven in-process through nbgrader's Python API.

Paths are relative to this folder, so a copy of it (as the tests make) works the same way.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

from . import ASSIGNMENTS

COURSE = Path(__file__).resolve().parent
#: Where the book offers the released notebooks (kept identical to release/ by `release`).
BOOK_EXERCISES = COURSE.parent / "chapters" / "exercises"


class CourseError(RuntimeError):
    """A course-level step failed (unknown assignment, nbgrader error); the message says which and why."""


def _alembic_head() -> str:
    """The gradebook schema's alembic head, read in-process (nbgrader runs `alembic heads`, ~2 s, per new gradebook)."""
    import nbgrader
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def _interpreter_on_path() -> None:
    # nbgrader shells out to `alembic` to create the gradebook: it must find this interpreter's copy.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    import nbgrader.api

    if nbgrader.api.get_alembic_version is not _alembic_head:
        nbgrader.api.get_alembic_version = _alembic_head


def nbgrader_api(course_dir: Path = COURSE, **overrides):
    """An `NbGraderAPI` for `course_dir`, configured by its `nbgrader_config.py` plus `overrides`.

    overrides: {"Section.trait": value}, e.g. {"Execute.timeout": 5}.
    """
    from nbgrader.apps import NbGraderAPI

    _interpreter_on_path()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(course_dir)
    for key, value in overrides.items():
        section, trait = key.split(".")
        config[section][trait] = value
    return NbGraderAPI(config=config)


def check_assignments(names) -> list[str]:
    names = list(names) or list(ASSIGNMENTS)
    unknown = [n for n in names if n not in ASSIGNMENTS]
    if unknown:
        raise CourseError(f"unknown assignment {', '.join(unknown)}; the assignments are {', '.join(ASSIGNMENTS)}")
    return names


def _generate(api, course_dir: Path, name: str, what: str) -> Path:
    """`nbgrader generate_assignment` of `name` in `course_dir`; the released notebook. `what` names it in errors."""
    with contextlib.redirect_stdout(io.StringIO()):
        result = api.generate_assignment(name, force=True)
    if not result["success"]:
        raise CourseError(f"nbgrader could not release {what}:\n{result['error']}\n{result['log']}")
    return course_dir / "release" / name / f"{name}.ipynb"


def release(names=(), course_dir: Path = COURSE, book_dir: Path | None = BOOK_EXERCISES, locales: Path | None = None) -> list[Path]:
    """`nbgrader generate_assignment` for each assignment → release/<a>/<a>.ipynb, copied to the book; and its Korean
    edition (translations.py) → release/<a>/ko/<a>.ipynb, copied to the book's exercises/ko/ (not a book page).

    Returns the released English notebooks.  Raises CourseError when nbgrader fails, TranslationError when a
    paragraph or message has no Korean translation.
    """
    from .translations import KOREAN, korean_source

    api = nbgrader_api(course_dir)
    names = check_assignments(names)
    released = []
    for name in names:
        notebook = _generate(api, course_dir, name, name)
        released.append(notebook)
        if book_dir is not None:
            book_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, book_dir / notebook.name)
    # The Korean sources, made in memory, are released by nbgrader in a scratch course with the same configuration.
    with tempfile.TemporaryDirectory(prefix="autograder-release-ko-") as scratch:
        scratch = Path(scratch)
        shutil.copyfile(course_dir / "nbgrader_config.py", scratch / "nbgrader_config.py")
        for name in names:
            (scratch / "source" / name).mkdir(parents=True)
            (scratch / "source" / name / f"{name}.ipynb").write_bytes(korean_source(name, course_dir, locales))
        korean_api = nbgrader_api(scratch)
        for name in names:
            made = _generate(korean_api, scratch, name, f"the Korean {name}")
            for folder in [course_dir / "release" / name / KOREAN] + ([book_dir / KOREAN] if book_dir is not None else []):
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(made, folder / made.name)
    return released


def korean_release(notebook: Path) -> Path:
    """Where the Korean edition of a released notebook (release/<a>/<a>.ipynb or the book's copy) is."""
    return notebook.parent / "ko" / notebook.name
