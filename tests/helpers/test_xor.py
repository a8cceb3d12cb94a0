"""helpers.xor: the batched trainer against the XOR lab's one-network loop, written as the lab's model
answer writes it (make_dataset, XorNet, run): the XOR checks' reference code (grader.checks.xor)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from grader.checks.xor import ReferenceNet as XorNet  # the lab's Task 3
from grader.checks.xor import reference_dataset as make_dataset  # Task 2
from grader.checks.xor import reference_run as run_alone  # the lab's run, one network at a time
from helpers.xor import XorHistory, XorSetting, initial_layers, train_xor


def test_initial_layers_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    initial_layers(XorSetting(seed=5, init_uniform=True), XorNet)
    assert torch.equal(torch.rand(3), expected)


SETTINGS = [
    XorSetting("sigmoid", seed=0),
    XorSetting("tanh", seed=1, lr=0.05, centred=True),
    XorSetting("relu", seed=2, init_uniform=True),
    XorSetting("sigmoid", seed=3, lr=0.3, init_uniform=True),
    XorSetting("tanh", seed=4, n_inputs=3, hidden=4, centred=True),
]


@pytest.fixture(scope="module")
def trained() -> XorHistory:
    return train_xor(SETTINGS, make_dataset, XorNet, epochs=4, progress=False)


@pytest.mark.parametrize("k", range(len(SETTINGS)))
def test_each_network_trains_exactly_as_it_would_alone(trained, k):
    alone = run_alone(SETTINGS[k], epochs=4)
    np.testing.assert_allclose(trained.train_loss[:, k], alone["train_loss"], rtol=1e-4)
    np.testing.assert_allclose(trained.test_loss[:, k], alone["test_loss"], rtol=1e-4)
    np.testing.assert_allclose(trained.test_accuracy[:, k], alone["test_accuracy"], atol=1 / 500)


def test_epochs_to_perfect_counts_from_one_and_marks_never():
    history = XorHistory(
        (XorSetting(), XorSetting()), np.zeros((3, 2)), np.zeros((3, 2)), np.array([[0.5, 0.5], [1.0, 0.9], [1.0, 0.9]])
    )
    assert history.epochs_to_perfect()[0] == 2 and np.isnan(history.epochs_to_perfect()[1])


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="unknown activation 'gelu': use one of sigmoid, tanh, relu"):
        train_xor([XorSetting("gelu")], make_dataset, XorNet)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        train_xor([XorSetting()], make_dataset, XorNet, epochs=0)


def test_a_model_that_is_not_two_linear_layers_is_named():
    with pytest.raises(
        ValueError, match=r"two nn.Linear layers with biases, \(2 -> 2\) then \(2 -> 1\); found \[\(2, 1\)\]"
    ):
        train_xor([XorSetting()], make_dataset, lambda *args: nn.Linear(2, 1))


def test_train_xor_shows_its_epochs_in_a_progress_bar_unless_asked_not_to(capsys):
    train_xor(SETTINGS[:2], make_dataset, XorNet, epochs=3)
    shown = capsys.readouterr().err
    assert "2 networks" in shown and "3/3" in shown, shown
    train_xor(SETTINGS[:2], make_dataset, XorNet, epochs=3, progress=False)
    assert capsys.readouterr().err == ""
