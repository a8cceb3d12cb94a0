"""Warm grading kernels, the worker's side: the kernel template of this process (:mod:`grader.kernel.template`),
started once and kept, and the forked kernel as Jupyter's kernel manager sees it.

:func:`kernel_template` gives the template for an isolation mode, starting it the first time (a few seconds: it
imports what every kernel needs) and again when the course's packages changed on disk or it ended; when it cannot
be started, the kernel starts cold, and the kernel's report says why (the grading log shows it).
:class:`ForkedKernel` stands in for the ``Popen`` of a cold kernel: the launcher that the template forked is not
this process's child, so it is watched, signalled and killed through a pidfd, which names that process and no later
one with its pid.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.kernel.environment import grading_environment
from grader.kernel.jail import kernel_environment
from helpers.environment import FAST_ENV_VAR

log = logging.getLogger(__name__)

#: Seconds a template has to import what it preloads and say it is ready.
START_TIMEOUT = 300
#: Seconds a template has to fork a kernel and answer.
FORK_TIMEOUT = 30


class TemplateError(RuntimeError):
    """The template could not be started, or could not fork a kernel: the kernel starts cold."""


def packages_fingerprint(folders: tuple[str, ...]) -> str:
    """A digest of the names, sizes and modification times of the Python files in ``folders``: a template made
    before one of them changed is stale."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.py")):
            info = path.stat()
            digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class KernelTemplate:
    """A running template process (see the module's docstring), answering one request at a time."""

    def __init__(self, isolation: str, env: dict[str, str], folder: str) -> None:
        self.isolation, self.folder = isolation, folder
        # the template ends with this process, whichever of its threads starts it, when its requests pipe closes (a
        # parent-death signal would follow the thread)
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "grader.kernel.template", "--folder", folder],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            start_new_session=True,  # a terminal's Ctrl-C reaches the grading command, not the template
        )
        self.lock = threading.Lock()
        ready = self._answer(START_TIMEOUT)
        if not ready.get("ready"):
            self.stop()
            raise TemplateError(f"the kernel template did not start: {ready}")
        self.threads = ready["threads"]

    def _answer(self, timeout: float) -> dict:
        """The template's next answer line, or :class:`TemplateError` after ``timeout`` seconds or when it ended."""
        readable, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if readable else ""
        if not line:
            code = self.process.poll()
            raise TemplateError(
                "the kernel template ended"
                if code is not None
                else f"the kernel template gave no answer in {timeout} s"
            )
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            raise TemplateError(f"the kernel template answered {line[:200]!r}") from None

    @property
    def alive(self) -> bool:
        """Whether the template process still runs."""
        return self.process.poll() is None

    def fork(self, request: dict) -> ForkedKernel:
        """A kernel forked from the template for ``request``; :class:`TemplateError` when it could not be."""
        with self.lock:
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
            except OSError as error:
                raise TemplateError(f"the kernel template is gone ({error})") from None
            answer = self._answer(FORK_TIMEOUT)
        if "pid" not in answer:
            raise TemplateError(f"the kernel template could not fork a kernel: {answer.get('error')}")
        if answer["threads"] != 1:  # a thread of the template's, copied into no kernel, may hold a lock forever
            log.warning("the kernel template had %d threads when it forked kernel %d", answer["threads"], answer["pid"])
        return ForkedKernel(answer["pid"])

    def stop(self) -> None:
        """End the template (its launchers end with it) and remove its folder."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class ForkedKernel:
    """A forked kernel's launcher, with the part of ``subprocess.Popen`` that Jupyter's kernel manager uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # it ended already
            self._pidfd, self.returncode = None, 0

    def poll(self) -> int | None:
        """``None`` while it runs; then 0 (a process that is not this one's child has no exit status here)."""
        if self.returncode is None and self._pidfd is not None:
            readable, _, _ = select.select([self._pidfd], [], [], 0)
            if readable:
                self._close(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until it has ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            select.select([self._pidfd], [], [], 0.1)
        return 0

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the launcher (and so to nothing else, whatever its pid has become)."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        """SIGKILL: the kernel ends with its launcher."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def _close(self, code: int) -> None:
        self.returncode = code
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def __del__(self) -> None:
        if getattr(self, "_pidfd", None) is not None:
            os.close(self._pidfd)


_templates: dict[tuple, KernelTemplate] = {}
_failed: dict[tuple, str] = {}
_lock = threading.Lock()
_home: str | None = None


def keep_templates_in(folder: str) -> None:
    """Make this process's templates' folders in ``folder`` from now on, instead of in the run's scratch folder that
    :func:`kernel_template` is given: for a worker that outlives its runs (:mod:`grader.autograde.pool`)."""
    global _home
    _home = folder


def template_environment(isolation: str, python_path: str, folder: str) -> dict[str, str]:
    """The environment the template imports in: a jailed kernel's (:func:`grader.kernel.jail.kernel_environment`: a
    few of the grader's variables and no other, since a forked kernel's memory holds a copy of its template's), or
    a kernel's without a jail (which inherits the grader's), with folders of its own for what matplotlib and IPython
    write while they import. Everything read at import is a cold kernel's: a fixed hash seed, one thread for every
    math library, the course's packages, fast mode, the sweeps' cache."""
    if isolation == "namespaces":
        env = kernel_environment(python_path)
    else:
        env = {**grading_environment(os.environ), "PYTHONPATH": python_path}
    for name in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = os.path.join(folder, name.lower())
    return env


def kernel_template(
    isolation: str, python_path: str, packages: tuple[str, ...], scratch: str | None = None
) -> KernelTemplate:
    """This process's template for ``isolation``, started if need be (see the module's docstring), with its folder in
    the folder of :func:`keep_templates_in`, else in ``scratch`` (default: the temporary folder); :class:`TemplateError`
    saying why when it cannot be (a template that failed to start is not tried again in this process). A template
    whose folder is gone is started again."""
    key = (isolation, python_path, packages_fingerprint(packages), os.environ.get(FAST_ENV_VAR))
    with _lock:
        template = _templates.get(key)
        if template is not None and template.alive and os.path.isdir(template.folder):
            return template
        if key in _failed:
            raise TemplateError(_failed[key])
        for stale in [k for k in _templates if k[0] == isolation]:
            _templates.pop(stale).stop()
        try:
            folder = tempfile.mkdtemp(prefix="kernel-template-", dir=_home or scratch)
            _templates[key] = KernelTemplate(isolation, template_environment(isolation, python_path, folder), folder)
        except (OSError, TemplateError) as error:
            _failed[key] = str(error)
            raise TemplateError(str(error)) from None
        return _templates[key]
