import math

import pytest
import torch

from helpers.data import add_gaussian_noise, make_regression_data, sample_uniform, sum_of_squares


def test_sum_of_squares_values_and_shape():
    x = torch.tensor([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]])
    assert torch.equal(sum_of_squares(x), torch.tensor([[5.0], [9.25], [0.0]]))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        sum_of_squares(torch.ones(3))


def test_tutorial_data_shapes_dtypes_and_ranges():
    data = make_regression_data()
    assert data.x_train.shape == (500, 2) and data.y_train.shape == (500, 1)
    assert data.x_test.shape == (50, 2) and data.y_test.shape == (50, 1)
    for t in (data.x_train, data.y_train, data.x_test, data.y_test):
        assert t.dtype == torch.float32
    for x in (data.x_train, data.x_test):
        assert x.min() >= -1 and x.max() <= 1
    assert data.n_train == 500


def test_inputs_are_independent_and_uniform():
    x = sample_uniform(200_000, 2, -1.0, 1.0, torch.Generator().manual_seed(1))
    # uniform on [-1, 1]: mean 0, variance 1/3; independent coordinates: correlation 0
    assert x.mean(dim=0).abs().max() < 0.01
    assert torch.allclose(x.var(dim=0), torch.full((2,), 1 / 3), atol=0.005)
    assert abs(torch.corrcoef(x.T)[0, 1]) < 0.01
    # not all on the diagonal (the example notebook's x1 = x2)
    assert (x[:, 0] - x[:, 1]).abs().mean() > 0.5
    # every quarter of the range is hit equally often
    counts = torch.histc(x[:, 0], bins=4, min=-1, max=1) / len(x)
    assert torch.allclose(counts, torch.full((4,), 0.25), atol=0.01)


def test_sample_uniform_honours_other_intervals():
    x = sample_uniform(10_000, 3, 1.0, 2.0, torch.Generator().manual_seed(0))
    assert x.shape == (10_000, 3) and x.min() >= 1 and x.max() <= 2
    with pytest.raises(ValueError):
        sample_uniform(5, 2, 1.0, 1.0)


def test_noise_has_the_variance_asked_for_not_the_standard_deviation():
    data = make_regression_data(n_train=200_000, seed=2)
    noise = data.y_train - sum_of_squares(data.x_train)
    # variance 0.01 with 200k samples: relative standard error sqrt(2/n) = 0.3 %
    assert abs(noise.mean()) < 0.001
    assert noise.var().item() == pytest.approx(0.01, rel=0.03)
    # the two classic slips would be far outside that band
    assert not math.isclose(noise.var().item(), 0.01**2, rel_tol=0.5)


def test_noise_is_gaussian():
    noise = add_gaussian_noise(torch.zeros(100_000, 1), 0.01, torch.Generator().manual_seed(0))
    z = noise / 0.1
    assert (z.abs() < 1).float().mean().item() == pytest.approx(0.6827, abs=0.01)
    assert (z.abs() < 2).float().mean().item() == pytest.approx(0.9545, abs=0.005)
    with pytest.raises(ValueError, match="variance"):
        add_gaussian_noise(torch.zeros(3, 1), -1.0)


def test_test_targets_are_noiseless():
    data = make_regression_data()
    assert torch.equal(data.y_test, sum_of_squares(data.x_test))
    assert not torch.equal(data.y_train, sum_of_squares(data.x_train))


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_regression_data(seed=5), make_regression_data(seed=5), make_regression_data(seed=6)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_train, b.y_train) and torch.equal(a.x_test, b.x_test)
    assert not torch.equal(a.x_train, c.x_train)


def test_data_do_not_depend_on_the_global_random_stream():
    torch.manual_seed(0)
    a = make_regression_data(seed=1)
    torch.rand(1000)
    b = make_regression_data(seed=1)
    assert torch.equal(a.x_train, b.x_train)


def test_other_target_and_dimension():
    data = make_regression_data(target=lambda x: x[:, :1] * 2, dim=4, n_train=20, n_test=10, noise_var=0.0)
    assert data.x_train.shape == (20, 4)
    assert torch.equal(data.y_train, 2 * data.x_train[:, :1])


def test_rules_data_label_the_points_by_every_rule_then_flip_a_few():
    from helpers.data import RULES, make_rules_data

    X, y = make_rules_data(20_000, label_noise=0.0, generator=torch.Generator().manual_seed(0))
    assert X.shape == (20_000, 2) and y.shape == (20_000, 1) and X.dtype == y.dtype == torch.float32
    assert X.min() >= 0 and X.max() <= 1
    inside = torch.stack([w1 * X[:, 0] + w2 * X[:, 1] + b > 0 for w1, w2, b in RULES]).all(dim=0)
    assert torch.equal(y[:, 0], inside.float())
    _, noisy = make_rules_data(20_000, label_noise=0.05, generator=torch.Generator().manual_seed(0))
    assert (noisy != y).float().mean().item() == pytest.approx(0.05, abs=0.006)
    with pytest.raises(ValueError, match="label_noise"):
        make_rules_data(10, label_noise=0.5)
