"""Start a grading kernel inside a jail: ``python -m grader.kernel.jail [options] -- KERNEL COMMAND``.

:mod:`grader.kernel.sandbox` runs this module under ``unshare --mount --pid --net --fork`` (plus
``--user`` when the grader is not root), so it starts as process 1 of a new PID namespace with a
private mount table and a network of its own, whose only interface is its loopback (brought up
here): student code reaches no other machine and no server of the grading machine. It then

1. mounts an empty tmpfs as the new root and binds into it, read-only, only what a Python kernel
   needs (system folders, the Python installation, the virtual environment, the ``helpers``
   and ``grader`` packages, the kernel's connection file); the submission's working folder and the
   folder of the kernel's IPC sockets (how it talks to the grader) are bound read-write at their own
   paths, and ``/tmp`` and ``/dev/shm`` are fresh, small tmpfs mounts;
2. ``chroot``s into it, so the course folder, the gradebook, ``source/``, other students' scratch
   folders and the home folder do not exist for the kernel;
3. caps memory (``RLIMIT_DATA``), CPU time (``RLIMIT_CPU``), file size, process count and core dumps;
4. gives up every privilege: the user ``nobody`` when the grader runs as root, otherwise an empty
   capability bounding set with the ``noroot`` secure bits; then asks to be killed when ``unshare`` ends
   (:mod:`grader.kernel.lifetime`), and ends at once if its lifeline shows that the grading worker has ended
   already (``unshare`` may have died before the jail could ask), so the jail ends with the grader that started it;
5. ``exec``s the kernel, with its standard output dropped; the kernel becomes process 1, so when it
   ends, the kernel of Linux kills every process the student's code started.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import os
import resource
import shutil
import socket
import struct
import sys
from pathlib import Path

from grader.kernel.environment import DETERMINISTIC
from grader.kernel.lifetime import die_with_parent, lifeline_cut
from helpers.environment import FAST_ENV_VAR, NUMBA_CACHE_ENV_VAR

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_DUMPABLE = 38, 24, 28, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED = 1, 2, 4, 8
NOBODY = 65534
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
DEVICES = ("null", "zero", "full", "random", "urandom")
#: Where the kernel finds its connection file, and its private copy of the compiled sweeps
#: (helpers.sweep.fused).
SWEEP_CACHE = "/tmp/nn-course-numba"
#: Seconds of CPU time between the soft limit's SIGXCPU and the hard limit's SIGKILL.
CPU_GRACE = 5
CONNECTION_FILE = "/tmp/kernel-connection.json"

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            source and source.encode(), target.encode(), fstype and fstype.encode(), flags, data and data.encode()
        ),
        f"mount {source} on {target}",
    )


def _bind(root: Path, path: str, writable: bool = False) -> None:
    """Bind ``path`` at the same place under ``root``; read-only unless ``writable``."""
    target = root / path.lstrip("/")
    if target.exists():  # inside a folder bound before: the mount point is there already
        pass
    elif os.path.isdir(path):
        target.mkdir(parents=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount(path, str(target), None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (0 if writable else MS_RDONLY)
    _mount(None, str(target), None, flags)


def loopback_up() -> None:
    """Bring up the loopback interface of the jail's own network namespace (created down)."""
    ifreq = struct.Struct("16sH22x")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        _, flags = ifreq.unpack(fcntl.ioctl(sock, SIOCGIFFLAGS, ifreq.pack(b"lo", 0)))
        fcntl.ioctl(sock, SIOCSIFFLAGS, ifreq.pack(b"lo", flags | IFF_UP))


def build_root(root: Path, read_only: list[str], workdir: str, tmp_mb: int) -> None:
    """Mount the jail's file system under ``root`` (see the module's docstring)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", str(root), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for name, size in (("tmp", tmp_mb), ("dev", 1)):
        (root / name).mkdir(exist_ok=True)
        _mount(
            "tmpfs",
            str(root / name),
            "tmpfs",
            MS_NOSUID | (0 if name == "dev" else MS_NODEV),
            f"size={size}m,mode=1777",
        )
    for device in DEVICES:
        (root / "dev" / device).touch()
        _mount(f"/dev/{device}", str(root / "dev" / device), None, MS_BIND)
    (root / "dev" / "shm").mkdir()
    _mount("tmpfs", str(root / "dev" / "shm"), "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, root / "dev" / name)
    (root / "proc").mkdir()
    _mount("proc", str(root / "proc"), "proc", MS_NOSUID | MS_NODEV)
    for path in sorted(read_only, key=len):
        if os.path.exists(path) and not any(path.startswith(other.rstrip("/") + "/") for other in read_only):
            _bind(root, path)
    _bind(root, workdir, writable=True)


def drop_privileges(as_nobody: bool, writable: list[str]) -> None:
    """Give up every privilege for good (see the module's docstring)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if as_nobody:
        for folder in writable:
            for dirpath, _, files in os.walk(folder):
                for path in [dirpath, *(os.path.join(dirpath, name) for name in files)]:
                    with contextlib.suppress(OSError):  # a read-only file bound in (the connection file)
                        os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
        return
    bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
    _check(_libc.prctl(PR_SET_SECUREBITS, bits, 0, 0, 0), "securebits")
    for capability in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    clear_capabilities()


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def clear_capabilities() -> None:
    """Empty this process's effective, permitted and inheritable capability sets now (``capset``): the secure bits
    and the bounding set take effect at the next ``exec``, which a warm kernel, forked from its template, never
    makes."""
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def set_limits(memory_bytes: int, cpu_seconds: int = 0) -> None:
    """Cap the kernel's memory, file sizes and process count; no core dumps. With ``cpu_seconds``, the kernel
    gets SIGXCPU (which ends it) after that much CPU time, and SIGKILL :data:`CPU_GRACE` seconds later: a kernel
    stops at its limit even when the grader that watches it is gone."""
    limits = [
        (resource.RLIMIT_DATA, memory_bytes, memory_bytes),
        (resource.RLIMIT_FSIZE, 1 << 30, 1 << 30),
        (resource.RLIMIT_NPROC, 1024, 1024),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    if cpu_seconds > 0:
        limits.append((resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + CPU_GRACE))
    for limit, soft, hard in limits:
        resource.setrlimit(limit, (soft, hard))


def silence_stdout() -> None:
    """Send the kernel's own standard output to ``/dev/null``. A kernel started outside Jupyter prints
    notes for a person at its terminal (how to connect to it, that Ctrl-C will not work) there, which
    would land in the grading command's output; cell output travels over the kernel's sockets, and
    the kernel's errors still go to standard error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m grader.kernel.jail", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, help="an empty folder to mount the jail's root on")
    parser.add_argument("--workdir", required=True, help="the submission's folder: the only writable one")
    parser.add_argument("--sockets", help="the folder of the kernel's IPC sockets: bound writable at its own path")
    parser.add_argument("--ro", action="append", default=[], help="a path to bind read-only (repeatable)")
    parser.add_argument(
        "--connection-file",
        help="the kernel's connection file: copied into the jail, and the "
        "command's argument that names it pointed at the copy",
    )
    parser.add_argument(
        "--python-path", default="", help="the kernel's PYTHONPATH: where it finds the course's packages"
    )
    parser.add_argument("--sweep-cache", help="compiled sweeps to copy into the jail's /tmp")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, default=0, help="the kernel's CPU time limit (0: none)")
    parser.add_argument("--tmp-mb", type=int, default=256)
    parser.add_argument("--nobody", action="store_true", help="switch to the user nobody (needs real root)")
    parser.add_argument(
        "--lifeline", type=int, help="the read end of a pipe that the grading worker holds open while it lives"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("no kernel command after --")
    return args


def enter(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """Build the jail of ``args`` (see the module's docstring, steps 1 to 4) around this process, which is process 1
    of a new PID namespace with a private mount table and network; return the kernel's command (its connection
    file's argument pointed at the jail's copy) and environment. Exits at once if the lifeline is cut."""
    root = Path(args.root)
    connection = Path(args.connection_file).read_bytes() if args.connection_file else None
    loopback_up()
    build_root(root, args.ro, args.workdir, args.tmp_mb)
    if args.sockets:
        _bind(root, args.sockets, writable=True)
    os.chroot(root)
    os.chdir(args.workdir)
    command = list(args.command)
    if connection is not None:
        Path(CONNECTION_FILE).write_bytes(connection)
        os.chmod(CONNECTION_FILE, 0o600)
        command = [CONNECTION_FILE if arg == args.connection_file else arg for arg in command]
    env = kernel_environment(args.python_path)
    if args.sweep_cache and os.path.isdir(args.sweep_cache):
        shutil.copytree(args.sweep_cache, SWEEP_CACHE)
    set_limits(args.memory_mb << 20, args.cpu_seconds)
    drop_privileges(args.nobody, [args.workdir, "/tmp", "/dev/shm", *([args.sockets] if args.sockets else [])])
    die_with_parent(None)  # unshare's --kill-child asked it, but a change of user clears it: ask again
    if args.lifeline is not None:
        if lifeline_cut(args.lifeline):  # the worker ended before this jail could ask to die with unshare
            os._exit(1)
        os.close(args.lifeline)
    silence_stdout()
    return command, env


def kernel_environment(python_path: str) -> dict[str, str]:
    """The environment of a jailed kernel: a few of the grader's variables, the jail's own folders, a deterministic
    start (:data:`~grader.kernel.environment.DETERMINISTIC`), the course's packages on ``python_path``."""
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "TERM")}
    env.update(
        HOME="/tmp",
        TMPDIR="/tmp",
        MPLCONFIGDIR="/tmp/matplotlib",
        IPYTHONDIR="/tmp/ipython",
        JUPYTER_RUNTIME_DIR="/tmp/jupyter",
        PYTHONDONTWRITEBYTECODE="1",
        **DETERMINISTIC,
    )
    if python_path:
        env["PYTHONPATH"] = python_path
    env[NUMBA_CACHE_ENV_VAR] = SWEEP_CACHE
    if FAST_ENV_VAR in os.environ:  # a fast run (the course's tests) grades in fast mode too
        env[FAST_ENV_VAR] = os.environ[FAST_ENV_VAR]
    return env


def main(argv: list[str] | None = None) -> None:
    """Build the jail and exec the kernel in it; never returns."""
    command, env = enter(parse_args(sys.argv[1:] if argv is None else argv))
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
