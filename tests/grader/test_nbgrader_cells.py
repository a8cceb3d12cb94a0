"""grader.common.cells: nbgrader's markers parsed once, and the course's grade ids."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.common.cells import (
    grade_id_of,
    hidden_tests,
    solution_code,
    solutions,
    strip_hidden_tests,
    task_name,
    visible_check_task,
)
from tests.support import grader_cell

ANSWER = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n    # after"


def test_the_model_answer_keeps_the_solution_and_drops_only_the_marker_lines():
    assert solution_code(ANSWER) == "def f(x):\n    return 2 * x\n    # after"


def test_strip_hidden_tests_keeps_visible_lines():
    source = "assert a\n### BEGIN HIDDEN TESTS\nassert secret\n### END HIDDEN TESTS\nassert b"
    assert strip_hidden_tests(source) == ("assert a\nassert b", True)
    assert strip_hidden_tests("assert a") == ("assert a", False)


def test_hidden_tests_are_between_nbgrader_markers():
    assert hidden_tests("check(f)") == "### BEGIN HIDDEN TESTS\ncheck(f)\n### END HIDDEN TESTS"


def test_solutions_of_a_notebook_by_grade_id():
    nb = new_notebook(
        cells=[
            grader_cell(new_code_cell(ANSWER), "f", solution=True),
            grader_cell(new_code_cell("assert f(1) == 2"), "f_visible", grade=True, points=1),
            new_code_cell("print('no metadata')"),
        ]
    )
    assert solutions(nb) == {"f": "def f(x):\n    return 2 * x\n    # after"}
    assert [grade_id_of(c) for c in nb.cells] == ["f", "f_visible", None]


@pytest.mark.parametrize(
    "grade_id, task, visible",
    [
        ("train_visible", "train", "train"),
        ("train_hidden", "train", None),
        ("train_hidden_sgd", "train", None),
        ("make_test_data_visible", "make_test_data", "make_test_data"),
        ("exp1_task", "exp1", None),
        ("quiz", "quiz", None),
        ("x_visible_2", "x", None),
    ],
)
def test_a_grade_id_names_its_task(grade_id, task, visible):
    assert (task_name(grade_id), visible_check_task(grade_id)) == (task, visible)
