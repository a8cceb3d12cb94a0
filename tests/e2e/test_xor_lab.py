"""The XOR lab through the real pipeline: the source notebook executed, the release, and its sample class
graded (in fast mode: the experiments are small, the autograded tests are the same)."""

from __future__ import annotations

from typing import ClassVar

import nbformat

from grader.release.run_notebook import error_outputs
from tests.e2e.lab_class import SampleClassChecks, outputs_text
from tests.support import ROOT


class TestXorLab(SampleClassChecks):
    ASSIGNMENT = "xor"
    DOCS_SECTION = "The XOR lab"
    AUTOGRADED: ClassVar[dict[str, int]] = {
        "make_batch": 8,
        "make_dataset": 4,
        "XorNet": 10,
        "accuracy": 5,
        "train_epoch": 9,
        "evaluate": 3,
    }
    AUTOGRADED |= {"run": 8, "quiz": 8}
    MANUAL: ClassVar[dict[str, int]] = {"exp1": 9, "exp2": 9, "exp3": 9, "exp4": 9, "exp5": 9, "bonus": 0}
    LOST: ClassVar[dict[str, dict[str, int]]] = {
        "ada": {},
        "dev": {"XorNet": 3},  # squeeze() makes a batch of one a scalar
        "eli": {"make_batch": 2},  # label not centred
        "fay": {"make_batch": 2},  # noise before centring
        "gus": {"XorNet": 2},  # biases not redrawn from U(-1, 1)
        "hal": {"train_epoch": 7},  # gradients never zeroed
        "ivy": {"accuracy": 5},  # unrounded targets
    }

    def test_the_model_answer_runs_top_to_bottom_in_fast_mode(self, executed):
        assert error_outputs(executed) == []
        assert "visible checks passed" in outputs_text(executed)

    def test_the_batched_experiments_train_as_run_does(self, executed):
        lines = dict(
            line.split(":", 1)
            for line in outputs_text(executed).splitlines()
            if line.startswith(("run:", "train_xor:"))
        )
        assert lines["run"].strip() == lines["train_xor"].strip()

    def test_every_experiment_prints_its_table_and_the_check_cell_says_all_tasks_are_ready(self, executed):
        text = outputs_text(executed)
        assert text.count("success  final test loss  epochs to 100%") == 5  # experiments 1, 2, 3, 5 and the bonus
        assert "7 of 7 tasks pass their visible checks" in text


def test_the_bonus_is_a_hand_graded_answer_worth_no_points_but_extra_credit():
    nb = nbformat.read(ROOT / "release" / "xor" / "xor.ipynb", as_version=4)
    (bonus,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "bonus"]
    meta = bonus.metadata.nbgrader
    assert (bonus.cell_type, meta["grade"], meta["solution"], meta["points"]) == ("markdown", True, True, 0)
    assert "extra credit" in nb.cells[nb.cells.index(bonus) - 2].source


def test_the_release_has_no_solution_and_no_hidden_test():
    release = (ROOT / "release" / "xor" / "xor.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "_ref_dataset", "50_000"):
        assert secret not in release, secret
