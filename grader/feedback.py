"""Feedback that students may see: hidden tests are scored but their code is never shown.

:class:`HideHiddenTests` is the preprocessor that ``nbgrader_config.py`` adds to nbgrader's feedback
step; :func:`generate_feedback` runs that step for a list of students.
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from grader.nbgrader_api import last_error_line, nbgrader_api

BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
HIDDEN_NOTICE = "# Hidden tests ran here when your notebook was graded; their result is below."


def strip_hidden_tests(source: str) -> tuple[str, bool]:
    """Remove every hidden-test region (markers included) from a cell's source.

    Returns the new source and whether anything was removed.
    """
    kept, hidden, found = [], False, False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            hidden = found = True
        elif END_HIDDEN in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept), found


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


def generate_feedback(root: Path, assignment: str, students: list[str]) -> dict[str, str]:
    """Write ``feedback/<student>/<assignment>/*.html`` (hidden tests removed); return failures."""
    api = nbgrader_api(root)
    failures = {}
    for student in students:
        result = api.generate_feedback(assignment, student, force=True)
        if not result["success"]:
            failures[student] = last_error_line(result)
    return failures
