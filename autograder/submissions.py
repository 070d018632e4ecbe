"""Find the submissions in what an instructor collected.

Accepted layouts (or a .zip of either):
- an LMS export: a folder of `<student_id>.ipynb` files;
- nbgrader's layout: `<student_id>/<assignment>/*.ipynb`.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: Student ids become file names (feedback/<id>.html): keep them to a safe alphabet.
SAFE_ID = re.compile(r"[^A-Za-z0-9._@+-]+")
#: A zip member larger than this is refused (a zip bomb must not fill the disk).
MAX_MEMBER_BYTES = 64 * 2**20


class SubmissionsError(ValueError):
    """The SUBMISSIONS argument cannot be read; the message says why."""


@dataclass(frozen=True)
class Submission:
    student_id: str
    path: Path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def student_id(name: str) -> str:
    cleaned = SAFE_ID.sub("_", name).strip("._") or "unnamed"
    return cleaned[:100]


def _extract(archive: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="autograder-zip-"))
    atexit.register(shutil.rmtree, target, True)  # the submissions are read from here until the run ends
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                parts = Path(member.filename).parts
                if member.is_dir() or not parts or parts[0] in ("__MACOSX",) or ".." in parts or Path(member.filename).is_absolute():
                    continue
                if member.file_size > MAX_MEMBER_BYTES:
                    raise SubmissionsError(f"{archive.name}: {member.filename} is larger than {MAX_MEMBER_BYTES // 2**20} MiB")
                out = target.joinpath(*parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src:
                    out.write_bytes(src.read(MAX_MEMBER_BYTES + 1)[:MAX_MEMBER_BYTES])
    except zipfile.BadZipFile as error:
        raise SubmissionsError(f"{archive} is not a readable zip file: {error}") from None
    # A zip of one folder (e.g. `submissions/…`): look inside it.
    entries = [p for p in target.iterdir()]
    if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*/*/*.ipynb")) and any(entries[0].iterdir()):
        inner = entries[0]
        if any(inner.glob("*.ipynb")) or any(inner.glob("*/*/*.ipynb")):
            return inner
    return target


def find_submissions(where: Path, assignment: str) -> list[Submission]:
    """Every submission in `where` (a folder or a .zip), one per student, sorted by student id."""
    where = Path(where)
    if not where.exists():
        raise SubmissionsError(f"no such folder or zip file: {where}")
    if where.is_file():
        if where.suffix.lower() != ".zip":
            raise SubmissionsError(f"{where} is a file but not a .zip of submissions")
        where = _extract(where)
    found: dict[str, Submission] = {}
    for path in sorted(where.glob("*.ipynb")):
        found[student_id(path.stem)] = Submission(student_id(path.stem), path)
    for folder in sorted(p for p in where.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebooks = sorted((folder / assignment).glob("*.ipynb")) if (folder / assignment).is_dir() else []
        if not notebooks:  # another assignment's folder, or a stray folder: that student submitted nothing here
            notebooks = sorted(folder.glob("*/*.ipynb"))
        if notebooks:
            preferred = [n for n in notebooks if n.stem == assignment]
            found[student_id(folder.name)] = Submission(student_id(folder.name), (preferred or notebooks)[0])
    return [found[k] for k in sorted(found)]
