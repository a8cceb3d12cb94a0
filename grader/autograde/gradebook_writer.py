"""The course gradebook as grading writes it: one connection for a grading run, one transaction per submission.

A submission's grades reach the gradebook whole or not at all: its student, its submission and the rows nbgrader
makes for one (:meth:`nbgrader.api.Gradebook.add_submission` commits them on their own, which would leave a
submission without scores if grading stopped before its scores were written), its scores, comments and late
penalties are added in one session and committed once. One engine for the run keeps the statements compiled and
the connection open, so a write costs a few queries, not a new connection.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook
from nbgrader.utils import parse_utc

from grader.autograde.worker import GradingResult
from grader.common.nbgrader_api import Gradebook, nbgrader_api, quiet_sqlalchemy


class GradebookWriter:
    """Writes the grades of a course's submissions (``root``: the course folder), opening its gradebook on the first
    write; :meth:`close` ends the connection."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._gradebook: Gradebook | None = None

    def gradebook(self) -> Gradebook:
        """The course gradebook, opened once."""
        if self._gradebook is None:
            api = nbgrader_api(self.root)
            with quiet_sqlalchemy():
                self._gradebook = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
        return self._gradebook

    def write_grades(self, assignment: str, result: GradingResult | None, student: str) -> None:
        """Write one submission's grades in one transaction (see the module's docstring). A submission that was not
        graded gets 0 in every autograded cell; a score a person gave stays, flagged for another look, as nbgrader
        does."""
        gb = self.gradebook()
        with quiet_sqlalchemy():
            try:
                with gb.db.no_autoflush:
                    self._fill(gb, assignment, result, student)
                gb.db.commit()
            except BaseException:  # nothing of this submission stays half-written
                gb.db.rollback()
                raise

    @staticmethod
    def _fill(gb: Gradebook, assignment: str, result: GradingResult | None, student: str) -> None:
        """Add or update the submission's rows in the session, without committing."""
        db = gb.db
        record = db.get(Student, student) or _added(db, Student(id=student))
        released = gb.find_assignment(assignment)
        submission = (
            db.query(SubmittedAssignment)
            .filter(SubmittedAssignment.assignment_id == released.id, SubmittedAssignment.student_id == student)
            .one_or_none()
        )
        submission = submission or _added(db, SubmittedAssignment(assignment=released, student=record))
        if result is not None and result.timestamp:
            submission.timestamp = parse_utc(result.timestamp)
        notebooks = {nb.notebook_id: nb for nb in submission.notebooks}
        ids = [nb.id for nb in notebooks.values()]
        grades = {(g.notebook_id, g.cell_id): g for g in db.query(Grade).filter(Grade.notebook_id.in_(ids))}
        comments = {(c.notebook_id, c.cell_id): c for c in db.query(Comment).filter(Comment.notebook_id.in_(ids))}
        scores = {(g.notebook, g.name): g for g in (result.grades if result else [])}
        texts = {(n, c): text for n, c, text in (result.comments if result else [])}
        for notebook in released.notebooks:
            row = notebooks.get(notebook.id) or _added(db, SubmittedNotebook(notebook=notebook, assignment=submission))
            row.late_submission_penalty = (result.penalties.get(notebook.name) if result else None) or 0.0
            for cell in [*notebook.grade_cells, *notebook.task_cells]:
                grade = grades.get((row.id, cell.id)) or _added(db, Grade(cell=cell, notebook=row))
                score = scores.get((notebook.name, cell.name))
                if score is not None:
                    grade.auto_score = score.auto_score
                    grade.needs_manual_grade = score.needs_manual_grade or grade.manual_score is not None
                else:  # nothing graded it: 0, as nbgrader gives a missing notebook
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
            for cell in [*notebook.solution_cells, *notebook.task_cells]:
                comment = comments.get((row.id, cell.id)) or _added(db, Comment(cell=cell, notebook=row))
                comment.auto_comment = texts.get((notebook.name, cell.name))

    def close(self) -> None:
        """End the session and the connections, if the gradebook was opened."""
        if self._gradebook is not None:
            self._gradebook.close()
            self._gradebook.engine.dispose()
            self._gradebook = None


def _added(session, row):
    """``row``, added to ``session`` (SQLAlchemy 2 adds no object to a session through the other end of a
    relationship)."""
    session.add(row)
    return row
