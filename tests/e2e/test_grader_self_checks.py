"""A grader that is wrong must say so, not give a class zeros: grading a course copied elsewhere, a
kernel without its integrity hook, and the canary (the reference solution graded first)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import MissingEntry

from grader.autograde.canary import CANARY, reference_submission
from grader.autograde.coordinator import CanaryFailed, grade_class
from grader.common.config import copy_course
from grader.common.nbgrader_api import nbgrader_api
from grader.common.statuses import status_path
from grader.release.generate import generate_release
from grader.report import grade_table
from tests.support import ROOT

ASSIGNMENT, NOTEBOOK = "project1", "project1.ipynb"
INSTALL_LINE = "\"--IPKernelApp.exec_lines=__import__('grader.kernel.integrity', fromlist=['install']).install()\","


def course_with(tmp_path, students=("ada",)):
    course = tmp_path / "course"
    course.mkdir()
    copy_course(ROOT, course)
    for student in students:
        shutil.copytree(ROOT / "submitted" / student, course / "submitted" / student)
    return course


def submission_in_gradebook(course, student: str) -> bool:
    with nbgrader_api(course).gradebook as gb:
        try:
            gb.find_submission(ASSIGNMENT, student)
        except MissingEntry:
            return False
    return True


def test_a_course_copied_with_its_packages_grades_the_reference_fully(tmp_path):
    """The grading process imports the copy's packages (its working folder comes first), while the
    environment's editable install points at this clone: the kernel must import what the jail binds."""
    course = course_with(tmp_path, ("ada", "ben"))
    for package in ("helpers", "grader"):
        shutil.copytree(ROOT / package, course / package, ignore=shutil.ignore_patterns("__pycache__"))
    run = [sys.executable, "-m", "grader"]
    subprocess.run([*run, "release", ASSIGNMENT], cwd=course, check=True, capture_output=True)
    graded = subprocess.run([*run, "grade", ASSIGNMENT], cwd=course, capture_output=True, text=True)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with open(course / "grades" / f"{ASSIGNMENT}.csv", newline="") as f:
        table = {row["student"]: row for row in csv.DictReader(f)}
    assert (table["ada"]["status"], table["ada"]["autograded"]) == ("graded", "70")
    assert (table["ben"]["status"], table["ben"]["autograded"]) == ("graded", "0")


def test_a_kernel_without_its_integrity_hook_is_the_graders_error(tmp_path):
    course = course_with(tmp_path)
    config = course / "nbgrader_config.py"
    assert INSTALL_LINE in config.read_text()
    config.write_text(config.read_text().replace(INSTALL_LINE, ""))
    generate_release(course, ASSIGNMENT)
    (outcome,) = grade_class(course, ASSIGNMENT, ["ada"], workers=1, progress=False, canary=False)
    assert outcome.status == "grader error"
    assert outcome.reason.startswith("the grading kernel could not import grader.kernel.integrity: AssertionError")
    assert outcome.reason.endswith(f"(the grader's fault, not the student's; details in grades/{ASSIGNMENT}-log.txt)")
    log = (course / "grades" / f"{ASSIGNMENT}-log.txt").read_text()
    assert "ada: grader error: the grading kernel could not import" in log
    (row,) = grade_table.collect_grades(course, ASSIGNMENT, ["ada"])
    assert (row.status, row.reason) == (outcome.status, outcome.reason)
    assert not submission_in_gradebook(course, "ada")  # no zeros written for the grader's fault
    with pytest.raises(CanaryFailed, match=r"reference solution .* grader error: the grading kernel could not import"):
        grade_class(course, ASSIGNMENT, ["ada"], workers=1, progress=False)


def test_the_canary_names_the_failing_test_and_writes_nothing(tmp_path):
    course = course_with(tmp_path, ("ada", "ben"))
    path = course / "source" / ASSIGNMENT / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "target_function"]
    assert "4 * X[:, 3] ** 3" in cell.source
    cell.source = cell.source.replace("4 * X[:, 3] ** 3", "4 * X[:, 3] ** 2")
    nbformat.write(nb, path)
    generate_release(course, ASSIGNMENT)
    with pytest.raises(CanaryFailed) as failed:
        grade_class(course, ASSIGNMENT, ["ada", "ben"], workers=2, progress=False)
    message = str(failed.value)
    assert "source/project1/" in message and "Nothing was written to the gradebook" in message
    assert "test cell target_function_" in message and "scored 0 of" in message
    assert not status_path(course, ASSIGNMENT).exists()
    assert not submission_in_gradebook(course, "ada") and not submission_in_gradebook(course, CANARY)
    assert not (course / "autograded").exists()
    # an instructor who must grade anyway can
    outcomes = grade_class(course, ASSIGNMENT, ["ada", "ben"], workers=2, progress=False, canary=False)
    assert [o.status for o in outcomes] == ["graded", "graded"]


def test_the_reference_submission_is_the_release_with_the_model_answers():
    files = reference_submission(ROOT, ASSIGNMENT)
    assert list(files) == [NOTEBOOK]
    answered = nbformat.reads(files[NOTEBOOK].decode(), as_version=4)
    ada = nbformat.read(ROOT / "submitted" / "ada" / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert [c.source for c in answered.cells] == [c.source for c in ada.cells]
