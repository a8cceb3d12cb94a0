"""Time limits count the kernel's CPU time, so a busy grading machine never changes a grade: a cell that sleeps is
not charged for it, one that computes past its limit is interrupted, one that only waits meets the wall-clock
backstop, and sample students graded beside four CPU-bound processes get the grades they get on an idle machine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader.autograde.coordinator import grade_class
from grader.report import grade_table
from tests.e2e.lab_class import grade_sample_class
from tests.e2e.test_experiments import assignment, make_course, submit
from tests.support import documented_sample_points

#: 3 CPU seconds a cell, and a wall-clock backstop at 4 times that.
LIMITS = "\nc.Execute.timeout = 3\nc.GuardedExecute.submission_timeout = 60\nc.GuardedExecute.wall_clock_factor = 4\n"
DOUBLE = "def double(x):\n    return x + x\n"
#: Answers to Task 1 that first spend time: CPU seconds (``spin``) or wall-clock seconds (``time.sleep``).
SPIN = """import time

def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass

"""
ANSWERS = {
    "sleeper": f"import time\ntime.sleep(6)\n{DOUBLE}",  # 6 s of clock, no CPU: under the limit
    "worker": f"{SPIN}spin(2)\n{DOUBLE}",  # 2 CPU seconds: under the limit, however busy the machine
    "spinner": f"{SPIN}spin(30)\n{DOUBLE}",  # past 3 CPU seconds: interrupted, so double is never defined
    "napper": f"import time\ntime.sleep(300)\n{DOUBLE}",  # waits past the 12 s backstop
}


@pytest.fixture(scope="module")
def busy_machine():
    """Four CPU-bound processes beside the test (the machine has two cores)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True:\n    pass"]) for _ in range(4)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.fixture(scope="module")
def limited(tmp_path_factory, busy_machine):
    """The small assignment with tight limits, its students graded on the busy machine."""
    course = make_course(tmp_path_factory.mktemp("cpu-time"), "exp", assignment("exp", "assert double(3) == 6"))
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(LIMITS)
    for student, answer in ANSWERS.items():
        submit(course, "exp", student, run=False, double=answer)
    outcomes = {o.student: o for o in grade_class(course, "exp", list(ANSWERS), workers=2, progress=False)}
    rows = {row.student: row for row in grade_table.collect_grades(course, "exp", list(ANSWERS))}
    return outcomes, rows


def test_time_a_cell_does_not_compute_is_not_charged(limited):
    outcomes, rows = limited
    for student in ("sleeper", "worker"):
        assert outcomes[student].status == "graded", outcomes[student]
        assert rows[student].auto_score == 2


def test_a_cell_past_its_cpu_time_is_interrupted(limited):
    outcomes, rows = limited
    assert outcomes["spinner"].status == "timed out"
    assert "per-cell time limit" in outcomes["spinner"].reason
    assert rows["spinner"].auto_score == 0


def test_a_cell_that_only_waits_meets_the_wall_clock_backstop(limited):
    outcomes, rows = limited
    assert outcomes["napper"].status == "timed out"
    assert rows["napper"].auto_score == 0


def test_a_sample_class_graded_on_a_busy_machine_gets_its_idle_grades(tmp_path, busy_machine):
    """The reference and a mistake, in full mode (the whole class is graded idle, in fast mode, in test_xor_lab)."""
    students = ["ada", "dev"]
    _, outcomes, rows = grade_sample_class(tmp_path, "xor", fast=False, students=students)  # the canary too
    assert [o.student for o in outcomes if o.status != "graded"] == []
    idle = documented_sample_points("The XOR lab")
    assert {s: r.auto_score for s, r in rows.items()} == {s: idle[s] for s in students}
