"""The backpropagation lab through the real pipeline: the source notebook executed, the release, and its
sample class graded (in fast mode: the experiments train for fewer steps, the autograded tests are the same)."""

from __future__ import annotations

import nbformat
import pytest

from grader.run_notebook import error_outputs, execute_notebook
from tests.e2e.lab_class import assert_each_mistake_costs_its_task, grade_sample_class, outputs_text
from tests.support import ROOT, readme_sample_points

ASSIGNMENT = "backprop"
AUTOGRADED = {"hidden_outputs": 5, "network_output": 3, "fit_output_layer": 6, "init_network": 4, "forward": 5}
AUTOGRADED |= {"cost": 3, "backward": 14, "numerical_gradient": 6, "relative_error": 2, "gradient_check": 4}
AUTOGRADED |= {"train_gd": 8}
MANUAL = {"exercise1_plot": 5, "exercise2_plot": 5, "step_size": 6, "circles": 10, "overfitting": 14}
#: what each sample student's mistake costs (scripts/make_sample_submissions.py), task by task
LOST = {
    "ada": {},
    "dev": {"backward": 9},  # dW transposed: the shapes, then every weight gradient
    "eli": {"backward": 10},  # sigma' = s: every gradient but the bce output layer's
    "fay": {"backward": 10},  # summed, not averaged: every gradient n times too large
    "gus": {"numerical_gradient": 3},  # one-sided difference
    "hal": {"backward": 3},  # bias gradients left out
    "ivy": {"backward": 9},  # delta = A aliasing: mse gradients wrong, the activations changed
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_sample_class(tmp_path_factory.mktemp("backprop"), ASSIGNMENT)


def test_the_sample_class_is_the_reference_the_release_and_one_mistake_each(graded):
    _, outcomes, _ = graded
    assert sorted(o.student for o in outcomes) == sorted(["ben", *LOST])
    assert all(o.status == "graded" for o in outcomes), [(o.student, o.status, o.reason) for o in outcomes]
    # the lab draws figures before its later tests: matplotlib's own callbacks are no tampering
    assert [(o.student, o.flags) for o in outcomes if o.flags] == []


def test_each_mistake_loses_the_points_of_its_task_and_only_those(graded):
    *_, rows = graded
    assert_each_mistake_costs_its_task(rows, AUTOGRADED, LOST)
    assert sum(AUTOGRADED.values()) == 60 and rows["ada"].auto_score == 60
    assert rows["ben"].auto_score == 0


def test_the_readme_states_each_sample_students_points(graded):
    *_, rows = graded
    assert readme_sample_points("The backpropagation lab") == {s: r.auto_score for s, r in rows.items()}


def test_the_figures_and_written_answers_wait_for_a_grader(graded):
    *_, rows = graded
    assert sorted(rows["ada"].manual_pending) == sorted(MANUAL)
    assert {task: rows["ada"].tasks[task][1] for task in MANUAL} == MANUAL
    assert rows["ada"].max_total == 100


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("backprop-run")
    return execute_notebook(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", out, fast=True)  # COURSE_FAST=1


def test_the_model_answer_runs_top_to_bottom_in_fast_mode(executed):
    assert error_outputs(executed) == []
    text = outputs_text(executed)
    assert "10 of 10 tasks pass their visible checks" in text
    figures = sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))
    assert figures == 6  # exercises 1 and 2, the step size, circles, the digits curves, the width sweep


def test_the_model_answers_gradients_pass_their_own_check(executed):
    errors = [
        float(line.split("largest relative error ")[1].split()[0])
        for line in outputs_text(executed).splitlines()
        if "largest relative error" in line
    ]
    assert len(errors) == 2 and max(errors) < 1e-7


def test_the_release_has_no_solution_no_hidden_test_and_no_torch():
    release = (ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "_finite_differences", "lstsq(design"):
        assert secret not in release, secret
    nb = nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    imports = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "imports")
    assert "torch" not in imports.replace("torch_references", "")
