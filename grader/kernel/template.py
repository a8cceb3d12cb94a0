"""The warm kernel's template: ``python -P -m grader.kernel.template --folder FOLDER``, one per grading worker.

A cold grading kernel spends seconds importing what every kernel needs (ipykernel, NumPy, torch with
``torch._dynamo``, matplotlib with its inline backend, ``helpers`` and the checks) before the student's first
cell. The template imports all of it once (:mod:`grader.kernel.preload`), then, for each request on its standard
input (a line of JSON from :class:`grader.kernel.warm.KernelTemplate`), forks a child that becomes the kernel, and
answers with the child's pid on its standard output. It never runs student code, and it starts no thread: a fork
copies only the thread that calls it, and torch's and the BLAS's thread pools are made on first use, in the kernel
(each answer says how many threads the template had when it forked).

The child (``launcher``) does what ``unshare --fork --kill-child`` or the group guard does for a cold kernel:

- in a jail (``namespaces``): it leads a session of its own (Jupyter interrupts a cell with SIGINT to the group),
  asks to die with the template, enters new mount, PID and network namespaces (and a user namespace when not
  root), and forks the kernel, process 1 of the new PID namespace, which builds the very jail of
  :func:`grader.kernel.jail.enter` (read-only binds, chroot, limits, no privileges, death with its launcher and
  its lifeline, a pipe whose write end only the launcher holds) and runs the IPython kernel in place of an exec;
- without one (``scratch``): it is the kernel's group guard (:mod:`grader.kernel.group_guard`): the kernel, limited
  as a cold one, runs in its group, which the guard kills when the kernel or the template ends.

Either way the kernel closes every descriptor it inherited and takes the environment a cold kernel gets.
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import importlib.util
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from grader.kernel import jail
from grader.kernel.group_guard import kill_group
from grader.kernel.lifetime import die_with_parent
from grader.kernel.preload import INLINE_BACKEND, load

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def os_threads() -> int:
    """The threads of this process, as Linux counts them."""
    return len(os.listdir("/proc/self/task"))


def unshare(flags: int) -> None:
    """Enter new namespaces (``unshare(2)``); as a user other than root, a user namespace where this user is root."""
    uid, gid = os.getuid(), os.getgid()
    if uid != 0:
        flags |= CLONE_NEWUSER
    if _libc.unshare(flags) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare: {os.strerror(errno)}")
    if uid != 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")


def run_kernel(argv: list[str], env: dict[str, str]) -> None:
    """Become the IPython kernel of ``argv`` (``ipykernel_launcher``'s arguments) with the environment ``env``;
    never returns."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # what Python starts with, as a cold kernel does
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(signum, signal.SIG_IGN)
    _libc.prctl(jail.PR_SET_DUMPABLE, 1, 0, 0, 0)  # as after an exec: the kernel may read its own /proc files
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the template's pipes, the lifeline: nothing is inherited
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *argv]
    from ipykernel.kernelapp import IPKernelApp

    code = 0
    try:
        IPKernelApp.launch_instance(argv=argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:  # end as the interpreter of a cold kernel ends: its threads first, then its exit functions
        threading._shutdown()
        atexit._run_exitfuncs()
        os._exit(code)


def kernel_argv(command: list[str]) -> list[str]:
    """The arguments of a cold kernel's command ``[python, -m, ipykernel_launcher, ...]``."""
    if command[1:3] != ["-m", "ipykernel_launcher"]:
        raise ValueError(f"not an ipykernel command: {command[:3]}")
    return command[3:]


def jailed(request: dict, template: int, ready: int) -> None:
    """The launcher of a jailed kernel (see the module's docstring); says it is ready on ``ready`` once it is in its
    namespaces; never returns."""
    signal.signal(signal.SIGINT, lambda *_: None)  # a handler, not SIG_IGN: the kernel gets the default back
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    die_with_parent(template)
    unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET)
    lifeline, held = os.pipe()
    _ready(ready)
    kernel = os.fork()
    if kernel == 0:
        os.close(held)
        args = jail.parse_args(request["jail"])
        args.lifeline = lifeline
        command, env = jail.enter(args)
        run_kernel(kernel_argv(command), env)
    os.close(lifeline)
    _, status = os.waitpid(kernel, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def guarded(request: dict, template: int, ready: int) -> None:
    """The group guard of a kernel without a jail (see the module's docstring); says it is ready on ``ready``; never
    returns."""
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, kill_group)
    signal.signal(signal.SIGHUP, kill_group)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    die_with_parent(template, signal.SIGTERM)
    _ready(ready)
    kernel = os.fork()
    if kernel == 0:
        jail.set_limits(request["memory_mb"] << 20, request["cpu_seconds"])
        os.chdir(request["workdir"])
        run_kernel(kernel_argv(request["command"]), request["env"])
    os.waitpid(kernel, 0)
    kill_group()


def _ready(ready: int) -> None:
    """Tell the template, through ``ready``, that this launcher leads its group and will start its kernel."""
    os.write(ready, b"ok")
    os.close(ready)


def launch(request: dict, ready: int) -> None:
    """The forked child: a session of its own, then the launcher of its kind, which tells the template on ``ready``
    once it can start the kernel (a launcher that fails before, such as one that may not enter namespaces, ends
    without a word, and the worker starts a cold kernel); never returns."""
    template = os.getppid()
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(devnull, fd)
        os.closerange(3, ready)  # the template's pipes: a launcher holds nothing of the template's
        os.closerange(ready + 1, os.sysconf("SC_OPEN_MAX"))
        launcher = jailed if request["isolation"] == "namespaces" else guarded
        launcher(request, template, ready)
    except BaseException:
        os.write(2, f"warm kernel launcher: {traceback.format_exc()}".encode())
    os._exit(1)


def fork_kernel(request: dict) -> dict:
    """Fork the launcher of ``request``; the answer for the worker: its pid and the threads forked from."""
    threads = os_threads()
    ready, told = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready)
        launch(request, told)
    os.close(told)
    said = os.read(ready, 16)
    os.close(ready)
    if said != b"ok":
        return {"error": "the kernel's launcher ended before it started"}
    return {"pid": pid, "threads": threads}


def serve(requests, answers) -> None:
    """Answer each request line on ``requests`` with a line on ``answers`` until ``requests`` ends."""
    for line in requests:
        try:
            answer = fork_kernel(json.loads(line))
        except Exception as error:  # a bad request or a failed fork: the worker starts a cold kernel
            answer = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main(argv: list[str] | None = None) -> None:
    """Preload, say so, then fork a kernel for each request until the worker's requests pipe closes: the template
    ends with the worker process, whichever of its threads started it (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m grader.kernel.template", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preload", action="append", default=[], help="a module to import too (repeatable)")
    parser.add_argument("--folder", help="the template's own folder (what matplotlib and IPython write at import)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # launchers are reaped as they end
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what an import prints never reaches the answers
    load(tuple(args.preload))
    answers.write(json.dumps({"ready": True, "threads": os_threads(), "python_threads": threading.active_count()}))
    answers.write("\n")
    answers.flush()
    serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
