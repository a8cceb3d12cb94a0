"""What the release tells students before they submit: the grading limits and the check cell, stamped
from nbgrader_config.py and the visible tests."""

from __future__ import annotations

import nbformat
import pytest

from grader.release.student_guide import CHECK_CELL, LIMITS_START, check_cell_source, grading_limits, stamp_guide

ASSIGNMENT = "project1"


def cell(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_the_repository_is_stamped_with_todays_configuration(root, course_copy):
    assert not stamp_guide(course_copy, course_copy / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    limits = grading_limits(root)
    intro = cell(release, "title").source
    assert f"**{limits['cell_seconds']} s**" in intro and f"**{limits['memory_mb']} MiB**" in intro
    assert "10 minutes" in intro and limits["notebook_seconds"] == 600


def test_changing_a_limit_changes_what_students_read(course_copy):
    config = course_copy / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.Execute.timeout = 45\nc.GuardedExecute.memory_limit_mb = 1024\n")
    path = course_copy / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert stamp_guide(course_copy, path)
    intro = cell(nbformat.read(path, as_version=4), "title").source
    assert "**45 s**" in intro and "**1024 MiB**" in intro and "**120 s**" not in intro
    assert not stamp_guide(course_copy, path)  # idempotent


def test_the_check_cell_runs_every_visible_test_and_names_each_task(root):
    nb = nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = check_cell_source(nb)
    assert cell(nb, CHECK_CELL).source == source
    visible = [c for c in nb.cells if (c.metadata.get("nbgrader", {}).get("grade_id") or "").endswith("_visible")]
    assert len(visible) == 9
    for label in ("Task 1 target_function", "Task 6 make_minibatches", "Task 9 build_networks"):
        assert repr(label) in source


def test_a_graded_notebook_without_the_markers_is_named(course_copy):
    path = course_copy / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    title = cell(nb, "title")
    title.source = title.source.replace(LIMITS_START, "")
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match=r"project1\.ipynb: a graded notebook needs a markdown cell with the markers"):
        stamp_guide(course_copy, path)


def test_notebooks_without_grade_cells_are_left_alone(course_copy):
    assert not stamp_guide(course_copy, course_copy / "source" / "tutorial" / "tutorial.ipynb")


def test_the_stated_limits_are_those_the_guarded_execute_step_enforces():
    from traitlets.config import Config

    from grader.common.limits import configured_limits
    from grader.kernel.guarded_execute import GuardedExecute

    config = Config()
    config.Execute.timeout = 77
    config.GuardedExecute.memory_limit_mb = 999
    config.GuardedExecute.wall_clock_factor = 3.0
    config.GuardedExecute.submission_file_limit_mb = 7
    step = GuardedExecute(config=config)
    enforced = (
        step.timeout,
        step.submission_timeout,
        step.wall_clock_factor,
        step.memory_limit_mb,
        step.output_limit_kb,
        step.submission_file_limit_mb,
    )
    assert tuple(configured_limits(config).values()) == enforced == (77, 900, 3.0, 999, 1024, 7)
