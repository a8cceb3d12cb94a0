"""The grade table as the command line prints it and as grades/<assignment>.csv holds it: the same words for a
submission whose hand-graded tasks wait for a grader."""

from __future__ import annotations

import csv

from grader.report.grade_table import StudentGrades, format_table, write_csv

ROWS = [
    StudentGrades(
        "ada", "graded", tasks={"fit": (6, 6), "plots": (0, 4)}, manual_pending=["plots"], manual_tasks={"plots"}
    ),
    StudentGrades("ben", "graded", tasks={"fit": (0, 6), "plots": (3, 4)}, manual_tasks={"plots"}),
    StudentGrades("cy", "timed out", reason="cell fit: past the per-cell time limit", tasks={"fit": (0, 6)}),
]


def test_the_csv_says_manual_grading_pending_for_the_rows_the_command_line_does(tmp_path):
    printed = {line.split()[0]: line for line in format_table(ROWS).splitlines()[2:]}
    with open(write_csv(ROWS, tmp_path / "grades.csv"), newline="", encoding="utf-8") as f:
        table = {row["student"]: row for row in csv.DictReader(f)}
    assert [s for s, line in printed.items() if "(manual grading pending)" in line] == ["ada"]
    assert {s: row["manual grading pending"] for s, row in table.items()} == {"ada": "plots", "ben": "", "cy": ""}
    assert (table["ada"]["plots (/4)"], table["ada"]["total"], table["ben"]["total"]) == ("", "6", "3")
    assert (table["cy"]["status"], table["cy"]["reason"]) == ("timed out", "cell fit: past the per-cell time limit")
