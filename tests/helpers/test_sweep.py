"""The batched sweep trainer gives every network the curves of training it alone."""

import numpy as np
import pytest
import torch
from torch import nn

from helpers.data import make_regression_data
from helpers.models import count_parameters, make_mlp
from helpers.sweep import BLOCK, chunk_bytes, split_into_chunks, train_sweep
from helpers.training import train_and_test


@pytest.fixture(scope="module")
def data():
    return make_regression_data(n_train=120, n_test=40, seed=0)


def alone(data, width, init_seed, epochs, activation=nn.ReLU, **kwargs):
    """The reference: one nn.Module, initialised after torch.manual_seed(init_seed), trained by the standard loop."""
    torch.manual_seed(init_seed)
    model = make_mlp(data.x_train.shape[1], width, activation=activation)
    history = train_and_test(model, data, epochs, progress=False, **kwargs)
    return np.array(history.train_loss), np.array(history.test_loss), count_parameters(model)


def assert_same_curves(history, k, reference, rtol):
    train, test, n_params = reference
    assert history.n_params[k] == n_params
    np.testing.assert_allclose(history.train_loss[:, k], train, rtol=rtol)
    np.testing.assert_allclose(history.test_loss[:, k], test, rtol=rtol)


@pytest.mark.parametrize(
    "optimizer, lr, batch_size", [("sgd", 0.01, 30), ("sgd", 0.05, None), ("adam", 0.01, 40), ("adam", 0.02, None)]
)
def test_each_network_follows_its_own_training(data, optimizer, lr, batch_size):
    widths, seeds, epochs = [1, 5, BLOCK + 7], (0, 3), 25
    history = train_sweep(
        data,
        widths,
        seeds,
        epochs=epochs,
        lr=lr,
        momentum=0.9,
        optimizer=optimizer,
        batch_size=batch_size,
        data_seed=0,
        progress=False,
    )
    assert history.train_loss.shape == (epochs, len(widths) * len(seeds))
    assert list(history.epochs) == list(range(1, epochs + 1))
    for k, (width, seed) in enumerate(zip(history.widths, history.seeds, strict=True)):
        reference = alone(
            data, int(width), int(seed), epochs, lr=lr, momentum=0.9, optimizer=optimizer, batch_size=batch_size, seed=0
        )
        assert_same_curves(history, k, reference, rtol=2e-5)
    # training happened: the widest network ends far below its first epoch
    assert history.train_loss[-1, -1] < 0.5 * history.train_loss[0, -1]


@pytest.mark.parametrize("activation, module", [("tanh", nn.Tanh), ("sigmoid", nn.Sigmoid)])
def test_other_activations(data, activation, module):
    history = train_sweep(data, [4, 20], (1,), epochs=15, lr=0.05, activation=activation, batch_size=60, progress=False)
    for k, width in enumerate((4, 20)):
        reference = alone(data, width, 1, 15, activation=module, lr=0.05, batch_size=60, seed=0)
        assert_same_curves(history, k, reference, rtol=2e-5)


def test_more_than_two_inputs():
    data4 = make_regression_data(dim=4, n_train=100, n_test=20, seed=1)
    history = train_sweep(data4, [3, 9], (0,), epochs=10, lr=0.02, batch_size=20, progress=False)
    for k, width in enumerate((3, 9)):
        assert_same_curves(history, k, alone(data4, width, 0, 10, lr=0.02, batch_size=20, seed=0), rtol=2e-5)


def test_record_every_keeps_the_last_epoch(data):
    history = train_sweep(data, [3], (0,), epochs=10, record_every=4, progress=False)
    assert list(history.epochs) == [4, 8, 10]
    full = train_sweep(data, [3], (0,), epochs=10, progress=False)
    np.testing.assert_allclose(history.train_loss, full.train_loss[[3, 7, 9]], rtol=1e-6)


def test_a_small_memory_budget_splits_the_sweep_with_identical_results(data):
    widths = [2, 50, 300]
    whole = train_sweep(data, widths, (0, 1), epochs=8, batch_size=40, progress=False)
    budget = chunk_bytes([300], 2, 40, 120) + 1
    assert len(split_into_chunks([w for w in widths for _ in (0, 1)], 2, 40, 120, budget)) > 1
    chunked = train_sweep(data, widths, (0, 1), epochs=8, batch_size=40, memory_budget=budget, progress=False)
    np.testing.assert_array_equal(whole.train_loss, chunked.train_loss)
    np.testing.assert_array_equal(whole.test_loss, chunked.test_loss)


def test_split_into_chunks_respects_the_budget():
    widths = [10, 1000, 5000, 3, 20000]
    budget = chunk_bytes([20000], 2, 500, 500) + chunk_bytes([10], 2, 500, 500)
    assert chunk_bytes(widths, 2, 500, 500) > budget
    chunks = split_into_chunks(widths, 2, 500, 500, budget)
    assert [k for chunk in chunks for k in chunk] == list(range(len(widths)))
    assert len(chunks) > 1
    assert all(chunk_bytes([widths[k] for k in chunk], 2, 500, 500) <= budget for chunk in chunks)
    with pytest.raises(MemoryError, match="raise memory_budget"):
        split_into_chunks([10**7], 2, 500, 500, budget)


def test_bad_arguments_are_named(data):
    with pytest.raises(ValueError, match="unknown activation"):
        train_sweep(data, [2], epochs=1, activation="gelu", progress=False)
    with pytest.raises(ValueError, match="unknown optimizer"):
        train_sweep(data, [2], epochs=1, optimizer="rmsprop", progress=False)
    with pytest.raises(ValueError, match="positive"):
        train_sweep(data, [2], epochs=0, progress=False)
