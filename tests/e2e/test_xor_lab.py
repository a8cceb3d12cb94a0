"""The XOR lab through the real pipeline: the source notebook executed, the release, and its sample class
graded (in fast mode: the experiments are small, the autograded tests are the same)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.run_notebook import error_outputs, execute_notebook
from tests.e2e.lab_class import assert_each_mistake_costs_its_task, grade_sample_class, outputs_text
from tests.support import ROOT, readme_sample_points

ASSIGNMENT = "xor"
AUTOGRADED = {"make_batch": 8, "make_dataset": 4, "XorNet": 10, "accuracy": 5, "train_epoch": 9, "evaluate": 3}
AUTOGRADED |= {"run": 8, "quiz": 8}
#: what each sample student's mistake costs (scripts/make_sample_submissions.py), task by task
LOST = {
    "ada": {},
    "dev": {"XorNet": 3},  # squeeze() makes a batch of one a scalar
    "eli": {"make_batch": 2},  # label not centred
    "fay": {"make_batch": 2},  # noise before centring
    "gus": {"XorNet": 2},  # biases not redrawn from U(-1, 1)
    "hal": {"train_epoch": 7},  # gradients never zeroed
    "ivy": {"accuracy": 5},  # unrounded targets
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_sample_class(tmp_path_factory.mktemp("xor"), ASSIGNMENT)


def test_the_sample_class_is_the_reference_the_release_and_one_mistake_each(graded):
    _, outcomes, _ = graded
    assert sorted(o.student for o in outcomes) == sorted(["ben", *LOST])
    assert all(o.status == "graded" for o in outcomes), [(o.student, o.status, o.reason) for o in outcomes]


def test_each_mistake_loses_the_points_of_its_task_and_only_those(graded):
    *_, rows = graded
    assert_each_mistake_costs_its_task(rows, AUTOGRADED, LOST)
    assert sum(AUTOGRADED.values()) == 55 and rows["ada"].auto_score == 55
    assert rows["ben"].auto_score == 0


def test_the_readme_states_each_sample_students_points(graded):
    *_, rows = graded
    assert readme_sample_points("The XOR lab") == {s: r.auto_score for s, r in rows.items()}


def test_the_written_answers_wait_for_a_grader(graded):
    *_, rows = graded
    assert sorted(rows["ada"].manual_pending) == ["exp1", "exp2", "exp3", "exp4", "exp5"]
    assert rows["ada"].max_total == 100


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("xor-run")
    return execute_notebook(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", out, fast=True)  # COURSE_FAST=1


def test_the_model_answer_runs_top_to_bottom_in_fast_mode(executed):
    assert error_outputs(executed) == []
    assert "visible checks passed" in outputs_text(executed)


def test_the_batched_experiments_train_as_run_does(executed):
    lines = dict(
        line.split(":", 1) for line in outputs_text(executed).splitlines() if line.startswith(("run:", "train_xor:"))
    )
    assert lines["run"].strip() == lines["train_xor"].strip()


def test_every_experiment_prints_its_table_and_the_check_cell_says_all_tasks_are_ready(executed):
    text = outputs_text(executed)
    assert text.count("success  final test loss  epochs to 100%") == 5  # experiments 1, 2, 3, 5 (4 is a figure), bonus
    assert "7 of 7 tasks pass their visible checks" in text


def test_the_release_has_no_solution_and_no_hidden_test():
    release = (ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "_ref_dataset", "50_000"):
        assert secret not in release, secret
    assert Path(ROOT / "release" / ASSIGNMENT).is_dir()
