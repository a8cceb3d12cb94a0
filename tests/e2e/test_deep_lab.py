"""The deeper-networks lab through the real pipeline: the source notebook executed, the release, and its
sample class graded (in fast mode: the experiments train for fewer epochs, the autograded tests are the same)."""

from __future__ import annotations

from typing import ClassVar

from grader.release.run_notebook import error_outputs
from tests.e2e.lab_class import SampleClassChecks, outputs_text
from tests.support import ROOT


class TestDeepLab(SampleClassChecks):
    ASSIGNMENT = "deep"
    DOCS_SECTION = "The deeper-networks lab"
    AUTOGRADED: ClassVar[dict[str, int]] = {
        "activation_and_grad": 9,
        "xor_sequential": 6,
        "sgd_momentum_step": 6,
        "adam_step": 12,
        "train_model": 12,
        "build_cnn": 10,
    }
    MANUAL: ClassVar[dict[str, int]] = {
        "activation_plot": 5,
        "saturation": 4,
        "xor_answer": 5,
        "grid_plot": 4,
        "grid_answer": 3,
        "regularisation_answer": 7,
        "optimizers_plot": 5,
        "batchnorm_answer": 5,
        "cnn_answer": 7,
    }
    LOST: ClassVar[dict[str, dict[str, int]]] = {
        "ada": {},
        "dev": {"adam_step": 10},  # no bias correction: the visible check, the correction and the trajectory
        "eli": {"adam_step": 10},  # the slide's squared first moment
        "fay": {"train_model": 3},  # dropout left on at evaluation
        "gus": {"train_model": 3},  # weight decay applied twice
        "hal": {"build_cnn": 8},  # a head for 28x28 only: everything but the dropout check
        "ivy": {"activation_and_grad": 6},  # leaky ReLU's slope 0.1: the values and the derivatives
    }

    def test_the_model_answer_runs_top_to_bottom_in_fast_mode(self, executed):
        assert error_outputs(executed) == []
        text = outputs_text(executed)
        assert "6 of 6 tasks pass their visible checks" in text
        assert "largest difference between the parameters of the two runs" in text
        figures = sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))
        # the activations, the grid, regularisation, L1, the optimizers, batch norm, the loss surface, Xavier, the
        # residual stack
        assert figures == 9

    def test_your_optimizers_follow_torchs_in_the_experiment(self, executed):
        lines = dict(
            line.split(":", 1)
            for line in outputs_text(executed).splitlines()
            if " (torch)" in line or " (yours)" in line
        )
        for name in ("momentum", "Adam"):
            assert lines[f"{name} (yours)".ljust(16)] == lines[f"{name} (torch)".ljust(16)], name


def test_the_release_has_no_solution_no_hidden_test_and_no_mark_scheme():
    release = (ROOT / "release" / "deep" / "deep.ipynb").read_text()
    for secret in (
        "BEGIN SOLUTION",
        "BEGIN HIDDEN TESTS",
        "BEGIN MARK SCHEME",
        "_ref_train",
        "m_hat = ",
        "penalty = weight_decay",
    ):
        assert secret not in release, secret
