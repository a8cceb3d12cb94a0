"""nbgrader's Execute step, guarded: the kernel runs jailed, limits are enforced, the kernel's integrity is
restored before every test cell, and experiment cells are not re-run.

``Autograde.autograde_preprocessors`` in ``nbgrader_config.py`` puts :class:`GuardedExecute` where
nbgrader's own ``Execute`` was. On top of it, it

- starts the kernel with :class:`~grader.kernel.sandbox.SandboxedKernelManager` (isolation, memory cap);
- skips the experiment cells (:mod:`grader.common.experiments`): their outputs stay the student's, and a line above
  each says so; ``rerun_experiments`` runs them as any other cell;
- before each test cell, asks the kernel to put back what student code changed
  (:mod:`grader.kernel.integrity`) and notes what was put back;
- counts the time limits in the CPU time of the kernel's process tree, so that a busy grading machine never
  changes a grade: a cell past ``timeout`` CPU seconds is interrupted (and the kernel killed if it goes on), a
  submission past ``submission_timeout`` CPU seconds, or past ``memory_limit_mb`` of resident memory, is
  killed; ``wall_clock_factor`` times each limit in wall-clock seconds is the backstop for a kernel that
  sleeps or waits;
- after the kernel stopped (killed, crashed, ``os._exit``), gives every cell it did not run an
  error output, so that an unrun test cell scores 0 and not full marks (nbgrader scores a test cell
  by the absence of an error);
- keeps at most ``output_limit_kb`` of output per cell, so a flood of output costs the grader no
  memory;
- removes links and other non-regular files the kernel left in its folder before nbgrader writes
  there, and writes what happened to ``report_path`` as JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import queue
import threading
import time
from pathlib import Path

import psutil
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from grader.common.experiments import is_experiment, is_test_cell, note_cell
from grader.common.limits import GradingLimits
from grader.common.statuses import (
    CELL_TIMEOUT_ERROR,
    GRADER_ERROR,
    KERNEL_DIED,
    KERNEL_STOPPED_ERROR,
    KERNEL_TAMPERED,
    NOT_RUN_ERROR,
    OUT_OF_MEMORY,
    TIMED_OUT,
    KernelReport,
)
from grader.kernel.integrity import RESTORE_REPLY, RESTORE_REQUEST
from grader.kernel.sandbox import SandboxedKernelManager, process_tree, resolve_isolation

WATCH_INTERVAL = 0.2  # seconds between the watchdog's looks at the kernel
#: CPU seconds a cell may go on after the interrupt at its limit before the kernel is killed.
INTERRUPT_GRACE = 10.0


def kernel_cpu_limit(submission_timeout: int) -> int:
    """The CPU seconds after which Linux ends a grading kernel by itself (``RLIMIT_CPU``): past the whole
    submission's limit, which the grader enforces first when it is there to, with room for the kernel's start."""
    return math.ceil(submission_timeout * 1.1) + 10


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An error output as nbformat stores it."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(GradingLimits, Execute):
    """nbgrader's Execute with a jail, limits (:class:`~grader.common.limits.GradingLimits`; ``Execute.timeout``, the
    per-cell limit, is counted in CPU seconds too) and kernel integrity (see the module's docstring)."""

    rerun_experiments = Bool(
        False, help="run the experiment cells too (an audit), instead of keeping the student's outputs"
    ).tag(config=True)
    integrity_timeout = Integer(20, help="seconds the kernel has to answer the integrity request").tag(config=True)
    isolation = Unicode(
        "auto", help="auto (namespaces where the system allows, else scratch), namespaces, or scratch"
    ).tag(config=True)
    scratch_dir = Unicode("", help="folder for the jail's mount point (default: the temporary folder)").tag(config=True)
    sweep_cache = Unicode("", help="compiled sweeps each jail gets a copy of").tag(config=True)
    report_path = Unicode("", help="where to write what happened, as JSON (nothing when empty)").tag(config=True)
    warm_kernels = Bool(
        True,
        help="fork each kernel from the worker's kernel template, which has imported what kernels need "
        "(grader.kernel.warm); False starts each kernel cold, as a new process (course grade --cold-kernels)",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # once the last cell has answered, its outputs are all in: the kernel is killed, not asked to
        # shut down (which costs about 1.3 s of exit handlers per submission)
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(*args, **kwargs)
        # nbclient's own per-cell timeout, in wall-clock seconds, becomes the backstop of the CPU-time limit
        self.timeout_func = lambda cell: self.timeout * self.wall_clock_factor if self.timeout else None

    # -- the kernel -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _timed(self, phase: str):
        """Add the seconds of the ``with`` block to the report's ``seconds[phase]``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = self.report.seconds
            seconds[phase] = seconds.get(phase, 0.0) + time.perf_counter() - started

    async def async_start_new_kernel(self, **kwargs) -> None:
        with self._timed("kernel start"):
            await super().async_start_new_kernel(**kwargs)
        if isinstance(self.km, SandboxedKernelManager):
            reason = f": {self.km.cold_reason}" if self.km.cold_reason else ""
            self.report.kernel_start = "warm" if self.km.started_warm else f"cold{reason}"

    async def async_start_new_kernel_client(self):
        with self._timed("kernel ready (imports, integrity snapshot)"):
            return await super().async_start_new_kernel_client()

    async def _async_cleanup_kernel(self) -> None:
        with self._timed("kernel shutdown"):
            await super()._async_cleanup_kernel()

    # nbconvert calls the synchronous names, bound to nbclient's own coroutines
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)
    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.jail(
                resolve_isolation(self.isolation),
                self.memory_limit_mb,
                kernel_cpu_limit(self.submission_timeout),
                self.scratch_dir or None,
                self.sweep_cache or None,
            )
            km.warm = self.warm_kernels
            self.report.isolation = km.isolation
        return km

    def _kernel_processes(self) -> list[psutil.Process]:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process_tree(process.pid) if process is not None else []

    @property
    def stopped_words(self) -> str:
        """Why the kernel was stopped, as the feedback shows it: "timed out: stopped after 600 s of CPU time ..."."""
        return ": ".join(self.stopped) if self.stopped else ""

    def _kill_kernel(self, kind: str, reason: str) -> None:
        if self.stopped is None:
            self.stopped = (kind, reason)
        for process in self._kernel_processes():
            with contextlib.suppress(psutil.Error):
                process.kill()

    def _cpu_seconds(self) -> float:
        """CPU seconds the kernel's process tree has used so far (processes that ended included, as far as
        their parents collected them); never less than an earlier answer."""
        total = 0.0
        for process in self._kernel_processes():
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        self._cpu_used = max(self._cpu_used, total)
        return self._cpu_used

    def _interrupt(self) -> None:
        """Interrupt the running cell, as nbclient does at its timeout (called from the watchdog's thread)."""
        asyncio.run_coroutine_threadsafe(ensure_async(self.km.interrupt_kernel()), self._loop)

    def _watch(self, done: threading.Event) -> None:
        """Interrupt a cell past its CPU time; kill the kernel past the submission's CPU time, the wall-clock
        backstop or the memory cap."""
        started = time.monotonic()
        while not done.wait(WATCH_INTERVAL):
            cpu = self._cpu_seconds()
            if cpu > self.submission_timeout:
                self._kill_kernel(
                    TIMED_OUT,
                    f"stopped after {self.submission_timeout} s of CPU time, the limit for a whole submission",
                )
                return
            wall = self.submission_timeout * self.wall_clock_factor
            if time.monotonic() - started > wall:
                self._kill_kernel(
                    TIMED_OUT,
                    f"stopped after {wall:g} s of wall-clock time, the backstop for a whole submission that waits or "
                    "sleeps",
                )
                return
            running = self._running
            if running is not None and self.timeout:
                index, cpu_at_start = running
                if index not in self._interrupted and cpu - cpu_at_start > self.timeout:
                    self._interrupted[index] = cpu
                    self._interrupt()
                elif index in self._interrupted and cpu - self._interrupted[index] > INTERRUPT_GRACE:
                    self._kill_kernel(
                        TIMED_OUT,
                        f"cell {index} used its {self.timeout} s of CPU time and went on after the interrupt",
                    )
                    return
            rss = 0
            for process in self._kernel_processes():
                with contextlib.suppress(psutil.Error):
                    rss += process.memory_info().rss
            if rss > self.memory_limit_mb << 20:
                self._kill_kernel(
                    OUT_OF_MEMORY, f"stopped at {rss >> 20} MiB, over the {self.memory_limit_mb} MiB memory limit"
                )
                return

    async def _restore_integrity(self) -> list[str]:
        """Ask the kernel to put back what student code changed; return what it put back."""
        request = self.kc.session.msg(RESTORE_REQUEST, {})
        self.kc.shell_channel.send(request)
        deadline = time.monotonic() + self.integrity_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=remaining))
            except queue.Empty:
                break
            if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
                if reply["msg_type"] == RESTORE_REPLY and reply["content"].get("status") == "ok":
                    return list(reply["content"].get("changed", []))
                break
        raise TimeoutError("no answer")

    async def _integrity_missing(self) -> str | None:
        """Why the kernel has no integrity hook (None when it has one). Asked once, before any
        student code runs: a kernel that could not import or install :mod:`grader.kernel.integrity`
        is the grader's fault, not a student's tampering."""
        reply = await ensure_async(
            self.kc.execute_interactive(
                f"import grader.kernel.integrity\n"
                f"assert {RESTORE_REQUEST!r} in get_ipython().kernel.shell_handlers, "
                "'its install() did not run or failed at the kernel\\'s start'",
                silent=True,
                store_history=False,
                timeout=self.integrity_timeout,
                output_hook=lambda msg: None,
            )
        )
        content = reply["content"]
        if content.get("status") == "ok":
            return None
        return f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"

    # -- cells ------------------------------------------------------------------------------------

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if is_experiment(cell) and not self.rerun_experiments:  # its outputs are the student's
            self.report.experiments_skipped.append(cell_index)
            return cell
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if self.stopped is None and self._watchdog is None:
            await self._start_guard()
        if self.stopped is None and is_test_cell(cell):
            await self._restore_before(cell_index)
        if self.stopped is not None:
            cell.outputs = [
                error_output(NOT_RUN_ERROR, f"this cell did not run: the notebook had stopped ({self.stopped_words})")
            ]
            return cell
        cell = await self._run_watched(cell, cell_index, execution_count, store_history)
        if self.stopped is not None:
            cell.outputs.append(error_output(KERNEL_STOPPED_ERROR, self.stopped_words))
            return cell
        self._note_limits(cell, cell_index)
        return cell

    async def _start_guard(self) -> None:
        """Before the first cell: start the CPU-time watchdog and make sure the integrity hook is in the kernel
        (without it the kernel is stopped: the grader's error)."""
        self._watchdog = threading.Thread(target=self._watch, args=(self._done,), daemon=True)
        self._watchdog.start()
        try:
            with self._timed("integrity checks"):
                missing = await self._integrity_missing()
        except TimeoutError:
            missing = f"the kernel did not answer within {self.integrity_timeout} s"
        if missing:
            self._kill_kernel(GRADER_ERROR, f"the grading kernel could not import grader.kernel.integrity: {missing}")

    async def _restore_before(self, cell_index: int) -> None:
        """Before a test cell: put back what student code changed, and note it (a kernel that does not answer is
        stopped as tampered)."""
        try:
            with self._timed("integrity checks"):
                repaired = await self._restore_integrity()
        except TimeoutError:
            self._kill_kernel(
                KERNEL_TAMPERED, f"the kernel did not answer the integrity check before cell {cell_index}"
            )
            return
        self.report.repaired = sorted(set(self.report.repaired) | set(repaired))

    async def _run_watched(self, cell, cell_index: int, execution_count, store_history):
        """Run the cell under the watchdog; a kernel that dies or stops answering is stopped with its reason."""
        started = time.monotonic()
        self._loop = asyncio.get_running_loop()
        self._running = (cell_index, self._cpu_seconds())
        try:
            with self._timed("cells"):
                return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            self.stopped = self.stopped or (
                KERNEL_DIED,
                f"the kernel died in cell {cell_index} (os._exit, a crash or a signal)",
            )
        except Exception as error:  # the kernel stopped answering as a kernel should
            if self.timeout and (
                cell_index in self._interrupted or time.monotonic() - started >= self.timeout * self.wall_clock_factor
            ):
                self._kill_kernel(
                    TIMED_OUT,
                    f"cell {cell_index} ran past the per-cell time limit of {self.timeout} s of CPU time "
                    "and went on after the interrupt",
                )
            else:
                self._kill_kernel(
                    KERNEL_TAMPERED,
                    f"the kernel stopped answering in cell {cell_index} "
                    f"({type(error).__name__}); its messaging may have been changed",
                )
        finally:
            self._running = None
        return cell

    def _note_limits(self, cell, cell_index: int) -> None:
        """A cell interrupted at its CPU time says so; the report notes the cells past their time or memory."""
        if cell_index in self._interrupted:
            cell.outputs.append(
                error_output(
                    CELL_TIMEOUT_ERROR,
                    f"this cell used more than {self.timeout} s of CPU time, the limit of a cell, and was interrupted",
                )
            )
        for output in cell.outputs:
            if output.output_type == "error" and output.ename == CELL_TIMEOUT_ERROR:
                self.report.cell_timeouts.append(cell_index)
            elif output.output_type == "error" and output.ename == "MemoryError":
                self.report.memory_errors.append(cell_index)

    execute_cell = run_sync(async_execute_cell)

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's outputs up to ``output_limit_kb``; note once where output was dropped."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._output_bytes.get(cell_index, 0) + size
        self._output_bytes[cell_index] = used
        if used > self.output_limit_kb << 10:
            if cell_index not in self.report.output_truncated:
                self.report.output_truncated.append(cell_index)
                outs.append(
                    NotebookNode(
                        output_type="stream",
                        name="stdout",
                        text=f"\n[output over {self.output_limit_kb} KiB dropped by the grader]\n",
                    )
                )
            return None
        return super().output(outs, msg, display_id, cell_index)

    # -- the notebook -----------------------------------------------------------------------------

    def preprocess(self, nb, resources=None, km=None):
        self.stopped: tuple[str, str] | None = None
        self.report = KernelReport()
        self._output_bytes: dict[int, int] = {}
        self._done, self._watchdog = threading.Event(), None
        self._running: tuple[int, float] | None = None  # the cell being run, and the CPU seconds when it started
        self._interrupted: dict[int, float] = {}  # cells interrupted at their CPU-time limit -> CPU seconds then
        self._cpu_used = 0.0
        workdir = Path((resources or {}).get("metadata", {}).get("path") or ".")
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            self._done.set()
            self.report.stopped = self.stopped
            self.report.links_removed = remove_non_regular_files(workdir)
            self.report.cpu_seconds = round(self._cpu_used, 3)
            if self.report_path:
                Path(self.report_path).write_text(self.report.to_json())
        for index in reversed(self.report.experiments_skipped):
            nb.cells.insert(index, note_cell(index))
        return nb, resources


def remove_non_regular_files(folder: Path) -> list[str]:
    """Delete symbolic links, FIFOs, sockets and devices under ``folder`` (the kernel may have left
    them for the grader to write through); return their paths relative to ``folder``."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                path.unlink()
                removed.append(str(path.relative_to(folder)))
    return sorted(removed)
