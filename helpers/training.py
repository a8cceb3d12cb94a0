"""Training and evaluation loops that record the loss history.

:func:`train_and_test` is the training loop that the course's tutorial notebook shows and uses:
every epoch it runs one pass of minibatch SGD over the training set, then measures the mean
squared error on the whole training set and on the test set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm import tqdm

from helpers.data import Dataset


@dataclass
class History:
    """Per-epoch losses of one training run (index 0 is the first epoch)."""

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean squared error of ``model`` on ``(x, y)``, without tracking gradients.

    Checks that predictions and targets have the same shape: an ``(n,)`` target against an
    ``(n, 1)`` prediction would silently broadcast to an ``(n, n)`` error matrix.
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        prediction = model(x)
    model.train(was_training)
    if prediction.shape != y.shape:
        raise ValueError(
            f"prediction shape {tuple(prediction.shape)} != target shape {tuple(y.shape)}; "
            "reshape the targets to (n, 1)"
        )
    return nn.functional.mse_loss(prediction, y).item()


def iterate_minibatches(
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int | None = None,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield ``(x_batch, y_batch)`` pairs covering the data once.

    ``batch_size=None`` gives one full batch. Without ``shuffle`` the batches are consecutive
    slices in order; with it, the order is a permutation drawn from ``generator``.
    """
    n = x.shape[0]
    size = n if batch_size is None else batch_size
    if size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, size):
        index = order[start : start + size]
        yield x[index], y[index]


def make_optimizer(
    params: Iterable[torch.Tensor], name: str = "sgd", lr: float = 0.01, momentum: float = 0.9
) -> torch.optim.Optimizer:
    """Build ``torch.optim.SGD`` (with momentum) or ``torch.optim.Adam`` over ``params``
    (e.g. ``model.parameters()``)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}: use 'sgd' or 'adam'")


def train_and_test(
    model: nn.Module,
    data: Dataset,
    epochs: int,
    lr: float = 0.01,
    momentum: float = 0.9,
    batch_size: int | None = None,
    optimizer: str = "sgd",
    seed: int = 0,
    progress: bool = True,
    desc: str = "training",
) -> History:
    """Train ``model`` on ``data`` with the MSE loss and record both losses every epoch.

    Each epoch makes one pass over the training set in minibatches of ``batch_size``
    (``None``: full batch), shuffled with a generator seeded by ``seed``, then evaluates the
    mean squared error on the full training set and on the test set. ``progress`` shows a
    tqdm bar with the latest losses.
    """
    loss_fn = nn.MSELoss()
    opt = make_optimizer(model.parameters(), optimizer, lr, momentum)
    generator = torch.Generator().manual_seed(seed)
    history = History()
    bar = tqdm(range(epochs), desc=desc, disable=not progress)
    for _ in bar:
        model.train()
        for x_batch, y_batch in iterate_minibatches(
            data.x_train, data.y_train, batch_size, shuffle=batch_size is not None, generator=generator
        ):
            opt.zero_grad()
            loss = loss_fn(model(x_batch), y_batch)
            loss.backward()
            opt.step()
        history.train_loss.append(evaluate(model, data.x_train, data.y_train))
        history.test_loss.append(evaluate(model, data.x_test, data.y_test))
        bar.set_postfix(train=f"{history.train_loss[-1]:.4f}", test=f"{history.test_loss[-1]:.4f}")
    return history
