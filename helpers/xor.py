"""Noisy XOR (parity) data, and many small XOR networks trained at once, for the XOR lab's experiments.

The lab's ``run`` trains one network: a ``Linear(n_inputs, hidden)``, an activation and a
``Linear(hidden, 1)``, with plain SGD on 500 minibatches of 10 noisy samples per epoch, and tests it
on 50 more. An experiment needs that for every setting and at least 10 seeds: tens of networks, each
50,000 tiny SGD steps, which a Python loop takes minutes over. :func:`train_xor` trains a whole list
of :class:`XorSetting` at once, in one compiled loop (Numba), each network exactly as ``run`` trains
it alone:

* its data: ``generator = torch.Generator().manual_seed(seed)``, then 500 training and 50 test
  batches drawn with it one after another by :func:`xor_batch`;
* its initial weights: ``torch.manual_seed(seed)``, then the two ``nn.Linear`` layers in order
  (and, with ``init_uniform``, every weight and bias redrawn from U(-1, 1) in parameter order);
* each epoch: one SGD step per training batch, in order, on the batch's mean squared error; then the
  mean batch loss on the test batches and the test accuracy (rounded output equals rounded target).

The arithmetic is float64 where PyTorch's is float32, so curves agree to float32 rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from numba import njit, prange
from torch import nn

#: The activations of the lab's networks, and their codes in the compiled loop.
ACTIVATIONS = ("sigmoid", "tanh", "relu")
NOISE = 0.1  # inputs and label get U[0, NOISE) noise
N_TRAIN_BATCHES, N_TEST_BATCHES, BATCH_SIZE = 500, 50, 10


@dataclass(frozen=True)
class XorSetting:
    """One network of an experiment: the arguments of the lab's ``run`` (but ``epochs``)."""

    activation: str = "sigmoid"
    seed: int = 0
    lr: float = 0.01
    centred: bool = False
    init_uniform: bool = False
    n_inputs: int = 2
    hidden: int = 2


@dataclass(frozen=True)
class XorHistory:
    """Per-epoch curves of the networks of :func:`train_xor`: arrays of shape (epochs, networks)."""

    settings: tuple[XorSetting, ...]
    train_loss: np.ndarray  # mean batch loss over the epoch's training steps
    test_loss: np.ndarray  # mean batch loss on the test batches after the epoch
    test_accuracy: np.ndarray  # share of test samples whose rounded output equals the rounded target

    def epochs_to_perfect(self) -> np.ndarray:
        """For each network, the first epoch (1-based) after which test accuracy is 1; NaN if never."""
        perfect = self.test_accuracy >= 1.0
        first = np.argmax(perfect, axis=0).astype(float) + 1
        first[~perfect.any(axis=0)] = np.nan
        return first


def xor_batch(
    batch_size: int = BATCH_SIZE, n_inputs: int = 2, centred: bool = False, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """One batch of noisy parity data, drawn in this order with ``generator``: the bits, the noise on
    the inputs, the noise on the labels. Returns X float32 (batch_size, n_inputs), y float32 (batch_size,)."""
    bits = torch.randint(0, 2, (batch_size, n_inputs), generator=generator)
    X, y = bits.float(), (bits.sum(dim=1) % 2).float()
    if centred:
        X, y = 2 * X - 1, 2 * y - 1
    X = X + NOISE * torch.rand(batch_size, n_inputs, generator=generator)
    y = y + NOISE * torch.rand(batch_size, generator=generator)
    return X, y


def xor_data(setting: XorSetting) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training and test batches of a setting, as ``run`` draws them: X (batches, batch size,
    inputs) and y (batches, batch size), float64."""
    generator = torch.Generator().manual_seed(setting.seed)
    batches = [
        xor_batch(BATCH_SIZE, setting.n_inputs, setting.centred, generator)
        for _ in range(N_TRAIN_BATCHES + N_TEST_BATCHES)
    ]
    X = torch.stack([x for x, _ in batches]).double().numpy()
    y = torch.stack([t for _, t in batches]).double().numpy()
    return X[:N_TRAIN_BATCHES], y[:N_TRAIN_BATCHES], X[N_TRAIN_BATCHES:], y[N_TRAIN_BATCHES:]


def initial_layers(setting: XorSetting) -> tuple[nn.Linear, nn.Linear]:
    """The two layers of a setting's network as ``run`` creates them after ``torch.manual_seed(seed)``
    (the global random state is left as it was)."""
    with torch.random.fork_rng():
        torch.manual_seed(setting.seed)
        hidden, output = nn.Linear(setting.n_inputs, setting.hidden), nn.Linear(setting.hidden, 1)
        if setting.init_uniform:
            for parameter in (*hidden.parameters(), *output.parameters()):
                nn.init.uniform_(parameter, -1.0, 1.0)
    return hidden, output


@njit(cache=True)
def _activate(z: float, code: int) -> float:
    if code == 0:
        return 1.0 / (1.0 + np.exp(-z))
    if code == 1:
        return np.tanh(z)
    return z if z > 0.0 else 0.0


@njit(cache=True)
def _slope(z: float, a: float, code: int) -> float:
    if code == 0:
        return a * (1.0 - a)
    if code == 1:
        return 1.0 - a * a
    return 1.0 if z > 0.0 else 0.0


@njit(cache=True)
def _forward(x, w1, b1, w2, b2, h, d, code, z, a) -> float:
    """The output of one network for one sample; fills z and a (pre-activations, activations)."""
    out = b2
    for j in range(h):
        total = b1[j]
        for i in range(d):
            total += w1[j, i] * x[i]
        z[j] = total
        a[j] = _activate(total, code)
        out += w2[j] * a[j]
    return out


@njit(cache=True, parallel=True)
def _train(xtr, ytr, xte, yte, w1, b1, w2, b2, lr, codes, dims, widths, epochs, train_loss, test_loss, test_acc):
    """Train every network ``k`` (its own data, weights, rate and activation) with minibatch SGD."""
    n_nets, n_train, batch = ytr.shape
    n_test = yte.shape[1]
    for k in prange(n_nets):
        h, d, code, rate = widths[k], dims[k], codes[k], lr[k]
        z, a = np.empty(h), np.empty(h)
        zs, as_ = np.empty((batch, h)), np.empty((batch, h))
        outs = np.empty(batch)
        gw1, gb1, gw2 = np.empty((h, d)), np.empty(h), np.empty(h)
        for epoch in range(epochs):
            total = 0.0
            for t in range(n_train):
                loss = 0.0
                for s in range(batch):
                    outs[s] = _forward(xtr[k, t, s], w1[k], b1[k], w2[k], b2[k], h, d, code, z, a)
                    zs[s, :] = z
                    as_[s, :] = a
                    loss += (outs[s] - ytr[k, t, s]) ** 2
                total += loss / batch
                gw1[:, :] = 0.0
                gb1[:] = 0.0
                gw2[:] = 0.0
                gb2 = 0.0
                for s in range(batch):
                    dout = 2.0 * (outs[s] - ytr[k, t, s]) / batch
                    gb2 += dout
                    for j in range(h):
                        gw2[j] += dout * as_[s, j]
                        dz = dout * w2[k, j] * _slope(zs[s, j], as_[s, j], code)
                        gb1[j] += dz
                        for i in range(d):
                            gw1[j, i] += dz * xtr[k, t, s, i]
                for j in range(h):
                    w2[k, j] -= rate * gw2[j]
                    b1[k, j] -= rate * gb1[j]
                    for i in range(d):
                        w1[k, j, i] -= rate * gw1[j, i]
                b2[k] -= rate * gb2
            train_loss[epoch, k] = total / n_train
            loss, correct = 0.0, 0
            for t in range(n_test):
                for s in range(batch):
                    out = _forward(xte[k, t, s], w1[k], b1[k], w2[k], b2[k], h, d, code, z, a)
                    loss += (out - yte[k, t, s]) ** 2
                    if np.rint(out) == np.rint(yte[k, t, s]):
                        correct += 1
            test_loss[epoch, k] = loss / (n_test * batch)
            test_acc[epoch, k] = correct / (n_test * batch)


def train_xor(settings: Sequence[XorSetting], epochs: int = 100) -> XorHistory:
    """Train one network per setting, all at once, each exactly as the lab's ``run`` trains it alone
    (see the module's docstring); return their per-epoch curves."""
    settings = tuple(settings)
    for setting in settings:
        if setting.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {setting.activation!r}: use one of {', '.join(ACTIVATIONS)}")
        if setting.n_inputs < 1 or setting.hidden < 1:
            raise ValueError(f"n_inputs and hidden must be at least 1: {setting}")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {epochs}")
    n, d_max, h_max = len(settings), max(s.n_inputs for s in settings), max(s.hidden for s in settings)
    xtr = np.zeros((n, N_TRAIN_BATCHES, BATCH_SIZE, d_max))
    ytr = np.zeros((n, N_TRAIN_BATCHES, BATCH_SIZE))
    xte = np.zeros((n, N_TEST_BATCHES, BATCH_SIZE, d_max))
    yte = np.zeros((n, N_TEST_BATCHES, BATCH_SIZE))
    w1, b1, w2, b2 = np.zeros((n, h_max, d_max)), np.zeros((n, h_max)), np.zeros((n, h_max)), np.zeros(n)
    for k, setting in enumerate(settings):
        d, h = setting.n_inputs, setting.hidden
        xtr[k, ..., :d], ytr[k], xte[k, ..., :d], yte[k] = xor_data(setting)
        hidden, output = initial_layers(setting)
        w1[k, :h, :d] = hidden.weight.detach().double().numpy()
        b1[k, :h] = hidden.bias.detach().double().numpy()
        w2[k, :h] = output.weight.detach().double().numpy()[0]
        b2[k] = output.bias.item()
    curves = [np.zeros((epochs, n)) for _ in range(3)]
    _train(
        xtr,
        ytr,
        xte,
        yte,
        w1,
        b1,
        w2,
        b2,
        np.array([s.lr for s in settings], dtype=np.float64),
        np.array([ACTIVATIONS.index(s.activation) for s in settings], dtype=np.int64),
        np.array([s.n_inputs for s in settings], dtype=np.int64),
        np.array([s.hidden for s in settings], dtype=np.int64),
        epochs,
        *curves,
    )
    return XorHistory(settings, *curves)
