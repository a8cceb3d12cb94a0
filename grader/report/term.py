"""The term gradebook: every graded assignment of the class in one table, with the weights of
``[tool.course.assignments]`` and the late policy of ``[tool.course.term]`` in ``pyproject.toml``, printed and
written to ``grades/term.csv``.

A row per student (everyone in the gradebook or with a submission), a column per assignment that has
submissions: the points after the late penalty and the percentage. A student without a submission of an
assignment gets 0 for it, and the cell says "missing". Lateness is nbgrader's: the submission's timestamp
(``timestamp.txt``) after the assignment's due date in the gradebook, plus any extension; each day or part of a
day late costs ``late_penalty_per_day`` of the score, at most all of it. The term total is the weighted mean of
the percentages.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from grader.collect.roster import submitted_students
from grader.common.assignments import course_assignments
from grader.common.config import CourseConfig
from grader.common.experiments import NOT_RUN_FLAG
from grader.common.nbgrader_api import nbgrader_api
from grader.common.statuses import GRADED, GRADER_ERROR, NOT_GRADED
from grader.report import grade_table

DAY = 24 * 3600


@dataclass
class TermCell:
    """One student's result in one assignment."""

    points: float  # after the late penalty
    max_points: float
    penalty: float = 0.0  # points lost for lateness
    days_late: int = 0
    note: str = ""  # "missing", "2 days late: -4", "manual grading pending", a status that needs attention
    pending: bool = False  # hand grading not done yet: the points are those so far
    ungraded: bool = False  # not graded: a grader error, or grading not run yet

    @property
    def percent(self) -> float:
        """The points as a percentage of the assignment's maximum."""
        return 100 * self.points / self.max_points if self.max_points else 0.0


@dataclass
class TermRow:
    """One student's term: a cell per assignment and the weighted total."""

    student: str
    cells: dict[str, TermCell] = field(default_factory=dict)
    total: float = 0.0  # weighted mean of the percentages


def term_assignments(config: CourseConfig) -> list[str]:
    """The assignments that have submissions in ``submitted/``, in teaching order."""
    return [a.name for a in course_assignments(config) if submitted_students(config.root, a.name)]


def term_weights(config: CourseConfig, assignments: list[str]) -> dict[str, float]:
    """Each assignment's weight, from its line in ``[tool.course.assignments]`` (equal weights when that table
    is empty or absent).

    Raises ``ValueError`` naming an assignment with submissions and no weight above 0, or a line for an
    assignment that ``source/`` does not hold."""
    weights = {a.name: a.weight for a in course_assignments(config)}
    if not config.assignments:
        return dict.fromkeys(assignments, 1.0)
    lacking = [name for name in assignments if not weights[name]]
    if lacking:
        raise ValueError(
            f"[tool.course.assignments] in {config.root / 'pyproject.toml'} gives no weight above 0 to "
            f"{', '.join(lacking)}, which has submissions: give it one (a line such as {lacking[0]} = 10)"
        )
    return {name: weights[name] for name in assignments}


def _lateness(root: Path, assignment: str) -> tuple[float, dict[str, float]]:
    """The assignment's maximum points and every submission's seconds late, from the gradebook."""
    with nbgrader_api(root).gradebook as gb:
        try:
            maximum = gb.find_assignment(assignment).max_score
        except MissingEntry:
            maximum = 0.0
        late = {s.student.id: s.total_seconds_late for s in gb.assignment_submissions(assignment)}
    return maximum, late


def late_penalty(points: float, seconds_late: float, per_day: float) -> tuple[int, float]:
    """The days late (each part of a day counts as a day) and the points they cost: ``per_day`` of ``points`` a
    day, at most all of them."""
    days = math.ceil(seconds_late / DAY) if seconds_late > 0 else 0
    return days, min(1.0, days * per_day) * points


def term_cell(
    grades: grade_table.StudentGrades | None, maximum: float, seconds_late: float, per_day: float
) -> TermCell:
    """One student's cell: ``grades`` is ``None`` for a missing submission."""
    if grades is None:
        return TermCell(0.0, maximum, note="missing: counts as 0")
    maximum = grades.max_total or maximum
    days, penalty = late_penalty(grades.total, seconds_late, per_day)
    notes = []
    if days:
        notes.append(f"{days} day{'s' if days > 1 else ''} late: -{penalty:g}")
    if grades.status != GRADED:
        notes.append(grades.status + (f" ({grades.reason})" if grades.reason else ""))
    elif grades.manual_pending:
        notes.append(grade_table.PENDING)
    if any(flag.startswith(NOT_RUN_FLAG) for flag in grades.flags):  # the answers graded by hand lack their data
        notes.append(NOT_RUN_FLAG)
    return TermCell(
        grades.total - penalty,
        maximum,
        penalty,
        days,
        "; ".join(notes),
        pending=bool(grades.manual_pending),
        ungraded=grades.status in (GRADER_ERROR, NOT_GRADED),
    )


def collect_term(config: CourseConfig, assignments: list[str]) -> tuple[list[TermRow], dict[str, float]]:
    """Every student's term over ``assignments``, and the weights used."""
    root = config.root
    weights = term_weights(config, assignments)
    with nbgrader_api(root).gradebook as gb:
        students = {s.id for s in gb.students}
    for assignment in assignments:
        students.update(submitted_students(root, assignment))
    rows = {student: TermRow(student) for student in sorted(students)}
    for assignment in assignments:
        maximum, late = _lateness(root, assignment)
        submitted = submitted_students(root, assignment)
        graded = {g.student: g for g in grade_table.collect_grades(root, assignment, submitted)}
        for student, row in rows.items():
            row.cells[assignment] = term_cell(
                graded.get(student), maximum, late.get(student, 0.0), config.late_penalty_per_day
            )
    total_weight = sum(weights.values())
    for row in rows.values():
        row.total = sum(weights[a] * row.cells[a].percent for a in assignments) / total_weight if assignments else 0.0
    return list(rows.values()), weights


def write_term_csv(rows: list[TermRow], weights: dict[str, float], path: Path) -> Path:
    """Write ``grades/term.csv``: per assignment its points, percentage and note; then the term total."""
    path.parent.mkdir(parents=True, exist_ok=True)
    total_weight = sum(weights.values())
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        header = ["student"]
        for name, weight in weights.items():
            maximum = next((r.cells[name].max_points for r in rows), 0.0)
            share = f"weight {weight / total_weight:.0%}"
            header += [f"{name} points (/{maximum:g}, {share})", f"{name} %", f"{name} note"]
        writer.writerow([*header, "term %"])
        for row in rows:
            line = [row.student]
            for name in weights:
                cell = row.cells[name]
                line += [f"{cell.points:g}", f"{cell.percent:.1f}", cell.note]
            writer.writerow([*line, f"{row.total:.1f}"])
    return path


def format_term_table(rows: list[TermRow], weights: dict[str, float]) -> str:
    """The term table as text: ``?`` marks points that hand grading may still raise, ``*`` a cell with a note
    (missing, late, needs attention), listed under the table."""
    total_weight = sum(weights.values())
    headers = ["student", *(f"{name} ({weight / total_weight:.0%})" for name, weight in weights.items()), "term"]
    body, notes, pending = [], [], {name: 0 for name in weights}
    for row in rows:
        cells = []
        for name in weights:
            cell = row.cells[name]
            remarks = [n for n in cell.note.split("; ") if n and n != grade_table.PENDING]
            pending[name] += grade_table.PENDING in cell.note.split("; ")
            marks = ("?" if grade_table.PENDING in cell.note.split("; ") else "") + ("*" if remarks else "")
            cells.append(f"{cell.points:g}/{cell.max_points:g} {cell.percent:.0f}%{marks}")
            notes += [f"  {row.student}, {name}: {'; '.join(remarks)}"] if remarks else []
        body.append([row.student, *cells, f"{row.total:.1f}%"])
    widths = [max(len(x) for x in column) for column in zip(headers, *body, strict=True)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)).rstrip() for line in [headers, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    waiting = [f"{name} for {count} student{'s' if count > 1 else ''}" for name, count in pending.items() if count]
    if waiting:
        lines += ["", f"? hand grading still pending (the points so far): {', '.join(waiting)}"]
    if notes:
        lines += ["", "* notes:", *notes]
    return "\n".join(lines)
