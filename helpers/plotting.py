"""Figures of the tutorial: data, loss curves, prediction surfaces and double descent.

Every function draws on a matplotlib ``Axes`` (made for you when ``ax`` is omitted), labels
its axes, and returns the figure. :func:`save_figure` also writes the figure to the folder
named by ``COURSE_FIGURE_DIR`` when that variable is set (the README's main command sets it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.data import Dataset
from helpers.environment import FIGURE_DIR_ENV_VAR
from helpers.experiments import SweepResult
from helpers.training import History


def _axes(ax: Axes | None, projection: str | None = None, figsize=(6, 4)) -> Axes:
    if ax is not None:
        return ax
    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(projection=projection)


def save_figure(fig: Figure, name: str) -> Path | None:
    """Write ``fig`` as ``<COURSE_FIGURE_DIR>/<name>.png`` if that variable is set; return the path."""
    folder = os.environ.get(FIGURE_DIR_ENV_VAR)
    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def plot_data_3d(data: Dataset, ax: Axes | None = None) -> Figure:
    """3-D scatter of a two-input data set: training samples and test samples over (x1, x2)."""
    if data.x_train.shape[1] != 2:
        raise ValueError("plot_data_3d needs two input features")
    ax = _axes(ax, projection="3d", figsize=(7, 5))
    ax.scatter(*data.x_train.T, data.y_train[:, 0], s=6, alpha=0.5, label=f"training ({data.n_train}, noisy)")
    ax.scatter(
        *data.x_test.T, data.y_test[:, 0], s=25, marker="^", color="C3", label=f"test ({len(data.x_test)}, noiseless)"
    )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_zlabel("$y$")
    ax.legend(loc="upper left")
    return ax.figure


def plot_prediction_surface(
    predict: Callable[[torch.Tensor], torch.Tensor],
    data: Dataset,
    title: str = "",
    ax: Axes | None = None,
    resolution: int = 40,
) -> Figure:
    """A model's prediction as a surface over the input square, with the test samples on it."""
    low = data.x_train.min(dim=0).values
    high = data.x_train.max(dim=0).values
    g1, g2 = torch.meshgrid(
        torch.linspace(low[0], high[0], resolution), torch.linspace(low[1], high[1], resolution), indexing="ij"
    )
    with torch.no_grad():
        z = predict(torch.stack([g1.ravel(), g2.ravel()], dim=1)).reshape(g1.shape)
    ax = _axes(ax, projection="3d", figsize=(7, 5))
    ax.plot_surface(g1.numpy(), g2.numpy(), z.numpy(), cmap="viridis", alpha=0.7)
    ax.scatter(*data.x_test.T, data.y_test[:, 0], s=20, color="C3", label="test samples")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_zlabel(r"$\hat y$")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return ax.figure


def plot_loss_curves(
    histories: Mapping[str, History], title: str = "", log_scale: bool = True, ax: Axes | None = None
) -> Figure:
    """Training (solid) and test (dashed) MSE against epoch for one or more runs.

    The legend stands outside the axes, to the right, so that it never hides a curve.
    """
    ax = _axes(ax, figsize=(8, 4))
    for i, (name, history) in enumerate(histories.items()):
        epochs = np.arange(1, history.epochs + 1)
        ax.plot(epochs, history.train_loss, color=f"C{i}", label=f"{name}: training")
        ax.plot(epochs, history.test_loss, color=f"C{i}", linestyle="--", label=f"{name}: test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean squared error")
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.grid(True, which="both", alpha=0.3)
    return ax.figure


def plot_double_descent(
    results: Sequence[SweepResult], n_train: int, axes: Sequence[Axes] | None = None, floor: float = 1e-5
) -> Figure:
    """Final training and test MSE against trained parameters, one panel per sweep.

    Both axes are logarithmic; dots are single seeds, lines their median; the dashed vertical
    line marks the interpolation threshold, parameters = training samples. Errors below
    ``floor`` (an exact interpolation gives training errors near 1e-25) are drawn at ``floor``,
    and the legend says so, so that the axis is not stretched over twenty decades.
    """
    if axes is None:
        _, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.5), squeeze=False)
        axes = axes[0]
    for ax, result in zip(axes, results, strict=True):
        for split, color in (("train", "C0"), ("test", "C3")):
            values = result.train_mse if split == "train" else result.test_mse
            label = f"{split}{'ing' if split == 'train' else ''} error (median of {len(result.seeds)} seeds)"
            if (values < floor).any():
                label += f"; below {floor:g} drawn at {floor:g}"
            for column in values.T:
                ax.scatter(result.n_params, np.maximum(column, floor), s=10, color=color, alpha=0.35)
            ax.plot(result.n_params, np.maximum(result.median(split), floor), color=color, marker="o", label=label)
        ax.axvline(n_train, color="k", linestyle="--", label=f"interpolation threshold ({n_train} samples)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of trained parameters")
        ax.set_ylabel("mean squared error")
        ax.set_title(result.label)
        ax.legend(fontsize="small")
        ax.grid(True, which="both", alpha=0.3)
    return axes[0].figure
