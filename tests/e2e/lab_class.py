"""What the labs' end-to-end tests share: a lab's sample class graded through the real pipeline, the
points each mistake costs, and the text a notebook printed."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from grader import report
from grader.autograde.coordinator import grade_class
from grader.autograde.statuses import Outcome
from grader.config import copy_course
from grader.release import generate_release
from tests.support import ROOT


def grade_sample_class(folder: Path, assignment: str) -> tuple[Path, list[Outcome], dict[str, report.StudentGrades]]:
    """Grade ``submitted/*/<assignment>/`` in a copy of the course in ``folder``, with 2 workers and the canary,
    in fast mode (the experiments are small, the autograded tests are the same); return the course, the
    outcomes and every student's grades."""
    course = copy_course(ROOT, folder)
    students = sorted(p.name for p in (ROOT / "submitted").iterdir() if (p / assignment).is_dir())
    for student in students:
        shutil.copytree(ROOT / "submitted" / student / assignment, course / "submitted" / student / assignment)
    generate_release(course, assignment)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("COURSE_FAST", "1")
    try:
        outcomes = grade_class(course, assignment, students, workers=2, progress=False)
    finally:
        monkeypatch.undo()
    rows = {row.student: row for row in report.collect_grades(course, assignment, students)}
    return course, outcomes, rows


def assert_each_mistake_costs_its_task(
    rows: dict[str, report.StudentGrades], autograded: dict[str, int], lost: dict[str, dict[str, int]]
) -> None:
    """Every sample student scores each task's points less what their mistake costs in that task, and no more."""
    for student, costs in lost.items():
        scores = {task: rows[student].tasks[task][0] for task in autograded}
        assert scores == {task: points - costs.get(task, 0) for task, points in autograded.items()}, student


def outputs_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells printed."""
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
