"""The grades of an assignment, per student and per task: read from nbgrader's gradebook with the
status of each submission, printed as a table and written as a CSV.

Grades come from nbgrader's gradebook (``gradebook.db`` in the course folder by default, or the
SQLAlchemy URL in ``nbgrader_config.py``). A task is a group of grade cells named
``<task>_visible`` / ``<task>_hidden`` (autograded) or a manually graded task cell.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from grader.common.cells import task_name
from grader.common.nbgrader_api import nbgrader_api
from grader.common.statuses import GRADED, NOT_GRADED, load_statuses

#: what the grade table says of a graded submission whose hand-graded tasks wait for a grader, and the CSV's
#: column of those tasks
PENDING = "manual grading pending"


@dataclass
class StudentGrades:
    """One student's grades for one assignment."""

    student: str
    status: str  # one of grader.common.statuses
    reason: str = ""
    flags: list[str] = field(default_factory=list)  # review flags (grader.autograde.review); never a score
    tasks: dict[str, tuple[float, float]] = field(default_factory=dict)  # task -> (score, max)
    manual_pending: list[str] = field(default_factory=list)  # tasks awaiting a human grade
    manual_tasks: set[str] = field(default_factory=set)  # tasks graded by hand

    @property
    def auto_score(self) -> float:
        """Points scored in autograded tasks."""
        return sum(s for t, (s, _) in self.tasks.items() if t not in self.manual_tasks)

    @property
    def total(self) -> float:
        """Points scored so far (manual tasks count once a grader has scored them)."""
        return sum(s for s, _ in self.tasks.values())

    @property
    def max_total(self) -> float:
        """Points available."""
        return sum(m for _, m in self.tasks.values())


def collect_grades(root: Path, assignment: str, students: list[str]) -> list[StudentGrades]:
    """Read every student's per-task grades from the gradebook, with the status, reason and review
    flags that grading recorded; every student gets a row."""
    recorded = load_statuses(root, assignment)
    rows = []
    with nbgrader_api(root).gradebook as gb:
        for student in students:
            row = StudentGrades(student, GRADED)
            if student in recorded:
                row.status, row.reason, row.flags = (
                    recorded[student].status,
                    recorded[student].reason,
                    recorded[student].flags,
                )
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                if student not in recorded:  # a grader error records no grades and keeps its own reason
                    row.status, row.reason = NOT_GRADED, "no autograded submission in the gradebook: run autograde"
                rows.append(row)
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    task = task_name(grade.name)
                    score, maximum = row.tasks.get(task, (0.0, 0.0))
                    row.tasks[task] = (score + (grade.score or 0.0), maximum + grade.max_score)
                    if grade.cell.type == "TaskCell" or grade.cell.cell_type == "markdown" or grade.auto_score is None:
                        row.manual_tasks.add(task)
                        if grade.needs_manual_grade and task not in row.manual_pending:
                            row.manual_pending.append(task)
            rows.append(row)
    return rows


def task_columns(rows: list[StudentGrades]) -> list[tuple[str, float]]:
    """The tasks of the assignment, in notebook order, with their maximum points."""
    columns: dict[str, float] = {}
    for row in rows:
        for task, (_, maximum) in row.tasks.items():
            columns.setdefault(task, maximum)
    return list(columns.items())


def write_csv(rows: list[StudentGrades], path: Path) -> Path:
    """Write the grades: one row per student, a column per task (blank while its hand grading is pending), totals,
    status and reason."""
    columns = task_columns(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "student",
                *(f"{t} (/{m:g})" for t, m in columns),
                "autograded",
                "total",
                "max",
                PENDING,
                "status",
                "reason",
                "review flags",
            ]
        )
        for row in rows:
            writer.writerow(
                [
                    row.student,
                    *(
                        f"{row.tasks[t][0]:g}" if t in row.tasks and t not in row.manual_pending else ""
                        for t, _ in columns
                    ),
                    f"{row.auto_score:g}",
                    f"{row.total:g}",
                    f"{row.max_total:g}",
                    " ".join(row.manual_pending),
                    row.status,
                    row.reason,
                    "; ".join(row.flags),
                ]
            )
    return path


def format_table(rows: list[StudentGrades]) -> str:
    """The grade table as text: a row per student, a column per task."""
    columns = task_columns(rows)
    headers = ["student", *(f"{t}/{m:g}" for t, m in columns), "auto", "total", "status"]
    body = []
    for row in rows:
        cells = []
        for task, _ in columns:
            if task not in row.tasks:
                cells.append("-")
            elif task in row.manual_pending:
                cells.append("?")
            else:
                cells.append(f"{row.tasks[task][0]:g}")
        status = row.status + (f": {row.reason}" if row.reason else "")
        if row.manual_pending and row.status == GRADED:
            status += f" ({PENDING})"
        body.append([row.student, *cells, f"{row.auto_score:g}", f"{row.total:g}/{row.max_total:g}", status])
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *body, strict=True)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip() for line in [headers, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    flagged = [row for row in rows if row.flags]
    if flagged:
        lines += ["", "review flags (advice for a human reader; they change no score):"]
        lines += [f"  {row.student}: {'; '.join(row.flags)}" for row in flagged]
    return "\n".join(lines)
