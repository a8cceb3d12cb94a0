import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from helpers import environment
from helpers.environment import FAST_ENV_VAR, THREADS_ENV_VAR, fast_mode, kept_random_state, seed_everything
from tests.support import thread_counts_after


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seed_everything_seeds_random_numpy_and_torch():
    seed_everything(3)
    first = draw()
    seed_everything(3)
    assert draw() == first
    seed_everything(4)
    assert all(a != b for a, b in zip(draw(), first, strict=True))


def test_seed_everything_returns_nothing_for_a_notebook_to_print():
    assert seed_everything(7) is None


@pytest.mark.parametrize(
    "value, expected", [("", False), ("0", False), ("false", False), ("1", True), ("TRUE", True), ("yes", True)]
)
def test_fast_mode_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(FAST_ENV_VAR, value)
    assert fast_mode() is expected


def test_fast_mode_defaults_to_the_full_run(monkeypatch):
    monkeypatch.delenv(FAST_ENV_VAR, raising=False)
    assert fast_mode() is False


def test_fast_mode_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv(FAST_ENV_VAR, "maybe")
    with pytest.raises(ValueError, match="COURSE_FAST"):
        fast_mode()


def test_kept_random_state_leaves_every_stream_where_it_was():
    seed_everything(5)
    expected = draw()
    seed_everything(5)
    with kept_random_state():
        draw()
        seed_everything(99)
        draw()
    assert draw() == expected


def test_kept_random_state_restores_after_an_error():
    seed_everything(6)
    expected = draw()
    seed_everything(6)
    with pytest.raises(AssertionError), kept_random_state():
        draw()
        raise AssertionError("a failing test")
    assert draw() == expected


def threads_after(call: str, configured: str | None = None) -> subprocess.CompletedProcess:
    """torch's and the BLAS libraries' thread counts after ``call``, with ``COURSE_THREADS`` set to ``configured``."""
    env = {k: v for k, v in os.environ.items() if k != THREADS_ENV_VAR}
    if configured is not None:
        env[THREADS_ENV_VAR] = configured
    return thread_counts_after([f"from helpers import limit_threads\n{call}"], env=env)


def test_limit_threads_gives_torch_and_blas_one_thread_by_default():
    done = threads_after("print(limit_threads())")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["None", "1 [1]"]


def test_limit_threads_takes_a_number_and_the_environment_overrides_it():
    assert threads_after("limit_threads(3)").stdout.split()[0] == "3"
    assert threads_after("limit_threads(3)", configured="2").stdout.split()[0] == "2"


@pytest.mark.parametrize("configured", ["two", "0", "-1"])
def test_limit_threads_names_the_variable_it_cannot_read(configured):
    done = threads_after("limit_threads()", configured=configured)
    assert done.returncode != 0 and f"{THREADS_ENV_VAR}={configured!r} is not a number of threads" in done.stderr


def test_idle_cores_counts_every_core_on_an_idle_machine_and_one_on_a_busy_one(monkeypatch):
    samples = iter([(1000, 4000), (1180, 4200)])  # 180 of 200 ticks idle: 90% of 2 cores
    monkeypatch.setattr(environment, "_cpu_times", lambda: next(samples))
    monkeypatch.setattr(environment.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(environment.os, "sched_getaffinity", lambda pid: {0, 1})
    assert environment.idle_cores(seconds=0) == 2
    samples = iter([(1000, 4000), (1010, 4200)])  # 5% idle: nothing free, still one thread
    assert environment.idle_cores(seconds=0) == 1
    monkeypatch.setattr(environment.os, "sched_getaffinity", lambda pid: {0})  # idle cores this process may not use
    samples = iter([(1000, 4000), (1200, 4200)])
    assert environment.idle_cores(seconds=0) == 1


def test_idle_cores_falls_back_to_the_load_average_then_to_one(monkeypatch):
    def no_proc_stat():
        raise FileNotFoundError("/proc/stat")

    monkeypatch.setattr(environment, "_cpu_times", no_proc_stat)
    monkeypatch.setattr(environment.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(environment.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(environment.os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert environment.idle_cores(seconds=0) == 3
    monkeypatch.delattr(environment.os, "getloadavg")  # Windows
    assert environment.idle_cores(seconds=0) == 1


def test_idle_cores_sees_busy_processes():
    hogs = [subprocess.Popen([sys.executable, "-c", "while True:\n    pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        assert environment.idle_cores(seconds=0.5) == 1
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
