"""A student in JupyterLab, in a real browser: Restart Kernel and Run All Cells on each assignment's release and on
its reference answers, the "Check before you submit" cell, nbgrader's Validate button (on Project 1), and the
tutorial."""

from __future__ import annotations

import re

import nbformat
import pytest

from grader.common.assignments import graded_assignment_names
from tests.browser.conftest import screenshot
from tests.browser.jupyterlab import ERROR_OUTPUT, code_cells, open_and_run_all, validate
from tests.support import ROOT

ASSIGNMENTS = graded_assignment_names(ROOT)
NUMBERED = re.compile(r"\[\d+\]")
#: The assignment whose notebooks are also validated, untouched and with the reference answers: Validate runs the whole
#: notebook again in a new kernel (as long as Run All), and what it says is nbgrader's, the same for every assignment;
#: that each untouched release scores 0 and each reference every point, hidden tests included, is checked by grading
#: the sample classes (ben and ada) through the real pipeline (tests/e2e/).
VALIDATED = "project1"


def first_task(assignment: str) -> str:
    """The function of the assignment's first task: the name of its first visible check."""
    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    ids = (c.metadata.get("nbgrader", {}).get("grade_id", "") for c in nb.cells)
    return next(i for i in ids if i.endswith("_visible")).removesuffix("_visible")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_untouched_release_stops_at_the_first_task(page, lab, assignment, request):
    open_and_run_all(page, lab, f"release/{assignment}/{assignment}.ipynb")
    cells = code_cells(page)
    failing = [index for index, (_, _, error, _) in enumerate(cells) if error]
    assert failing, "Run All raised no error in the untouched release"
    _, source, error, _ = cells[failing[0]]
    assert "NotImplementedError" in error and first_task(assignment) in source
    assert not any(NUMBERED.search(prompt) for prompt, *_ in cells[failing[0] + 1 :]), "Run All went past the error"
    page.locator(ERROR_OUTPUT).first.scroll_into_view_if_needed()
    screenshot(page, f"{request.node.name}-run-all")
    if assignment == VALIDATED:
        assert "The following cell failed" in validate(page, lambda: screenshot(page, f"{request.node.name}-validate"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_reference_answers_run_clean_and_every_task_is_ready(page, lab, assignment, request):
    open_and_run_all(page, lab, f"submitted/ada/{assignment}/{assignment}.ipynb")  # the release, answers pasted in
    cells = code_cells(page)
    assert [source[:80] for _, source, error, _ in cells if error] == []
    assert all(NUMBERED.search(prompt) for prompt, *_ in cells), "a cell did not run"
    ready = re.search(r"(\d+) of (\d+) tasks pass their visible checks", cells[-1][3])
    assert ready and ready.group(1) == ready.group(2), cells[-1][3][-500:]
    screenshot(page, f"{request.node.name}-run-all")
    if assignment == VALIDATED:
        assert "Success! Your notebook passes all the tests." in validate(
            page, lambda: screenshot(page, f"{request.node.name}-validate")
        )


def test_the_tutorial_runs_top_to_bottom_with_every_figure(page, lab):
    open_and_run_all(page, lab, "release/tutorial/tutorial.ipynb", timeout=600)
    cells = code_cells(page)
    assert [source[:80] for _, source, error, _ in cells if error] == []
    assert all(NUMBERED.search(prompt) for prompt, *_ in cells), "a cell did not run"
    widths = page.eval_on_selector_all(".jp-OutputArea-output img", "images => images.map(i => i.naturalWidth)")
    assert len(widths) == 6 and all(w > 0 for w in widths)  # the six figures of tests/e2e/test_tutorial.py, drawn
