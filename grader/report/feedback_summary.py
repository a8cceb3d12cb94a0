"""The table that opens a feedback page: one row per task, what it scored and why, in words.

:func:`task_rows` reads a graded notebook after nbgrader's ``GetGrades`` and the course's ``MarkPendingGrades``
(scores, points, pending marks and graders' comments in each cell's metadata) and groups its graded cells under
the nearest heading above them, the task's name ("Task 3: SGD with momentum and Adam, by hand"). A failing
check is shown by the first line of its message only, never by its code. :func:`stop_notes` says in words why a
notebook stopped early. The template ``grader/templates/feedback/course_feedback.html.j2`` renders both.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from nbformat import NotebookNode
from nbgrader.utils import is_grade, is_solution, is_task

from grader.common.cells import grade_id_of
from grader.common.statuses import CELL_TIMEOUT_ERROR, KERNEL_STOPPED_ERROR, NOT_RUN_ERROR

HEADING = re.compile(r"^(?P<level>#{1,3})\s+(?P<name>.+?)\s*$", re.M)
#: The points that close a heading: "(9 points)", "(5 points, graded by hand)".
POINTS = re.compile(r"\s*\(\d+(?:\.\d+)?\s+points?\b[^)]*\)\s*$")
#: A cell that did not run names why in brackets at its end: "(<status>: <reason>)".
STOP_REASON = re.compile(r"\((?P<why>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*$")
CELL = re.compile(r"\bcell (\d+)\b")
MESSAGE_LENGTH = 240


@dataclass
class TaskRow:
    """One task of the summary."""

    name: str
    anchor: str  # the name of the anchor of its first graded cell on the page
    score: float = 0.0
    points: float = 0.0
    pending: bool = False  # hand grading not done yet
    by_hand: bool = False
    not_reached: str = ""  # why its cells did not run, in short: "timed out in cell 33"
    messages: list[str] = field(default_factory=list)  # first lines of the failing checks' messages
    comments: list[str] = field(default_factory=list)  # graders' comments (markdown)

    @property
    def name_html(self) -> str:
        """The name as HTML, its markdown code spans as ``<code>``."""
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.name))

    @property
    def points_text(self) -> str:
        """``"7 / 10"``, or ``"? / 12"`` while hand grading is pending."""
        got = "?" if self.pending else f"{self.score:g}"
        return f"{got} / {self.points:g}"

    @property
    def status(self) -> str:
        """The row's status in words."""
        if self.pending:
            return "not graded yet (graded by hand)"
        if self.by_hand:
            return "graded by hand"
        lost = self.points - self.score
        if self.not_reached and lost > 0:
            return f"not reached: the notebook stopped before it ({self.not_reached})"
        if lost <= 0:
            return "passed"
        return f"lost {lost:g} point{'s' if lost != 1 else ''}"


def heading_name(heading: str) -> str:
    """A heading without the points it closes with: "Task 1: activations (9 points)" -> "Task 1: activations"."""
    return POINTS.sub("", heading).strip()


def cell_heading(markdown: str) -> str:
    """The name of the section that a markdown cell opens: its last heading of the highest level below the title
    ("## Experiment 1 ... ### What to write" -> "Experiment 1 ..."), else its title; "" without a heading."""
    found = [(len(match["level"]), match["name"]) for match in HEADING.finditer(markdown)]
    sections = [(level, name) for level, name in found if level > 1] or found
    if not sections:
        return ""
    top = min(level for level, _ in sections)
    return heading_name([name for level, name in sections if level == top][-1])


def error_message(output: NotebookNode) -> str:
    """An error output's first line, without the name of an AssertionError (its message is the check's words)."""
    lines = (output.get("evalue") or "").strip().splitlines()
    first = lines[0] if lines else ""
    if output.get("ename") != "AssertionError" or not first:
        first = f"{output.get('ename', 'Error')}: {first}".rstrip(": ")
    return first if len(first) <= MESSAGE_LENGTH else first[: MESSAGE_LENGTH - 1] + "…"


def stopped_because(evalue: str, not_run: bool = False) -> str:
    """Why a notebook stopped, in short ("timed out in cell 33"), from a ``KernelStopped`` output's message
    ("timed out: cell 33 ran past ...") or, with ``not_run``, a ``NotRun`` one ("... (timed out: cell 33 ...)")."""
    found = STOP_REASON.search(evalue) if not_run else None
    why = found.group("why") if found else evalue
    kind, _, reason = why.partition(": ")
    cell = CELL.search(reason)
    return f"{kind} in cell {cell.group(1)}" if cell else kind


def note_failure(row: TaskRow, cell: NotebookNode) -> None:
    """Add to ``row`` why its autograded ``cell`` lost points: the notebook had stopped, or a check's message."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        if output.get("ename") in (NOT_RUN_ERROR, KERNEL_STOPPED_ERROR):
            why = stopped_because(output.get("evalue", ""), not_run=output.get("ename") == NOT_RUN_ERROR)
            row.not_reached = row.not_reached or why
        elif (message := error_message(output)) not in row.messages:
            row.messages.append(message)


def task_rows(nb: NotebookNode) -> list[TaskRow]:
    """The notebook's graded cells grouped by task, in their order on the page."""
    rows: dict[str, TaskRow] = {}
    heading = ""
    for cell in nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        graded = is_grade(cell) or is_task(cell)
        if cell.cell_type == "markdown":  # a task cell may hold its own heading
            heading = cell_heading(cell.source) or heading
        if not graded:
            continue
        grade_id = grade_id_of(cell)
        anchor = grade_id if is_grade(cell) else f"comment-{grade_id}"
        row = rows.setdefault(heading, TaskRow(heading or "Your notebook", anchor))
        score, points = float(nbgrader.get("score") or 0), float(nbgrader.get("points") or 0)
        row.score, row.points = row.score + score, row.points + points
        row.pending |= bool(nbgrader.get("pending"))
        by_hand = is_task(cell) or is_solution(cell)
        row.by_hand |= by_hand
        if nbgrader.get("comment"):
            row.comments.append(nbgrader["comment"])
        if not by_hand and score < points:
            note_failure(row, cell)
    return list(rows.values())


def stop_notes(nb: NotebookNode) -> list[str]:
    """In words, each place where grading stopped a cell or the notebook: a cell past its time, a kernel stopped."""
    notes = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error" and output.get("ename") == KERNEL_STOPPED_ERROR:
                notes.append(f"Grading stopped your notebook in cell {index}: {output.get('evalue', '')}.")
            elif output.get("output_type") == "error" and output.get("ename") == CELL_TIMEOUT_ERROR:
                notes.append(f"Cell {index} was interrupted: {output.get('evalue', '')}.")
    return notes
