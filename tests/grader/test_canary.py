"""The canary's verdict without a kernel: what kept the reference solution from full marks, in one line."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from grader.autograde.canary import canary_problem
from grader.autograde.worker import GradeRecord, GradingResult
from grader.common import statuses
from tests.support import grader_cell

MAX = {("lab", "f_hidden"): 3.0, ("lab", "g_hidden"): 2.0}


def graded(scores: dict[str, float], error: str = "", experiments_skipped=()) -> GradingResult:
    """A worker's result for the reference: its scores, and an autograded notebook whose f_hidden printed
    ``error``."""
    cell = grader_cell(new_code_cell("check(f)"), "f_hidden", grade=True, points=3)
    if error:
        name, value = error.split(": ", 1)
        cell.outputs = [new_output("error", ename=name, evalue=value, traceback=[])]
    notebook = nbformat.writes(new_notebook(cells=[cell])).encode()
    return GradingResult(
        "reference-solution-canary",
        True,
        grades=[GradeRecord("lab", name, score, False) for name, score in scores.items()],
        files={"lab.ipynb": notebook},
        report=statuses.KernelReport(experiments_skipped=list(experiments_skipped)),
    )


def test_full_marks_is_no_problem():
    assert canary_problem(graded({"f_hidden": 3.0, "g_hidden": 2.0}), statuses.GRADED, "", MAX) == ""


def test_the_first_short_test_cell_is_named_with_its_error_and_the_others_counted():
    result = graded({"f_hidden": 0.0, "g_hidden": 1.0}, error="AssertionError: f(2) must be 4")
    assert canary_problem(result, statuses.GRADED, "", MAX) == (
        "test cell f_hidden of lab.ipynb scored 0 of 3: AssertionError: f(2) must be 4 (and 1 more test cell(s))"
    )


def test_a_name_only_an_experiment_assigns_is_explained():
    result = graded({"f_hidden": 0.0, "g_hidden": 2.0}, "NameError: name 'results' is not defined", [4])
    problem = canary_problem(result, statuses.GRADED, "", MAX)
    assert "the test reads 'results', which no cell that runs at grading defines" in problem


def test_a_stopped_or_failed_reference_says_its_status():
    stopped = graded({})
    assert canary_problem(stopped, statuses.TIMED_OUT, "cell 7 ran past", MAX) == "timed out: cell 7 ran past"
    failed = GradingResult("reference-solution-canary", False, error="KeyError: 'x'")
    assert canary_problem(failed, statuses.GRADER_ERROR, "", MAX) == "grader error: KeyError: 'x'"
