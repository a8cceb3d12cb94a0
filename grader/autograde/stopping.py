"""A grading run stopped from outside: Ctrl-C (SIGINT), SIGTERM (a job scheduler, a wall-clock limit) or SIGHUP
(a closed terminal).

The first signal stops the run cleanly: no further submission is handed out, the running gradings end with
their worker processes, and a submission being written is written whole first (:meth:`StopSignals.deferred`);
:func:`grader.autograde.coordinator.grade_class` then raises :class:`GradingStopped`, which says who was graded
and who was not. A second signal exits at once. Either way the kernels end with the processes that grade them
(:mod:`grader.kernel.lifetime`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

#: The signals that stop a grading run.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequested(BaseException):
    """Raised in the grading run's main thread by the first stop signal (not an ``Exception``: no handler of
    errors may take it for one)."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


class GradingStopped(RuntimeError):
    """The run was stopped by a signal before every submission was settled."""

    def __init__(self, signal_name: str, graded: list[str], not_graded: list[str]) -> None:
        self.signal_name, self.graded, self.not_graded = signal_name, graded, not_graded
        super().__init__(
            f"grading stopped by {signal_name}: {len(graded)} submission(s) settled this run, "
            f"{len(not_graded)} not graded"
        )

    @property
    def exit_status(self) -> int:
        """128 plus the signal's number, as a shell reports a command a signal ended."""
        return 128 + signal.Signals[self.signal_name].value


class StopSignals:
    """Turns the stop signals into :class:`StopRequested` in the main thread while :meth:`installed`."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self._deferring = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[StopSignals]:
        """Handle the stop signals while the block runs (only in the main thread, the only one signals reach);
        the previous handlers come back afterwards."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {signum: signal.signal(signum, self._handle) for signum in STOP_SIGNALS}
        try:
            yield self
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _handle(self, signum: int, _frame) -> None:
        name = signal.Signals(signum).name
        if self.requested is not None:  # the second: at once (the kernels die with their workers)
            os._exit(128 + signum)
        self.requested = name
        if not self._deferring:
            raise StopRequested(name)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Finish the block before stopping: a stop signal that arrives in it takes effect at its end."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if self.requested is not None and not self._deferring:
            raise StopRequested(self.requested)
