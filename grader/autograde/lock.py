"""One grading run per assignment and course at a time.

Two ``course grade project1`` in one course folder would both grade, write the gradebook, and race on
``autograded/``, ``feedback/`` and the CSVs. :func:`grading_lock` takes an exclusive ``flock`` on
``grades/.<assignment>.lock`` for the whole command; a second run stops at once with a message that names the
running one. The kernel lets go of an ``flock`` when its process ends, however it ends, so a killed run never
leaves the lock stuck; the file itself stays, holding the last run's description. The lock is taken again
without waiting by the process that holds it (``course grade`` takes it, then its grading step).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

_held: dict[Path, int] = {}  # the lock files this process holds, and how many times


class GradingBusy(RuntimeError):
    """Another grading run of the same assignment holds the course's lock."""


def lock_path(root: Path, assignment: str) -> Path:
    """The lock file of ``assignment``'s grading runs."""
    return root / "grades" / f".{assignment}.lock"


@contextlib.contextmanager
def grading_lock(root: Path, assignment: str) -> Iterator[None]:
    """Hold the grading lock of ``assignment`` for the ``with`` block, or raise :class:`GradingBusy` at once
    naming the run that holds it."""
    path = lock_path(root, assignment).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by the workers and kernels it starts
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 1000, 0).decode("utf-8", errors="replace").strip() or "another process"
            raise GradingBusy(
                f"{assignment} is being graded in this course already, by {holder}: wait until it ends (or stop it "
                "with Ctrl-C in its terminal), then run this again"
            ) from None
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"`{command}` (process {os.getpid()}, since {time.strftime('%H:%M:%S')})".encode(), 0)
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(fd)  # closing the only descriptor lets go of the lock
