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
speed-ups, and the fused trainer's best time against a roofline bound for the same work.

The roofline prices the work each step must do by what the machine can do for each kind of operation, at the
fused trainer's thread count (Numba's, torch set to the same), each rate the best of several timings before
and after the trainings: fused multiply-adds at a dense matmul's rate, the other elementwise operations (ReLU,
its gradient mask, the bias gradient's sum) at the rate of adds and maxes on data in cache, and the bytes the
optimizer must move at the copy bandwidth. The machine's FMA and add units work side by side, so each piece
bounds the time alone and the roofline is the largest. A fused time below it means a peak was measured wrong,
and the benchmark says so (exit status 1) instead of printing a ratio below 1. Nothing is asserted about time.

    python benchmarks/sweep_speed.py [--epochs 500] [--seeds 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine_peaks import Peaks, measure_peaks
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


def timings(run: Callable[[], np.ndarray], repeats: int) -> tuple[list[float], np.ndarray]:
    """The wall times of ``repeats`` calls of ``run``, and what the last call returned."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return times, result


@dataclass(frozen=True)
class Work:
    """What training the sweep must do at least, whoever does it, by kind."""

    fmas: float
    elementwise: float
    bytes_moved: float


def sweep_work(units: int, networks: int, samples: int, dim: int, steps: int) -> Work:
    """The work of ``steps`` full-batch SGD-with-momentum steps of one-hidden-layer ReLU networks.

    Per (hidden unit, sample) pair and step, without recomputation: ``d`` FMAs for the pre-activation (the
    bias added in the first), one FMA for the unit's share of the output, ``d`` FMAs for the weight
    gradient's sums; a max (ReLU), a select (the residual where the unit is active) and an add (the bias
    gradient's sum). The output weight's gradient needs no work per sample (``b m + w . s``, the sums the
    other gradients need). Per step, every parameter, its gradient and momentum read, the parameter and
    momentum written (4 bytes each), and the data read once.
    """
    pairs = steps * samples * units
    parameters = units * (dim + 2) + networks
    return Work(
        fmas=pairs * (2 * dim + 1),
        elementwise=pairs * 3,
        bytes_moved=steps * (5 * 4 * parameters + 4 * samples * (dim + 1)),
    )


def roofline(work: Work, peaks: Peaks) -> dict[str, float]:
    """Seconds each kind of work takes at the machine's peak for it; the roofline is the largest."""
    return {
        "FMAs": work.fmas / peaks.fma_per_s,
        "elementwise": work.elementwise / peaks.elementwise_per_s,
        "memory": work.bytes_moved / peaks.bytes_per_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--repeats", type=int, default=3, help="timings of each side (the median is reported) and of each peak"
    )
    args = parser.parse_args()
    data = make_regression_data(seed=0)
    seeds = tuple(range(args.seeds))
    lr, momentum = 0.01, 0.9
    n, dim = data.x_train.shape
    units = sum(WIDTHS) * len(seeds)
    networks = len(WIDTHS) * len(seeds)
    threads = numba.get_num_threads()
    peaks = measure_peaks(threads, repeats=max(args.repeats, 5))
    print(
        f"sweep: {len(WIDTHS)} widths {WIDTHS[0]}..{WIDTHS[-1]} x {len(seeds)} seeds = "
        f"{networks} networks, {units} hidden units, {n} samples, {args.epochs} full-batch SGD epochs; "
        f"{threads} threads in Numba and torch (the fused trainer's); median of {args.repeats} timings per side"
    )

    started = time.perf_counter()
    train_sweep(data, [1], (0,), epochs=1, progress=False)  # compile the kernels
    compile_seconds = time.perf_counter() - started

    def fused() -> np.ndarray:
        history = train_sweep(
            data, WIDTHS, seeds, epochs=args.epochs, lr=lr, momentum=momentum, record_every=args.epochs, progress=False
        )
        return np.stack([history.final("train"), history.final("test")], axis=1)

    fused_times, batched = timings(fused, args.repeats)
    plain_times, plain = timings(lambda: plain_batched(data, WIDTHS, seeds, args.epochs, lr, momentum), args.repeats)
    naive_times, reference = timings(lambda: naive(data, WIDTHS, seeds, args.epochs, lr, momentum), args.repeats)
    peaks = peaks.best(measure_peaks(threads, repeats=max(args.repeats, 5)))

    for name, finals in (("fused", batched), ("plain batched", plain)):
        disagreement = np.abs(finals - reference) / np.abs(reference)
        print(
            f"{name}: final losses vs the naive loop's, largest relative difference {disagreement.max():.1e} "
            f"(train {disagreement[:, 0].max():.1e}, test {disagreement[:, 1].max():.1e}; {len(reference)} networks)"
        )

    fused_seconds, plain_seconds, naive_seconds = map(statistics.median, (fused_times, plain_times, naive_times))
    print(f"naive loop      {naive_seconds:8.2f} s")
    print(f"plain batched   {plain_seconds:8.2f} s")
    print(f"fused           {fused_seconds:8.2f} s  (+ {compile_seconds:.1f} s compiling the kernels once per process)")
    print(f"fused vs naive loop      {naive_seconds / fused_seconds:8.1f} x")
    print(f"fused vs plain batched   {plain_seconds / fused_seconds:8.1f} x")
    print(f"plain batched vs naive   {naive_seconds / plain_seconds:8.1f} x")

    work = sweep_work(units, networks, n, dim, args.epochs)
    pieces = roofline(work, peaks)
    bound = max(pieces.values())
    print(
        f"machine, best of the timings before and after: {peaks.fma_per_s / 1e9:.1f} G FMA/s (float32 matmul), "
        f"{peaks.elementwise_per_s / 1e9:.1f} G elementwise op/s (adds and maxes in cache), "
        f"{peaks.bytes_per_s / 1e9:.1f} GB/s (copy)"
    )
    print(
        f"work: {work.fmas / 1e9:.1f} G FMAs -> {pieces['FMAs']:.3f} s; "
        f"{work.elementwise / 1e9:.1f} G elementwise -> {pieces['elementwise']:.3f} s; "
        f"{work.bytes_moved / 1e9:.2f} GB -> {pieces['memory']:.3f} s; "
        f"roofline {bound:.3f} s ({max(pieces, key=pieces.get)} bound)"
    )
    fastest = min(fused_times)
    if fastest < bound:
        print(
            f"the bound is wrong: the fused trainer ran in {fastest:.3f} s, faster than the roofline's {bound:.3f} s, "
            f"so a peak rate was measured below what the machine can do (a busy machine while it was timed?)"
        )
        sys.exit(1)
    print(f"fused / roofline {fastest / bound:.2f} (the fused trainer's best of {args.repeats} against the bound)")


if __name__ == "__main__":
    main()
