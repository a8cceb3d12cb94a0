"""What this machine can do at best, measured now: FMAs, other elementwise operations and memory bandwidth.

A roofline bound is only a bound if its rates are the machine's peaks, not what it happened to do while
something else ran. Each rate here is the best of several timings, taken with a given number of threads
(the thread count of the code it bounds), on data that stays in cache where the rate is about arithmetic.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import torch

#: ``y = max(y + a, b)`` this many times per element and pass: two elementwise operations each time
CHAIN = 8


@dataclass(frozen=True)
class Peaks:
    """The machine's best rates: fused multiply-adds, other elementwise float32 operations, copy bandwidth."""

    threads: int
    fma_per_s: float
    elementwise_per_s: float
    bytes_per_s: float

    def best(self, other: Peaks) -> Peaks:
        """Each rate the larger of the two measurements (a peak measured low was measured under load)."""
        return Peaks(
            self.threads,
            max(self.fma_per_s, other.fma_per_s),
            max(self.elementwise_per_s, other.elementwise_per_s),
            max(self.bytes_per_s, other.bytes_per_s),
        )


def best_rate(work: float, run: Callable[[], object], repeats: int) -> float:
    """``work`` divided by the shortest of ``repeats`` timings of ``run`` (after one untimed call)."""
    run()
    fastest = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - started)
    return work / fastest


def fma_rate(repeats: int, size: int = 2048) -> float:
    """Fused multiply-adds per second of a dense float32 matmul (``size`` cubed FMAs each)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    return best_rate(size**3, lambda: a @ b, repeats)


@numba.njit(parallel=True, cache=False)
def _elementwise_chains(rows: np.ndarray, passes: int, a: np.float32, b: np.float32) -> None:
    # no fastmath: the adds may not be reassociated across the maxes, so every operation is done
    for t in numba.prange(rows.shape[0]):
        row = rows[t]
        for _ in range(passes):
            for i in range(row.shape[0]):
                y = row[i]
                for _ in range(CHAIN):
                    y = max(y + a, b)
                row[i] = y


def elementwise_rate(threads: int, repeats: int, length: int = 2048, passes: int = 2000) -> float:
    """Elementwise float32 operations (adds and maxes) per second, on rows that stay in each core's L1 cache."""
    rows = np.zeros((threads, length), dtype=np.float32)
    a, b = np.float32(1e-7), np.float32(-1.0)
    return best_rate(2 * CHAIN * threads * length * passes, lambda: _elementwise_chains(rows, passes, a, b), repeats)


def copy_bandwidth(repeats: int, mib: int = 256) -> float:
    """Bytes read and written per second by a large copy (far larger than the caches)."""
    source = torch.ones(mib * 2**18)
    target = torch.empty_like(source)
    return best_rate(2 * source.nbytes, lambda: target.copy_(source), repeats)


def measure_peaks(threads: int, repeats: int = 5) -> Peaks:
    """The machine's peaks with ``threads`` threads in torch and Numba (both are left at that count)."""
    torch.set_num_threads(threads)
    numba.set_num_threads(threads)
    return Peaks(threads, fma_rate(repeats), elementwise_rate(threads, repeats), copy_bandwidth(repeats))
