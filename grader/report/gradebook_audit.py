"""Counts in a course gradebook (SQLite or PostgreSQL) that show a graded class whole: every student's submission
once, with a grade row for every grade cell and a score in every autograded test cell; nothing twice.

The benchmarks check a class graded at scale with it, and the tests check grading that was interrupted or whose
workers died.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from grader.autograde.canary import autograded_max_scores
from grader.common.nbgrader_api import Gradebook, nbgrader_api, quiet_sqlalchemy


@dataclass
class Audit:
    """What the gradebook holds of one assignment for a class."""

    submissions: int = 0  # students of the class with a submission
    grades: int = 0  # grade rows of those submissions
    missing: list[str] = field(default_factory=list)  # students of the class without a submission
    extra: list[str] = field(default_factory=list)  # submissions of students outside the class
    incomplete: list[str] = field(default_factory=list)  # submissions short of a grade row or an autograded score
    duplicates: list[tuple] = field(default_factory=list)  # rows twice (see :func:`duplicate_rows`)

    @property
    def whole(self) -> bool:
        """Every student once, with every grade; nothing more."""
        return not (self.missing or self.extra or self.incomplete or self.duplicates)

    def describe(self) -> str:
        """One line: the counts, then what is wrong, if anything."""
        problems = [
            f"{name}: {', '.join(map(str, rows[:5]))}{' ...' if len(rows) > 5 else ''}"
            for name, rows in (
                ("missing", self.missing),
                ("not of the class", self.extra),
                ("incomplete", self.incomplete),
                ("twice", self.duplicates),
            )
            if rows
        ]
        counts = f"{self.submissions} submissions, {self.grades} grade rows"
        return f"{counts}; {'; '.join(problems)}" if problems else f"{counts}: none missing, none twice"


def duplicate_rows(db_url: str) -> list[tuple]:
    """Grade rows that share a submitted notebook and a cell, and submissions that share a student and an
    assignment (the gradebook's schema forbids neither)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            grades = connection.execute(
                text(
                    "SELECT notebook_id, cell_id, count(*) FROM grade GROUP BY notebook_id, cell_id HAVING count(*) > 1"
                )
            ).fetchall()
            submissions = connection.execute(
                text(
                    "SELECT assignment_id, student_id, count(*) FROM submitted_assignment "
                    "GROUP BY assignment_id, student_id HAVING count(*) > 1"
                )
            ).fetchall()
    finally:
        engine.dispose()
    return [tuple(row) for row in [*grades, *submissions]]


def audit_class(db_url: str, course_id: str, assignment: str, students: Iterable[str]) -> Audit:
    """Count what the gradebook at ``db_url`` holds of ``assignment`` for ``students`` (see :class:`Audit`)."""
    students = set(students)
    autograded = autograded_max_scores(db_url, course_id, assignment)
    audit = Audit(duplicates=duplicate_rows(db_url))
    with quiet_sqlalchemy(), Gradebook(db_url, course_id) as gb:
        cells = sum(len(nb.grade_cells) + len(nb.task_cells) for nb in gb.find_assignment(assignment).notebooks)
        seen: set[str] = set()
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            seen.add(student)
            if student not in students:
                continue
            grades = [(nb.name, grade) for nb in submission.notebooks for grade in nb.grades]
            audit.submissions += 1
            audit.grades += len(grades)
            scored = {(name, g.name) for name, g in grades if g.auto_score is not None}
            if len(grades) != cells or not set(autograded) <= scored:
                audit.incomplete.append(student)
    audit.missing = sorted(students - seen)
    audit.extra = sorted(seen - students)
    return audit


def cell_grades(root: Path, assignment: str) -> dict[tuple[str, str], tuple[float | None, bool]]:
    """Every (student, grade cell) of ``assignment`` -> (autograded score, needs manual grade), in the gradebook of
    the course at ``root``: what two gradings of a class are compared by."""
    with nbgrader_api(root).gradebook as gb:
        return {
            (submission.student.id, grade.name): (grade.auto_score, grade.needs_manual_grade)
            for submission in gb.assignment_submissions(assignment)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }
