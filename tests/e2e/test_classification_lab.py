"""The classification lab through the real pipeline: the source notebook executed, the release, and its
sample class graded (in fast mode: the experiments train for fewer epochs, the autograded tests are the same)."""

from __future__ import annotations

from typing import ClassVar

from grader.release.run_notebook import error_outputs
from tests.e2e.lab_class import SampleClassChecks, outputs_text
from tests.support import ROOT


class TestClassificationLab(SampleClassChecks):
    ASSIGNMENT = "classification"
    DOCS_SECTION = "The classification lab"
    AUTOGRADED: ClassVar[dict[str, int]] = {
        "make_classifier": 7,
        "make_loaders": 7,
        "accuracy": 5,
        "fit": 11,
        "decision_grid": 6,
    }
    AUTOGRADED |= {"fit_sine": 8, "moons": 8, "make_mlp_classifier": 8}
    MANUAL: ClassVar[dict[str, int]] = {
        "regions_plot": 8,
        "hidden_units": 6,
        "reshuffle": 6,
        "sine_plot": 6,
        "confusion": 8,
    }
    MANUAL |= {"digits_discussion": 6}
    LOST: ClassVar[dict[str, dict[str, int]]] = {
        "ada": {},
        "dev": {"make_mlp_classifier": 2},  # softmax before CrossEntropyLoss
        "eli": {"make_classifier": 2},  # sigmoid before BCEWithLogitsLoss
        "fay": {"make_loaders": 3},  # no reshuffling
        "gus": {"fit": 3},  # validation in training mode, with gradients
        "hal": {"accuracy": 3},  # logits thresholded at 0.5: the visible check and the binary one
        "ivy": {"moons": 6},  # a 2-2-1 network for the half-moons
    }

    def test_the_model_answer_runs_top_to_bottom_in_fast_mode(self, executed):
        assert error_outputs(executed) == []
        assert "8 of 8 tasks pass their visible checks" in outputs_text(executed)
        figures = sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))
        # curves, regions and units, reshuffling, the sine, the widths, the moons, the accuracy after every epoch,
        # the confusion matrix, errors
        assert figures == 9


def test_the_release_has_no_solution_no_hidden_test_and_no_mark_scheme():
    release = (ROOT / "release" / "classification" / "classification.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "_ref_fit", "nn.Linear(2, 32)"):
        assert secret not in release, secret
