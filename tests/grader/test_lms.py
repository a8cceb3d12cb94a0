"""The files that Canvas and Moodle import: their documented headers, a row per student, blanks where hand grading
is pending, and the term's numbers, through `course export --lms` on a graded term."""

from __future__ import annotations

import csv
import re

import pytest

from grader import cli
from grader.common.nbgrader_api import nbgrader_api
from grader.report.lms import (
    CANVAS_COLUMNS,
    CANVAS_POINTS_ROW,
    MOODLE_COLUMNS,
    Person,
    people,
    write_canvas,
    write_moodle,
)
from grader.report.term import TermCell, TermRow
from tests.grader.test_term import read_term, term_course  # noqa: F401 (a fixture)
from tests.support import docs_section


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def documented_samples() -> list[str]:
    """The sample files of the section "Grades into an LMS" of docs/instructors.md, in their order."""
    return re.findall(r"```csv\n(.*?)```", docs_section("instructors", "Grades into an LMS"), re.S)


def small_term() -> list[TermRow]:
    return [
        TermRow("ada", {"xor": TermCell(48.5, 50), "deep": TermCell(70, 100, pending=True)}),
        TermRow("ben", {"xor": TermCell(0, 50, note="missing: counts as 0"), "deep": TermCell(0, 100, ungraded=True)}),
    ]


WHO = {
    "ada": Person("ada", "Ada", "Lovelace", "ada@uni.edu", "1001", "S-1", "ada.l", "Mon 10:00"),
    "ben": Person("ben"),
}


def test_canvas_file_has_canvas_columns_points_possible_and_blanks_for_what_is_not_final(tmp_path):
    rows = read_rows(write_canvas(small_term(), ["xor", "deep"], WHO, tmp_path / "canvas.csv"))
    assert rows[0] == [*CANVAS_COLUMNS, "xor", "deep"]
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1] == [CANVAS_POINTS_ROW, "", "", "", "", "50", "100"]
    assert rows[2] == ["Lovelace, Ada", "1001", "S-1", "ada.l", "Mon 10:00", "48.5", ""]  # deep: hand grading pending
    assert rows[3] == ["ben", "", "ben", "", "", "0", ""]  # missing is 0; not graded by the grader is blank


def test_moodle_file_is_keyed_by_id_number_and_email(tmp_path):
    rows = read_rows(write_moodle(small_term(), ["xor", "deep"], WHO, tmp_path / "moodle.csv"))
    assert (
        rows[0]
        == ["First name", "Last name", "ID number", "Email address", "xor", "deep"]
        == [
            *MOODLE_COLUMNS,
            "xor",
            "deep",
        ]
    )
    assert rows[1:] == [["Ada", "Lovelace", "ada", "ada@uni.edu", "48.5", ""], ["", "", "ben", "", "0", ""]]


@pytest.mark.slow  # grades a small term
def test_export_lms_round_trips_the_term_and_fills_in_once_hand_grading_is_done(term_course, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COURSE_FAST", "1")
    roster = term_course / "roster.csv"
    roster.write_text(
        "id,first_name,last_name,email,lms_user_id,sis_user_id,section,id_number\n"
        "s1,Sam,One,s1@uni.edu,501,SIS-1,A,N-1\ns2,Sue,Two,s2@uni.edu,502,SIS-2,B,N-2\ns3,Sol,Three,,503,,A,\n"
    )
    assert cli.main(["--root", str(term_course), "add-students", str(roster)]) == 0
    assert cli.main(["--root", str(term_course), "grade", "--workers", "2"]) == 0
    capsys.readouterr()
    assert cli.main(["--root", str(term_course), "export", "--lms", "canvas", "--roster", str(roster)]) == 0
    printed = capsys.readouterr().out
    assert "canvas: grades/canvas.csv, 3 student(s), 2 assignment(s)" in printed
    assert "4 cell(s) left blank, hand grading pending or not graded (a1 3, a2 1)" in printed
    canvas = read_rows(term_course / "grades" / "canvas.csv")
    assert canvas[0] == [*CANVAS_COLUMNS, "a1", "a2"] and canvas[1] == [CANVAS_POINTS_ROW, "", "", "", "", "3", "3"]
    assert [row[:5] for row in canvas[2:]] == [
        ["One, Sam", "501", "SIS-1", "", "A"],
        ["Two, Sue", "502", "SIS-2", "", "B"],
        ["Three, Sol", "503", "s3", "", "A"],
    ]
    assert [row[5:] for row in canvas[2:]] == [["", ""], ["", "0"], ["", "0"]]  # pending is blank, missing is 0
    canvas_sample, moodle_sample = documented_samples()
    assert (term_course / "grades" / "canvas.csv").read_text(encoding="utf-8").replace("\r\n", "\n") == canvas_sample

    with nbgrader_api(term_course).gradebook as gb:  # a TA scores every written answer in the formgrader
        for student, assignment in (("s1", "a1"), ("s1", "a2"), ("s2", "a1"), ("s3", "a1")):
            grade = gb.find_grade("essay", assignment, assignment, student)
            grade.manual_score, grade.needs_manual_grade = 1.0, False
        gb.db.commit()
    assert cli.main(["--root", str(term_course), "export", "--lms", "moodle", "--roster", str(roster)]) == 0
    assert "left blank" not in capsys.readouterr().out
    moodle = read_rows(term_course / "grades" / "moodle.csv")
    assert moodle[0] == [*MOODLE_COLUMNS, "a1", "a2"]
    term = read_term(term_course)
    points = {name: f"{name} points (/3, weight {share})" for name, share in (("a1", "75%"), ("a2", "25%"))}
    assert [row[:4] for row in moodle[1:]] == [
        ["Sam", "One", "N-1", "s1@uni.edu"],
        ["Sue", "Two", "N-2", "s2@uni.edu"],
        ["Sol", "Three", "s3", ""],
    ]
    assert [row[4:] for row in moodle[1:]] == [
        [term[student][points["a1"]], term[student][points["a2"]]] for student in ("s1", "s2", "s3")
    ]
    assert [row[4:] for row in moodle[1:]] == [["3", "3"], ["2.1", "0"], ["3", "0"]]  # s2 was 3 days late: -30%
    assert (term_course / "grades" / "moodle.csv").read_text(encoding="utf-8").replace("\r\n", "\n") == moodle_sample


def test_a_roster_without_an_id_column_is_refused_with_the_reason(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nada,ada@uni.edu\n")
    with pytest.raises(ValueError, match="naming at least the column 'id'"):
        people(tmp_path, [], roster)
