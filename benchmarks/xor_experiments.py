"""The XOR lab's experiments: looping the one-network ``run`` against ``helpers.xor.train_xor``.

In one process, on the same settings (each activation of the lab with ``--seeds`` seeds, 500
batches of 10 per epoch, ``--epochs`` epochs):

* loop: each network trained alone by the standard PyTorch loop, one after another, as the lab's
  ``run`` does (``grader.checks.xor`` holds the lab's model answers: ``reference_run`` and the
  ``reference_dataset`` and ``ReferenceNet`` it uses);
* batched: ``train_xor`` on the same settings with the same ``make_dataset`` and ``XorNet`` (the
  compiled loop, all networks at once).

It checks that the final losses agree, then prints the median of ``--repeats`` batched timings, the
loop's time and the speed-up. Nothing is asserted about time.

    python benchmarks/xor_experiments.py [--seeds 2] [--epochs 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.checks.xor import ReferenceNet as XorNet
from grader.checks.xor import reference_dataset as make_dataset
from grader.checks.xor import reference_run as run_alone
from helpers.xor import ACTIVATIONS, XorSetting, train_xor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=2, help="seeds per activation")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3, help="batched timings; the median is reported")
    args = parser.parse_args()
    settings = [XorSetting(activation, seed=seed) for activation in ACTIVATIONS for seed in range(args.seeds)]
    print(
        f"{len(settings)} networks ({', '.join(ACTIVATIONS)} x {args.seeds} seeds), {args.epochs} epochs of 500 steps"
    )

    train_xor(settings[:1], make_dataset, XorNet, epochs=1, progress=False)  # compile (or load) the loop once
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        history = train_xor(settings, make_dataset, XorNet, epochs=args.epochs, progress=False)
        times.append(time.perf_counter() - started)
    batched = statistics.median(times)

    started = time.perf_counter()
    alone = [run_alone(setting, args.epochs) for setting in settings]
    loop = time.perf_counter() - started

    finals = np.array([run["train_loss"][-1] for run in alone])
    difference = np.max(np.abs(history.train_loss[-1] - finals) / np.abs(finals))
    print(f"final training losses agree: largest relative difference {difference:.1e}")
    print(f"loop over run   {loop:8.2f} s")
    print(f"batched         {batched:8.2f} s  (median of {args.repeats})")
    print(f"speed-up        {loop / batched:8.1f} x")


if __name__ == "__main__":
    main()
