"""The backpropagation lab through the real pipeline: the source notebook executed, the release, and its
sample class graded (in fast mode: the experiments train for fewer steps, the autograded tests are the same)."""

from __future__ import annotations

from typing import ClassVar

import nbformat

from grader.release.run_notebook import error_outputs
from tests.e2e.lab_class import SampleClassChecks, outputs_text
from tests.support import ROOT


class TestBackpropLab(SampleClassChecks):
    ASSIGNMENT = "backprop"
    DOCS_SECTION = "The backpropagation lab"
    AUTOGRADED: ClassVar[dict[str, int]] = {
        "hidden_outputs": 5,
        "network_output": 3,
        "fit_output_layer": 6,
        "init_network": 4,
        "forward": 5,
    }
    AUTOGRADED |= {"cost": 3, "backward": 14, "numerical_gradient": 6, "relative_error": 2, "gradient_check": 4}
    AUTOGRADED |= {"train_gd": 8}
    MANUAL: ClassVar[dict[str, int]] = {
        "exercise1_plot": 5,
        "exercise2_plot": 5,
        "step_size": 6,
        "circles": 10,
        "overfitting": 14,
    }
    LOST: ClassVar[dict[str, dict[str, int]]] = {
        "ada": {},
        "dev": {"backward": 9},  # dW transposed: the shapes, then every weight gradient
        "eli": {"backward": 10},  # sigma' = s: every gradient but the bce output layer's
        "fay": {"backward": 10},  # summed, not averaged: every gradient n times too large
        "gus": {"numerical_gradient": 3},  # one-sided difference
        "hal": {"backward": 3},  # bias gradients left out
        "ivy": {"backward": 9},  # delta = A aliasing: mse gradients wrong, the activations changed
    }

    def test_the_model_answer_runs_top_to_bottom_in_fast_mode(self, executed):
        assert error_outputs(executed) == []
        assert "10 of 10 tasks pass their visible checks" in outputs_text(executed)
        figures = sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))
        assert figures == 6  # exercises 1 and 2, the step size, circles, the digits curves, the width sweep

    def test_the_model_answers_gradients_pass_their_own_check(self, executed):
        errors = [
            float(line.split("largest relative error ")[1].split()[0])
            for line in outputs_text(executed).splitlines()
            if "largest relative error" in line
        ]
        assert len(errors) == 2 and max(errors) < 1e-7


def test_the_release_has_no_solution_no_hidden_test_and_no_torch():
    release = (ROOT / "release" / "backprop" / "backprop.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "_finite_differences", "lstsq(design"):
        assert secret not in release, secret
    nb = nbformat.read(ROOT / "release" / "backprop" / "backprop.ipynb", as_version=4)
    imports = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "imports")
    assert "torch" not in imports.replace("torch_references", "")
