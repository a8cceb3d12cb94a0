"""Where a grading kernel runs: in a jail of Linux namespaces (:mod:`grader.kernel.jail`) when the system
allows it, otherwise as a plain process in the submission's scratch folder.

:class:`SandboxedKernelManager` is the kernel manager of :class:`grader.kernel.guarded_execute.GuardedExecute`.
It launches the kernel command that nbgrader would run, wrapped in
``unshare --mount --pid --net --fork --kill-child python -P -m grader.kernel.jail ...`` (with ``--user
--map-root-user`` first when the grader is not root); a jailed kernel talks to the grader over IPC,
since its network namespace has no route to the grader's. Without a jail, it wraps the command in
``python -P -m grader.kernel.group_guard``, which kills the kernel's process group when the kernel or the grader
ends. Either way the kernel ends with the process that grades it (:mod:`grader.kernel.lifetime`), and its CPU
time and memory are capped by Linux as well as watched by the grader.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager

from grader.kernel.environment import QUIET_KERNEL, grading_environment
from grader.kernel.jail import set_limits
from grader.kernel.lifetime import dies_with_this_process
from grader.kernel.warm import TemplateError, kernel_template
from helpers.environment import compiled_sweeps_folder

ISOLATION_MODES = ("auto", "namespaces", "scratch")
#: System folders a Python kernel reads (bound read-only into the jail when they exist).
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt/conda")
#: The course's packages that a grading kernel imports: ``helpers`` (seeding, and what notebooks may
#: use) and ``grader`` (its :mod:`grader.kernel.integrity`).
KERNEL_PACKAGES = ("helpers", "grader")


#: Longest path of a kernel's IPC socket (a Unix socket's path has at most 107 bytes).
MAX_SOCKET_PATH = 100


def _unshare_prefix() -> list[str]:
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return ["unshare", *user, "--mount", "--pid", "--net", "--fork", "--kill-child"]


@functools.cache
def namespaces_available() -> tuple[bool, str]:
    """Whether this system lets the grader build a jail; the reason when it does not."""
    if not sys.platform.startswith("linux"):
        return False, f"namespaces are a Linux feature (this is {sys.platform})"
    if shutil.which("unshare") is None:
        return False, "the `unshare` command (util-linux) is not installed"
    probe = subprocess.run([*_unshare_prefix(), "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return (
            False,
            f"`unshare` refused: {probe.stderr.strip() or probe.returncode} (unprivileged user namespaces off?)",
        )
    return True, ""


def resolve_isolation(requested: str) -> str:
    """``namespaces`` or ``scratch`` for the requested mode; raises when namespaces were asked for
    and are not available."""
    if requested not in ISOLATION_MODES:
        raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}, not {requested!r}")
    available, reason = namespaces_available()
    if requested == "namespaces" and not available:
        raise RuntimeError(f"isolation 'namespaces' was asked for but is not available: {reason}")
    return "namespaces" if available and requested != "scratch" else "scratch"


@functools.cache
def course_packages() -> tuple[str, ...]:
    """The folders of the course's packages (:data:`KERNEL_PACKAGES`) that this process imports, found
    without importing them."""
    return tuple(
        str(Path(next(iter(importlib.util.find_spec(name).submodule_search_locations))).resolve())
        for name in KERNEL_PACKAGES
    )


def kernel_python_path() -> str:
    """The ``PYTHONPATH`` of a grading kernel: the folders that hold the course's packages as this
    process imports them. The kernel then imports the very ``helpers`` and ``grader`` that the jail
    binds, even where the environment's own install (an editable install of another clone) would
    find other copies."""
    return os.pathsep.join(dict.fromkeys(str(Path(folder).parent) for folder in course_packages()))


def read_only_paths() -> list[str]:
    """What the kernel may read: system folders, Python, the virtual environment and the course's
    packages."""
    python_home = str(Path(os.path.realpath(sys.executable)).parents[1])
    return list(dict.fromkeys([*SYSTEM_FOLDERS, sys.base_prefix, sys.prefix, python_home, *course_packages()]))


def jail_command(
    kernel_cmd: list[str],
    workdir: str,
    connection_file: str,
    jail_root: str,
    memory_mb: int,
    cpu_seconds: int,
    sweep_cache: str | None,
    sockets: str,
    lifeline: int | None = None,
) -> list[str]:
    """The command that runs ``kernel_cmd`` in a jail whose only writable folders are ``workdir`` and
    ``sockets`` (where the kernel makes its IPC sockets). ``lifeline``: the read end of a pipe, inherited by the
    jail, whose write end the caller holds while it lives (:func:`grader.kernel.lifetime.lifeline_cut`)."""
    command = [
        *_unshare_prefix(),
        sys.executable,
        "-P",  # not the submission's folder (the working directory) first on the import path
        "-m",
        "grader.kernel.jail",
        "--root",
        jail_root,
        "--workdir",
        workdir,
        "--sockets",
        sockets,
        "--memory-mb",
        str(memory_mb),
        "--cpu-seconds",
        str(cpu_seconds),
    ]
    for path in read_only_paths():
        command += ["--ro", path]
    command += ["--connection-file", connection_file, "--python-path", kernel_python_path()]
    if sweep_cache:
        command += ["--sweep-cache", sweep_cache]
    if lifeline is not None:
        command += ["--lifeline", str(lifeline)]
    if os.geteuid() == 0:
        command.append("--nobody")
    return [*command, "--", *kernel_cmd]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel in a jail (see the module's docstring).

    Set ``isolation`` (``namespaces`` or ``scratch``), ``memory_mb`` and ``scratch_dir`` before
    the kernel starts; :class:`~grader.kernel.guarded_execute.GuardedExecute` does.
    """

    isolation = "scratch"
    memory_mb = 2048
    cpu_seconds = 0
    scratch_dir: str | None = None
    sweep_cache: str | None = None
    sockets: str | None = None
    warm = True  # fork the kernel from this worker's template (grader.kernel.warm), when it can be had
    started_warm = False  # whether the running kernel was forked from the template
    cold_reason = ""  # why a kernel meant to be warm started cold
    _lifeline: int | None = None  # the write end of the running jail's lifeline

    def jail(
        self, isolation: str, memory_mb: int, cpu_seconds: int, scratch_dir: str | None, sweep_cache: str | None
    ) -> None:
        """Set how the kernel will run (before it starts). A jailed kernel has a network of its own
        with nothing but its loopback, and talks to the grader over IPC: Unix sockets in a folder
        bound into the jail at the same path. ``memory_mb`` and ``cpu_seconds`` are the kernel's own limits
        (``RLIMIT_DATA``, ``RLIMIT_CPU``), which hold even when nobody watches it."""
        self.isolation, self.memory_mb, self.cpu_seconds, self.scratch_dir, self.sweep_cache = (
            isolation,
            memory_mb,
            cpu_seconds,
            scratch_dir,
            sweep_cache,
        )
        if scratch_dir and not self.connection_file:  # with the kernel's key: in the scratch folder, not in /tmp
            self.connection_file = os.path.join(scratch_dir, "kernel-connection.json")
        if isolation == "namespaces":
            self.sockets = tempfile.mkdtemp(prefix="ipc-", dir=scratch_dir)
            if len(self.sockets) > MAX_SOCKET_PATH - len("/kernel-99"):
                os.rmdir(self.sockets)
                self.sockets = tempfile.mkdtemp(prefix="ipc-")
            self.transport, self.ip = "ipc", os.path.join(self.sockets, "kernel")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kernel_cmd = [*kernel_cmd, *QUIET_KERNEL]
        if self.isolation == "namespaces":
            workdir = os.path.realpath(kw.get("cwd") or os.getcwd())
            jail_root = tempfile.mkdtemp(prefix="jail-", dir=self.scratch_dir)
            if self.warm:
                command = jail_command(kernel_cmd, workdir, os.path.realpath(self.connection_file), jail_root,
                                       self.memory_mb, self.cpu_seconds, self.sweep_cache, self.sockets)  # fmt: skip
                jail_arguments = command[command.index("grader.kernel.jail") + 1 :]
                if self._launch_warm({"isolation": "namespaces", "jail": jail_arguments}):
                    return
            lifeline, self._lifeline = os.pipe()  # the jail inherits the read end; this process keeps the write end
            kernel_cmd = jail_command(
                kernel_cmd,
                workdir,
                os.path.realpath(self.connection_file),
                jail_root,
                self.memory_mb,
                self.cpu_seconds,
                self.sweep_cache,
                self.sockets,
                lifeline,
            )
            kw["env"] = {**kw.get("env", os.environ), "PYTHONPATH": kernel_python_path()}
            kw["preexec_fn"] = dies_with_this_process()  # unshare, whose --kill-child takes the jail with it
            kw["pass_fds"] = (lifeline,)
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                os.close(lifeline)
            return
        env = {**grading_environment(kw.get("env", os.environ)), "PYTHONPATH": kernel_python_path()}
        request = {"isolation": "scratch", "command": kernel_cmd, "env": env, "workdir": os.path.realpath(kw.get("cwd")
                or os.getcwd()), "memory_mb": self.memory_mb, "cpu_seconds": self.cpu_seconds}  # fmt: skip
        if self.warm and self._launch_warm(request):
            return
        kernel_cmd = [sys.executable, "-P", "-m", "grader.kernel.group_guard", "--parent", str(os.getpid()),
                      "--", *kernel_cmd]  # fmt: skip
        kw["env"] = env
        limits = functools.partial(set_limits, self.memory_mb << 20, self.cpu_seconds)
        kw["preexec_fn"] = limits  # the guard dies with this process (it asks itself), the kernel inherits them
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def _launch_warm(self, request: dict) -> bool:
        """Fork the kernel of ``request`` from this worker's template; whether it was (else it starts cold, and
        :attr:`cold_reason` says why)."""
        self.started_warm, self.cold_reason = False, ""
        try:
            template = kernel_template(self.isolation, kernel_python_path(), course_packages(), self._template_folder())
            process = template.fork(request)
        except TemplateError as error:
            self.cold_reason = str(error)
            return False
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = process, process.pid, process.pid
        self._reconcile_connection_info(self.provisioner.connection_info)
        self.started_warm = True
        return True

    def _template_folder(self) -> str | None:
        """Where the template keeps its folder: beside the submission's scratch folder, in the run's folder."""
        return os.path.dirname(self.scratch_dir) if self.scratch_dir else None

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        """Kill the kernel and every process of its tree, also one that left the kernel's process group and asked
        not to die with its parent: Jupyter signals the group only."""
        process = getattr(self.provisioner, "process", None) if self.provisioner else None
        tree = process_tree(process.pid) if process is not None else []
        await super()._async_kill_kernel(restart=restart)
        for member in tree:
            with contextlib.suppress(psutil.Error):
                member.kill()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None
        if self.sockets and not restart:
            shutil.rmtree(self.sockets, ignore_errors=True)


def process_tree(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and all its descendants (empty when it has ended)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def compiled_sweeps() -> str | None:
    """The compiled sweeps that each jail gets a private copy of (None if there are none)."""
    folder = compiled_sweeps_folder()
    return str(folder) if any(folder.glob("*.py")) else None
