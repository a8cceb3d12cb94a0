"""The class: who submitted, the roster in the gradebook, and submissions collected from an LMS download."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.nbgrader_api import nbgrader_api

#: File names that LMS downloads give submissions, e.g. Canvas's ``ada_12345_67890_project1.ipynb``
#: or a ``<student>/<notebook>.ipynb`` folder layout.
LMS_FILE_PATTERN = r"^(?P<student_id>[A-Za-z0-9.\-]+)_(?:LATE_|late_)?(?:\d+_)*(?P<file>[^/]+\.ipynb)$"


def submitted_students(root: Path, assignment: str) -> list[str]:
    """Students with a folder ``submitted/<student>/<assignment>/``."""
    folder = root / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir())


def add_students(root: Path, roster: Path) -> int:
    """Add or update the students of a CSV roster (columns ``id``, optional ``first_name``,
    ``last_name``, ``email``) in the gradebook; return how many."""
    with open(roster, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "id" not in rows[0]:
        raise ValueError(f"{roster}: expected a CSV with a header line naming at least the column 'id'")
    with nbgrader_api(root).gradebook as gb:
        for row in rows:
            details = {k: row[k] for k in ("first_name", "last_name", "email") if row.get(k)}
            gb.update_or_create_student(row["id"].strip(), **details)
    return len(rows)


@dataclass
class Collection:
    """What ``collect_zip`` did with an LMS download."""

    collected: list[str] = field(default_factory=list)  # <student>/<assignment>/<notebook>
    skipped: list[str] = field(default_factory=list)  # "<member>: why"


def collect_zip(root: Path, assignment: str, archive: Path, pattern: str = LMS_FILE_PATTERN) -> Collection:
    """Unpack an LMS download of notebooks into ``submitted/<student>/<assignment>/``.

    Each ``.ipynb`` member is matched by ``pattern`` (groups ``student_id`` and ``file``) on its
    file name, or sits in a ``<student_id>/`` folder. A file name that is not one of the
    assignment's notebooks is renamed to it when the assignment has exactly one.
    """
    notebooks = sorted(p.name for p in (root / "release" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no release/{assignment}/*.ipynb: run `course release {assignment}` first")
    regex = re.compile(pattern)
    done = Collection()
    with zipfile.ZipFile(archive) as zf:
        for member in zf.namelist():
            path = PurePosixPath(member)
            if member.endswith("/") or path.suffix != ".ipynb" or "__MACOSX" in path.parts:
                continue
            match = regex.match(path.name)
            if match:
                student, name = match["student_id"], match["file"]
            elif len(path.parts) >= 2:
                student, name = path.parts[-2], path.name
            else:
                done.skipped.append(f"{member}: cannot tell whose it is (name it <student>_<notebook>.ipynb)")
                continue
            if name not in notebooks:
                if len(notebooks) != 1:
                    done.skipped.append(f"{member}: {name} is none of {', '.join(notebooks)}")
                    continue
                name = notebooks[0]
            target = root / "submitted" / student / assignment / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            done.collected.append(f"{student}/{assignment}/{name}")
    return done
