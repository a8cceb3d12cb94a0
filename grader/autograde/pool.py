"""The local grading worker processes of this process, kept from one grading run to the next.

A worker costs seconds before its first submission: a new Python (``spawn``) that imports nbgrader, then its warm
kernel template (:mod:`grader.kernel.warm`), which imports what every kernel needs. A command that grades several
assignments (``course grade`` of the term, the main job) or a test session that grades many classes pays that once:
:func:`worker_pool` keeps the pool of a run that ended normally, and the next run of this process with the same
number of workers, from the same thread, in the same environment, folder and import path, with the course's packages
unchanged on disk, grades in it again. A run that is stopped or fails, or whose pool broke (a worker died, or its
folder is gone), kills its workers (their kernels die with them) and the next run starts new ones. The pool ends,
its workers with their templates, when this process exits.

Each worker dies with this process (``PR_SET_PDEATHSIG``), which Linux signals when the *thread* that started it
ends: so a pool is used again only by the thread that made it. The workers' templates keep their folders in the
pool's own private folder (:data:`grader.autograde.scratch.PREFIX`, with this process's id), which outlives each
run's; a grading run that finds it left by a process that was killed removes it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import psutil

from grader.autograde.scratch import PREFIX
from grader.autograde.stopping import STOP_SIGNALS
from grader.kernel import warm
from grader.kernel.lifetime import die_with_parent
from grader.kernel.sandbox import course_packages


@dataclass
class WorkerPool:
    """Local worker processes (see :func:`_worker_started`), started fresh (spawn), and the folder of their
    templates."""

    executor: ProcessPoolExecutor
    folder: Path
    key: tuple

    def end(self) -> None:
        """Kill the workers and every process they started (templates, kernels), then remove their folder. Killed,
        not asked to stop: a running task has no other way to end, a template that is still importing (it hears that
        its worker ended only once it is ready) writes into the folder meanwhile, and a worker whose thread ended
        (which kills it) may have died holding the lock of the executor's queue, which the others then wait for
        forever. The workers are stopped first, so that none starts a process while their trees are read."""
        workers = []
        for process in list((self.executor._processes or {}).values()):  # no public way to stop a task
            if process.exitcode is not None:  # ended and reaped: its pid may be another process's now
                continue
            with contextlib.suppress(psutil.Error):
                workers.append(psutil.Process(process.pid))
                workers[-1].suspend()
        tree = list(workers)
        for worker in workers:
            with contextlib.suppress(psutil.Error):
                tree += worker.children(recursive=True)
        for process in tree:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(tree[len(workers) :], timeout=10)  # the workers are the executor's to reap
        self.executor.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def broken(self) -> bool:
        """Whether a worker died (so that the executor takes no more work, or will once it notices), or the folder of
        their templates is gone."""
        processes = (self.executor._processes or {}).values()
        return bool(self.executor._broken) or not all(p.is_alive() for p in processes) or not self.folder.is_dir()


def _worker_started(coordinator: int, folder: str) -> None:
    """A local worker process's first step: die with the coordinator (and so take its kernel with it), leave the stop
    signals to the coordinator, which a terminal's Ctrl-C reaches as well, and keep the kernel template's folder in
    the pool's."""
    die_with_parent(coordinator)
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: None)  # a handler, not SIG_IGN: the kernel it starts gets the default
    warm.keep_templates_in(folder)


#: Variables that change while a process runs and that no worker reads: pytest's name of the running test.
VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})


def _key(workers: int) -> tuple:
    """What a worker took from this process when it started, and so what a pool may be used again with: the
    environment, import path and folder, and the code of the course's packages as it was on disk."""
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE))
    code = warm.packages_fingerprint(course_packages())
    return workers, threading.get_ident(), environment, tuple(sys.path), os.getcwd(), code


def _start(workers: int) -> WorkerPool:
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-workers-"))
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_worker_started,
        initargs=(os.getpid(), str(folder)),
    )
    return WorkerPool(executor, folder, _key(workers))


_kept: WorkerPool | None = None
_lock = threading.Lock()


def _take(workers: int | None) -> WorkerPool:
    """The kept pool if it suits ``workers`` (``None``: any number) and this thread and environment, else a new one
    (of one worker per core for ``None``; the kept one ends)."""
    global _kept
    with _lock:
        pool, _kept = _kept, None
    if workers is None:
        workers = pool.key[0] if pool is not None else os.cpu_count() or 1
    if pool is not None and (pool.key != _key(workers) or pool.broken):
        pool.end()
        pool = None
    return pool or _start(workers)


def _keep(pool: WorkerPool) -> None:
    """Keep ``pool`` for the next run, unless another run of this process kept its own meanwhile."""
    global _kept
    with _lock:
        kept = _kept is None
        if kept:
            _kept = pool
    if not kept:
        pool.end()


@contextlib.contextmanager
def worker_pool(workers: int | None, reuse: bool = True) -> Iterator[ProcessPoolExecutor]:
    """``workers`` local worker processes for one grading run (``None``: as many as the kept pool has, else one per
    core): with ``reuse``, those a run of this process left (see the module's docstring), kept afterwards unless the
    run raised or a worker died; without, new ones, ended afterwards. An exception (a stop, a failure) ends them at
    once, whatever they run."""
    pool = _take(workers) if reuse else _start(workers or os.cpu_count() or 1)
    try:
        yield pool.executor
    except BaseException:
        pool.end()
        raise
    if reuse and not pool.broken:
        _keep(pool)
    else:
        pool.end()


@atexit.register
def _end_kept_pool() -> None:
    """End the kept pool's workers and remove its folder when this process exits."""
    global _kept
    pool, _kept = _kept, None
    if pool is not None:
        pool.end()
