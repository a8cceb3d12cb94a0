"""The gradebook as grading writes it: a submission's rows as nbgrader makes them, its scores, comments and late
penalty in one transaction, a person's score kept, and nothing of a submission whose write fails half-way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.autograde.gradebook_writer import GradebookWriter
from grader.autograde.worker import GradeRecord, GradingResult
from grader.common.nbgrader_api import Gradebook
from grader.report.gradebook_audit import audit_class

COURSE = "writer-course"


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> Path:
    """A gradebook with one assignment ``a1``: notebook ``nb`` with an autograded test (2 points), a hand-graded
    answer (3 points), a code answer and a task (1 point)."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with Gradebook(f"sqlite:///{path}", COURSE) as gb:
        gb.add_assignment("a1")
        gb.add_notebook("nb", "a1")
        gb.add_grade_cell("test1", "nb", "a1", max_score=2, cell_type="code")
        gb.add_grade_cell("answer", "nb", "a1", max_score=3, cell_type="markdown")
        gb.add_solution_cell("answer", "nb", "a1")
        gb.add_solution_cell("code1", "nb", "a1")
        gb.add_task_cell("task", "nb", "a1", max_score=1, cell_type="markdown")
    return path


@pytest.fixture
def course(tmp_path: Path, gradebook: Path) -> Path:
    """A course folder with a copy of the gradebook."""
    shutil.copy(gradebook, tmp_path / "gradebook.db")
    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{tmp_path / 'gradebook.db'}'\n"
    )
    return tmp_path


def graded(student: str, score: float = 2.0) -> GradingResult:
    return GradingResult(
        student,
        True,
        grades=[GradeRecord("nb", "test1", score, False), GradeRecord("nb", "answer", None, True)],
        comments=[("nb", "code1", "No comment")],
        penalties={"nb": 0.5},
        timestamp="2026-11-30 12:00:00 UTC",
    )


def rows(course: Path, student: str) -> dict[str, tuple]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE) as gb:
        submission = gb.find_submission("a1", student)
        (notebook,) = submission.notebooks
        return {
            **{g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades},
            **{f"comment {c.name}": c.auto_comment for c in notebook.comments},
            "penalty": notebook.late_submission_penalty,
            "timestamp": str(submission.timestamp),
        }


def test_a_new_submission_gets_nbgraders_rows_and_its_scores(course):
    writer = GradebookWriter(course)
    writer.write_grades("a1", graded("ada"), "ada")
    writer.write_grades("a1", None, "ben")  # not graded: 0 in every autograded cell
    writer.close()
    assert rows(course, "ada") == {
        "test1": (2.0, None, False),
        "answer": (None, None, True),
        "task": (0.0, None, False),
        "comment answer": None,
        "comment code1": "No comment",
        "comment task": None,
        "penalty": 0.5,
        "timestamp": "2026-11-30 12:00:00",
    }
    assert rows(course, "ben")["test1"] == (0.0, None, False)
    audit = audit_class(f"sqlite:///{course / 'gradebook.db'}", COURSE, "a1", ["ada", "ben"])
    assert audit.whole and (audit.submissions, audit.grades) == (2, 6), audit.describe()


def test_grading_again_updates_the_same_rows_and_keeps_a_persons_score(course):
    writer = GradebookWriter(course)
    writer.write_grades("a1", graded("ada"), "ada")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE) as gb:  # a TA, in the formgrader
        grade = gb.find_grade("test1", "nb", "a1", "ada")
        grade.manual_score, grade.needs_manual_grade = 1.5, False
        gb.db.commit()
    writer.write_grades("a1", graded("ada", score=0.0), "ada")
    writer.close()
    assert rows(course, "ada")["test1"] == (0.0, 1.5, True)  # kept, flagged for another look
    audit = audit_class(f"sqlite:///{course / 'gradebook.db'}", COURSE, "a1", ["ada"])
    assert audit.whole and audit.grades == 3, audit.describe()


def test_a_write_that_fails_half_way_leaves_nothing_of_the_submission(course, monkeypatch):
    writer = GradebookWriter(course)
    fill = GradebookWriter._fill

    def disk_full_after_the_rows(gb, assignment, result, student):  # every row of the submission is in the session
        fill(gb, assignment, result, student)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GradebookWriter, "_fill", staticmethod(disk_full_after_the_rows))
    with pytest.raises(OSError, match="No space left"):
        writer.write_grades("a1", graded("ada"), "ada")
    monkeypatch.undo()
    writer.write_grades("a1", graded("ben"), "ben")  # the writer goes on with the next submission
    writer.close()
    audit = audit_class(f"sqlite:///{course / 'gradebook.db'}", COURSE, "a1", ["ada", "ben"])
    assert audit.missing == ["ada"] and audit.submissions == 1 and not audit.incomplete, audit.describe()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE) as gb:
        assert [s.id for s in gb.students] == ["ben"]
