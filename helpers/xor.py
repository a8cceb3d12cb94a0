"""Many small XOR networks trained at once, for the XOR lab's experiments.

The lab's ``run(activation, seed, lr, epochs, centred, init_uniform, n_inputs, hidden)`` trains one
network, with the student's own ``make_dataset`` and ``XorNet``:

1. ``generator = torch.Generator().manual_seed(seed)``; 500 training batches, then 50 test batches,
   each ``make_dataset(n, 10, n_inputs, centred, generator)``;
2. ``torch.manual_seed(seed)``; ``model = XorNet(n_inputs, hidden, activation, init_uniform)``;
3. each epoch: one plain SGD step (rate ``lr``) per training batch, in order, on the batch's mean
   squared error; then the mean batch loss on the test batches and the test accuracy (rounded output
   equals rounded target).

An experiment needs that for every setting and at least 10 seeds: tens of networks, each 50,000
tiny SGD steps, which a Python loop takes minutes over. :func:`train_xor` takes the same two
functions and a list of :class:`XorSetting`, makes each network's data and initial weights exactly
as ``run`` does, and trains them all at once in one compiled loop (Numba). The arithmetic is float64
where PyTorch's is float32, so the curves agree with ``run``'s to float32 rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from numba import njit, prange
from torch import nn
from tqdm import tqdm

#: The activations of the lab's networks, and their codes in the compiled loop.
ACTIVATIONS = ("sigmoid", "tanh", "relu")
N_TRAIN_BATCHES, N_TEST_BATCHES, BATCH_SIZE = 500, 50, 10
#: How many times :func:`train_xor`'s progress bar moves (the compiled loop runs that many slices of the epochs).
PROGRESS_STEPS = 20


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


#: ``make_dataset(n_batches, batch_size, n_inputs, centred, generator) -> [(X, y), ...]``
MakeDataset = Callable[..., list]


def xor_data(setting: XorSetting, make_dataset: MakeDataset) -> tuple[np.ndarray, ...]:
    """The training and test batches of a setting, drawn as ``run`` draws them: X (batches, batch
    size, inputs) and y (batches, batch size), float64."""
    generator = torch.Generator().manual_seed(setting.seed)
    arrays = []
    for n_batches in (N_TRAIN_BATCHES, N_TEST_BATCHES):
        batches = make_dataset(n_batches, BATCH_SIZE, setting.n_inputs, setting.centred, generator)
        arrays += [
            torch.stack([x for x, _ in batches]).double().numpy(),
            torch.stack([y for _, y in batches]).double().numpy(),
        ]
    return tuple(arrays)


def initial_layers(setting: XorSetting, model_class: Callable[..., nn.Module]) -> tuple[nn.Linear, nn.Linear]:
    """The two ``nn.Linear`` layers of a setting's network as ``run`` creates it after
    ``torch.manual_seed(seed)`` (the global random state is left as it was)."""
    with torch.random.fork_rng():
        torch.manual_seed(setting.seed)
        model = model_class(setting.n_inputs, setting.hidden, setting.activation, setting.init_uniform)
    layers = [module for module in model.modules() if isinstance(module, nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in layers]
    if shapes != [(setting.n_inputs, setting.hidden), (setting.hidden, 1)] or any(
        layer.bias is None for layer in layers
    ):
        raise ValueError(
            f"{getattr(model_class, '__name__', model_class)} must hold two nn.Linear layers with biases, "
            f"({setting.n_inputs} -> {setting.hidden}) then ({setting.hidden} -> 1); found {shapes}"
        )
    return layers[0], layers[1]


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


@njit(cache=True)
def _step(x, y, w1, b1, w2, b2, h, d, code, rate, scratch):
    """One SGD step of a network on one minibatch ``x``, ``y``: its weights updated in place, but for the output
    bias ``b2`` (a number); return the batch's mean loss and the output bias's gradient."""
    z, a, zs, as_, outs, gw1, gb1, gw2 = scratch
    batch = y.shape[0]
    loss = 0.0
    for s in range(batch):
        outs[s] = _forward(x[s], w1, b1, w2, b2, h, d, code, z, a)
        zs[s, :] = z
        as_[s, :] = a
    gw1[:, :] = 0.0
    gb1[:] = 0.0
    gw2[:] = 0.0
    gb2 = 0.0
    for s in range(batch):
        loss += (outs[s] - y[s]) ** 2
        dout = 2.0 * (outs[s] - y[s]) / batch
        gb2 += dout
        for j in range(h):
            gw2[j] += dout * as_[s, j]
            dz = dout * w2[j] * _slope(zs[s, j], as_[s, j], code)
            gb1[j] += dz
            for i in range(d):
                gw1[j, i] += dz * x[s, i]
    for j in range(h):
        w2[j] -= rate * gw2[j]
        b1[j] -= rate * gb1[j]
        for i in range(d):
            w1[j, i] -= rate * gw1[j, i]
    return loss / batch, gb2


@njit(cache=True)
def _evaluate(x, y, w1, b1, w2, b2, h, d, code, z, a):
    """The summed squared error and the number of right answers of a network over batches ``x``, ``y``."""
    loss, correct = 0.0, 0
    for t in range(y.shape[0]):
        for s in range(y.shape[1]):
            out = _forward(x[t, s], w1, b1, w2, b2, h, d, code, z, a)
            loss += (out - y[t, s]) ** 2
            if np.rint(out) == np.rint(y[t, s]):
                correct += 1
    return loss, correct


@njit(cache=True, parallel=True)
def _train(xtr, ytr, xte, yte, w1, b1, w2, b2, lr, codes, dims, widths, first, last, train_loss, test_loss, test_acc):
    """Train every network ``k`` (its own data, weights, rate and activation) with minibatch SGD, epochs ``first``
    to ``last - 1`` (the weights carry one call's training to the next)."""
    n_nets, n_train, batch = ytr.shape
    n_test = yte.shape[1]
    for k in prange(n_nets):
        h, d, code, rate = widths[k], dims[k], codes[k], lr[k]
        z, a = np.empty(h), np.empty(h)
        gradients = np.empty((h, d)), np.empty(h), np.empty(h)
        scratch = (z, a, np.empty((batch, h)), np.empty((batch, h)), np.empty(batch), *gradients)
        for epoch in range(first, last):
            total = 0.0
            for t in range(n_train):
                loss, gb2 = _step(xtr[k, t], ytr[k, t], w1[k], b1[k], w2[k], b2[k], h, d, code, rate, scratch)
                total += loss
                b2[k] -= rate * gb2
            train_loss[epoch, k] = total / n_train
            loss, correct = _evaluate(xte[k], yte[k], w1[k], b1[k], w2[k], b2[k], h, d, code, z, a)
            test_loss[epoch, k] = loss / (n_test * batch)
            test_acc[epoch, k] = correct / (n_test * batch)


def train_xor(
    settings: Sequence[XorSetting],
    make_dataset: MakeDataset,
    model_class: Callable[..., nn.Module],
    epochs: int = 100,
    progress: bool = True,
) -> XorHistory:
    """Train one network per setting, all at once, each exactly as the lab's ``run`` trains it alone
    with these ``make_dataset`` and ``model_class`` (see the module's docstring); return their curves.

    ``progress`` shows a tqdm bar over the epochs, with its time left."""
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
        xtr[k, ..., :d], ytr[k], xte[k, ..., :d], yte[k] = xor_data(setting, make_dataset)
        hidden, output = initial_layers(setting, model_class)
        w1[k, :h, :d] = hidden.weight.detach().double().numpy()
        b1[k, :h] = hidden.bias.detach().double().numpy()
        w2[k, :h] = output.weight.detach().double().numpy()[0]
        b2[k] = output.bias.item()
    curves = [np.zeros((epochs, n)) for _ in range(3)]
    rates = np.array([s.lr for s in settings], dtype=np.float64)
    codes = np.array([ACTIVATIONS.index(s.activation) for s in settings], dtype=np.int64)
    dims = np.array([s.n_inputs for s in settings], dtype=np.int64)
    widths = np.array([s.hidden for s in settings], dtype=np.int64)
    with tqdm(total=epochs, desc=f"{n} networks", unit="epoch", disable=not progress) as bar:
        for chunk in np.array_split(np.arange(epochs), min(epochs, PROGRESS_STEPS)):
            first, last = int(chunk[0]), int(chunk[-1]) + 1
            _train(xtr, ytr, xte, yte, w1, b1, w2, b2, rates, codes, dims, widths, first, last, *curves)
            bar.update(last - first)
    return XorHistory(settings, *curves)
