"""The term gradebook: `course grade` with no assignment grades every assignment that has submissions and
writes grades/term.csv (weights, nbgrader's due dates and the late policy of [tool.course.term]), through the
real pipeline on two small assignments."""

from __future__ import annotations

import csv
import html
import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import cli
from grader.common.config import load_config
from grader.common.nbgrader_api import nbgrader_api
from grader.report import grade_table
from grader.report.term import TermRow, format_term_table, term_cell, term_weights
from tests.support import ROOT, grader_cell

pytestmark = pytest.mark.slow  # grades whole classes

SOLUTION = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
DUE = "2026-10-01 00:00:00 UTC"


def small_assignment(name: str) -> nbformat.NotebookNode:
    """An assignment of 3 points: `double` (2, autograded) and a written answer (1, by hand)."""
    return new_notebook(
        cells=[
            grader_cell(
                new_markdown_cell(f"# {name}\n<!-- grading-limits:start -->\n<!-- grading-limits:end -->"), "title"
            ),
            grader_cell(new_code_cell(SOLUTION), "double", solution=True),
            grader_cell(
                new_code_cell("assert double(2) == 4, 'double(2) must be 4'"), "double_visible", grade=True, points=2
            ),
            grader_cell(new_markdown_cell("Because."), "essay", grade=True, solution=True, points=1),
            grader_cell(new_code_cell(""), "check_before_submit"),
        ],
        metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    )


@pytest.fixture
def term_course(tmp_path):
    """A course with the assignments a1 and a2 (weights 3 and 1): s1 hands in both on time, s2 hands in a1 two
    and a half days late, s3 hands in a1 only; a1 is due on 1 October."""
    for name in ("nbgrader_config.py", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    start = pyproject.index("[tool.course.assignments]")
    end = pyproject.index("\n[tool.ruff]", start)
    course = "[tool.course.assignments]\na1 = 3\na2 = 1\n\n[tool.course.term]\nlate_penalty_per_day = 0.1\n"
    (tmp_path / "pyproject.toml").write_text(pyproject[:start] + course + pyproject[end:])
    for name in ("a1", "a2"):
        (tmp_path / "source" / name).mkdir(parents=True)
        nbformat.write(small_assignment(name), tmp_path / "source" / name / f"{name}.ipynb")
    assert cli.main(["--root", str(tmp_path), "release"]) == 0
    with nbgrader_api(tmp_path).gradebook as gb:
        gb.update_or_create_assignment("a1", duedate=DUE)
    for student, name, timestamp in (
        ("s1", "a1", "2026-09-30 10:00:00.000000 UTC"),
        ("s1", "a2", None),
        ("s2", "a1", "2026-10-03 12:00:00.000000 UTC"),
        ("s3", "a1", None),
    ):
        folder = tmp_path / "submitted" / student / name
        folder.mkdir(parents=True)
        nb = nbformat.read(tmp_path / "release" / name / f"{name}.ipynb", as_version=4)
        answers = {"double": "def double(x):\n    return x + x", "essay": "Adding x to itself doubles it."}
        for cell in nb.cells:
            cell.source = answers.get(cell.metadata["nbgrader"]["grade_id"], cell.source)
        nbformat.write(nb, folder / f"{name}.ipynb")
        if timestamp:
            (folder / "timestamp.txt").write_text(timestamp)
    return tmp_path


def report_text(page) -> str:
    """A feedback page's text, tags removed."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def read_term(course) -> dict[str, dict[str, str]]:
    with open(course / "grades" / "term.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_grade_without_an_assignment_grades_the_term(term_course, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert cli.main(["--root", str(term_course), "grade", "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "== a1" in printed and "== a2" in printed and "grades/term.csv" in printed
    rows = read_term(term_course)
    assert sorted(rows) == ["s1", "s2", "s3"]
    header = list(rows["s1"])
    assert header[1:4] == ["a1 points (/3, weight 75%)", "a1 %", "a1 note"]
    assert header[4] == "a2 points (/3, weight 25%)" and header[-1] == "term %"
    # the written answers wait for a grader: 2 of 3 points each so far
    assert rows["s1"]["a1 points (/3, weight 75%)"] == "2" and rows["s1"]["a1 note"] == "manual grading pending"
    assert rows["s1"]["term %"] == "66.7"
    # 2.5 days late is 3 days: 30% of the score, 0.6 of 2 points
    assert rows["s2"]["a1 points (/3, weight 75%)"] == "1.4"
    assert rows["s2"]["a1 note"] == "3 days late: -0.6; manual grading pending"
    # no a2 from s2 and s3: 0, and the cell says so
    assert rows["s3"]["a2 points (/3, weight 25%)"] == "0" and rows["s3"]["a2 note"] == "missing: counts as 0"
    assert rows["s3"]["term %"] == f"{0.75 * 200 / 3:.1f}"
    assert "s3, a2: missing: counts as 0" in printed and "s2, a1: 3 days late: -0.6" in printed
    assert "? hand grading still pending (the points so far): a1 for 3 students, a2 for 1 student" in printed
    # the feedback states the same penalty, in words, in its summary
    late = " ".join(report_text(term_course / "feedback" / "s2" / "a1" / "a1.html").split())
    assert (
        "Late submission -0.6 submitted 3 days late: the course takes 10% of the points a day; the term counts " in late
    )
    assert "the term counts 1.4 so far" in late
    assert "Late submission" not in report_text(term_course / "feedback" / "s1" / "a1" / "a1.html")


def test_a_manual_score_shows_in_the_term_after_export(term_course, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert cli.main(["--root", str(term_course), "grade", "a1", "--workers", "1", "--no-canary"]) == 0
    with nbgrader_api(term_course).gradebook as gb:  # what the formgrader writes when a TA scores the answer
        grade = gb.find_grade("essay", "a1", "a1", "s2")
        grade.manual_score, grade.needs_manual_grade = 1.0, False
        bonus = gb.find_grade("essay", "a1", "a1", "s3")  # and the formgrader's extra credit field
        bonus.manual_score, bonus.extra_credit, bonus.needs_manual_grade = 1.0, 0.5, False
        gb.db.commit()
    assert cli.main(["--root", str(term_course), "export"]) == 1  # s1's a2 is not graded yet: it needs attention
    rows = read_term(term_course)
    assert rows["s2"]["a1 points (/3, weight 75%)"] == f"{3 * 0.7:g}"  # the penalty applies to the whole score
    assert rows["s2"]["a1 note"] == "3 days late: -0.9"
    assert rows["s3"]["a1 points (/3, weight 75%)"] == "3.5"  # nbgrader adds extra credit, beyond the maximum
    assert rows["s1"]["a2 note"] == "not graded (no autograded submission in the gradebook: run autograde)"


def test_weights_must_cover_every_graded_assignment_and_name_only_real_ones(term_course):
    config = load_config(term_course)
    assert term_weights(config, ["a1", "a2"]) == {"a1": 3.0, "a2": 1.0}
    pyproject = term_course / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("a2 = 1\n", ""))
    with pytest.raises(ValueError, match="no weight above 0 to a2, which has submissions"):
        term_weights(load_config(term_course), ["a1", "a2"])
    pyproject.write_text(pyproject.read_text().replace("a1 = 3\n", "a1 = 3\na2 = 0\n"))
    with pytest.raises(ValueError, match="no weight above 0 to a2"):
        term_weights(load_config(term_course), ["a1", "a2"])
    pyproject.write_text(pyproject.read_text().replace("a2 = 0\n", "a2 = 1\na3 = 1\n"))
    with pytest.raises(ValueError, match=r"lists a3, but .* has no notebook in source/a3/"):
        term_weights(load_config(term_course), ["a1"])
    pyproject.write_text(pyproject.read_text().replace("a3 = 1", "a3 = -1"))
    with pytest.raises(ValueError, match="a weight of 0 or more"):
        load_config(term_course)


def test_experiments_not_run_is_a_note_of_the_term_table():
    grades = grade_table.StudentGrades(
        "ben", "graded", flags=["experiments not run: no outputs in exp_run"], tasks={"double": (2, 2), "essay": (0, 1)}
    )
    grades.manual_pending, grades.manual_tasks = ["essay"], {"essay"}
    cell = term_cell(grades, 3, seconds_late=0, per_day=0.1)
    assert cell.note == "manual grading pending; experiments not run"
    table = format_term_table([TermRow("ben", {"a1": cell}, cell.percent)], {"a1": 1})
    assert "ben, a1: experiments not run" in table
