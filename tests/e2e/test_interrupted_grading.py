"""Grading stopped from outside leaves nothing behind: `course autograde` on a small class (fast mode), stopped by
SIGINT (Ctrl-C, which a terminal sends to the command's whole process group), SIGTERM or SIGKILL once its first
kernel runs, leaves no process of the run within 10 s, no partial submission in the gradebook, no scratch folder
(a killed run's goes with the next run), and a rerun grades everyone as a run that was never stopped does; a stopped
regrade keeps every student's status; a second run of the same assignment meanwhile stops at once. A jailed kernel
orphaned on purpose, in an endless loop, ends at its CPU limit by itself.

Processes are matched by the run's own folder: the course's copy and the temporary folder its workers grade in,
in their command lines or as their working folders, never by a broad name."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from grader.common.nbgrader_api import nbgrader_api
from grader.common.statuses import load_statuses
from grader.kernel.sandbox import jail_command, namespaces_available
from grader.report.gradebook_audit import audit_class, cell_grades
from tests.e2e.hostile_class import with_cell
from tests.e2e.project1_trio import TRIO, trio_course

ASSIGNMENT = "project1"
#: a student's process that the grading of the scratch test must end with its kernel
SLEEPER = "import subprocess\nsubprocess.Popen(['sleep', '7303'])\n"


def make_run(folder: Path) -> Path:
    """A run's folder: ``course/`` (a copy of the course with the class's submissions, released) and ``tmp/`` (its
    workers' temporary folder)."""
    (folder / "course").mkdir()
    (folder / "tmp").mkdir()
    return trio_course(folder / "course")


def autograde(run: Path, *options: str) -> subprocess.Popen:
    """``course autograde`` of the run's class with 2 workers, in fast mode, as a session of its own (as a terminal
    runs a command: the command and its workers one process group)."""
    env = {**os.environ, "COURSE_FAST": "1", "TMPDIR": str(run / "tmp")}
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "autograde", ASSIGNMENT, "--workers", "2", *options],
        cwd=run / "course",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def processes_of(run: Path) -> list[psutil.Process]:
    """The processes whose command line names the run's folder or whose working folder is in it."""
    found = []
    for process in psutil.process_iter(["cmdline", "cwd"]):
        if process.pid == os.getpid():
            continue
        cmdline, cwd = process.info["cmdline"] or [], process.info["cwd"] or ""
        if cwd.startswith(str(run)) or any(str(run) in arg for arg in cmdline):
            found.append(process)
    return found


def scratch_left(run: Path) -> list[Path]:
    """The scratch folders of grading runs, and kernels' connection files, left in the run's temporary folder."""
    return [*(run / "tmp").glob("course-grading-*"), *(run / "tmp").glob("grade-*"), *(run / "tmp").glob("*.json")]


def wait_for(condition, seconds: float, what: str):
    """Poll ``condition`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s")


def kernel_running(run: Path) -> list[psutil.Process]:
    """The run's grading kernels: cold ones (a jail's or ``ipykernel``'s command line), and warm ones, forked from a
    kernel template (they keep its command line, as their launcher does, whose parent is the template)."""
    found = []
    for process in processes_of(run):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "grader.kernel.jail" in cmdline or "ipykernel" in cmdline:
            found.append(process)
        elif "grader.kernel.template" in cmdline:
            with contextlib.suppress(psutil.Error):
                if "grader.kernel.template" in " ".join(process.parent().cmdline()):
                    found.append(process)
    return found


def no_process_left(run: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (left := processes_of(run)) and time.monotonic() < deadline:
        time.sleep(0.2)
    described = []
    for process in left:
        try:
            described.append(f"{process.pid} {' '.join(process.cmdline())[:160]}")
        except psutil.Error:
            continue
    assert not described, f"processes of the run left {seconds} s after it was stopped:\n" + "\n".join(described)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_stopped_run_leaves_no_process_nor_half_a_submission_and_a_rerun_grades_everyone(
    tmp_path, signum, trio_grades
):
    course = make_run(tmp_path)
    grading = autograde(tmp_path)
    wait_for(lambda: kernel_running(tmp_path), 120, "no grading kernel started")
    if signum == signal.SIGINT:  # a second run of the same assignment stops at once, naming the first
        second = autograde(tmp_path)
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 1 and "project1 is being graded in this course already" in output, output
        assert f"process {grading.pid}" in output, output
    if signum == signal.SIGINT:
        os.killpg(grading.pid, signum)  # Ctrl-C: the terminal signals the foreground process group
    else:
        os.kill(grading.pid, signum)
    output, _ = grading.communicate(timeout=60)
    assert grading.returncode == (-signum if signum == signal.SIGKILL else 128 + signum), output
    if signum != signal.SIGKILL:
        assert f"stopped by {signum.name}" in output and "not graded (" in output, output
    no_process_left(tmp_path)
    if signum != signal.SIGKILL:  # a killed run cannot clean up: the next run removes its folder
        assert not scratch_left(tmp_path)

    api = nbgrader_api(course)
    audit = audit_class(api.coursedir.db_url, api.coursedir.course_id, ASSIGNMENT, TRIO)
    assert not (audit.incomplete or audit.duplicates or audit.extra), audit.describe()

    rerun = autograde(tmp_path)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output
    assert cell_grades(course, ASSIGNMENT) == trio_grades  # as a run that nobody stopped
    no_process_left(tmp_path)
    assert not scratch_left(tmp_path)
    if signum == signal.SIGTERM:  # a stopped regrade keeps the status of everyone it did not reach
        statuses = load_statuses(course, ASSIGNMENT)
        regrade = autograde(tmp_path, "--no-canary")
        wait_for(lambda: kernel_running(tmp_path), 120, "no grading kernel started")
        os.kill(regrade.pid, signum)
        output, _ = regrade.communicate(timeout=60)
        assert regrade.returncode == 128 + signum, output
        assert load_statuses(course, ASSIGNMENT).keys() == statuses.keys() == set(TRIO)
        assert not scratch_left(tmp_path)


def test_without_a_jail_a_killed_grader_takes_its_kernel_and_the_students_processes_with_it(tmp_path):
    course = make_run(tmp_path)
    folder = course / "submitted" / "ada" / ASSIGNMENT
    nb = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4)
    nbformat.write(with_cell(nb, SLEEPER), folder / f"{ASSIGNMENT}.ipynb")
    grading = autograde(tmp_path, "--isolation", "scratch", "--no-canary")
    sleeper = wait_for(
        lambda: [p for p in processes_of(tmp_path) if p.info["cmdline"] == ["sleep", "7303"]],
        120,
        "the student's process did not start",
    )
    assert sleeper
    os.kill(grading.pid, signal.SIGKILL)
    grading.communicate(timeout=60)
    no_process_left(tmp_path)


@pytest.mark.skipif(not namespaces_available()[0], reason="no namespaces for a jail here")
def test_an_orphaned_jailed_kernel_in_an_endless_loop_ends_at_its_cpu_limit(tmp_path):
    """The jail is started by a process that does not ask it to die with it (as if that link were lost), which is
    then killed with SIGKILL: the kernel, an endless loop, is on its own, and Linux ends it at its CPU limit."""
    workdir, root, sockets = tmp_path / "work", tmp_path / "root", tmp_path / "sockets"
    for folder in (workdir, root, sockets):
        folder.mkdir()
    command = jail_command(
        [sys.executable, "-c", "while True:\n    pass"],
        str(workdir),
        "",
        str(root),
        512,
        2,  # CPU seconds: SIGXCPU at 2, SIGKILL 5 s of CPU later
        None,
        str(sockets),
    )
    launcher = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess; subprocess.Popen({command!r}); import time; time.sleep(600)"],
        start_new_session=True,
    )
    loop = [sys.executable, "-c", "while True:\n    pass"]
    wait_for(lambda: [p for p in processes_of(tmp_path) if p.info["cmdline"] == loop], 30, "the loop did not start")
    os.kill(launcher.pid, signal.SIGKILL)
    launcher.wait()
    assert processes_of(tmp_path), "the jail did not outlive its launcher: nothing was tested"
    no_process_left(tmp_path, seconds=20)


@pytest.mark.skipif(not namespaces_available()[0], reason="no namespaces for a jail here")
@pytest.mark.parametrize("cut", [False, True], ids=["worker alive", "worker gone"])
def test_a_jail_whose_worker_is_gone_before_it_can_ask_to_die_with_it_never_starts_the_kernel(tmp_path, cut):
    """The window this closes: the worker killed after ``unshare`` forked the jail and before the jail asked to die
    with ``unshare`` (a change of user clears that wish, so the jail asks again, late), which left a grading kernel
    running with nobody to end it. The jail's lifeline, a pipe whose write end only the worker holds, tells it: here
    the write end is closed before the jail starts (``worker gone``), or held while it runs (``worker alive``, where
    the kernel runs as usual)."""
    workdir, root, sockets = tmp_path / "work", tmp_path / "root", tmp_path / "sockets"
    for folder in (workdir, root, sockets):
        folder.mkdir()
    kernel = [sys.executable, "-c", "open('kernel-ran', 'w').close()"]
    lifeline, held = os.pipe()
    command = jail_command(kernel, str(workdir), "", str(root), 512, 10, None, str(sockets), lifeline)
    if cut:
        os.close(held)
    try:
        jail = subprocess.run(command, pass_fds=(lifeline,), capture_output=True, text=True, timeout=60)
    finally:
        os.close(lifeline)
        if not cut:
            os.close(held)
    assert jail.returncode == (1 if cut else 0), jail.stderr
    assert (workdir / "kernel-ran").exists() is not cut
