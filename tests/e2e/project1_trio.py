"""Project 1's three-student class (:data:`TRIO`) in a copy of the course: the class that the tests of other ways
of grading (a Dask cluster into PostgreSQL, a run stopped and started again) compare with the grades of local
workers (the ``trio_grades`` fixture of ``tests/e2e/conftest.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.common.config import copy_course
from grader.release.generate import generate_release
from tests.support import ROOT

#: Project 1's reference, its untouched release and a mistake
TRIO = ["ada", "ben", "dev"]


def trio_course(folder: Path, db_url: str | None = None) -> Path:
    """A copy of the course in ``folder`` with :data:`TRIO`'s submissions of Project 1, released into its gradebook
    (the course's SQLite one, or ``db_url``)."""
    course = copy_course(ROOT, folder)
    if db_url:
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
            f.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    for student in TRIO:
        shutil.copytree(ROOT / "submitted" / student / "project1", course / "submitted" / student / "project1")
    generate_release(course, "project1")
    return course
