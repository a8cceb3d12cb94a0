"""Grading a whole class with the real pipeline: honest, broken and hostile submissions together,
graded in parallel, isolated and limited; compared with plain sequential nbgrader."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from grader.autograde.coordinator import grade_class
from grader.cli import main
from grader.collect import roster
from grader.common.config import copy_course
from grader.common.nbgrader_api import nbgrader_api, plain_autograde_preprocessors
from grader.common.statuses import load_statuses
from grader.kernel.sandbox import namespaces_available
from grader.release.generate import generate_release
from grader.report import grade_table
from tests.e2e.hostile_class import ASSIGNMENT, NOTEBOOK, write_class
from tests.support import ROOT, documented_sample_points

#: The part of the sample class in the mixed class (the rest of it is graded in test_sample_class.py).
SAMPLE = ["ada", "ben", "cleo", "dev", "eli", "fay", "gus"]
#: The honest students that plain nbgrader grades too (one after another, each in a new kernel, in full mode: the
#: slowest grading of the suite, so not all seven): the reference, the release, a partial answer and two mistakes.
PLAIN = ["ada", "ben", "cleo", "dev", "eli"]
EXPECTED_STATUS = {
    **{student: "graded" for student in SAMPLE},
    **{
        student: "graded"
        for student in ("reader", "writer", "patcher", "patcher0", "faker", "flooder", "forker", "caller")
    },
    "quitter": "kernel died",
    "breaker": "timed out",
    "looper": "timed out",
    "stubborn": "timed out",
    "hog": "out of memory",
    **{
        student: "metadata tampered"
        for student in ("deleter", "duplicator", "retyper", "repointer", "foreigner", "answerer", "stripper")
    },
    **{student: "not a notebook" for student in ("empty", "latin1", "truncated", "jsononly")},
    "renamer": "unknown notebook",
    "nofile": "notebook missing",
}
#: Limits for the test class: short, so that the endless loops end soon (the kernels that only wait, at 1.5 times
#: a limit in wall-clock seconds).
TEST_LIMITS = (
    "\nc.Execute.timeout = 10\nc.GuardedExecute.submission_timeout = 60\nc.GuardedExecute.wall_clock_factor = 1.5\n"
)
GRADING_OUTPUTS = ("gradebook.db", "autograded", "grades", "feedback")

needs_namespaces = pytest.mark.skipif(not namespaces_available()[0], reason=namespaces_available()[1])


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` but the grading's own outputs, with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] not in GRADING_OUTPUTS
    }


def scores(course: Path, students: list[str]) -> dict[str, dict[str, float]]:
    return {
        row.student: {task: score for task, (score, _) in row.tasks.items()}
        for row in grade_table.collect_grades(course, ASSIGNMENT, students)
    }


def stray_sleepers() -> list[str]:
    """The hostile submission's sleepers still alive (durations that nothing else on a shared machine uses)."""
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines() if re.fullmatch(r"sleep 730[12]", line.strip())]


class LoopbackServer:
    """A TCP server on 127.0.0.1 that counts the connections it accepts (the network probe's target)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            connection.close()

    def close(self) -> int:
        """Stop serving; return how many connections were accepted."""
        self.stop.set()
        self.thread.join()
        self.socket.close()
        return self.accepted


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The mixed class graded by the course command with 2 workers; file hashes before and after, and
    how many connections reached a server on the grading machine's loopback."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("hostile"))
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + TEST_LIMITS)
    for student in SAMPLE:
        shutil.copytree(ROOT / "submitted" / student, course / "submitted" / student)
    server = LoopbackServer()
    try:
        bases = write_class(ROOT, course, server.port)
        generate_release(course, ASSIGNMENT)
        before = file_hashes(course)
        exit_status = main(["--root", str(course), "autograde", ASSIGNMENT, "--workers", "2"])
    finally:
        connections = server.close()
    students = roster.submitted_students(course, ASSIGNMENT)
    return course, bases, exit_status, before, scores(course, students), connections


@pytest.fixture(scope="module")
def plain_nbgrader(tmp_path_factory):
    """The students of ``PLAIN`` graded by plain sequential nbgrader (its own Execute, no jail)."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("plain"))
    for student in PLAIN:
        shutil.copytree(ROOT / "submitted" / student, course / "submitted" / student)
    generate_release(course, ASSIGNMENT)
    plain = Config()
    plain.Autograde.autograde_preprocessors = plain_autograde_preprocessors(course)
    api = nbgrader_api(course, plain)
    for student in PLAIN:
        assert api.autograde(ASSIGNMENT, student, force=True, create=True)["success"]
    return scores(course, PLAIN)


@needs_namespaces
def test_every_submission_has_a_row_with_the_right_status(hostile):
    course, _, exit_status, *_ = hostile
    statuses = load_statuses(course, ASSIGNMENT)
    assert {s: o.status for s, o in statuses.items()} == EXPECTED_STATUS
    assert main(["--root", str(course), "export", ASSIGNMENT]) == exit_status
    with open(course / "grades" / f"{ASSIGNMENT}.csv", newline="") as f:
        table = {row["student"]: row for row in csv.DictReader(f)}
    assert {s: row["status"] for s, row in table.items()} == EXPECTED_STATUS
    assert table["hog"]["reason"] == statuses["hog"].reason and table["patcher"]["review flags"]
    rows = {row.student: row for row in grade_table.collect_grades(course, ASSIGNMENT, sorted(EXPECTED_STATUS))}
    assert {s: r.status for s, r in rows.items()} == EXPECTED_STATUS
    assert all(r.max_total == 100 for r in rows.values())
    assert all(rows[s].reason for s, status in EXPECTED_STATUS.items() if status != "graded")
    assert exit_status == sum(status != "graded" for status in EXPECTED_STATUS.values()) == 18


@needs_namespaces
def test_reasons_say_what_is_wrong(hostile):
    course, *_ = hostile
    reasons = {s: o.reason for s, o in load_statuses(course, ASSIGNMENT).items()}
    assert reasons["empty"].startswith("project1.ipynb is empty")
    assert reasons["latin1"].startswith("project1.ipynb is not UTF-8 text (byte 0xe9")
    assert reasons["truncated"].startswith("project1.ipynb is broken JSON")
    assert reasons["jsononly"].startswith("project1.ipynb is JSON but not a notebook")
    assert reasons["renamer"].startswith("found Project 1 (1).ipynb; expected project1.ipynb")
    assert reasons["nofile"].startswith("no .ipynb file in the submission")
    assert "cell make_test_data_hidden deleted" in reasons["deleter"]
    assert "cell SmallNet_visible duplicated" in reasons["duplicator"]
    assert "cell train_hidden changed from code to markdown" in reasons["retyper"]
    assert "cell evaluate_visible metadata changed (points)" in reasons["repointer"]
    assert "kernel 'ir' instead of 'python3'" in reasons["foreigner"]
    assert (
        reasons["answerer"] == "cell train_hidden metadata changed (solution) (graded with the grader's cells put back)"
    )
    assert reasons["stripper"].startswith("cell title deleted; cell imports deleted; cell task1 deleted; and ")
    assert (
        "nbgrader could not grade the notebook even with the grader's cells put back (KeyError: " in reasons["stripper"]
    )
    assert "died" in reasons["quitter"] and "per-cell time limit" in reasons["looper"]
    assert "MemoryError" in reasons["hog"]


@needs_namespaces
def test_honest_submissions_get_exactly_what_plain_nbgrader_gives(hostile, plain_nbgrader):
    *_, graded, _ = hostile
    assert {s: graded[s] for s in PLAIN} == plain_nbgrader
    assert sum(plain_nbgrader["ada"].values()) == 70 and sum(plain_nbgrader["ben"].values()) == 0
    # every honest student beside the hostile ones, those plain nbgrader did not grade included, gets their own points
    documented = documented_sample_points("Project 1, the assignment")
    assert {s: sum(graded[s].values()) for s in SAMPLE} == {s: documented[s] for s in SAMPLE}


@needs_namespaces
def test_no_attack_scores_more_than_the_same_answers_without_it(hostile):
    _, bases, _, _, graded, _ = hostile
    for student, base in bases.items():
        total = sum(graded[student].values())
        assert total <= sum(graded[base].values()) if base else total == 0, f"{student} scored {total}"
    assert sum(graded["patcher0"].values()) == 0 and sum(graded["reader"].values()) == 0
    assert graded["patcher"] == graded["eli"]  # the same wrong answers, tampering or not
    assert graded["faker"] == graded["eli"] and sum(graded["eli"].values()) < 70  # the real checks ran
    assert sum(graded["quitter"].values()) == 0  # its cells after os._exit did not run, so scored 0
    assert sum(graded["breaker"].values()) == 0  # its kernel could no longer run a test
    for student in (
        "deleter",
        "duplicator",
        "retyper",
        "repointer",
        "foreigner",
        "answerer",
        "looper",
        "hog",
        "flooder",
    ):
        assert graded[student] == graded["ada"], student  # the repaired notebook is graded as usual


@needs_namespaces
def test_student_code_can_read_and_write_nothing_outside_its_folder(hostile):
    course, _, _, before, *_ = hostile
    assert file_hashes(course) == before  # source, release, config, every submission: unchanged
    assert not (course / "pwned.txt").exists() and not Path("/tmp/pwned.txt").exists()
    assert b"pwned" not in (course / "gradebook.db").read_bytes()
    outputs = {}
    for student in ("reader", "writer"):
        nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
        outputs[student] = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "READ PROBE: nothing readable" in outputs["reader"]
    # what the probe could write was the jail's own private /tmp; the files above are untouched
    assert "WRITE PROBE:" in outputs["writer"] and f"{course}/" not in outputs["writer"]


@needs_namespaces
def test_student_code_cannot_reach_the_network(hostile):
    course, *_, graded, connections = hostile
    assert connections == 0
    nb = nbformat.read(course / "autograded" / "caller" / ASSIGNMENT / NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "NETWORK PROBE: unreachable ConnectionRefusedError" in printed
    assert "network (socket)" in " | ".join(load_statuses(course, ASSIGNMENT)["caller"].flags)
    assert graded["caller"] == graded["ada"]


@needs_namespaces
def test_processes_a_submission_starts_end_with_its_grading(hostile):
    assert stray_sleepers() == []


@needs_namespaces
def test_review_flags_point_at_attacks_and_not_at_honest_work(hostile):
    course, *_ = hostile
    flags = {s: " | ".join(o.flags) for s, o in load_statuses(course, ASSIGNMENT).items()}
    assert all(flags[s] == "" for s in SAMPLE if s != "ben")
    assert flags["ben"].startswith("experiments not run: no outputs in ")  # the release, handed in without a run
    assert "monkeypatching (np.allclose = ...)" in flags["patcher"] and "get_ipython()" in flags["patcher"]
    assert "kernel repaired before tests" in flags["patcher"] and "showtraceback" in flags["patcher"]
    assert "kernel repaired before tests" in flags["faker"]
    assert "sys.modules['grader.checks.project1']" in flags["faker"]
    assert "exits the kernel (os._exit)" in flags["quitter"]
    assert "outside the working folder" in flags["reader"] and "outside the working folder" in flags["writer"]
    assert "processes/threads (subprocess)" in flags["forker"]
    assert "output flood" in flags["flooder"]
    assert "links removed from its folder: project1.ipynb" in flags["writer"]


@needs_namespaces
def test_one_worker_and_two_give_the_same_grades(hostile):
    course, _, _, _, graded, _ = hostile
    again = ["ada", "eli", "fay", "patcher", "hog"]
    outcomes = grade_class(course, ASSIGNMENT, again, workers=1, progress=False)
    assert [o.status for o in outcomes] == [EXPECTED_STATUS[s] for s in again]
    assert scores(course, again) == {s: graded[s] for s in again}


@needs_namespaces
def test_a_dask_cluster_over_tcp_gives_the_same_grades(hostile):
    from distributed import LocalCluster

    course, _, _, _, graded, _ = hostile
    students = ["dev", "patcher", "empty"]
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", protocol="tcp", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        outcomes = grade_class(course, ASSIGNMENT, students, scheduler=cluster.scheduler_address, progress=False)
    assert [o.status for o in outcomes] == [EXPECTED_STATUS[s] for s in students]
    assert scores(course, students) == {s: graded[s] for s in students}


def test_isolation_refuses_clearly_when_it_cannot_be_had(monkeypatch):
    from grader.kernel import sandbox

    monkeypatch.setattr(sandbox, "namespaces_available", lambda: (False, "the `unshare` command is not installed"))
    with pytest.raises(RuntimeError, match="isolation 'namespaces' was asked for but is not available: the `unshare`"):
        sandbox.resolve_isolation("namespaces")
    assert sandbox.resolve_isolation("auto") == "scratch"
