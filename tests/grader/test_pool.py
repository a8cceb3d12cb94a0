"""The local worker processes (grader.autograde.pool): kept from one grading run to the next of the same process,
thread and environment, and only then; killed by a run that raises; their templates' folder in the pool's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil
import pytest

from grader.autograde import pool as pool_module
from grader.autograde.pool import worker_pool
from grader.kernel import warm


def template_home() -> str | None:
    """Runs in a worker: where its kernel templates keep their folders."""
    return warm._home


def start_writer() -> int:
    """Runs in a worker: start a process that keeps writing into the template's folder (as a template that is still
    importing does), and return its pid."""
    script = "import os, sys, time\nwhile True:\n    os.makedirs(sys.argv[1], exist_ok=True)\n    time.sleep(0.01)\n"
    folder = os.path.join(warm._home, "kernel-template-x", "mplconfigdir")
    return subprocess.Popen([sys.executable, "-c", script, folder], start_new_session=True).pid


def worker_pids(executor: ProcessPoolExecutor, workers: int) -> set[int]:
    """The pids of the executor's workers, once it has started them all (a few tasks each)."""
    for task in [executor.submit(os.getpid) for _ in range(4 * workers)]:
        task.result()
    return set(executor._processes)


@pytest.fixture(autouse=True)
def no_kept_pool():
    """Each test starts with no kept pool and ends its own."""
    pool_module._end_kept_pool()
    yield
    pool_module._end_kept_pool()


def test_a_second_run_grades_in_the_workers_of_the_first_and_their_templates_live_in_the_pools_folder(monkeypatch):
    with worker_pool(2) as executor:
        first = worker_pids(executor, 2)
        home = executor.submit(template_home).result()
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "another test (call)")  # pytest's, rewritten for each test
    with worker_pool(None) as executor:  # any number: the kept pool's
        assert worker_pids(executor, 2) == first
    kept = pool_module._kept
    assert home == str(kept.folder) and Path(home).name.startswith(f"course-grading-{os.getpid()}-workers-")
    pool_module._end_kept_pool()
    assert not Path(home).exists() and not kept.executor._processes  # ended with this process, its folder removed


def test_a_run_that_raises_kills_its_workers_and_the_next_run_starts_new_ones():
    with pytest.raises(KeyboardInterrupt), worker_pool(2) as executor:
        first = worker_pids(executor, 2)
        kept_meanwhile = pool_module._kept  # taken out while the run uses it
        raise KeyboardInterrupt
    assert kept_meanwhile is None and pool_module._kept is None
    with worker_pool(2) as executor:
        assert worker_pids(executor, 2).isdisjoint(first)


@pytest.mark.parametrize("change", ["workers", "environment", "thread", "not reused"])
def test_workers_are_new_when_what_they_started_with_changed(change, monkeypatch):
    with worker_pool(2) as executor:
        first = worker_pids(executor, 2)
    if change == "workers":
        with worker_pool(1) as executor:
            assert worker_pids(executor, 1).isdisjoint(first)
    elif change == "environment":  # a worker reads the environment it was started with (fast mode, for one)
        monkeypatch.setenv("COURSE_FAST", "0" if os.environ.get("COURSE_FAST") == "1" else "1")
        with worker_pool(2) as executor:
            assert worker_pids(executor, 2).isdisjoint(first)
    elif change == "thread":  # a worker dies when the thread that started it ends
        found: list[set[int]] = []

        def run() -> None:
            with worker_pool(2, reuse=False) as executor:
                found.append(worker_pids(executor, 2))

        def run_kept() -> None:
            with worker_pool(2) as executor:
                found.append(worker_pids(executor, 2))

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert found[0].isdisjoint(first)
        assert pool_module._kept is not None and set(pool_module._kept.executor._processes) == first
        thread = threading.Thread(target=run_kept)
        thread.start()
        thread.join()
        assert found[1].isdisjoint(first)  # another thread does not use the kept pool, which ended
    else:
        with worker_pool(2, reuse=False) as executor:
            assert worker_pids(executor, 2).isdisjoint(first)
        assert set(pool_module._kept.executor._processes) == first  # the kept pool stays for the next run


def test_a_pool_whose_worker_died_is_not_kept():
    with worker_pool(1) as executor:
        (pid,) = worker_pids(executor, 1)
        os.kill(pid, 9)
        with pytest.raises(Exception, match="terminated abruptly"):
            executor.submit(os.getpid).result()
    assert pool_module._kept is None


def test_a_run_that_raises_ends_what_its_workers_started_before_it_removes_their_folder():
    with pytest.raises(KeyboardInterrupt), worker_pool(1) as executor:
        writer = psutil.Process(executor.submit(start_writer).result())
        folder = Path(executor.submit(template_home).result())
        deadline = time.monotonic() + 60
        while not (folder / "kernel-template-x").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        raise KeyboardInterrupt
    assert not writer.is_running() or writer.status() == psutil.STATUS_ZOMBIE
    assert not folder.exists()


def test_a_pool_whose_folder_is_gone_is_not_used_again():
    with worker_pool(1) as executor:
        first = worker_pids(executor, 1)
    shutil.rmtree(pool_module._kept.folder)
    with worker_pool(1) as executor:
        assert worker_pids(executor, 1).isdisjoint(first)
        assert Path(executor.submit(template_home).result()).is_dir()
