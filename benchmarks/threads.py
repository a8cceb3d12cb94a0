"""One thread against the default, for the small networks of the labs, idle and beside a CPU load.

torch and NumPy's BLAS start as many threads as the machine has cores. For the labs' small networks a step
is a few milliseconds, and the threads' hand-offs cost more than they save; beside other busy processes (a
shared lab machine, a class graded on the same computer) every hand-off waits for a core, and a step can take
many times longer. This measures, in one run, the mean time of a training step of each kind the labs run,
with one thread (what ``helpers.limit_threads()`` sets) and with the default, idle and beside ``--load`` busy processes,
and prints the ratios. Nothing is asserted.

    python benchmarks/threads.py [--load 4] [--steps 200]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch import nn


def torch_step(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn) -> Callable[[], None]:
    """One Adam step of ``model`` on the batch ``(X, y)``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        optimizer.zero_grad()
        loss_fn(model(X), y).backward()
        optimizer.step()

    return step


def numpy_step() -> Callable[[], None]:
    """The backpropagation lab's step: a 64-30-10 sigmoid network on a batch of 100, in NumPy."""
    rng = np.random.default_rng(0)
    X, W1, W2 = rng.normal(size=(100, 64)), rng.normal(size=(64, 30)), rng.normal(size=(30, 10))

    def step() -> None:
        h = 1 / (1 + np.exp(-X @ W1))
        out = 1 / (1 + np.exp(-h @ W2))
        delta = (out - 0.5) * out * (1 - out)
        _ = X.T @ ((delta @ W2.T) * h * (1 - h)), h.T @ delta

    return step


def workloads() -> dict[str, Callable[[], None]]:
    """A training step of each kind of network the labs train."""
    torch.manual_seed(0)
    moons = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    digits = nn.Sequential(nn.Linear(64, 64), nn.Sigmoid(), nn.Linear(64, 10))
    cnn = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(128, 10),
    )  # fmt: skip
    bce, ce = nn.BCEWithLogitsLoss(), nn.CrossEntropyLoss()
    return {
        "half-moons MLP 2-32-32-1, batch 32 (classification)": torch_step(
            moons, torch.randn(32, 2), torch.rand(32, 1).round(), bce
        ),
        "digits MLP 64-64-10, batch 64 (classification, deep)": torch_step(
            digits, torch.randn(64, 64), torch.randint(0, 10, (64,)), ce
        ),
        "digits CNN, batch 64 (deep)": torch_step(cnn, torch.randn(64, 1, 8, 8), torch.randint(0, 10, (64,)), ce),
        "NumPy 64-30-10, batch 100 (backprop)": numpy_step(),
    }


def mean_ms(step: Callable[[], None], steps: int) -> float:
    """The mean time of a step over ``steps`` steps after 10 to warm up: what a loop of them takes, stalls and all."""
    for _ in range(10):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return 1000 * (time.perf_counter() - started) / steps


def measure(steps: int) -> dict[str, tuple[float, float]]:
    """Each workload's mean step in ms: (one thread, the default)."""
    default = torch.get_num_threads()
    results = {}
    for name, step in workloads().items():
        torch.set_num_threads(1)
        with threadpool_limits(1):
            one = mean_ms(step, steps)
        torch.set_num_threads(default)
        results[name] = (one, mean_ms(step, steps))
    return results


def spin(stop) -> None:
    """A busy process as a notebook training beside this one: torch with its default threads."""
    a = torch.randn(256, 256)
    while not stop.is_set():
        a = torch.tanh(a @ a.T / 256)


@contextmanager
def busy_processes(count: int) -> Iterator[None]:
    """Run a block beside ``count`` busy processes (:func:`spin`), started with spawn (a forked child of a process
    that used OpenMP can hang) and stopped when it ends."""
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    busy = [spawn.Process(target=spin, args=(stop,)) for _ in range(count)]
    for process in busy:
        process.start()
    try:
        yield
    finally:
        stop.set()
        for process in busy:
            process.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--load", type=int, default=4, help="busy processes (torch, default threads) beside the second measurement"
    )
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; torch's default {torch.get_num_threads()} threads; mean of {args.steps} steps")
    idle = measure(args.steps)
    with busy_processes(args.load):
        loaded = measure(args.steps)
    print(
        f"{'step':55} {'idle: 1 / default ms':>22} {'ratio':>6} {f'{args.load} busy: 1 / default ms':>24} {'ratio':>6}"
    )
    for name, (one, default) in idle.items():
        one_busy, default_busy = loaded[name]
        print(
            f"{name:55} {one:9.2f} / {default:9.2f} {default / one:6.1f} "
            f"{one_busy:11.2f} / {default_busy:9.2f} {default_busy / one_busy:6.1f}"
        )


if __name__ == "__main__":
    main()
