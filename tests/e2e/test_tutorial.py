"""The tutorial executed top to bottom, as a student's "Restart & Run All", in fast mode."""

import re

import pytest
import torch

from grader.run_notebook import error_outputs, execute_notebook


@pytest.fixture(scope="module")
def executed(root, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("tutorial")
    nb = execute_notebook(root / "release" / "tutorial" / "tutorial.ipynb", out_dir, fast=True, timeout=600)
    text = "\n".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)
    return nb, text, out_dir


def test_runs_without_error_or_stderr_output(executed):
    nb, _, _ = executed
    assert error_outputs(nb) == []
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")


def test_prints_true_facts_about_data_and_network(executed):
    _, text, _ = executed
    assert f"torch {torch.__version__};" in text and "FAST" in text  # the kernel runs this environment's torch
    assert "training set: (500, 2) inputs, (500, 1) targets" in text
    assert "test set:     (50, 2) inputs, (50, 1) targets" in text
    assert "test targets are exactly f(x): True" in text
    variance = float(re.search(r"variance (\d\.\d+) \(should be", text).group(1))
    assert 0.008 < variance < 0.012
    assert re.findall(r"^parameters: (\d+)$", text, re.MULTILINE) == ["9", "9"]
    assert "same outputs on all 50 test inputs: True" in text
    by_hand, by_torch = re.search(r"squared errors: ([\d.]+);  nn.MSELoss: ([\d.]+)", text).groups()
    assert by_hand == by_torch


def test_training_lowers_the_loss(executed):
    _, text, _ = executed
    first, last = map(float, re.search(r"training MSE: ([\d.]+) after epoch 1 -> ([\d.]+)", text).groups())
    assert last < 0.6 * first
    finals = dict(re.findall(r"^(\d+) neurons .* final training MSE ([\d.]+)", text, re.MULTILINE))
    assert float(finals["100"]) < float(finals["2"])


def test_random_features_peak_at_the_threshold(executed):
    _, text, _ = executed
    assert "largest test MSE" in text
    peak = re.search(r"random ReLU features.*?largest test MSE: ([\d.e+-]+) at (\d+) parameters", text, re.DOTALL)
    assert int(peak.group(2)) == 500


def test_every_figure_is_shown_and_saved(executed):
    nb, _, out_dir = executed
    saved = sorted(p.name for p in (out_dir / "figures").glob("*.png"))
    assert saved == [
        "01_data.png",
        "02_loss_fig1_network.png",
        "03_prediction_fig1_network.png",
        "04_loss_wider_networks.png",
        "05_double_descent.png",
    ]
    shown = sum("image/png" in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", []))
    assert shown == len(saved)
    assert (out_dir / "tutorial.html").stat().st_size > 10_000
