"""A student's feedback page, opened offline in a real browser as a student opens the file from the LMS: a table of
the tasks opens it, its title is the notebook's, it asks the network for nothing, a notebook that timed out says so in
words, and formulas render as MathML, not raw TeX."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from nbconvert import HTMLExporter

from grader import cli
from grader.common.assignments import assignment_names
from grader.common.config import copy_course
from grader.report.mathml import CODE, MATH, MathToMathML
from tests.browser.conftest import screenshot
from tests.e2e.hostile_class import STUBBORN_LOOP, with_cell
from tests.support import ROOT

ASSIGNMENT = "project1"
#: Short limits, so that the stuck submission times out in seconds: a cell that ignores the interrupt is stopped at
#: 1.5 times the 3 s limit of a cell.
#: The rendered markdown cells, in the feedback's template (classic) and in nbconvert's default (lab).
PROSE = ".text_cell_render, .jp-RenderedMarkdown"
TEST_LIMITS = "\nc.Execute.timeout = 3\nc.GuardedExecute.wall_clock_factor = 1.5\n"


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    """Project 1 graded for dev (two tasks lose points) and stuck (the reference with a loop that ignores Ctrl-C
    after Task 5: it times out); the course folder."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("feedback-course"))
    shutil.copytree(ROOT / "submitted" / "dev", course / "submitted" / "dev")
    ada = nbformat.read(ROOT / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    (course / "submitted" / "stuck" / ASSIGNMENT).mkdir(parents=True)
    stuck = with_cell(ada, STUBBORN_LOOP, after="count_parameters_hidden")
    nbformat.write(stuck, course / "submitted" / "stuck" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + TEST_LIMITS)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("COURSE_FAST", "1")
    try:
        assert cli.main(["--root", str(course), "release", ASSIGNMENT]) == 0
        assert cli.main(["--root", str(course), "grade", ASSIGNMENT, "--workers", "2", "--no-canary"]) == 1
    finally:
        monkeypatch.undo()
    return course


@pytest.fixture
def offline_page(browser):
    """A page that can reach no network: every request but a file:// one fails."""
    context = browser.new_context(offline=True)
    context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def open_feedback(page, course, student: str) -> str:
    """Open the student's page from disk; return its rendered text (innerText)."""
    page.goto((course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").as_uri())
    page.locator("#course-summary table").wait_for(timeout=30_000)
    return page.inner_text("body")


def summary(page) -> list[str]:
    return [" ".join(row.split()) for row in page.locator("#course-summary tr").all_inner_texts()]


def test_the_page_opens_with_each_task_its_points_and_why_it_lost_them(offline_page, feedback):
    text = open_feedback(offline_page, feedback, "dev")
    rows = summary(offline_page)
    assert rows[0] == "Task Points Result"
    assert [row.split(":")[0] for row in rows[1:12]] == [f"Task {n}" for n in range(1, 12)]
    assert rows[2].startswith("Task 2: training data 7 / 10 lost 3 points")
    assert "N(0, 0.01) has variance 0.01" in rows[2]  # the check's message, never its code
    assert rows[-1] == "Total 65 / 70 30 more points not graded yet"
    assert "Test cell" not in text and "BEGIN HIDDEN TESTS" not in text
    offline_page.click("#course-summary a:text('Task 2: training data')")  # each row links to its place below
    assert offline_page.evaluate("location.hash") == "#make_training_data_visible"
    screenshot(offline_page, "feedback_summary_dev")


def test_the_page_has_the_notebooks_title_and_asks_the_network_for_nothing(browser, feedback):
    context = browser.new_context(offline=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        open_feedback(page, feedback, "dev")
        page.wait_for_load_state("load")
        assert page.title() == "Project 1: training and testing neural networks (100 points)"
        assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
        assert page.locator("a:text('Open In Colab')").count() == 1  # the badge's link, as words
    finally:
        context.close()


def test_a_timed_out_notebook_says_so_in_words_on_its_rows(offline_page, feedback):
    text = open_feedback(offline_page, feedback, "stuck")
    rows = summary(offline_page)
    assert rows[5] == "Task 5: counting parameters 5 / 5 passed"
    for row in rows[6:10]:  # Tasks 6 to 9 come after the loop
        assert re.search(r"0 / \d+ not reached: the notebook stopped before it \(timed out in cell \d+\)", row), row
    assert "Grading stopped your notebook in cell" in text and "timed out" in text
    screenshot(offline_page, "feedback_summary_stuck")


def test_formulas_render_offline_as_mathml_and_no_tex_shows(offline_page, feedback):
    open_feedback(offline_page, feedback, "dev")
    text = "\n".join(offline_page.locator(PROSE).all_inner_texts())
    assert len(text) > 5000
    assert "\\mathbf" not in text and not re.search(r"\$[^$\n]{1,80}\$", text)
    formulas = offline_page.locator("math")
    assert formulas.count() >= 20
    first = formulas.first
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0  # drawn by the browser's own MathML


@pytest.mark.parametrize("name", assignment_names(ROOT))
def test_every_formula_of_every_release_draws_as_mathml(offline_page, name, tmp_path):
    """Fidelity: each release exported as the feedback and the formgrader export it; every formula is drawn (a box
    of its own size), none is an error node, none is left as TeX."""
    exporter = HTMLExporter(preprocessors=[MathToMathML])
    body, _ = exporter.from_filename(str(ROOT / "release" / name / f"{name}.ipynb"))
    page = tmp_path / f"{name}.html"
    page.write_text(body, encoding="utf-8")
    offline_page.goto(page.as_uri())
    sizes = offline_page.locator("math").evaluate_all(
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    expected = sum(
        len(MATH.findall(CODE.sub("", cell.source)))
        for cell in nbformat.read(ROOT / "release" / name / f"{name}.ipynb", as_version=4).cells
        if cell.cell_type == "markdown"
    )
    assert len(sizes) == expected > 0
    assert all(width > 0 and height > 0 for width, height in sizes)
    assert offline_page.locator("merror").count() == 0
    text = "\n".join(offline_page.locator(PROSE).all_inner_texts())  # code cells may print TeX for matplotlib
    assert "\\frac" not in text and "\\mathbf" not in text and not re.search(r"\$[^$\n]{1,80}\$", text)
    if name == "deep":
        offline_page.locator("math").nth(expected // 2).scroll_into_view_if_needed()
        screenshot(offline_page, "mathml_deep")
