"""nbgrader's cells as the grader reads them: their metadata through :mod:`nbgrader.utils` (``is_grade``,
``is_solution``, ``is_task``, ``is_locked``), their grade id, and the one parser of nbgrader's region markers
(``### BEGIN SOLUTION`` ... ``### END SOLUTION``, ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``),
whose words are nbgrader's own defaults (``ClearSolutions``, ``ClearHiddenTests``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from nbgrader.utils import is_solution

#: The course's grade ids: ``<task>_<kind>`` or ``<task>_<kind>_<detail>``, the kind ``visible`` (a check the
#: student sees), ``hidden`` (the hidden tests) or ``task`` (a hand-graded task cell); others name a task whole.
GRADE_ID = re.compile(r"^(?P<task>.+)_(?P<kind>visible|hidden|task)(?:_(?P<detail>\w+))?$")
SOLUTION = (ClearSolutions.begin_solution_delimeter.default_value, ClearSolutions.end_solution_delimeter.default_value)
HIDDEN_TESTS = (ClearHiddenTests.begin_test_delimeter.default_value, ClearHiddenTests.end_test_delimeter.default_value)


def notebook_title(nb: NotebookNode) -> str | None:
    """The text of the notebook's first markdown heading (``# Project 1: ...``; not a ``#`` line of a fenced code
    block, nor a closing run of ``#``), or ``None`` when it has none."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            prose = re.sub(r"^(```|~~~).*?^\1", "", cell.source, flags=re.MULTILINE | re.DOTALL)
            match = re.search(r"^#+\s+(.+?)(?:\s+#+)?\s*$", prose, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return None


def grade_id_of(cell: NotebookNode) -> str | None:
    """The nbgrader grade id of a cell (None for a cell the grader does not know)."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def task_name(grade_id: str) -> str:
    """The task a grade cell belongs to: ``train_visible``, ``train_hidden`` and ``train_hidden_sgd`` -> ``train``."""
    match = GRADE_ID.match(grade_id)
    return match["task"] if match else grade_id


def visible_check_task(grade_id: str) -> str | None:
    """The task whose visible check the cell ``grade_id`` is (``train_visible`` -> ``train``), else None."""
    match = GRADE_ID.match(grade_id)
    return match["task"] if match and match["kind"] == "visible" and not match["detail"] else None


def regions(source: str, markers: tuple[str, str]) -> Iterator[tuple[str, bool]]:
    """Each line of ``source`` that is no marker line, and whether it lies inside a ``markers`` region (a line that
    contains the begin or end word is a marker line, as for nbgrader)."""
    begin, end = markers
    inside = False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        else:
            yield line, inside


def solution_code(source: str) -> str:
    """The model answer of a source answer cell: its source without the solution markers."""
    return "\n".join(line for line, _ in regions(source, SOLUTION))


def strip_hidden_tests(source: str) -> tuple[str, bool]:
    """A cell's source without its hidden-test regions (markers included), and whether it had one."""
    kept = [line for line, hidden in regions(source, HIDDEN_TESTS) if not hidden]
    return "\n".join(kept), HIDDEN_TESTS[0] in source


def hidden_tests(code: str) -> str:
    """``code`` as a hidden-test region, between nbgrader's markers."""
    begin, end = HIDDEN_TESTS
    return f"### {begin}\n{code}\n### {end}"


def solutions(nb: NotebookNode) -> dict[str, str]:
    """The model answer of every answer cell of a source notebook, by grade id."""
    return {grade_id_of(cell): solution_code(cell.source) for cell in nb.cells if is_solution(cell)}
