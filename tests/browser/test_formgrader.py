"""A TA in nbgrader's formgrader, in a real browser: after `course grade`, the manual-grading page lists the
class; the TA sees the student's own experiment outputs (not re-run when graded), scores one student's
hand-graded tasks on its grading page; `course export` then counts them."""

from __future__ import annotations

import csv
import time

import pytest

from grader import cli
from grader.common.experiments import NOT_RERUN_NOTE
from grader.common.nbgrader_api import nbgrader_api
from tests.browser.conftest import screenshot

MANUAL = {"plots": 10, "summary": 15}  # Project 1's hand-graded tasks, of 12 and 18 points


@pytest.fixture(scope="module")
def graded(lab_course):
    """Project 1 of ada (the reference) and ben (the untouched release), released and graded."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("COURSE_FAST", "1")
    try:
        assert cli.main(["--root", str(lab_course), "release", "project1"]) == 0
        assert cli.main(["--root", str(lab_course), "grade", "project1", "ada", "ben", "--workers", "2"]) == 0
    finally:
        monkeypatch.undo()
    return lab_course


def wait_for_scores(course, scores: dict[str, float], timeout: float = 30) -> None:
    """Wait until the gradebook holds ada's ``scores`` (the page saves them in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        with nbgrader_api(course).gradebook as gb:
            stored = {t: gb.find_grade(t, "project1", "project1", "ada").manual_score for t in scores}
        if stored == scores or time.monotonic() > deadline:
            assert stored == scores, f"the gradebook holds {stored} after {timeout:.0f} s"
            return
        time.sleep(0.5)


def ada_row(course) -> dict[str, str]:
    with open(course / "grades" / "project1.csv", newline="", encoding="utf-8") as f:
        return next(row for row in csv.DictReader(f) if row["student"] == "ada")


def test_a_ta_scores_the_hand_graded_tasks_and_export_counts_them(page, lab, graded, capsys):
    before = ada_row(graded)
    assert before["manual grading pending"] == "plots summary" and before["total"] == "70"
    page.goto(lab.login_link("formgrader/gradebook/project1/project1"))
    page.locator("table tbody tr td a").first.wait_for(state="attached", timeout=30_000)
    page.click("#toggle_names")  # "Show All Names": the list shows submission numbers until asked
    assert sorted(page.locator("table tbody tr td a:visible").all_inner_texts()) >= ["ada", "ben"]
    page.click("table tbody tr td a:text-is('ada')")
    page.wait_for_load_state("networkidle")  # the grading page loads its grades before it takes any
    # the experiments were not re-run: the page says so above each, and shows the figures ada drew herself
    note = page.get_by_text(NOT_RERUN_NOTE)
    note.first.wait_for(timeout=60_000)
    assert note.count() == 3  # the experiment, the plots answer and the optional experiment of Project 1
    figure = page.locator("img[src^='data:image/png']")  # the plots answer: ada's figure, as she submitted it
    assert figure.count() == 1 and figure.evaluate("img => img.naturalWidth") > 0
    figure.scroll_into_view_if_needed()
    screenshot(page, "formgrader_experiment_outputs")
    # formulas are MathML, drawn without the network that MathJax's CDN needs
    assert page.locator("math").count() >= 20 and "\\mathbf" not in page.inner_text("body")
    for task, points in MANUAL.items():
        field = page.locator(f"input.score#{task}")
        field.wait_for(timeout=60_000)
        field.fill(str(points))
        field.press("Tab")  # the formgrader saves a score when the field loses focus
    wait_for_scores(graded, MANUAL)
    capsys.readouterr()
    assert cli.main(["--root", str(graded), "export", "project1", "ada", "ben"]) == 0
    printed = capsys.readouterr().out
    after = ada_row(graded)
    assert (after["plots (/12)"], after["summary (/18)"]) == ("10", "15")
    assert after["total"] == "95" and after["manual grading pending"] == ""
    ada_line = next(line for line in printed.splitlines() if line.startswith("ada "))
    assert "95/100" in ada_line and "manual grading pending" not in ada_line
