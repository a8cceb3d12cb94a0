"""The stop signals of a grading run: the first is a clean stop, deferred while a submission is written; the
second exits at once (in a process of its own, which it ends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from grader.autograde.stopping import StopRequested, StopSignals


def test_the_first_signal_stops_at_once_outside_a_write_and_after_it_inside_one():
    stop = StopSignals()
    with stop.installed(), pytest.raises(StopRequested) as raised:
        os.kill(os.getpid(), signal.SIGTERM)
    assert raised.value.signal_name == "SIGTERM"

    stop, written = StopSignals(), []
    with stop.installed(), pytest.raises(StopRequested), stop.deferred():
        os.kill(os.getpid(), signal.SIGHUP)
        written.append("the whole submission")
    assert written == ["the whole submission"]


def test_the_second_signal_exits_at_once_even_in_the_middle_of_a_write():
    program = (
        "import os, signal, time\n"
        "from grader.autograde.stopping import StopSignals\n"
        "stop = StopSignals()\n"
        "with stop.installed(), stop.deferred():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    print('first: deferred', flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "    print('never reached', flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=20)
    assert (done.returncode, done.stdout) == (128 + signal.SIGINT, "first: deferred\n"), done.stderr
