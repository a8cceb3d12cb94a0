"""The tutorial executed top to bottom, as a student's "Restart & Run All", in fast mode."""

import os
import re

import pytest
import torch

from grader.release.run_notebook import error_outputs, execute_notebook
from tests.support import object_reprs, progress_bar_problems


@pytest.fixture(scope="module")
def executed(root, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("tutorial")
    nb = execute_notebook(root / "release" / "tutorial" / "tutorial.ipynb", out_dir, fast=True, timeout=600)
    text = "\n".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)
    return nb, text, out_dir


def test_runs_without_error_or_stderr_output_and_each_bar_keeps_its_last_line(executed):
    nb, _, _ = executed
    assert error_outputs(nb) == [] and object_reprs(nb) == []
    assert progress_bar_problems(nb) == []
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")


def test_prints_true_facts_about_data_and_network(executed):
    _, text, _ = executed
    version, threads = re.search(r"^torch (\S+) on (\d+) thread\(s\); FAST \(shortened\) run$", text, re.M).groups()
    assert version == torch.__version__  # the kernel runs this environment's torch
    assert 1 <= int(threads) <= (os.cpu_count() or 1)  # a thread per idle core (helpers.idle_cores)
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
    deep = re.search(r"^2 layers of 10 neurons \((\d+) parameters\) +final training MSE ([\d.]+)", text, re.MULTILINE)
    assert deep and int(deep.group(1)) == 151 and float(deep.group(2)) < float(finals["2"])


def test_the_two_neuron_network_is_said_to_ignore_the_coordinate_its_weights_ignore(executed):
    _, text, _ = executed
    weights = [tuple(map(float, m)) for m in re.findall(r"weight on x1 ([+-][\d.]+), weight on x2 ([+-][\d.]+)", text)]
    assert len(weights) == 2
    said = re.search(r"both neurons weigh x(\d) at least (\d+) times more than x(\d): the network ignores x(\d)", text)
    if said:
        kept = int(said.group(1)) - 1
        assert all(abs(w[kept]) > abs(w[1 - kept]) for w in weights) and said.group(3) == said.group(4) == str(2 - kept)
    else:
        assert "each neuron looks mainly at a different coordinate" in text


def test_the_error_grows_away_from_the_training_square(executed):
    _, text, _ = executed
    rows = re.findall(
        r"^(2 neurons|10 neurons|100 neurons|2 layers of 10) +([\d.]+) +([\d.]+) +([\d.]+)$", text, re.MULTILINE
    )
    assert len(rows) == 4
    for _, inside, near, far in rows:
        assert float(inside) < float(near) < float(far) and float(far) > 10 * float(inside)


def test_random_features_peak_at_the_threshold(executed):
    _, text, _ = executed
    assert "largest test MSE" in text
    peak = re.search(r"random ReLU features.*?largest test MSE: ([\d.e+-]+) at (\d+) parameters", text, re.DOTALL)
    assert int(peak.group(2)) == 500
    minima = re.search(
        r"random ReLU features.*?below the threshold, lowest test MSE ([\d.e+-]+) at (\d+) parameters; "
        r"beyond it, lowest ([\d.e+-]+) at (\d+) parameters",
        text,
        re.DOTALL,
    )
    assert int(minima.group(2)) < 500 < int(minima.group(4))
    factor = re.search(r"trained networks.*?the test MSE rises by a factor of ([\d.]+)", text, re.DOTALL)
    assert factor and float(factor.group(1)) >= 1.0


def test_every_figure_is_shown_and_saved(executed):
    nb, _, out_dir = executed
    saved = sorted(p.name for p in (out_dir / "figures").glob("*.png"))
    assert saved == [
        "01_data.png",
        "02_loss_fig1_network.png",
        "03_prediction_fig1_network.png",
        "04_loss_wider_networks.png",
        "05_error_against_parameters.png",
        "06_double_descent.png",
    ]
    shown = sum("image/png" in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", []))
    assert shown == len(saved)
    assert (out_dir / "tutorial.html").stat().st_size > 10_000
