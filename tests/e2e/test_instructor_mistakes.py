"""The mistakes of a class graded for real: another assignment's notebook handed in, a notebook over the size limit
and a renamed grade id, graded by `course grade` with Project 1's reference beside them; then the commands a TA gets
wrong (an unknown assignment or student, an unsafe id, naming some students), each refused before anything is
written, or updating only the named students' rows."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.common.statuses import TOO_LARGE, WRONG_ASSIGNMENT, load_statuses
from tests.e2e.project1_trio import trio_course
from tests.support import ROOT

ASSIGNMENT = "project1"
NOTEBOOK = "project1.ipynb"


def course_command(course: Path, *arguments: str) -> subprocess.CompletedProcess:
    """``course ARGUMENTS`` in ``course``, in fast mode, as a TA runs it."""
    env = {**os.environ, "COURSE_FAST": "1"}
    return subprocess.run(
        [sys.executable, "-m", "grader", *arguments], cwd=course, env=env, capture_output=True, text=True, timeout=900
    )


def hand_in(course: Path, student: str, nb: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / NOTEBOOK)


def snapshot(course: Path) -> dict[str, str]:
    """Every file the grading commands write (the gradebook, the grades, autograded/ and feedback/), by hash."""
    files = [course / "gradebook.db", *(course / "grades").rglob("*")]
    files += [*(course / "autograded").rglob("*"), *(course / "feedback").rglob("*")]
    return {
        str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file() and p.name != "project1-log.txt"  # the log says what each refused command was
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    course = trio_course(tmp_path_factory.mktemp("mistakes"))
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("\nc.GuardedExecute.submission_file_limit_mb = 1\n")
    reference = nbformat.read(ROOT / "submitted" / "ada" / ASSIGNMENT / NOTEBOOK, as_version=4)
    hand_in(course, "xavier", nbformat.read(ROOT / "submitted" / "ada" / "xor" / "xor.ipynb", as_version=4))
    big = nbformat.from_dict(reference)
    code = next(cell for cell in big.cells if cell.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 2_000_000)]
    hand_in(course, "hoarder", big)
    renamed = nbformat.from_dict(reference)
    cell = next(c for c in renamed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "train_hidden")
    cell.metadata.nbgrader.grade_id = "my_train_tests"
    hand_in(course, "renamer", renamed)
    elder = nbformat.from_dict(reference)  # as an old nbgrader wrote it: nbgrader itself refuses to grade it
    for cell in elder.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader.schema_version = 1
    hand_in(course, "elder", elder)
    done = course_command(course, "grade", ASSIGNMENT, "--workers", "2")
    return course, done


def grades_csv(course: Path) -> dict[str, dict[str, str]]:
    with open(course / "grades" / f"{ASSIGNMENT}.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_another_assignments_notebook_and_an_oversized_one_score_0_with_a_feedback_page_that_says_why(graded):
    course, done = graded
    statuses = load_statuses(course, ASSIGNMENT)
    assert statuses["xavier"].status == WRONG_ASSIGNMENT, done.stdout
    assert "this is the notebook of xor/xor.ipynb, not project1/project1.ipynb" in statuses["xavier"].reason
    assert statuses["hoarder"].status == TOO_LARGE
    assert "project1.ipynb is too large (2.2 MB; the limit is 1 MB): clear the outputs" in statuses["hoarder"].reason
    rows = grades_csv(course)
    for student, words in (("xavier", "xor/xor.ipynb"), ("hoarder", "too large (2.2 MB; the limit is 1 MB)")):
        assert rows[student]["total"] == "0" and rows[student]["manual grading pending"] == ""
        page = (course / "feedback" / student / ASSIGNMENT / "project1.html").read_text(encoding="utf-8")
        assert words in page and "this page shows the release notebook, graded in its place" in page
        assert "grader's fault" not in statuses[student].reason


def test_a_renamed_grade_id_or_an_old_schema_is_named_and_graded_as_the_release_has_it(graded):
    course, done = graded
    statuses = load_statuses(course, ASSIGNMENT)
    assert "cell train_hidden renamed to my_train_tests (its name put back)" in statuses["renamer"].reason
    assert "metadata changed (schema_version)" in statuses["elder"].reason
    rows = grades_csv(course)
    assert rows["renamer"]["autograded"] == rows["elder"]["autograded"] == rows["ada"]["autograded"] == "70", (
        done.stdout
    )
    page = (course / "feedback" / "renamer" / ASSIGNMENT / "project1.html").read_text(encoding="utf-8")
    assert "renamed to my_train_tests" in page


def test_nothing_of_nbgraders_log_is_printed(graded):
    _, done = graded
    assert done.returncode == 4, done.stdout + done.stderr  # four submissions need attention
    printed = done.stdout + done.stderr
    assert "[INFO]" not in printed and "[WARNING]" not in printed and "Traceback" not in printed


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["grade", "nosuch"], "no assignment 'nosuch' in this course (no source/nosuch/"),
        (["grade", ASSIGNMENT, "nobody"], "nobody: not in the roster or in submitted/: add them with `course add-"),
        (["export", ASSIGNMENT, "../ben"], "'../ben' is not a valid student id (a student id has letters, digits"),
        (["feedback", ASSIGNMENT, "ada", ""], "'' is not a valid student id"),
        (["collect", "nosuch", "x.zip"], "no assignment 'nosuch' in this course"),
    ],
)
def test_a_wrong_assignment_or_student_is_refused_before_anything_is_written(graded, arguments, message):
    course, _ = graded
    before = snapshot(course)
    done = course_command(course, *arguments)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert "project1, " in done.stderr or "student" in done.stderr  # the list of assignments, or the id's rule
    assert snapshot(course) == before


def test_naming_students_updates_their_rows_and_keeps_everyone_elses(graded, tmp_path):
    course, _ = graded
    everyone = grades_csv(course)
    statuses = load_statuses(course, ASSIGNMENT)
    shutil.copy(course / "grades" / f"{ASSIGNMENT}.csv", tmp_path / "before.csv")
    done = course_command(course, "export", ASSIGNMENT, "ada")
    assert done.returncode == 0, done.stderr
    assert f"grades/{ASSIGNMENT}.csv ({len(everyone)} student(s))" in done.stdout
    assert grades_csv(course) == everyone and load_statuses(course, ASSIGNMENT) == statuses
    table = done.stdout.split("\n\n", 1)[1]
    assert "ada " in table and "ben " not in table  # the table shows the students named
