"""Reproducibility and run-mode switches shared by every notebook, and the course's environment
variables.

NumPy and torch are imported when :func:`seed_everything` first runs, not with this module, so
that the grader's jail, which reads the variable names, starts without them.
"""

from __future__ import annotations

import math
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Environment variable that switches notebooks into their quick mode.
FAST_ENV_VAR = "COURSE_FAST"
#: Environment variable naming the folder where :func:`helpers.plotting.save_figure` writes PNG files.
FIGURE_DIR_ENV_VAR = "COURSE_FIGURE_DIR"
#: Environment variable naming the folder of the compiled sweeps (:mod:`helpers.sweep.fused`).
NUMBA_CACHE_ENV_VAR = "COURSE_NUMBA_CACHE"
#: Environment variable that overrides how many threads :func:`limit_threads` gives torch and NumPy's BLAS.
THREADS_ENV_VAR = "COURSE_THREADS"


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch, so that a notebook prints the same numbers on every run.

    It returns nothing, so that the imports cell that ends with it prints nothing either. A function that should
    not depend on how much of the global stream other cells have used draws from a generator of its own,
    ``torch.Generator().manual_seed(seed)``.
    """
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def idle_cores(seconds: float = 0.2) -> int:
    """How many of the cores this process may use are idle now (at least 1).

    On Linux it adds up the idle share, over ``seconds``, of each core this process may run on (its affinity;
    ``/proc/stat``'s line of each core), and caps the sum by the container's CPU quota (cgroup v2's ``cpu.max``), so
    that a JupyterHub pod allowed 2 CPUs of a large, idle node counts 2. Where ``/proc/stat`` cannot be read as
    expected it subtracts the load average of the last minute from the core count (macOS), and says 1 where there is
    no load average either (Windows). A notebook whose cells are large enough to gain from more threads (the
    tutorial) gives torch this many when it starts: all its cores on an idle machine, one on a busy one, where more
    threads would each wait for a core.
    """
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    allowed = sorted(affinity)
    try:
        before = _core_times()
        time.sleep(seconds)
        after = _core_times()
        shares = [
            (after[core][0] - before[core][0]) / max(after[core][1] - before[core][1], 1)
            for core in allowed
            if core in before and core in after
        ]
        if not shares:
            raise ValueError(f"none of the cores {allowed} in {PROC_STAT}")
        idle = min(sum(shares), _cpu_quota())
    except (OSError, ValueError, IndexError):
        try:
            idle = (os.cpu_count() or 1) - os.getloadavg()[0]
        except (AttributeError, OSError):
            idle = 1
    return max(1, min(len(allowed), math.floor(idle + 0.5)))


#: Linux's count of each core's time by kind, and cgroup v2's CPU quota of this process's container.
PROC_STAT = "/proc/stat"
CPU_MAX = "/sys/fs/cgroup/cpu.max"


def _core_times() -> dict[int, tuple[int, int]]:
    """Each core's idle and total time since boot, in clock ticks, by core number (the ``cpuN`` lines of
    ``/proc/stat``: user, nice, system, idle, iowait, irq, softirq, steal; guest time is counted in user)."""
    times = {}
    with open(PROC_STAT, encoding="ascii") as f:
        for line in f:
            name, *fields = line.split() or [""]
            if name.startswith("cpu") and name[3:].isdigit():
                ticks = [int(x) for x in fields[:8]]
                times[int(name[3:])] = (ticks[3] + ticks[4], sum(ticks))
    return times


def _cpu_quota() -> float:
    """How many CPUs the container's quota allows (``cpu.max``: quota / period), or infinity without a quota."""
    try:
        with open(CPU_MAX, encoding="ascii") as f:
            quota, period = f.read().split()[:2]
        return math.inf if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return math.inf


def limit_threads(threads: int = 1) -> None:
    """Give torch and NumPy's BLAS ``threads`` threads each (``COURSE_THREADS`` overrides the number).

    The labs' networks are small: a training step takes a millisecond or a few, and on an idle machine a second
    thread gains little there. On a busy machine (a shared lab computer, a laptop doing something else) every
    hand-off between threads waits for a free core, and a step took up to 90 times longer with torch's default
    threads than with one (2 cores, beside 4 busy processes). One thread is the default for that reason; set
    ``COURSE_THREADS`` (in the shell that starts Jupyter, or in ``os.environ`` before the imports cell) to try more.
    The compiled sweeps (:mod:`helpers.sweep`, :mod:`helpers.xor`), which train many networks at once, keep
    numba's threads. Like :func:`seed_everything`, it returns nothing, so an imports cell ending with it prints
    nothing.
    """
    import torch
    from threadpoolctl import threadpool_limits

    configured = os.environ.get(THREADS_ENV_VAR, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{THREADS_ENV_VAR}={configured!r} is not a number of threads: set it to 1, 2, ...")
        threads = int(configured)
    torch.set_num_threads(threads)
    threadpool_limits(limits=threads, user_api="blas")  # NumPy's OpenBLAS or MKL, from now on (not OpenMP: numba's)


@contextmanager
def kept_random_state() -> Iterator[None]:
    """Run a block without changing the global random state of ``random``, NumPy and torch.

    What the block draws or seeds is forgotten when it ends, so code after it draws exactly what it
    would have drawn without it. The notebooks' tests run inside it: grading a notebook must not
    change the numbers that the student's own cells print.
    """
    import numpy as np
    import torch

    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def fast_mode() -> bool:
    """Return True when ``COURSE_FAST`` is set to a true value (``1``, ``true``, ``yes``).

    Notebooks shrink epochs and sweeps in fast mode so that the test suite can execute them
    end to end in seconds; the full run is the default.
    """
    value = os.environ.get(FAST_ENV_VAR, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{FAST_ENV_VAR}={value!r} is not understood: set it to 1 (fast) or 0 (full run).")


def compiled_sweeps_folder() -> Path:
    """Where the compiled sweeps live: ``COURSE_NUMBA_CACHE``, else ``~/.cache/nn-course/numba``,
    else a folder in the temporary directory when the home folder is not writable."""
    configured = os.environ.get(NUMBA_CACHE_ENV_VAR)
    for folder in ([Path(configured)] if configured else []) + [
        Path.home() / ".cache" / "nn-course" / "numba",
        Path(tempfile.gettempdir()) / "nn-course-numba",
    ]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    raise OSError(f"no writable folder for the compiled sweeps: set {NUMBA_CACHE_ENV_VAR} to one")
