"""The sample submissions' own full runs (scripts/make_sample_submissions.py records each cell's run time): every
cell that ran for more than 5 s shows a tqdm progress bar, each bar keeps only its last line (what the formgrader and
the feedback show), and no output prints an object's repr."""

from __future__ import annotations

import nbformat
import pytest

from grader.common.assignments import graded_assignment_names
from grader.release.run_notebook import PROGRESS_BAR_LINE, cell_seconds
from tests.support import ROOT, object_reprs, progress_bar_problems, shown_text

#: A cell longer than this, in a full run, shows a progress bar.
LONG_CELL_SECONDS = 5.0
#: The imports cell: its time is Python loading torch, NumPy and matplotlib (up to 5 s when the sample runs share
#: the machine two at a time), which no progress bar can show.
IMPORTS_CELL = "imports"


def sample_runs() -> list[tuple[str, nbformat.NotebookNode]]:
    runs = []
    for assignment in graded_assignment_names(ROOT):
        for path in sorted((ROOT / "submitted").glob(f"*/{assignment}/{assignment}.ipynb")):
            nb = nbformat.read(path, as_version=4)
            if any(cell_seconds(cell) is not None for cell in nb.cells):
                runs.append((f"{path.parts[-3]}/{assignment}", nb))
    return runs


RUNS = sample_runs()


def test_the_sample_submissions_carry_their_cells_run_times():
    assert {name.split("/")[1] for name, _ in RUNS} == set(graded_assignment_names(ROOT))


@pytest.mark.parametrize("name, nb", RUNS, ids=[name for name, _ in RUNS])
def test_every_cell_longer_than_5_s_shows_a_progress_bar(name, nb):
    slow = {
        cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}"): round(cell_seconds(cell), 1)
        for index, cell in enumerate(nb.cells)
        if (cell_seconds(cell) or 0) > LONG_CELL_SECONDS
        and not any(PROGRESS_BAR_LINE.fullmatch(line) for line in shown_text(cell).splitlines())
        and cell.metadata.get("nbgrader", {}).get("grade_id") != IMPORTS_CELL
    }
    assert not slow, f"{name}: cells of more than {LONG_CELL_SECONDS} s without a progress bar: {slow}"


@pytest.mark.parametrize("name, nb", RUNS, ids=[name for name, _ in RUNS])
def test_every_progress_bar_keeps_only_its_last_line(name, nb):
    assert progress_bar_problems(nb) == []


@pytest.mark.parametrize("name, nb", RUNS, ids=[name for name, _ in RUNS])
def test_no_output_prints_an_object_repr(name, nb):
    assert object_reprs(nb) == []
