"""What the labs' end-to-end tests share: a lab's sample class graded through the real pipeline and the
checks every lab's class must pass (:class:`SampleClassChecks`), and the text a notebook printed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest

from grader.autograde.coordinator import grade_class
from grader.common.config import copy_course
from grader.common.experiments import NOT_RUN_FLAG
from grader.common.statuses import Outcome, load_statuses
from grader.release.generate import generate_release
from grader.release.run_notebook import execute_notebook
from grader.report import grade_table
from grader.report.gradebook_audit import cell_grades
from tests.support import ROOT, documented_sample_points, object_reprs, progress_bar_problems


def grade_sample_class(
    folder: Path,
    assignment: str,
    fast: bool = True,
    students: list[str] | None = None,
    cold_kernels: bool = False,
    canary: bool = True,
) -> tuple[Path, list[Outcome], dict[str, grade_table.StudentGrades]]:
    """Grade ``submitted/*/<assignment>/`` (or only the ``students`` named) in a copy of the course in ``folder``,
    with 2 workers and the canary unless not ``canary``, in fast mode unless not ``fast`` (the cells that run are
    smaller, the autograded tests are the same; the experiments are not run either way), with warm kernels unless
    ``cold_kernels``; return the course, the outcomes and every student's grades."""
    course = copy_course(ROOT, folder)
    if students is None:
        students = sorted(p.name for p in (ROOT / "submitted").iterdir() if (p / assignment).is_dir())
    for student in students:
        shutil.copytree(ROOT / "submitted" / student / assignment, course / "submitted" / student / assignment)
    generate_release(course, assignment)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("COURSE_FAST", "1" if fast else "0")
    try:
        outcomes = grade_class(
            course, assignment, students, workers=2, progress=False, cold_kernels=cold_kernels, canary=canary
        )
    finally:
        monkeypatch.undo()
    rows = {row.student: row for row in grade_table.collect_grades(course, assignment, students)}
    return course, outcomes, rows


def assert_graded_alike(cold_course: Path, warm_course: Path, assignment: str) -> None:
    """Assert that two gradings of a class, in two copies of the course (one with cold kernels, each a new process,
    one with warm ones, forked from the worker's template), gave every cell the same grade and every student the
    same status, reason and flags."""
    assert cell_grades(cold_course, assignment) == cell_grades(warm_course, assignment)
    cold, warm = (
        {s: (o.status, o.reason, o.flags) for s, o in load_statuses(course, assignment).items()}
        for course in (cold_course, warm_course)
    )
    assert cold == warm and cold


def outputs_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells printed."""
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


class SampleClassChecks:
    """The checks of a lab's sample class (scripts/make_sample_submissions.py) and of its model answer; a lab's
    test class derives from this one and sets the class variables."""

    ASSIGNMENT: ClassVar[str]
    DOCS_SECTION: ClassVar[str]  # the section of docs/assignments.md that states the sample students' points
    AUTOGRADED: ClassVar[dict[str, int]]  # task -> points
    MANUAL: ClassVar[dict[str, int]]  # hand-graded task -> points
    LOST: ClassVar[dict[str, dict[str, int]]]  # student -> {task: points their mistake costs}; ben is the release

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, tmp_path_factory):
        return grade_sample_class(tmp_path_factory.mktemp(f"{cls.ASSIGNMENT}-warm"), cls.ASSIGNMENT)

    @pytest.fixture(scope="class")
    @classmethod
    def executed(cls, tmp_path_factory):
        source = ROOT / "source" / cls.ASSIGNMENT / f"{cls.ASSIGNMENT}.ipynb"
        return execute_notebook(source, tmp_path_factory.mktemp(f"{cls.ASSIGNMENT}-run"), fast=True)

    def test_no_cell_prints_an_object_without_a_repr(self, executed):
        assert object_reprs(executed) == []

    def test_every_progress_bar_keeps_only_its_last_line(self, executed):
        assert progress_bar_problems(executed) == []

    def test_the_sample_class_is_the_reference_the_release_and_one_mistake_each(self, graded):
        _, outcomes, _ = graded
        assert sorted(o.student for o in outcomes) == sorted(["ben", *self.LOST])
        assert all(o.status == "graded" for o in outcomes), [(o.student, o.status, o.reason) for o in outcomes]
        # no review flag: figures drawn before a test cell (matplotlib's callbacks) are no tampering; only the
        # untouched release, handed in without running it, has experiments without outputs
        flagged = {o.student: o.flags for o in outcomes if o.flags}
        assert list(flagged) == ["ben"] and len(flagged["ben"]) == 1, flagged
        assert flagged["ben"][0].startswith(f"{NOT_RUN_FLAG}: no outputs in ")

    def test_cold_kernels_give_the_class_the_grades_and_statuses_of_warm_ones(self, graded, tmp_path_factory):
        folder = tmp_path_factory.mktemp(f"{self.ASSIGNMENT}-cold")
        cold, *_ = grade_sample_class(folder, self.ASSIGNMENT, cold_kernels=True, canary=False)  # ada is the reference
        assert_graded_alike(cold, graded[0], self.ASSIGNMENT)

    def test_each_mistake_loses_the_points_of_its_task_and_only_those(self, graded):
        *_, rows = graded
        for student, costs in self.LOST.items():
            scores = {task: rows[student].tasks[task][0] for task in self.AUTOGRADED}
            assert scores == {task: points - costs.get(task, 0) for task, points in self.AUTOGRADED.items()}, student
        assert rows["ada"].auto_score == sum(self.AUTOGRADED.values()) and rows["ben"].auto_score == 0

    def test_the_docs_state_each_sample_students_points(self, graded):
        *_, rows = graded
        assert documented_sample_points(self.DOCS_SECTION) == {s: r.auto_score for s, r in rows.items()}

    def test_the_hand_graded_answers_wait_for_a_grader(self, graded):
        *_, rows = graded
        assert sorted(rows["ada"].manual_pending) == sorted(self.MANUAL)
        assert {task: rows["ada"].tasks[task][1] for task in self.MANUAL} == self.MANUAL
        assert rows["ada"].max_total == sum(self.AUTOGRADED.values()) + sum(self.MANUAL.values()) == 100
