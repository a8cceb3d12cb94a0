"""helpers.xor: the XOR lab's data, and its batched trainer against the lab's one-network loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from helpers.xor import (
    BATCH_SIZE,
    N_TEST_BATCHES,
    N_TRAIN_BATCHES,
    XorHistory,
    XorSetting,
    initial_layers,
    train_xor,
    xor_batch,
)

ACTIVATION_MODULES = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


def run_alone(setting: XorSetting, epochs: int) -> dict[str, list[float]]:
    """The lab's ``run``, written as a student would: one network, the standard PyTorch loop."""
    generator = torch.Generator().manual_seed(setting.seed)
    train = [xor_batch(BATCH_SIZE, setting.n_inputs, setting.centred, generator) for _ in range(N_TRAIN_BATCHES)]
    test = [xor_batch(BATCH_SIZE, setting.n_inputs, setting.centred, generator) for _ in range(N_TEST_BATCHES)]
    torch.manual_seed(setting.seed)
    hidden, output = nn.Linear(setting.n_inputs, setting.hidden), nn.Linear(setting.hidden, 1)
    if setting.init_uniform:
        for parameter in (*hidden.parameters(), *output.parameters()):
            nn.init.uniform_(parameter, -1.0, 1.0)
    model = nn.Sequential(hidden, ACTIVATION_MODULES[setting.activation](), output)
    optimizer = torch.optim.SGD(model.parameters(), lr=setting.lr)
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    for _ in range(epochs):
        losses = []
        for X, y in train:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X).squeeze(-1), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["train_loss"].append(sum(losses) / len(losses))
        with torch.no_grad():
            outputs = [(model(X).squeeze(-1), y) for X, y in test]
        history["test_loss"].append(sum(nn.functional.mse_loss(o, y).item() for o, y in outputs) / len(outputs))
        correct = sum((o.round() == y.round()).sum().item() for o, y in outputs)
        history["test_accuracy"].append(correct / (len(outputs) * BATCH_SIZE))
    return history


def test_a_batch_is_noisy_parity_in_float32():
    X, y = xor_batch(1000, 3, generator=torch.Generator().manual_seed(0))
    assert (X.dtype, y.dtype, X.shape, y.shape) == (torch.float32, torch.float32, (1000, 3), (1000,))
    bits, noise = X.floor(), X - X.floor()
    assert set(bits.unique().tolist()) == {0.0, 1.0} and noise.min() >= 0 and noise.max() < 0.1
    assert torch.equal(y.floor(), bits.sum(dim=1) % 2)
    centred, label = xor_batch(1000, 2, centred=True, generator=torch.Generator().manual_seed(0))
    assert set(centred.floor().unique().tolist()) == {-1.0, 1.0} and set(label.floor().unique().tolist()) == {-1.0, 1.0}


def test_initial_layers_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    initial_layers(XorSetting(seed=5, init_uniform=True))
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
    return train_xor(SETTINGS, epochs=4)


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
        train_xor([XorSetting("gelu")])
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        train_xor([XorSetting()], epochs=0)
