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


def proc_stat(idle: dict[int, int], ticks: int = 100) -> str:
    """A /proc/stat whose cores each spent ``idle[core]`` of ``ticks`` ticks idle (user time for the rest)."""
    lines = [f"cpu  {sum(ticks - i for i in idle.values())} 0 0 {sum(idle.values())} 0 0 0 0 0 0"]
    lines += [f"cpu{core} {ticks - i} 0 0 {i} 0 0 0 0 0 0" for core, i in idle.items()]
    return "\n".join([*lines, "intr 12345", "ctxt 678", ""])


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """Point idle_cores at a /proc/stat and a cpu.max of the test's: ``set(before, after, affinity, quota)``."""
    stat, quota_file = tmp_path / "stat", tmp_path / "cpu.max"
    monkeypatch.setattr(environment, "PROC_STAT", str(stat))
    monkeypatch.setattr(environment, "CPU_MAX", str(quota_file))

    def configure(after: dict[int, int], affinity: set[int], quota: str = "max 100000") -> None:
        reads = iter([proc_stat(dict.fromkeys(after, 0), ticks=0), proc_stat(after)])
        monkeypatch.setattr(environment.time, "sleep", lambda _: stat.write_text(next(reads)))
        stat.write_text(next(reads))
        quota_file.write_text(quota)
        monkeypatch.setattr(environment.os, "sched_getaffinity", lambda pid: affinity)

    return configure


def test_idle_cores_counts_the_idle_cores_this_process_may_use(machine):
    machine({0: 90, 1: 95}, affinity={0, 1})  # an idle machine: every core
    assert environment.idle_cores() == 2
    machine({0: 5, 1: 3}, affinity={0, 1})  # a busy one: still one thread
    assert environment.idle_cores() == 1
    machine({0: 5, 1: 5, 2: 100, 3: 100}, affinity={0, 1})  # pinned to the two busy cores of four
    assert environment.idle_cores() == 1
    machine({core: 100 for core in range(64)}, affinity=set(range(64)), quota="200000 100000")  # a pod's 2 CPUs
    assert environment.idle_cores() == 2


@pytest.mark.parametrize(
    "content",
    ["cpu  1 2 3 4\ncpu0 1 2 3\n", "", "intr 1\n", "cpu0 a b c d e f g h\n"],
    ids=["old", "empty", "other", "text"],
)
def test_idle_cores_falls_back_to_the_load_average_then_to_one(monkeypatch, tmp_path, content):
    (tmp_path / "stat").write_text(content)
    monkeypatch.setattr(environment, "PROC_STAT", str(tmp_path / "stat"))
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
