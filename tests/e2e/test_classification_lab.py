"""The classification lab through the real pipeline: the source notebook executed, the release, and its
sample class graded (in fast mode: the experiments train for fewer epochs, the autograded tests are the same)."""

from __future__ import annotations

import pytest

from grader.run_notebook import error_outputs, execute_notebook
from tests.e2e.lab_class import assert_each_mistake_costs_its_task, grade_sample_class, outputs_text
from tests.support import ROOT, readme_sample_points

ASSIGNMENT = "classification"
AUTOGRADED = {"make_classifier": 7, "make_loaders": 7, "accuracy": 5, "fit": 11, "decision_grid": 6}
AUTOGRADED |= {"fit_sine": 8, "moons": 8, "make_mlp_classifier": 8}
MANUAL = {"regions_plot": 8, "hidden_units": 6, "reshuffle": 6, "sine_plot": 6, "confusion": 8}
MANUAL |= {"digits_discussion": 6}
#: what each sample student's mistake costs (scripts/make_sample_submissions.py), task by task
LOST = {
    "ada": {},
    "dev": {"make_mlp_classifier": 2},  # softmax before CrossEntropyLoss
    "eli": {"make_classifier": 2},  # sigmoid before BCEWithLogitsLoss
    "fay": {"make_loaders": 3},  # no reshuffling
    "gus": {"fit": 3},  # validation in training mode, with gradients
    "hal": {"accuracy": 3},  # logits thresholded at 0.5: the visible check and the binary one
    "ivy": {"moons": 6},  # a 2-2-1 network for the half-moons
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_sample_class(tmp_path_factory.mktemp("classification"), ASSIGNMENT)


def test_the_sample_class_is_the_reference_the_release_and_one_mistake_each(graded):
    _, outcomes, _ = graded
    assert sorted(o.student for o in outcomes) == sorted(["ben", *LOST])
    assert all(o.status == "graded" for o in outcomes), [(o.student, o.status, o.reason) for o in outcomes]


def test_each_mistake_loses_the_points_of_its_task_and_only_those(graded):
    *_, rows = graded
    assert_each_mistake_costs_its_task(rows, AUTOGRADED, LOST)
    assert sum(AUTOGRADED.values()) == 60 and rows["ada"].auto_score == 60
    assert rows["ben"].auto_score == 0


def test_the_readme_states_each_sample_students_points(graded):
    *_, rows = graded
    assert readme_sample_points("The classification lab") == {s: r.auto_score for s, r in rows.items()}


def test_the_figures_and_written_answers_wait_for_a_grader(graded):
    *_, rows = graded
    assert sorted(rows["ada"].manual_pending) == sorted(MANUAL)
    assert {task: rows["ada"].tasks[task][1] for task in MANUAL} == MANUAL
    assert rows["ada"].max_total == 100


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("classification-run")
    return execute_notebook(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", out, fast=True)  # COURSE_FAST=1


def test_the_model_answer_runs_top_to_bottom_in_fast_mode(executed):
    assert error_outputs(executed) == []
    assert "8 of 8 tasks pass their visible checks" in outputs_text(executed)
    figures = sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))
    assert figures == 7  # curves, regions and units, reshuffling, the sine, the moons, the confusion matrix, the errors


def test_the_release_has_no_solution_no_hidden_test_and_no_mark_scheme():
    release = (ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "_ref_fit", "nn.Linear(2, 32)"):
        assert secret not in release, secret
