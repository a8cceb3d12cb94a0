"""Run a grading kernel without a jail so that it and every process it starts end together:
``python -P -m grader.kernel.group_guard --parent PID -- KERNEL COMMAND``.

:mod:`grader.kernel.sandbox` starts the guard, when no jail can be built, as the leader of a new session and process
group (how Jupyter starts a kernel). The guard starts the kernel in its group and waits for it. When the kernel ends,
the guard kills the group: what the student's code left running ends with it, as it does in a jail's PID namespace.
When the grading process that started the guard ends, whatever ended it (SIGKILL included), Linux sends the guard
SIGTERM (``PR_SET_PDEATHSIG``) and the guard kills the group. It lets SIGINT through to the kernel: Jupyter
interrupts a cell by sending SIGINT to the whole group.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from grader.kernel.lifetime import die_with_parent


def kill_group(*_) -> None:
    """SIGKILL every process of this group, the guard included."""
    os.killpg(os.getpgrp(), signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    """Start the kernel in this group; kill the group when the kernel or the grading process ends."""
    parser = argparse.ArgumentParser(prog="python -m grader.kernel.group_guard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--parent", type=int, required=True, help="the pid of the grading process")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no kernel command after --")
    signal.signal(signal.SIGINT, lambda *_: None)  # a handler, not SIG_IGN: the kernel gets the default back
    signal.signal(signal.SIGTERM, kill_group)
    signal.signal(signal.SIGHUP, kill_group)
    die_with_parent(args.parent, signal.SIGTERM)
    kernel = subprocess.Popen(command)
    kernel.wait()
    kill_group()


if __name__ == "__main__":
    main()
