"""Seeded samplers for the course's regression tasks.

Every sampler takes a ``torch.Generator`` (or a seed) so that the data a notebook shows are
the same on every run and do not depend on how many random numbers other cells drew.
Inputs are float32 tensors of shape ``(n, d)``, targets of shape ``(n, 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

Target = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Dataset:
    """A training set and a test set of one regression task."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_train(self) -> int:
        """Number of training samples (the interpolation threshold of double descent)."""
        return self.x_train.shape[0]


def sum_of_squares(x: torch.Tensor) -> torch.Tensor:
    """The tutorial's target ``f(x) = x_1^2 + ... + x_d^2``, returned with shape ``(n, 1)``."""
    if x.ndim != 2:
        raise ValueError(f"expected inputs of shape (n, d), got shape {tuple(x.shape)}")
    return (x**2).sum(dim=1, keepdim=True)


def sample_uniform(
    n: int, dim: int, low: float = -1.0, high: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Draw ``n`` points whose ``dim`` coordinates are independent and uniform on ``[low, high]``."""
    if n < 0 or dim < 1:
        raise ValueError(f"need n >= 0 and dim >= 1, got n={n}, dim={dim}")
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    return low + (high - low) * torch.rand(n, dim, generator=generator)


def add_gaussian_noise(y: torch.Tensor, variance: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return ``y + v`` with ``v ~ N(0, variance)`` drawn independently for every entry.

    Note the parameter is the *variance*: ``N(0, 0.01)`` has standard deviation 0.1.
    """
    if variance < 0:
        raise ValueError(f"noise variance must be >= 0, got {variance}")
    return y + math.sqrt(variance) * torch.randn(y.shape, generator=generator)


def make_regression_data(
    target: Target = sum_of_squares,
    dim: int = 2,
    n_train: int = 500,
    n_test: int = 50,
    noise_var: float = 0.01,
    low: float = -1.0,
    high: float = 1.0,
    seed: int = 0,
) -> Dataset:
    """Sample a regression task: noisy training targets, noiseless test targets.

    Training and test inputs are drawn uniformly from ``[low, high]^dim``; training targets
    get ``N(0, noise_var)`` noise, test targets are the exact function values.
    """
    generator = torch.Generator().manual_seed(seed)
    x_train = sample_uniform(n_train, dim, low, high, generator)
    y_train = add_gaussian_noise(target(x_train), noise_var, generator)
    x_test = sample_uniform(n_test, dim, low, high, generator)
    y_test = target(x_test)
    return Dataset(x_train, y_train, x_test, y_test)
