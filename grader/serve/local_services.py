"""Servers on this machine for trying the grader's PostgreSQL gradebook and Dask grading before a course uses
real ones (the tests and benchmarks start them and stop them afterwards): a PostgreSQL server from Debian's
packages on a Unix socket in a temporary folder, and a Dask scheduler with workers as separate processes (the
`dask` command line, as a course would run them on its machines), on loopback."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from grader.serve.lab import HOST, free_port


def postgres_binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (``initdb``, ``pg_ctl``), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run ``command`` as the ``postgres`` user Debian creates."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL server with a database ``gradebook``, listening on a Unix socket in a temporary folder
    only (no TCP port); yields its SQLAlchemy URL and stops it afterwards."""
    binaries = postgres_binaries()
    if binaries is None:
        raise FileNotFoundError("no PostgreSQL server programs (Debian: apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))  # short: a socket path has at most 107 characters
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]), **run)
    options = f"-k {folder} -c listen_addresses='' -p {free_port()}"
    port = options.split()[-1]
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options]
    subprocess.run(_as_postgres([*pg_ctl, "-w", "start"]), **run)
    try:
        createdb = [str(binaries / "createdb"), "-h", str(folder), "-p", port, "-U", "postgres"]
        subprocess.run(_as_postgres([*createdb, "gradebook"]), **run)
        yield f"postgresql+psycopg2://postgres@/gradebook?host={folder}&port={port}"
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "-w", "stop"]), check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class DaskCluster:
    """A Dask scheduler and its workers, each a process of its own."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]

    def kill_busy_worker(self) -> int:
        """Kill, outright (SIGKILL: no goodbye to the scheduler, as a machine that dies), a worker that is running
        a task now; return its index."""
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            names = {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
            busy = [names[address] for address, keys in client.processing().items() if keys]
        index = int(str(busy[0]).removeprefix("worker-")) if busy else 0
        kill_tree(self.workers[index])
        return index


def kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL a process and everything it started, whatever their sessions (a grading kernel's jail has its
    own): all of a machine's processes end when it dies."""
    children = psutil.Process(process.pid).children(recursive=True)
    os.killpg(process.pid, signal.SIGKILL)
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    process.wait()


@contextlib.contextmanager
def dask_cluster(workers: int = 2, env: dict[str, str] | None = None) -> Iterator[DaskCluster]:
    """``dask scheduler`` and ``workers`` ``dask worker`` processes of one thread each, from this environment,
    on loopback; yields the cluster once every worker has joined, and stops them all afterwards."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    port = free_port()
    address = f"tcp://{HOST}:{port}"
    environment = {**os.environ, **(env or {})}
    folder = Path(tempfile.mkdtemp(prefix="dask-"))
    started = []

    def start(*arguments: str) -> subprocess.Popen:
        log = open(folder / f"{len(started)}.log", "wb")  # noqa: SIM115 (the process writes to it while it runs)
        process = subprocess.Popen(
            [dask, *arguments], env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        started.append(process)
        return process

    try:
        scheduler = start("scheduler", "--host", HOST, "--port", str(port), "--dashboard-address", ":0")
        pool = [
            start("worker", address, "--nthreads", "1", "--nworkers", "1", "--dashboard-address", ":0",
                  "--local-directory", str(folder / f"worker-{i}"), "--name", f"worker-{i}")
            for i in range(workers)
        ]  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield DaskCluster(address, scheduler, pool)
    finally:
        for process in started:
            if process.poll() is None:
                kill_tree(process)
        shutil.rmtree(folder, ignore_errors=True)
