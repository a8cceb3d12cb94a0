"""The table that opens a feedback page: tasks named by their headings, results in words, no hidden code."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.report.feedback_summary import (
    cell_heading,
    error_message,
    heading_name,
    stop_notes,
    stopped_because,
    task_rows,
)


def graded(cell, grade_id: str, points: float, score: float, **extra):
    """``cell`` as a graded cell after nbgrader's GetGrades (score and points in its metadata)."""
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "points": points,
        "score": score,
        "solution": False,
        "locked": True,
        **extra,
    }
    return cell


def error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def test_heading_name_drops_the_points_it_closes_with():
    assert (
        heading_name("Task 1: activations and their derivatives (9 points)")
        == "Task 1: activations and their derivatives"
    )
    assert heading_name("Experiment 2: noisy XOR (5 points, graded by hand)") == "Experiment 2: noisy XOR"
    assert heading_name("Task 4: the (2,1) network (10 points)") == "Task 4: the (2,1) network"
    assert heading_name("Further reading") == "Further reading"


def test_a_cell_names_the_section_it_opens():
    assert cell_heading("# Lab: deep (100 points)\n\n## Task 1: activations (9 points)\n\nWrite...") == (
        "Task 1: activations"
    )
    assert cell_heading("## Experiment 1: why (9 points, graded by hand)\n\n### What to write") == "Experiment 1: why"
    assert cell_heading("# Project 1 (100 points)") == "Project 1"
    assert cell_heading("Text with a # sign, no heading") == ""


def test_error_message_is_the_first_line_and_names_errors_other_than_assertions():
    assert error_message(error("AssertionError", "the noise variance is 0.0016\nmore detail")) == (
        "the noise variance is 0.0016"
    )
    assert error_message(error("NameError", "name 'train' is not defined")) == (
        "NameError: name 'train' is not defined"
    )
    assert error_message(error("AssertionError", "")) == "AssertionError"
    assert error_message(error("AssertionError", "x" * 500)).endswith("…")


def test_stopped_because_says_what_stopped_the_notebook_and_where():
    assert stopped_because("timed out: cell 33 ran past the per-cell time limit of 120 s") == "timed out in cell 33"
    assert (
        stopped_because(
            "this cell did not run: the notebook had stopped (out of memory: cell 12 used (about) 2 GB)", not_run=True
        )
        == "out of memory in cell 12"
    )
    assert stopped_because("timed out: stopped after 600 s of CPU time, the limit for a whole submission") == (
        "timed out"
    )


def lab() -> nbformat.NotebookNode:
    """A small graded lab: an autograded task that lost a point, a passed one, a hand-graded one, and one that the
    notebook never reached."""
    visible = graded(new_code_cell("assert f(1) == 2"), "f_visible", 1, 1)
    hidden = graded(
        new_code_cell("### BEGIN HIDDEN TESTS\nassert secret_check(f)\n### END HIDDEN TESTS"), "f_hidden", 2, 1
    )
    hidden.outputs = [error("AssertionError", "f(-1) must be 0, not -2\n(the check's second line)")]
    crash = graded(new_code_cell("check_g(g)"), "g_hidden", 3, 3)
    answer = graded(new_markdown_cell("Because..."), "why", 5, 0, solution=True, pending=True)
    answer_graded = graded(new_markdown_cell("Since..."), "how", 4, 3, solution=True, comment="Say *why* it fits.")
    stopped = graded(new_code_cell("check_h(h)"), "h_hidden", 6, 0)
    stopped.outputs = [error("KernelStopped", "timed out: cell 9 ran past the per-cell time limit of 120 s")]
    unrun = graded(new_code_cell("check_h2(h)"), "h_hidden_more", 2, 0)
    unrun.outputs = [
        error("NotRun", "this cell did not run: the notebook had stopped (timed out: cell 9 ran past the limit)")
    ]
    return new_notebook(
        cells=[
            new_markdown_cell("# Lab: small (23 points)"),
            new_markdown_cell("## Task 1: the function `f` (3 points)\n\nWrite `f`."),
            new_code_cell("def f(x): ..."),
            visible,
            hidden,
            new_markdown_cell("## Task 2: g (3 points)"),
            crash,
            new_markdown_cell("## Experiment 1: why it works (9 points, graded by hand)\n\n### What to write"),
            answer,
            answer_graded,
            new_markdown_cell("## Task 3: h (8 points)"),
            stopped,
            unrun,
        ]
    )


def test_rows_name_each_task_by_its_heading_with_its_points_and_status():
    rows = task_rows(lab())
    assert [(row.name, row.points_text, row.status) for row in rows] == [
        ("Task 1: the function `f`", "2 / 3", "lost 1 point"),
        ("Task 2: g", "3 / 3", "passed"),
        ("Experiment 1: why it works", "? / 9", "not graded yet (graded by hand)"),
        ("Task 3: h", "0 / 8", "not reached: the notebook stopped before it (timed out in cell 9)"),
    ]
    assert rows[0].name_html == "Task 1: the function <code>f</code>"
    assert [row.anchor for row in rows] == ["f_visible", "g_hidden", "why", "h_hidden"]


def test_a_failed_check_shows_its_message_only_never_its_code():
    rows = task_rows(lab())
    assert rows[0].messages == ["f(-1) must be 0, not -2"]
    assert "secret_check" not in str(rows)
    assert rows[3].messages == []  # a notebook that stopped says so once, not as a check's message


def test_hand_graded_rows_show_the_score_and_comment_once_entered():
    nb = lab()
    nb.cells[8].metadata.nbgrader.update(pending=False, score=5)
    row = task_rows(nb)[2]
    assert (row.points_text, row.status, row.comments) == ("8 / 9", "graded by hand", ["Say *why* it fits."])


def test_stop_notes_say_where_grading_stopped_a_cell_or_the_notebook():
    nb = lab()
    slow = new_code_cell("train()")
    slow.outputs = [error("CellTimeoutError", "this cell used more than 120 s of CPU time and was interrupted")]
    nb.cells.insert(3, slow)
    assert stop_notes(nb) == [
        "Cell 3 was interrupted: this cell used more than 120 s of CPU time and was interrupted.",
        "Grading stopped your notebook in cell 12: timed out: cell 9 ran past the per-cell time limit of 120 s.",
    ]
