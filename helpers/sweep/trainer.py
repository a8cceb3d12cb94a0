"""Train a whole width sweep of one-hidden-layer networks at once.

:func:`train_sweep` trains every (width, seed) network of a sweep together, as one computation:
all hidden layers side by side, each network's output a sum over its own hidden units only,
and the loss the sum of the networks' mean squared errors. The networks share no parameter,
so every gradient is what training that network alone would give, and the optimizers (SGD
with momentum, Adam) act element by element: each network follows the trajectory it would
follow alone, from the same initial weights (``torch.manual_seed(seed)`` then
``make_mlp(d, width)``) and with the same minibatch order, up to floating-point rounding.

The forward and backward passes are fused loops (:mod:`helpers.sweep.fused`) that never
store a samples x units matrix, so memory grows with the number of parameters, not with
samples x units; a sweep larger than the memory budget is split into chunks of networks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from helpers.data import Dataset
from helpers.models import count_parameters, make_mlp
from helpers.sweep.fused import fused_passes
from helpers.training import iterate_minibatches, make_optimizer

#: hidden units per block of work (each block belongs to one network)
BLOCK = 64
#: default memory budget of one chunk of networks, in bytes
DEFAULT_MEMORY_BUDGET = 1 << 30
# the nn.Module of each activation the fused passes implement (helpers.sweep.fused.ACTIVATIONS)
_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


@dataclass(frozen=True)
class SweepHistory:
    """Loss curves of every network of a sweep: ``train_loss[e, k]`` after epoch ``epochs[e]``."""

    widths: np.ndarray  # hidden width of network k
    seeds: np.ndarray  # seed of network k
    n_params: np.ndarray  # parameters of network k: sum(p.numel()) of its nn.Module
    epochs: np.ndarray  # the epochs (1-based) at which losses were recorded
    train_loss: np.ndarray  # shape (len(epochs), networks): MSE on the whole training set
    test_loss: np.ndarray  # shape (len(epochs), networks)
    grid: tuple[int, int]  # (widths, seeds) of the sweep: network k is width k // seeds, seed k % seeds

    def final(self, split: str = "test") -> np.ndarray:
        """Final ``"train"`` or ``"test"`` MSE of every network."""
        return {"train": self.train_loss, "test": self.test_loss}[split][-1]

    def by_width(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per network, in the sweep's order) as a widths x seeds array: row ``i``
        holds the networks of the ``i``-th width, column ``j`` those of the ``j``-th seed.

        ``history.by_width(history.final("test"))`` is every network's final test MSE;
        ``history.by_width(history.n_params)[:, 0]`` the parameter count of each width.
        """
        values = np.asarray(values)
        if values.shape[:1] != self.widths.shape:
            raise ValueError(
                f"expected one value per network ({len(self.widths)}), got an array of shape {values.shape}"
            )
        return values.reshape(self.grid + values.shape[1:])


class _Chunk:
    """Parameters, optimizer and work blocks of a group of networks trained together."""

    def __init__(self, modules: list[nn.Sequential], activation: str, optimizer: str, lr: float, momentum: float):
        first = [m[0] for m in modules]
        last = [m[2] for m in modules]
        self.w = nn.Parameter(torch.cat([layer.weight.detach() for layer in first]).contiguous())
        self.b = nn.Parameter(torch.cat([layer.bias.detach() for layer in first]).contiguous())
        self.v = nn.Parameter(torch.cat([layer.weight.detach()[0] for layer in last]).contiguous())
        self.c = nn.Parameter(torch.cat([layer.bias.detach() for layer in last]).contiguous())
        params = [self.w, self.b, self.v, self.c]
        for p in params:
            p.grad = torch.zeros_like(p)
        self.optimizer = make_optimizer(params, optimizer, lr, momentum)
        starts, nets, net_starts = [0], [], [0]
        offset = 0
        for k, layer in enumerate(first):
            width = layer.out_features
            for start in range(offset, offset + width, BLOCK):
                starts.append(min(start + BLOCK, offset + width))
                nets.append(k)
            net_starts.append(len(nets))
            offset += width
        self.block_start = np.asarray(starts, dtype=np.int64)
        self.block_net = np.asarray(nets, dtype=np.int64)
        self.net_block_start = np.asarray(net_starts, dtype=np.int64)
        self.forward_pass, self.backward_pass = fused_passes(self.w.shape[1], activation)
        self.n_nets = len(modules)
        # numpy views of the parameters and gradients, shared with the torch tensors
        self.arrays = [p.detach().numpy() for p in (self.w, self.b, self.v, self.c)]
        self.grads = [p.grad.numpy() for p in (self.w, self.b, self.v)]
        self.partial = np.empty((len(nets), 0), dtype=np.float32)  # grown on first use

    def outputs(self, xt: np.ndarray) -> np.ndarray:
        """Outputs of every network on the samples ``xt`` (features x samples): (networks, samples)."""
        n = xt.shape[1]
        if self.partial.shape[1] < n:
            self.partial = np.empty((len(self.block_net), n), dtype=np.float32)
        out = np.empty((self.n_nets, n), dtype=np.float32)
        self.forward_pass(xt, *self.arrays, self.block_start, self.net_block_start, self.partial, out)
        return out

    def mse(self, xt: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean squared error of every network on the samples ``xt`` with targets ``y`` (samples,)."""
        return ((self.outputs(xt) - y) ** 2).mean(axis=1, dtype=np.float64)

    def step(self, xt: np.ndarray, y: np.ndarray) -> None:
        """One optimizer step of every network on a minibatch: ``xt`` features x samples, ``y`` (samples,)."""
        residual = self.outputs(xt)
        residual -= y
        residual *= np.float32(2.0 / xt.shape[1])  # d(mean squared error)/d(output)
        w, b, v, _ = self.arrays
        self.backward_pass(xt, w, b, v, residual, self.block_start, self.block_net, *self.grads)
        self.c.grad.copy_(torch.from_numpy(residual.sum(axis=1)))
        self.optimizer.step()


def chunk_bytes(widths: Sequence[int], dim: int, n_batch: int, n_eval: int) -> int:
    """Estimated memory of training networks of these widths together, in bytes.

    Per hidden unit: its parameters, their gradients and two optimizer states; per block of
    units, a row of partial outputs for the largest set evaluated; per network, its outputs
    and residuals.
    """
    units = sum(widths)
    blocks = sum(-(-w // BLOCK) for w in widths)
    n = max(n_batch, n_eval)
    return 4 * (4 * units * (dim + 2) + blocks * n + 3 * len(widths) * n)


def split_into_chunks(widths: Sequence[int], dim: int, n_batch: int, n_eval: int, budget: int) -> list[list[int]]:
    """Split network indices, in order, into chunks whose :func:`chunk_bytes` fit ``budget``."""
    chunks: list[list[int]] = [[]]
    for k, width in enumerate(widths):
        candidate = [widths[i] for i in chunks[-1]] + [width]
        if chunks[-1] and chunk_bytes(candidate, dim, n_batch, n_eval) > budget:
            chunks.append([])
        needed = chunk_bytes([width], dim, n_batch, n_eval)
        if needed > budget:
            raise MemoryError(
                f"one network of width {width} needs about {needed / 2**20:.0f} MiB, "
                f"more than the memory budget of {budget / 2**20:.0f} MiB; raise memory_budget"
            )
        chunks[-1].append(k)
    return chunks


def train_sweep(
    data: Dataset,
    widths: Sequence[int],
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 2000,
    lr: float = 0.01,
    momentum: float = 0.9,
    optimizer: str = "sgd",
    batch_size: int | None = None,
    shuffle: bool = True,
    data_seed: int = 0,
    activation: str = "relu",
    record_every: int = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    progress: bool = True,
) -> SweepHistory:
    """Train one one-hidden-layer network per (width, seed) together; return their loss curves.

    Network ``(w, s)`` starts from ``torch.manual_seed(s); make_mlp(d, w, activation=...)``.
    Each epoch makes one pass over the training set in minibatches of ``batch_size`` (``None``:
    full batch), shuffled with a generator seeded by ``data_seed`` when ``shuffle``, the same
    order for every network. Training and test MSE of every network are recorded every
    ``record_every`` epochs and after the last. ``memory_budget`` (bytes) bounds one chunk of
    networks trained together; larger sweeps are trained chunk by chunk, with identical results.
    """
    if activation not in _MODULES:
        raise ValueError(f"unknown activation {activation!r}: use one of {', '.join(_MODULES)}")
    if epochs < 1 or record_every < 1:
        raise ValueError(f"epochs and record_every must be positive, got {epochs} and {record_every}")
    dim = data.x_train.shape[1]
    nets = [(w, s) for w in widths for s in seeds]
    recorded = sorted({e for e in range(record_every, epochs + 1, record_every)} | {epochs})
    train_loss = np.zeros((len(recorded), len(nets)))
    test_loss = np.zeros_like(train_loss)
    n_params = np.zeros(len(nets), dtype=np.int64)
    n_batch = len(data.x_train) if batch_size is None else batch_size
    chunks = split_into_chunks(
        [w for w, _ in nets], dim, n_batch, max(len(data.x_train), len(data.x_test)), memory_budget
    )
    x_train, y_train = data.x_train.float(), data.y_train.float()

    def columns(x: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        return np.ascontiguousarray(x.numpy().T), np.ascontiguousarray(y.numpy()[:, 0])

    train_set, test_set = columns(x_train, y_train), columns(data.x_test.float(), data.y_test.float())
    full_batch = batch_size is None or batch_size >= len(x_train)
    bar = tqdm(total=epochs * len(chunks), desc=f"sweep of {len(nets)} networks", disable=not progress)
    for chunk_index in chunks:
        modules = []
        for k in chunk_index:
            width, seed = nets[k]
            torch.manual_seed(seed)
            modules.append(make_mlp(dim, width, activation=_MODULES[activation]))
            n_params[k] = count_parameters(modules[-1])
        chunk = _Chunk(modules, activation, optimizer, lr, momentum)
        generator = torch.Generator().manual_seed(data_seed)
        row = 0
        for epoch in range(1, epochs + 1):
            if full_batch:  # one step on all samples: their order does not change the gradient
                chunk.step(*train_set)
            else:
                for x_batch, y_batch in iterate_minibatches(x_train, y_train, batch_size, shuffle, generator):
                    chunk.step(*columns(x_batch, y_batch))
            if epoch == recorded[row]:
                train_loss[row, chunk_index] = chunk.mse(*train_set)
                test_loss[row, chunk_index] = chunk.mse(*test_set)
                row += 1
            bar.update()
    bar.close()
    return SweepHistory(
        np.array([w for w, _ in nets]),
        np.array([s for _, s in nets]),
        n_params,
        np.array(recorded),
        train_loss,
        test_loss,
        (len(widths), len(seeds)),
    )
