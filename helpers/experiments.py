"""Width sweeps behind the double-descent figure.

Two families are swept over their number of trained parameters:

- :func:`random_features_sweep`: a one-hidden-layer ReLU network whose first layer is fixed
  at random and whose output layer is the minimum-norm least-squares fit. Its test error
  peaks sharply where the number of features passes the number of training samples.
- :func:`trained_width_sweep`: one-hidden-layer networks whose every parameter is trained
  by gradient descent, all of them at once with :func:`helpers.sweep.train_sweep`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from tqdm import tqdm

from helpers.data import Dataset
from helpers.sweep import train_sweep


@dataclass(frozen=True)
class SweepResult:
    """Final errors of a sweep: one row per model size, one column per seed."""

    label: str
    widths: np.ndarray  # hidden units (or random features) of each model size
    n_params: np.ndarray  # trained parameters of each model size
    seeds: tuple[int, ...]
    train_mse: np.ndarray  # shape (len(widths), len(seeds))
    test_mse: np.ndarray  # shape (len(widths), len(seeds))

    def median(self, split: str = "test") -> np.ndarray:
        """Median over seeds of the ``"train"`` or ``"test"`` error, one value per size."""
        values = {"train": self.train_mse, "test": self.test_mse}[split]
        return np.median(values, axis=1)

    def peak(self) -> tuple[int, float]:
        """``(n_params, median test MSE)`` of the size with the largest median test error."""
        medians = self.median("test")
        i = int(np.argmax(medians))
        return int(self.n_params[i]), float(medians[i])


def random_relu_features(
    x: torch.Tensor, n_features: int, low: torch.Tensor, high: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Weights and biases of ``n_features`` random ReLU units for inputs in the box [low, high].

    Each unit ``relu(w . x + b)`` gets a Gaussian direction ``w`` and a bias that puts its kink
    through a uniformly random point ``c`` of the box (``b = -w . c``), so that every unit is
    active on part of the data and the feature matrix has full rank.
    Returns the stacked ``(d + 1, n_features)`` matrix ``[W; b]``.
    """
    dim = x.shape[1]
    weights = torch.randn(dim, n_features, generator=generator, dtype=torch.float64)
    centres = low + (high - low) * torch.rand(n_features, dim, generator=generator, dtype=torch.float64)
    biases = -(centres * weights.T).sum(dim=1)
    return torch.cat([weights, biases[None, :]])


def _relu_features(x: torch.Tensor, weights_and_bias: torch.Tensor) -> torch.Tensor:
    return torch.relu(x.double() @ weights_and_bias[:-1] + weights_and_bias[-1])


def random_features_sweep(
    data: Dataset, n_features: Sequence[int], seeds: Sequence[int] = (0, 1, 2), progress: bool = True
) -> SweepResult:
    """Fit random-ReLU-feature models of every size and seed by minimum-norm least squares.

    The output weights ``a`` minimise ``||Phi a - y||`` and, among all minimisers, ``||a||``
    (``a = pinv(Phi) y``). With fewer features than samples this is ordinary least squares;
    with more, the model interpolates the noisy training data exactly. Computed in float64.
    The parameter count is the number of trained output weights, ``n_features``.
    """
    low = data.x_train.double().min(dim=0).values
    high = data.x_train.double().max(dim=0).values
    y_train, y_test = data.y_train.double(), data.y_test.double()
    train = np.zeros((len(n_features), len(seeds)))
    test = np.zeros_like(train)
    cells = [(i, j) for i in range(len(n_features)) for j in range(len(seeds))]
    for i, j in tqdm(cells, desc="random features", disable=not progress):
        generator = torch.Generator().manual_seed(seeds[j])
        first_layer = random_relu_features(data.x_train, n_features[i], low, high, generator)
        phi_train = _relu_features(data.x_train, first_layer)
        output_weights = torch.linalg.pinv(phi_train) @ y_train
        train[i, j] = ((phi_train @ output_weights - y_train) ** 2).mean().item()
        phi_test = _relu_features(data.x_test, first_layer)
        test[i, j] = ((phi_test @ output_weights - y_test) ** 2).mean().item()
    widths = np.asarray(n_features)
    return SweepResult("random ReLU features, min-norm least squares", widths, widths.copy(), tuple(seeds), train, test)


def trained_width_sweep(
    data: Dataset,
    widths: Sequence[int],
    seeds: Sequence[int] = (0, 1, 2),
    *,
    epochs: int = 2000,
    lr: float = 0.01,
    optimizer: str = "adam",
    progress: bool = True,
) -> SweepResult:
    """Train a one-hidden-layer ReLU network of every width and seed, full batch.

    Network ``(width, seed)`` starts from ``torch.manual_seed(seed); make_mlp(d, width)`` and is
    trained for ``epochs`` full-batch steps with ``optimizer``; all of them are trained together
    by :func:`helpers.sweep.train_sweep`, exactly as if one after another. The result holds the
    final training and test MSE of each.
    """
    history = train_sweep(
        data, widths, seeds, epochs=epochs, lr=lr, optimizer=optimizer, record_every=epochs, progress=progress
    )
    return SweepResult(
        f"trained networks ({optimizer}, {epochs} full-batch epochs)",
        np.asarray(widths),
        history.by_width(history.n_params)[:, 0],
        tuple(seeds),
        history.by_width(history.final("train")),
        history.by_width(history.final("test")),
    )
