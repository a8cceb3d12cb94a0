"""The grading bundle of an assignment: what a worker needs besides the submission.

It holds ``nbgrader_config.py``, a gradebook with the assignment's cell definitions and no student,
and the assignment's non-notebook source files; packed as tar.gz bytes, it travels to any worker.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook

from grader.nbgrader_api import nbgrader_api

SQLITE = "sqlite:///"


def make_bundle(root: Path, assignment: str) -> bytes:
    """The grading bundle of ``assignment`` of the course at ``root``, as tar.gz bytes."""
    api = nbgrader_api(root)
    db_url = api.coursedir.db_url
    if not db_url.startswith(SQLITE):
        raise RuntimeError(f"parallel grading copies the assignment from a SQLite gradebook; this course uses {db_url}")
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        folder = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", folder / "nbgrader_config.py")
        database = folder / "gradebook.db"
        source_db = Path(db_url[len(SQLITE) :])
        shutil.copy(source_db if source_db.is_absolute() else root / source_db, database)
        with Gradebook(f"{SQLITE}{database}", api.coursedir.course_id) as gb:
            for student in gb.students:
                gb.remove_student(student.id)
            for other in [a.name for a in gb.assignments if a.name != assignment]:
                gb.remove_assignment(other)
        source = root / "source" / assignment
        for path in source.rglob("*"):
            if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                target = folder / "source" / assignment / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        (folder / "source" / assignment).mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(folder, arcname=".")
        return buffer.getvalue()


def unpack_bundle(bundle: bytes, course: Path) -> None:
    """Unpack a grading bundle into the folder ``course``, which becomes a course folder."""
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as tar:
        tar.extractall(course, filter="data")
