"""The jail's last step, run in a child process: no privilege left."""

from __future__ import annotations

import os
import re

import pytest

from grader.kernel import jail


def capability_sets_after_dropping() -> dict[str, int]:
    """The capability sets of a child process (this one's user) after :func:`grader.kernel.jail.drop_privileges`
    without switching user, as a jail run by a user other than root drops them."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        jail.drop_privileges(False, [])
        with open("/proc/self/status", encoding="utf-8") as f:
            os.write(write, f.read().encode())
        os._exit(0)
    os.close(write)
    status = b""
    while chunk := os.read(read, 65536):
        status += chunk
    os.close(read)
    os.waitpid(child, 0)
    return {name: int(value, 16) for name, value in re.findall(r"^(Cap\w+):\s+([0-9a-f]+)$", status.decode(), re.M)}


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux's /proc is needed")
def test_no_capability_is_left_without_an_exec():
    """A warm kernel never execs after the jail drops its privileges, so the capabilities go at once, not at the
    next exec (as the secure bits and the bounding set would have them go)."""
    caps = capability_sets_after_dropping()
    assert (caps["CapEff"], caps["CapPrm"], caps["CapInh"], caps["CapBnd"]) == (0, 0, 0, 0)
