import numpy as np
import pytest

from helpers.data import make_regression_data
from helpers.experiments import SweepResult, random_features_sweep, trained_width_sweep
from helpers.models import count_parameters, make_mlp


@pytest.fixture(scope="module")
def small_data():
    # 100 training samples: the interpolation threshold of the random-features model is 100 features
    return make_regression_data(n_train=100, n_test=200, seed=0)


def test_random_features_peak_at_the_interpolation_threshold(small_data):
    sizes = [5, 20, 50, 90, 100, 110, 200, 1000]
    result = random_features_sweep(small_data, sizes, seeds=(0, 1, 2), progress=False)
    assert result.train_mse.shape == result.test_mse.shape == (len(sizes), 3)
    assert list(result.n_params) == sizes
    train, test = result.median("train"), result.median("test")
    # past the threshold the minimum-norm fit interpolates the noisy labels exactly; at the
    # threshold the square system is ill-conditioned and nearly interpolates
    assert np.all(result.train_mse[sizes.index(110) :] < 1e-12)
    assert train[sizes.index(100)] < 1e-2 * train[sizes.index(90)]
    assert np.all(result.train_mse[: sizes.index(90) + 1] > 1e-4)
    # the test error peaks exactly at N = n_train, far above both ends of the sweep
    assert result.peak()[0] == small_data.n_train
    assert test.max() > 30 * test[sizes.index(20)]
    assert test.max() > 30 * test[-1]
    # training error falls as features are added
    assert np.all(np.diff(train[: sizes.index(100) + 1]) < 0)


def test_random_features_are_reproducible(small_data):
    a = random_features_sweep(small_data, [10, 100], seeds=(4,), progress=False)
    b = random_features_sweep(small_data, [10, 100], seeds=(4,), progress=False)
    assert np.array_equal(a.test_mse, b.test_mse)


def test_trained_width_sweep(small_data):
    widths = [1, 50]
    result = trained_width_sweep(small_data, widths, seeds=(0, 1), epochs=300, lr=0.01, progress=False)
    assert isinstance(result, SweepResult)
    assert result.train_mse.shape == (2, 2)
    assert list(result.n_params) == [count_parameters(make_mlp(2, w)) for w in widths] == [5, 201]
    # the wide network fits much better than a single neuron
    assert result.median("train")[1] < 0.5 * result.median("train")[0]
    assert result.median("train")[1] < 0.03


def test_sweep_result_median_and_peak():
    result = SweepResult(
        "x",
        np.array([1, 2, 3]),
        np.array([10, 20, 30]),
        (0, 1),
        train_mse=np.array([[1.0, 3.0], [0.0, 0.0], [0.5, 0.5]]),
        test_mse=np.array([[1.0, 1.0], [5.0, 7.0], [2.0, 2.0]]),
    )
    assert list(result.median("train")) == [2.0, 0.0, 0.5]
    assert result.peak() == (20, 6.0)
