"""Feedback that students may see: hidden tests are scored but their code is never shown.

:class:`HideHiddenTests` is the preprocessor that ``nbgrader_config.py`` adds to nbgrader's feedback
step; :func:`generate_feedback` runs that step for a list of students.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader.utils import is_grade, is_task
from traitlets import Bool, Unicode

from grader.autograde.pool import worker_pool
from grader.common.cells import grade_id_of, notebook_title, strip_hidden_tests
from grader.common.config import load_config
from grader.common.logs import assignment_log, relative_log_path
from grader.common.nbgrader_api import Gradebook, last_error_line, nbgrader_api
from grader.common.statuses import GRADED, TOO_LARGE, WRONG_ASSIGNMENT, Outcome, load_statuses
from grader.report.feedback_summary import stop_notes, task_rows
from grader.report.mathml import sub_outside_code
from grader.report.term import late_penalty

log = logging.getLogger(__name__)

HIDDEN_NOTICE = "# Hidden tests ran here when your notebook was graded; their result is below."
#: A Markdown image from the network, ``![alt](https://...)`` (an address may hold balanced parentheses): its alt text.
REMOTE_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:https?:)?//(?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)", re.I)


class FeedbackExporter(HTMLExporter):
    """The exporter of the feedback pages (``c.GenerateFeedback.exporter_class``): nbgrader's HTML exporter, as a
    class of its own so that ``nbgrader_config.py`` can give it the course's template without giving it to the
    formgrader, whose pages are rendered by ``HTMLExporter`` with templates of their own."""


class HideHiddenTests(Preprocessor):
    """nbgrader feedback preprocessor: blank hidden tests and shorten their tracebacks.

    In a cell that held hidden tests, the hidden lines are removed (a notice stands in for them
    when nothing else is left) and every error output keeps only its last line (``AssertionError: message``),
    because a full traceback
    quotes the failing test's code.
    """

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        """Clean one cell."""
        if cell.cell_type != "code":
            return cell, resources
        source, found = strip_hidden_tests(cell.source)
        if found:
            cell.source = source.rstrip() or HIDDEN_NOTICE
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class RemoteImagesAsText(Preprocessor):
    """nbgrader feedback preprocessor: a Markdown image from the network (the "Open in Colab" badge) becomes its alt
    text, outside code, so that the page, opened offline from the LMS, shows words instead of a broken image; the
    badge's link stays a link. The page's Content-Security-Policy (the course's template) is what keeps it from loading
    anything else, a student's HTML included; formulas are MathML, and the template leaves MathJax out."""

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        """Rewrite the remote images of one markdown cell."""
        if cell.cell_type == "markdown":
            cell.source = sub_outside_code(REMOTE_IMAGE, lambda image: image.group(1), cell.source)
        return cell, resources


class MarkPendingGrades(Preprocessor):
    """nbgrader feedback preprocessor, after ``GetGrades``: mark each hand-graded answer that no grader has
    scored yet (``pending``), and total the points over what has been graded.

    The course's feedback template (``grader/templates/feedback/course_feedback.html.j2``) then says
    "not graded yet" for those answers instead of a score of 0, and shows the total out of the graded
    points, with the points still to be graded beside it.
    """

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled").tag(config=True)

    def preprocess(self, nb, resources):
        """Mark the pending cells and set ``graded_max_score`` and ``pending_points`` in the resources."""
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            pending = {
                grade.name
                for grade in gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"]).grades
                if grade.needs_manual_grade
            }
            points = 0.0
            for cell in nb.cells:
                if grade_id_of(cell) in pending and (is_grade(cell) or is_task(cell)):
                    cell.metadata.nbgrader["pending"] = True
                    points += float(cell.metadata.nbgrader.get("points") or 0)
        info["pending_points"] = points
        info["graded_max_score"] = info["max_score"] - points
        return nb, resources


class SummariseTasks(Preprocessor):
    """nbgrader feedback preprocessor, after ``MarkPendingGrades`` and before ``HideHiddenTests``: the page's title
    (``resources["nbgrader"]["title"]``, the notebook's first heading) and the summary that opens the page
    (``resources["nbgrader"]["summary"]``): a row per task
    (:func:`grader.report.feedback_summary.task_rows`), where grading stopped the notebook, the submission's status
    when it is not ``graded`` (:func:`verdict`), the review flags grading recorded for this submission, and the late
    penalty of the course's policy (``[tool.course.term]``, as the term gradebook applies it)."""

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled").tag(config=True)
    course_root = Unicode("", help="the course folder, where grades/<assignment>-status.json is").tag(config=True)

    def preprocess(self, nb, resources):
        """Set the title and the summary in the resources; the notebook is unchanged."""
        info = resources["nbgrader"]
        info["title"] = notebook_title(nb) or info["notebook"]
        root = Path(self.course_root or ".")
        outcome = load_statuses(root, info["assignment"]).get(info["student"])
        with Gradebook(info["db_url"]) as gb:
            seconds_late = gb.find_submission(info["assignment"], info["student"]).total_seconds_late
        per_day = load_config(root).late_penalty_per_day
        days, penalty = late_penalty(info["score"], seconds_late, per_day)
        info["summary"] = {
            "rows": task_rows(nb),
            "stops": stop_notes(nb),
            "verdict": verdict(outcome),
            "flags": outcome.flags if outcome else [],
            "late": {"days": days, "points": penalty, "per_day": per_day} if days and per_day else None,
        }
        return nb, resources


def verdict(outcome: Outcome | None) -> str:
    """What the page says first when the submission's status is not ``graded``: the status and its reason, and
    for a submission graded as the release in its place, that this page shows the release."""
    if outcome is None or outcome.status == GRADED:
        return ""
    text = f"{outcome.status[0].upper()}{outcome.status[1:]}: {outcome.reason}"
    if outcome.status in (WRONG_ASSIGNMENT, TOO_LARGE):
        text += ". Your notebook could not be graded; this page shows the release notebook, graded in its place"
    return text


def _feedback_of(root: Path, assignment: str, students: list[str]) -> dict[str, tuple[str, str]]:
    """nbgrader's feedback step for ``students``, in a worker process; the failures: each its line and its details."""
    api = nbgrader_api(root)
    failures = {}
    for student in students:
        result = api.generate_feedback(assignment, student, force=True)
        if not result["success"]:
            details = f"{result.get('log') or ''}\n{result.get('error') or ''}".strip()
            failures[student] = (last_error_line(result), details)
    return failures


def generate_feedback(root: Path, assignment: str, students: list[str]) -> dict[str, str]:
    """Write ``feedback/<student>/<assignment>/*.html`` (hidden tests removed), the students shared out among this
    process's worker processes (:mod:`grader.autograde.pool`: those grading left, else one per core); return the
    failures, each a line that says where its log is (nbgrader's log of it goes to ``grades/<assignment>-log.txt``)."""
    failures = {}
    with assignment_log(root, assignment), worker_pool(None) as pool:
        log.info("feedback for %d student(s)", len(students))
        shares = [students[i :: pool._max_workers] for i in range(pool._max_workers)]
        futures = {pool.submit(_feedback_of, root, assignment, share): share for share in shares if share}
        for future, share in futures.items():
            try:
                failed = future.result()
            except BrokenProcessPool:  # a worker died: this process writes its share, one student after another
                log.warning("a worker process died writing feedback; written here instead for %s", ", ".join(share))
                failed = _feedback_of(root, assignment, share)
            for student, (line, details) in failed.items():
                log.error("%s: nbgrader generate_feedback failed:\n%s", student, details)
                failures[student] = f"{line} (details in {relative_log_path(root, assignment)})"
    return {student: failures[student] for student in students if student in failures}
