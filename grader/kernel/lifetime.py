"""Processes that end with the process that started them.

Grading starts a chain of processes: the grading command, its worker processes, and for each submission the
jail's ``unshare``, the jail itself and the kernel (or, without a jail, the kernel's group guard and the kernel).
Whatever ends a link (Ctrl-C, SIGTERM, SIGKILL, a crash), the links after it must end too, or a kernel runs on
with nobody enforcing its limits. Each link asks Linux to send it SIGKILL when its parent ends
(``PR_SET_PDEATHSIG``), right after it starts; and since its parent may have ended before it asked, it then checks
that its parent is still the process that started it. A process whose parent it cannot see (the jail, in a PID
namespace of its own, started by ``unshare``) checks a lifeline instead: the read end of a pipe whose only write end
the grading worker holds (:func:`lifeline_cut`).
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent: int | None, signum: int = signal.SIGKILL) -> None:
    """Have this process get ``signum`` when its parent ends (Linux); exit at once if ``parent``, the pid of the
    process that started this one, has ended already. ``None``: the parent is not visible from here (in a new PID
    namespace, the parent is outside it), so nothing to check.

    The setting survives ``exec``, but Linux clears it when the process changes its user or group: a process
    that drops privileges asks again afterwards. It fires when the *thread* that started the process ends, so
    start these processes from a thread that lives as long as they should."""
    if _libc is None:
        return
    if _libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def dies_with_this_process() -> Callable[[], None]:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child dies with this process (see
    :func:`die_with_parent`)."""
    parent = os.getpid()
    return lambda: die_with_parent(parent)


def lifeline_cut(lifeline: int) -> bool:
    """Whether the process at the other end of the pipe whose read end is ``lifeline`` has ended (or let go of it).
    Nothing is ever written into a lifeline, so it reads as ready only once its last write end is closed: when the
    grading worker that holds it ends, or when it has cleaned up after the kernel."""
    ready, _, _ = select.select([lifeline], [], [], 0)
    return bool(ready)
