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

from grader.common.nbgrader_api import Gradebook, nbgrader_api, quiet_sqlalchemy

SQLITE = "sqlite:///"


def copy_assignment(source: Gradebook, target: Gradebook, assignment: str) -> None:
    """Copy the definition of ``assignment`` (its due date, notebooks and their grade, solution, task and source
    cells; no student, no submission) from one gradebook into another."""
    found = source.find_assignment(assignment)
    target.add_assignment(found.name, duedate=found.duedate)
    for nb in found.notebooks:
        target.add_notebook(nb.name, found.name, kernelspec=nb.kernelspec)
        for cell in nb.grade_cells:
            target.add_grade_cell(cell.name, nb.name, found.name, max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in nb.solution_cells:
            target.add_solution_cell(cell.name, nb.name, found.name)
        for cell in nb.task_cells:
            target.add_task_cell(cell.name, nb.name, found.name, max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in nb.source_cells:
            target.add_source_cell(
                cell.name,
                nb.name,
                found.name,
                cell_type=cell.cell_type,
                locked=cell.locked,
                source=cell.source,
                checksum=cell.checksum,
            )


def make_bundle(root: Path, assignment: str) -> bytes:
    """The grading bundle of ``assignment`` of the course at ``root``, as tar.gz bytes. Its gradebook is a small
    SQLite file whatever the course's gradebook is (SQLite, PostgreSQL, any SQLAlchemy URL)."""
    api = nbgrader_api(root)
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        folder = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", folder / "nbgrader_config.py")
        course_id = api.coursedir.course_id
        with (
            quiet_sqlalchemy(),
            Gradebook(api.coursedir.db_url, course_id) as course,
            Gradebook(f"{SQLITE}{folder / 'gradebook.db'}", course_id) as bundle,
        ):
            copy_assignment(course, bundle, assignment)
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
