"""The term's grades as the files that Canvas and Moodle import, so that nobody retypes or reshapes them.

``course export --lms canvas`` writes ``grades/canvas.csv`` and ``--lms moodle`` writes ``grades/moodle.csv``, a row
per student of the term (:mod:`grader.report.term`) and a column per assignment: its points after the late penalty. A
cell whose hand grading is pending, or whose submission the grader could not grade, is left blank (the LMS keeps
whatever it had) and counted; a missing submission is 0, as in the term.

- Canvas's gradebook import (Grades > Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column
  per assignment, and a second row ``Points Possible``. Canvas matches a student by ``ID`` (its own user id), else
  ``SIS User ID``, else ``SIS Login ID``; an assignment column it does not know becomes a new assignment.
- Moodle's grade import (Grades > Import > CSV file): ``First name, Last name, ID number, Email address`` and one
  column per assignment; the instructor maps ``ID number`` (or ``Email address``) to the user and each assignment
  column to a grade item on Moodle's import page.

The students' names and emails come from the gradebook (``course add-students``); the LMS's own identifiers from
optional columns of a roster CSV (``--roster``): ``lms_user_id`` (Canvas's ``ID``), ``sis_user_id``,
``sis_login_id``, ``section`` and ``id_number`` (Moodle's). Without them the student id stands for the SIS user id
and the ID number.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.collect.roster import read_roster
from grader.common.nbgrader_api import nbgrader_api
from grader.report.term import TermCell, TermRow

CANVAS, MOODLE = "canvas", "moodle"
SYSTEMS = (CANVAS, MOODLE)
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: Canvas's second row: "Points Possible" in the Student column, indented as Canvas writes it.
CANVAS_POINTS_ROW = "    Points Possible"
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]
IMPORT_PAGES = {CANVAS: "Canvas: Grades > Import", MOODLE: "Moodle: Grades > Import > CSV file"}
ROSTER_COLUMNS = ("lms_user_id", "sis_user_id", "sis_login_id", "section", "id_number")


@dataclass
class Person:
    """A student as the LMS knows them."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    id_number: str = ""


def people(root: Path, students: list[str], roster: Path | None = None) -> dict[str, Person]:
    """Each student's names and email from the gradebook, and the LMS identifiers of ``roster`` (a CSV with an
    ``id`` column and any of :data:`ROSTER_COLUMNS`), read by :func:`grader.collect.roster.read_roster`: UTF-8 with or
    without a byte-order mark, every id checked. Raises ``ValueError`` for a roster without ``id``, one that is not
    UTF-8, and one with an empty, invalid or repeated id (all listed with their line numbers);
    ``FileNotFoundError`` for a missing one."""
    rows = read_roster(roster) if roster is not None else []
    found = {student: Person(student) for student in students}
    with nbgrader_api(root).gradebook as gb:
        for student in gb.students:
            if student.id in found:
                person = found[student.id]
                person.first_name, person.last_name = student.first_name or "", student.last_name or ""
                person.email = student.email or ""
    for row in rows:
        person = found.get(row.id)
        if person is None:  # on the roster, not in the term
            continue
        for column in ROSTER_COLUMNS:
            if row.values.get(column):
                setattr(person, column, row.values[column])
    return found


def is_final(cell: TermCell) -> bool:
    """Whether a cell's points are a grade to import: not awaiting hand grading, not a submission that the grader
    could not grade."""
    return not (cell.pending or cell.ungraded)


def points_text(cell: TermCell) -> str:
    """The cell as the LMS file holds it: the points, or blank while they are not final."""
    return f"{cell.points:g}" if is_final(cell) else ""


def write_canvas(rows: list[TermRow], assignments: list[str], who: dict[str, Person], path: Path) -> Path:
    """Canvas's gradebook import file."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*CANVAS_COLUMNS, *assignments])
        maxima = [next((f"{r.cells[a].max_points:g}" for r in rows), "") for a in assignments]
        writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", *maxima])
        for row in rows:
            person = who[row.student]
            name = ", ".join(part for part in (person.last_name, person.first_name) if part) or row.student
            writer.writerow(
                [
                    name,
                    person.lms_user_id,
                    person.sis_user_id or row.student,
                    person.sis_login_id,
                    person.section,
                    *(points_text(row.cells[a]) for a in assignments),
                ]
            )
    return path


def write_moodle(rows: list[TermRow], assignments: list[str], who: dict[str, Person], path: Path) -> Path:
    """Moodle's grade import file."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*MOODLE_COLUMNS, *assignments])
        for row in rows:
            person = who[row.student]
            writer.writerow(
                [
                    person.first_name,
                    person.last_name,
                    person.id_number or row.student,
                    person.email,
                    *(points_text(row.cells[a]) for a in assignments),
                ]
            )
    return path


def write_lms_file(root: Path, system: str, rows: list[TermRow], assignments: list[str], roster: Path | None) -> Path:
    """Write ``grades/<system>.csv`` for ``canvas`` or ``moodle``."""
    who = people(root, [row.student for row in rows], roster)
    path = root / "grades" / f"{system}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = {CANVAS: write_canvas, MOODLE: write_moodle}[system]
    return writer(rows, assignments, who, path)


def blank_cells(rows: list[TermRow], assignments: list[str]) -> dict[str, int]:
    """How many cells of each assignment the LMS file leaves blank: hand grading pending, or not graded."""
    return {a: sum(not is_final(row.cells[a]) for row in rows) for a in assignments}
