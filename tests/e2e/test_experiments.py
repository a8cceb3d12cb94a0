"""Experiment cells through the real pipeline (nbgrader, the guarded kernel, the canary, feedback): not re-run when
graded, their outputs (text and a PNG) kept byte for byte and marked, a progress bar's saved history kept as its last
line, the "experiments not run" flag, an audit with --rerun-experiments, and a test that needs an experiment caught
by the canary with its name."""

from __future__ import annotations

import io
import json
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from tqdm import tqdm

from grader import cli
from grader.autograde.coordinator import CanaryFailed, grade_class
from grader.common.config import COURSE_FILES
from grader.common.experiments import EXPERIMENT_TAG, NOT_RERUN_NOTE, NOTE_KEY
from grader.common.statuses import load_statuses
from grader.kernel.environment import QUIET_KERNEL
from grader.report import grade_table
from grader.report.feedback import generate_feedback
from tests.support import ROOT, grader_cell, progress_bar_problems

#: An experiment that draws a figure from numbers nothing seeds: each run prints and draws other ones.
EXPERIMENT = """import os
import matplotlib.pyplot as plt
value = int.from_bytes(os.urandom(4), "big")
print(f"unseeded experiment: {value}")
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1], [0, value])
ax.set_xlabel("step")
ax.set_ylabel("value")
plt.show()"""


def assignment(name: str, test: str, experiment: str = EXPERIMENT) -> nbformat.NotebookNode:
    """A small assignment: ``double`` (autograded, 2 points), an experiment, a hand-graded plot of it, then a
    test of ``double``."""
    return new_notebook(
        cells=[
            grader_cell(
                new_markdown_cell(f"# {name}\n<!-- grading-limits:start -->\n<!-- grading-limits:end -->"), "title"
            ),
            grader_cell(new_code_cell("%matplotlib inline"), "imports"),
            grader_cell(
                new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
                "double",
                solution=True,
            ),
            grader_cell(new_code_cell(experiment), "exp_run", tags=[EXPERIMENT_TAG]),
            grader_cell(
                new_code_cell("### BEGIN SOLUTION\nprint(f'the value was {value}')\n### END SOLUTION"),
                "exp_plot",
                grade=True,
                solution=True,
                points=5,
                tags=[EXPERIMENT_TAG],
            ),
            grader_cell(new_code_cell(test), "double_hidden", grade=True, points=2),
            grader_cell(new_code_cell(""), "check_before_submit"),
        ],
        metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    )


def make_course(folder, name: str, nb: nbformat.NotebookNode):
    """A course of the one assignment ``name``, released."""
    for file in COURSE_FILES:
        shutil.copy(ROOT / file, folder / file)
    (folder / "source" / name).mkdir(parents=True)
    nbformat.write(nb, folder / "source" / name / f"{name}.ipynb")
    assert cli.main(["--root", str(folder), "release", name]) == 0
    return folder


def submit(course, name: str, student: str, run: bool, double: str = "def double(x):\n    return x + x"):
    """The release with the answers filled in (``double`` the answer to Task 1), run top to bottom as a student
    runs it (or not), handed in."""
    nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    answers = {"double": double, "exp_plot": "print(f'the value was {value}')"}
    for cell in nb.cells:
        cell.source = answers.get(cell.metadata["nbgrader"]["grade_id"], cell.source)
    if run:
        NotebookClient(nb, timeout=60, kernel_name="python3", extra_arguments=list(QUIET_KERNEL)).execute()
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return nb


def cell_of(nb: nbformat.NotebookNode, grade_id: str) -> tuple[int, nbformat.NotebookNode]:
    return next((i, c) for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def outputs_json(cell) -> str:
    return json.dumps(cell.outputs, sort_keys=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course "exp" with three students, graded: "ran" (who ran the notebook), "cleared" (who did not) and "bars",
    whose experiment shows a progress bar saved as every one of its updates (as a frontend that keeps each message
    of a stream as an output saves it)."""
    course = make_course(tmp_path_factory.mktemp("experiments"), "exp", assignment("exp", "assert double(3) == 6"))
    submitted = {"ran": submit(course, "exp", "ran", run=True), "cleared": submit(course, "exp", "cleared", run=False)}
    submitted["bars"] = with_bar_history(submit(course, "exp", "bars", run=True), course / "submitted" / "bars")
    students = list(submitted)
    outcomes = {o.student: o for o in grade_class(course, "exp", students, workers=2, progress=False)}
    return course, submitted, outcomes


def with_bar_history(nb: nbformat.NotebookNode, folder) -> nbformat.NotebookNode:
    """``nb`` (saved again in ``folder``) with a real tqdm bar of 8 steps before its experiment's outputs, one stream
    output for each of the bar's writes, carriage returns and all."""
    written = io.StringIO()
    for _ in tqdm(range(8), desc="runs", file=written, mininterval=0, ascii=True):
        pass
    updates = [new_output("stream", name="stderr", text="\r" + part) for part in written.getvalue().split("\r") if part]
    _, run = cell_of(nb, "exp_run")
    run.outputs = updates + run.outputs
    nbformat.write(nb, folder / "exp" / "exp.ipynb")
    return nb


def autograded(course, student: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "autograded" / student / "exp" / "exp.ipynb", as_version=4)


def test_the_experiment_outputs_survive_grading_byte_for_byte(graded):
    course, submitted, outcomes = graded
    assert outcomes["ran"].status == "graded" and outcomes["ran"].flags == []
    nb = autograded(course, "ran")
    for grade_id in ("exp_run", "exp_plot"):
        index, cell = cell_of(nb, grade_id)
        _, original = cell_of(submitted["ran"], grade_id)
        assert outputs_json(cell) == outputs_json(original)
        assert cell.execution_count == original.execution_count
        note = nb.cells[index - 1]
        assert note.cell_type == "markdown" and note.metadata[NOTE_KEY] == EXPERIMENT_TAG
        assert NOT_RERUN_NOTE in note.source
    _, run = cell_of(nb, "exp_run")
    assert {"text/plain", "image/png"} <= set(run.outputs[-1].data)
    assert run.outputs[0].text.startswith("unseeded experiment: ")
    # the other cells ran again: the test passed, the answer cell has a fresh execution count
    _, test = cell_of(nb, "double_hidden")
    assert not [o for o in test.outputs if o.output_type == "error"]


def test_a_saved_bar_history_is_kept_as_its_last_line_in_the_autograded_copy_and_the_feedback(graded):
    course, submitted, outcomes = graded
    assert outcomes["bars"].status == "graded"
    _, saved = cell_of(submitted["bars"], "exp_run")
    assert len([o for o in saved.outputs if o.output_type == "stream" and o.name == "stderr"]) > 8
    nb = autograded(course, "bars")
    _, run = cell_of(nb, "exp_run")
    bars = [o for o in run.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert len(bars) == 1 and "\r" not in bars[0].text, bars
    assert re.fullmatch(r"runs: 100%\|#+\| 8/8 \[[^\]]+\]\n", bars[0].text), bars[0].text
    assert progress_bar_problems(nb) == []
    assert generate_feedback(course, "exp", ["bars"]) == {}
    page = (course / "feedback" / "bars" / "exp" / "exp.html").read_text(encoding="utf-8")
    assert "8/8" in page and "0/8" not in page and "4/8" not in page


def test_experiments_are_not_run_at_grading_and_the_answers_still_score(graded):
    course, *_ = graded
    rows = {row.student: row for row in grade_table.collect_grades(course, "exp", ["ran", "cleared"])}
    assert rows["ran"].auto_score == rows["cleared"].auto_score == 2
    _, cleared = cell_of(autograded(course, "cleared"), "exp_run")
    assert cleared.outputs == []  # never run by the student, and not run by the grader


def test_a_submission_without_experiment_outputs_is_flagged(graded, capsys):
    course, _, outcomes = graded
    flag = "experiments not run: no outputs in exp_run, exp_plot"
    assert outcomes["cleared"].flags == [flag]
    assert load_statuses(course, "exp")["cleared"].flags == [flag]
    assert cli.main(["--root", str(course), "export", "exp"]) == 0
    assert f"cleared: {flag}" in capsys.readouterr().out


def test_the_feedback_shows_the_students_own_experiment_outputs(graded):
    course, submitted, _ = graded
    assert generate_feedback(course, "exp", ["ran"]) == {}
    html = (course / "feedback" / "ran" / "exp" / "exp.html").read_text(encoding="utf-8")
    _, run = cell_of(submitted["ran"], "exp_run")
    assert run.outputs[-1].data["image/png"].strip() in html
    assert run.outputs[0].text.strip() in html
    assert NOT_RERUN_NOTE in html


def test_rerun_experiments_runs_them_again(graded, capsys):
    course, submitted, _ = graded
    assert cli.main(["--root", str(course), "autograde", "exp", "ran", "--rerun-experiments", "--workers", "1"]) == 0
    assert "experiments re-run" in capsys.readouterr().out
    nb = autograded(course, "ran")
    _, run = cell_of(nb, "exp_run")
    _, original = cell_of(submitted["ran"], "exp_run")
    assert run.outputs[0].text.startswith("unseeded experiment: ")
    assert run.outputs[0].text != original.outputs[0].text  # the audit drew its own numbers
    assert not [c for c in nb.cells if NOTE_KEY in c.metadata]


def test_the_canary_names_a_test_that_needs_an_experiment(tmp_path):
    # an experiment that defines its result where the release's static check cannot see it
    experiment = EXPERIMENT + "\nglobals()['results'] = [double(i) for i in range(3)]"
    course = make_course(tmp_path, "needy", assignment("needy", "assert results == [0, 2, 4]", experiment))
    submit(course, "needy", "ran", run=True)
    with pytest.raises(CanaryFailed) as failed:
        grade_class(course, "needy", ["ran"], workers=1, progress=False)
    message = str(failed.value)
    assert "test cell double_hidden of needy.ipynb scored 0 of 2" in message
    assert "NameError: name 'results' is not defined" in message
    assert "experiment cells are not re-run when graded" in message
    assert not (course / "autograded" / "ran").exists()
