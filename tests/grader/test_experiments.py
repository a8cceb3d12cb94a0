"""Experiment cells without a kernel: which cells are experiments, the release's static check that no graded cell
needs one, the "experiments not run" flag, tags a student cannot change, outputs kept through nbgrader's
sanitizing step, and every assignment's experiments tagged as the release needs them."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader import cli
from grader.common.assignments import graded_assignment_names
from grader.common.experiments import (
    EXPERIMENT_TAG,
    NOT_RUN_FLAG,
    KeepExperimentOutputs,
    experiment_dependencies,
    experiments_not_run,
    is_experiment,
    names_of,
    not_run_flag,
    sync_experiment_tags,
)
from tests.support import ROOT, grader_cell

GRADED_ASSIGNMENTS = graded_assignment_names(ROOT)


def lab(test_source: str = "assert double(2) == 4", experiment: str = "results = [double(i) for i in range(3)]"):
    """A small lab: an answer, a test, an experiment cell and a hand-graded plot that reads its results."""
    return new_notebook(
        cells=[
            grader_cell(new_code_cell("import numpy as np\n%matplotlib inline"), "imports"),
            grader_cell(new_code_cell("def double(x):\n    return 2 * x"), "double", solution=True),
            grader_cell(new_code_cell(test_source), "double_hidden", grade=True, points=2),
            grader_cell(new_code_cell(experiment), "exp_run", tags=[EXPERIMENT_TAG]),
            grader_cell(
                new_code_cell("print(results)"), "exp_plot", grade=True, solution=True, points=5, tags=[EXPERIMENT_TAG]
            ),
        ]
    )


def test_an_experiment_is_a_tagged_code_cell_and_never_a_test():
    nb = lab()
    assert [is_experiment(cell) for cell in nb.cells] == [False, False, False, True, True]
    nb.cells[2].metadata["tags"] = [EXPERIMENT_TAG]  # a test cell runs whatever its tags say
    assert not is_experiment(nb.cells[2])
    assert not is_experiment(new_markdown_cell("text", metadata={"tags": [EXPERIMENT_TAG]}))


def test_names_are_read_through_magics_functions_and_comprehensions():
    assigned, read = names_of(
        "%matplotlib inline\nfrom a import b as c\ndef f(x):\n    return x + y\nz = [w for w in q]"
    )
    assert {"c", "f", "x", "z", "w"} <= assigned
    assert read == {"y", "q"}
    assert names_of("def broken(:\n") == (set(), set())


def test_the_release_check_passes_a_lab_whose_tests_need_no_experiment():
    assert experiment_dependencies(lab()) == []


def test_the_release_check_names_the_test_and_the_experiment_name_it_reads():
    problems = experiment_dependencies(lab(test_source="assert results == [0, 2, 4]"))
    assert len(problems) == 1
    assert "test cell double_hidden reads 'results' (from exp_run)" in problems[0]
    assert "only experiment cells assign" in problems[0]


def test_a_name_assigned_outside_the_experiments_too_is_no_dependency():
    nb = lab(test_source="assert results == []")
    nb.cells.insert(1, grader_cell(new_code_cell("results = []"), "setup"))
    assert experiment_dependencies(nb) == []


def test_a_test_cell_tagged_as_an_experiment_is_refused():
    nb = lab()
    nb.cells[2].metadata["tags"] = [EXPERIMENT_TAG]
    (problem,) = experiment_dependencies(nb)
    assert problem.startswith("test cell double_hidden is tagged 'experiment'")


def test_course_release_refuses_a_test_that_reads_an_experiment_name(course_copy, capsys):
    folder = course_copy / "source" / "needy"
    folder.mkdir()
    nbformat.write(lab(test_source="assert results == [0, 2, 4]"), folder / "needy.ipynb")
    assert cli.main(["--root", str(course_copy), "release", "needy"]) == 1
    error = capsys.readouterr().err
    assert "source/needy/needy.ipynb cannot be released" in error
    assert "test cell double_hidden reads 'results'" in error
    assert not (course_copy / "release" / "needy").exists()


def executed(nb):
    """``nb`` as if run: every code cell with an execution count and an output."""
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [new_output("stream", name="stdout", text=f"cell {count}\n")]
    return nb


def test_experiments_not_run_are_those_without_outputs_or_execution_count():
    nb = executed(lab())
    assert experiments_not_run(nb) == [] and not_run_flag(nb) is None
    nb.cells[4].outputs = []  # ran, printed nothing: it ran
    assert experiments_not_run(nb) == []
    nb.cells[4].execution_count = None  # outputs cleared
    assert experiments_not_run(nb) == ["exp_plot"]
    assert not_run_flag(lab()) == f"{NOT_RUN_FLAG}: no outputs in exp_run, exp_plot"


def test_the_release_decides_which_grader_cells_are_experiments():
    release = lab()
    nb = lab()
    nb.cells[3].metadata["tags"] = []  # the student took the tag off an experiment
    nb.cells[2].metadata["tags"] = ["mine", EXPERIMENT_TAG]  # and put it on a test
    own = new_code_cell("print('my own experiment')", metadata={"tags": [EXPERIMENT_TAG]})
    nb.cells.append(own)
    assert sync_experiment_tags(nb, release) == 2
    assert nb.cells[3].metadata["tags"] == [EXPERIMENT_TAG]
    assert nb.cells[2].metadata["tags"] == ["mine"]
    assert own.metadata["tags"] == [EXPERIMENT_TAG]  # a cell of the student's own keeps the student's word
    assert sync_experiment_tags(nb, release) == 0


def test_the_sanitizing_step_keeps_the_outputs_of_experiments_only():
    nb = executed(lab())
    kept = [cell.outputs for cell in nb.cells[3:]]
    nb, _ = KeepExperimentOutputs().preprocess(nb, {})
    assert [cell.outputs for cell in nb.cells[:3]] == [[], [], []]
    assert [cell.execution_count for cell in nb.cells[:3]] == [None, None, None]
    assert [cell.outputs for cell in nb.cells[3:]] == kept


@pytest.mark.parametrize("assignment", GRADED_ASSIGNMENTS)
def test_every_assignment_tags_its_experiments_and_grading_needs_none_of_them(assignment):
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    tagged = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in source.cells if is_experiment(cell)]
    assert len(tagged) >= 3
    assert experiment_dependencies(source) == []
    # the tag survives the release, on the same cells
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in release.cells if is_experiment(c)] == tagged
