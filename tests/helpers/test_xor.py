"""helpers.xor: the batched trainer against the XOR lab's one-network loop, written as the lab's model
answer writes it (make_batch, make_dataset, XorNet, run)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from grader.checks.xor import reference_evaluate, reference_train_epoch
from helpers.xor import BATCH_SIZE, N_TEST_BATCHES, N_TRAIN_BATCHES, XorHistory, XorSetting, initial_layers, train_xor

ACTIVATION_MODULES = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


def make_batch(batch_size=10, n_inputs=2, centred=False, generator=None):
    """The lab's Task 1, as its model answer writes it."""
    bits = torch.randint(0, 2, (batch_size, n_inputs), generator=generator)
    X, y = bits.float(), (bits.sum(dim=1) % 2).float()
    if centred:
        X, y = 2 * X - 1, 2 * y - 1
    return X + 0.1 * torch.rand(batch_size, n_inputs, generator=generator), y + 0.1 * torch.rand(
        batch_size, generator=generator
    )


def make_dataset(n_batches, batch_size=10, n_inputs=2, centred=False, generator=None):
    """The lab's Task 2."""
    return [make_batch(batch_size, n_inputs, centred, generator) for _ in range(n_batches)]


class XorNet(nn.Module):
    """The lab's Task 3."""

    def __init__(self, n_inputs=2, hidden=2, activation="sigmoid", init_uniform=False):
        super().__init__()
        self.hidden, self.activation, self.output = (
            nn.Linear(n_inputs, hidden),
            ACTIVATION_MODULES[activation](),
            nn.Linear(hidden, 1),
        )
        if init_uniform:
            for parameter in self.parameters():
                nn.init.uniform_(parameter, -1.0, 1.0)

    def forward(self, x):
        return self.output(self.activation(self.hidden(x))).squeeze(-1)


def run_alone(setting: XorSetting, epochs: int) -> dict[str, list[float]]:
    """The lab's ``run``: one network, the standard PyTorch loop (the XOR checks' reference epoch and evaluation)."""
    generator = torch.Generator().manual_seed(setting.seed)
    train = make_dataset(N_TRAIN_BATCHES, BATCH_SIZE, setting.n_inputs, setting.centred, generator)
    test = make_dataset(N_TEST_BATCHES, BATCH_SIZE, setting.n_inputs, setting.centred, generator)
    torch.manual_seed(setting.seed)
    model = XorNet(setting.n_inputs, setting.hidden, setting.activation, setting.init_uniform)
    optimizer = torch.optim.SGD(model.parameters(), lr=setting.lr)
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(reference_train_epoch(model, optimizer, train))
        test_loss, test_accuracy = reference_evaluate(model, test)
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(test_accuracy)
    return history


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
    return train_xor(SETTINGS, make_dataset, XorNet, epochs=4)


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
