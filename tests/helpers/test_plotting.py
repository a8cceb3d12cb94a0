import numpy as np
import pytest

from helpers.data import make_regression_data
from helpers.experiments import SweepResult
from helpers.models import make_mlp
from helpers.plotting import (
    FIGURE_DIR_ENV_VAR,
    plot_data_3d,
    plot_double_descent,
    plot_loss_curves,
    plot_prediction_surface,
    save_figure,
)
from helpers.training import History


@pytest.fixture(scope="module")
def data():
    return make_regression_data(n_train=50, n_test=10)


def test_data_figure_shows_both_sets_with_labelled_axes(data):
    ax = plot_data_3d(data).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("$x_1$", "$x_2$", "$y$")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["training (50, noisy)", "test (10, noiseless)"]


def test_data_figure_needs_two_inputs():
    with pytest.raises(ValueError, match="two input"):
        plot_data_3d(make_regression_data(dim=3, n_train=5, n_test=5))


def test_prediction_surface(data):
    ax = plot_prediction_surface(make_mlp(2, 3), data, title="t").axes[0]
    assert ax.get_title() == "t" and ax.get_zlabel() == r"$\hat y$"


def test_loss_curves_plot_every_epoch_on_a_log_axis():
    history = History([1.0, 0.5, 0.1], [1.2, 0.6, 0.2])
    ax = plot_loss_curves({"run": history}).axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "mean squared error"
    train, test = ax.get_lines()
    assert list(train.get_xdata()) == [1, 2, 3] and list(train.get_ydata()) == history.train_loss
    assert list(test.get_ydata()) == history.test_loss


def test_double_descent_figure_has_parameter_count_on_a_log_axis_and_the_threshold():
    result = SweepResult(
        "sweep",
        np.array([1, 2]),
        np.array([100, 1000]),
        (0, 1),
        np.array([[0.1, 0.2], [0.0, 0.0]]),
        np.array([[1.0, 2.0], [0.5, 0.5]]),
    )
    fig = plot_double_descent([result, result], n_train=500)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "number of trained parameters"
    assert ax.get_ylabel() == "mean squared error"
    threshold = [line for line in ax.get_lines() if list(line.get_xdata()) == [500, 500]]
    assert len(threshold) == 1
    medians = [line for line in ax.get_lines() if list(line.get_xdata()) == [100, 1000]]
    # medians over seeds; the exact zero is drawn at the floor, and the legend says so
    assert np.allclose([list(m.get_ydata()) for m in medians], [[0.15, 1e-5], [1.5, 0.5]])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "training error (median of 2 seeds); below 1e-05 drawn at 1e-05"
    assert legend[1] == "test error (median of 2 seeds)"


def test_save_figure_writes_only_when_asked(tmp_path, monkeypatch, data):
    fig = plot_data_3d(data)
    monkeypatch.delenv(FIGURE_DIR_ENV_VAR, raising=False)
    assert save_figure(fig, "x") is None
    monkeypatch.setenv(FIGURE_DIR_ENV_VAR, str(tmp_path / "figs"))
    path = save_figure(fig, "data")
    assert path == tmp_path / "figs" / "data.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
