"""The hidden test cells are calls into ``grader.checks``, one per check, and the checks never reach students."""

from __future__ import annotations

import nbformat
import pytest

from grader.checks import assignments, checks_of, hidden_call
from tests.support import ROOT

HIDDEN = "### BEGIN HIDDEN TESTS"


def cells(folder: str, assignment: str) -> list:
    return nbformat.read(ROOT / folder / assignment / f"{assignment}.ipynb", as_version=4).cells


@pytest.mark.parametrize("assignment", assignments())
def test_every_hidden_cell_calls_its_check_and_every_check_has_a_cell(assignment):
    hidden = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in cells("source", assignment)
        if HIDDEN in cell.source
    }
    assert sorted(hidden) == sorted(checks_of(assignment))
    for grade_id, source in hidden.items():
        assert source.endswith(hidden_call(assignment, grade_id)), grade_id


@pytest.mark.parametrize("assignment", assignments())
def test_the_release_holds_no_check(assignment):
    released = "".join(cell.source for cell in cells("release", assignment))
    assert "grader" not in released and HIDDEN not in released
