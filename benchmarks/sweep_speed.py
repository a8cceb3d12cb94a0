"""The double-descent width sweep: the naive loop, plain batched PyTorch and the fused trainer, and a roofline.

In one process, on the same data (the tutorial's 500 samples of x1^2 + x2^2):

* naive: one ``nn.Module`` per (width, seed), trained one after another by the standard PyTorch
  loop (zero_grad, forward, MSE, backward, SGD step), full batch;
* plain batched: what a PyTorch user would write to train the sweep at once: every network's
  hidden units side by side in one matmul, each network's output a sum over its own units
  (``index_add``), the sum of the networks' losses, autograd and one
  ``torch.optim.SGD``; the networks share no parameter, so each one gets its own gradient;
* fused: ``helpers.sweep.train_sweep`` (generated Numba kernels) on the same sweep.

All three start from the same initial weights and take the same steps. It checks that the final
training and test losses of every network agree, then prints the median of ``--repeats`` timings
of each side (these shared machines swing from run to run: one timing is an anecdote), the
speed-ups, and the fused time against a roofline bound for the same work: the floating-point
operations over the machine's dense matmul rate and the bytes that must move over its memory
bandwidth, both measured here in the same run. Nothing is asserted about time.

    python benchmarks/sweep_speed.py [--epochs 500] [--seeds 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.data import make_regression_data
from helpers.models import make_mlp
from helpers.sweep import train_sweep

WIDTHS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]


def naive(data, widths, seeds, epochs, lr, momentum):
    """Final (train, test) MSE of each network, trained one at a time by the standard loop."""
    finals = []
    loss_fn = nn.MSELoss()
    for width in widths:
        for seed in seeds:
            torch.manual_seed(seed)
            model = make_mlp(data.x_train.shape[1], width)
            optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
            for _ in range(epochs):
                optimizer.zero_grad()
                loss_fn(model(data.x_train), data.y_train).backward()
                optimizer.step()
            with torch.no_grad():
                finals.append(
                    (loss_fn(model(data.x_train), data.y_train).item(), loss_fn(model(data.x_test), data.y_test).item())
                )
    return np.array(finals)


def plain_batched(data, widths, seeds, epochs, lr, momentum):
    """Final (train, test) MSE of each network, all trained at once by plain batched PyTorch."""
    nets = [(width, seed) for width in widths for seed in seeds]
    first, second = [], []
    for width, seed in nets:
        torch.manual_seed(seed)
        model = make_mlp(data.x_train.shape[1], width)
        first.append(model[0])
        second.append(model[2])
    w = torch.cat([layer.weight.detach() for layer in first]).requires_grad_()  # (units, d)
    b = torch.cat([layer.bias.detach() for layer in first]).requires_grad_()
    v = torch.cat([layer.weight.detach()[0] for layer in second]).requires_grad_()
    c = torch.cat([layer.bias.detach() for layer in second]).requires_grad_()
    owner = torch.repeat_interleave(torch.arange(len(nets)), torch.tensor([width for width, _ in nets]))

    def outputs(x: torch.Tensor) -> torch.Tensor:  # (samples, networks): each network sums its own units
        contributions = torch.relu(torch.addmm(b[:, None], w, x.T)) * v[:, None]  # (units, samples)
        return torch.zeros(len(nets), len(x)).index_add(0, owner, contributions).T + c

    def losses(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:  # each network's MSE
        return ((outputs(x) - y) ** 2).mean(dim=0)

    optimizer = torch.optim.SGD([w, b, v, c], lr=lr, momentum=momentum)
    for _ in range(epochs):
        optimizer.zero_grad()
        losses(data.x_train, data.y_train).sum().backward()
        optimizer.step()
    with torch.no_grad():
        return torch.stack([losses(data.x_train, data.y_train), losses(data.x_test, data.y_test)], dim=1).numpy()


def median_time(run: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    """The median wall time of ``repeats`` calls of ``run``, and what the last call returned."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def matmul_rate(size: int = 2048, repeats: int = 5) -> float:
    """Dense float32 matmul rate of this machine, FLOP/s."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return repeats * 2 * size**3 / (time.perf_counter() - started)


def memory_bandwidth(mib: int = 256, repeats: int = 5) -> float:
    """Main-memory bandwidth of a large copy (bytes read + written per second)."""
    source = torch.ones(mib * 2**18)
    target = torch.empty_like(source)
    target.copy_(source)
    started = time.perf_counter()
    for _ in range(repeats):
        target.copy_(source)
    return repeats * 2 * source.numel() * 4 / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="timings of each side; the median is reported")
    args = parser.parse_args()
    data = make_regression_data(seed=0)
    seeds = tuple(range(args.seeds))
    lr, momentum = 0.01, 0.9
    n, dim = data.x_train.shape
    units = sum(WIDTHS) * len(seeds)
    print(
        f"sweep: {len(WIDTHS)} widths {WIDTHS[0]}..{WIDTHS[-1]} x {len(seeds)} seeds = "
        f"{len(WIDTHS) * len(seeds)} networks, {units} hidden units, {n} samples, {args.epochs} full-batch SGD epochs; "
        f"torch threads {torch.get_num_threads()}; median of {args.repeats} timings per side"
    )

    started = time.perf_counter()
    train_sweep(data, [1], (0,), epochs=1, progress=False)  # compile the kernels
    compile_seconds = time.perf_counter() - started

    def fused() -> np.ndarray:
        history = train_sweep(
            data, WIDTHS, seeds, epochs=args.epochs, lr=lr, momentum=momentum, record_every=args.epochs, progress=False
        )
        return np.stack([history.final("train"), history.final("test")], axis=1)

    fused_seconds, batched = median_time(fused, args.repeats)
    plain_seconds, plain = median_time(
        lambda: plain_batched(data, WIDTHS, seeds, args.epochs, lr, momentum), args.repeats
    )
    naive_seconds, reference = median_time(lambda: naive(data, WIDTHS, seeds, args.epochs, lr, momentum), args.repeats)

    for name, finals in (("fused", batched), ("plain batched", plain)):
        disagreement = np.abs(finals - reference) / np.abs(reference)
        print(
            f"{name}: final losses vs the naive loop's, largest relative difference {disagreement.max():.1e} "
            f"(train {disagreement[:, 0].max():.1e}, test {disagreement[:, 1].max():.1e}; {len(reference)} networks)"
        )

    flop_rate, bandwidth = matmul_rate(), memory_bandwidth()
    steps = args.epochs
    # per (hidden unit, sample) pair and step, without recomputation: forward 2d+3 (d FMAs from
    # the bias, ReLU, output FMA), backward 2d+5 (r*v, ReLU mask, d FMAs for the weight gradient,
    # the bias-gradient sum, the output-weight FMA)
    flops = steps * n * units * (4 * dim + 8)
    # what must move each step: every parameter read and written with its gradient and
    # momentum buffer (4 bytes each), plus the data
    bytes_moved = steps * (6 * 4 * (units * (dim + 2) + len(WIDTHS) * len(seeds)) + 4 * n * (dim + 1))
    flop_bound, byte_bound = flops / flop_rate, bytes_moved / bandwidth
    roofline = max(flop_bound, byte_bound)
    print(f"machine: matmul {flop_rate / 1e9:.0f} GFLOP/s, copy bandwidth {bandwidth / 1e9:.1f} GB/s (measured now)")
    print(
        f"work: {flops / 1e9:.0f} GFLOP -> {flop_bound:.2f} s at the matmul rate; "
        f"{bytes_moved / 1e9:.2f} GB -> {byte_bound:.3f} s at the bandwidth; roofline {roofline:.2f} s "
        f"({'compute' if flop_bound >= byte_bound else 'memory'} bound)"
    )
    print(f"naive loop      {naive_seconds:8.2f} s")
    print(f"plain batched   {plain_seconds:8.2f} s")
    print(f"fused           {fused_seconds:8.2f} s  (+ {compile_seconds:.1f} s compiling the kernels once per process)")
    print(f"fused vs naive loop      {naive_seconds / fused_seconds:8.1f} x")
    print(f"fused vs plain batched   {plain_seconds / fused_seconds:8.1f} x")
    print(f"plain batched vs naive   {naive_seconds / plain_seconds:8.1f} x")
    print(f"fused / roofline {fused_seconds / roofline:.2f}")


if __name__ == "__main__":
    main()
