"""One grading run per assignment at a time (the lock), and a run's scratch folders removed however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.autograde import scratch
from grader.autograde.lock import GradingBusy, grading_lock, lock_path
from grader.cli import main


def hold_lock(root: Path, assignment: str) -> subprocess.Popen:
    """A process that holds ``assignment``'s grading lock until it is killed (it prints ``held`` once it does)."""
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from grader.autograde.lock import grading_lock
        with grading_lock(Path({str(root)!r}), {assignment!r}):
            print("held", flush=True)
            time.sleep(600)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_stops_at_once_naming_the_first_and_a_killed_run_leaves_no_lock(course_copy, capsys):
    holder = hold_lock(course_copy, "project1")
    try:
        (course_copy / "submitted" / "ada" / "project1").mkdir(parents=True)
        assert main(["--root", str(course_copy), "export", "project1"]) == 1
        err = capsys.readouterr().err
        assert "project1 is being graded in this course already" in err and f"process {holder.pid}" in err
        assert not (course_copy / "grades" / "project1.csv").exists()  # nothing was written
        with grading_lock(course_copy, "xor"):  # another assignment is not locked
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the kernel let go of the killed run's lock, and its holder takes it again without waiting
    with grading_lock(course_copy, "project1"), grading_lock(course_copy, "project1"):
        assert lock_path(course_copy, "project1").is_file()


def test_the_lock_is_exclusive_between_processes_of_the_same_course(course_copy):
    holder = hold_lock(course_copy, "xor")
    try:
        with pytest.raises(GradingBusy, match="xor is being graded"), grading_lock(course_copy, "xor"):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_runs_scratch_folder_is_private_and_removed_however_it_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    with pytest.raises(KeyboardInterrupt), scratch.run_scratch() as folder:
        assert folder.parent == tmp_path and folder.name.startswith(f"course-grading-{os.getpid()}-")
        assert folder.stat().st_mode & 0o777 == 0o700
        (folder / "grade-ada-x" / "course").mkdir(parents=True)
        raise KeyboardInterrupt
    assert not folder.exists()


def test_the_scratch_folder_of_a_killed_run_goes_with_the_next_run(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = tmp_path / f"course-grading-{gone.pid}-abc"
    (orphan / "grade-canary-x").mkdir(parents=True)
    running = tmp_path / f"course-grading-{os.getpid()}-def"  # a run that is still going
    running.mkdir()
    with scratch.run_scratch():
        assert not orphan.exists() and running.exists()
