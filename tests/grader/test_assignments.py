"""The one list of assignments (grader.common.assignments): read from source/ and [tool.course.assignments], in teaching
order; and, for this course, everything a graded assignment needs is there (docs/contributing.md's recipe)."""

from __future__ import annotations

import importlib.util

import nbformat
import pytest
from nbgrader.utils import is_grade

from grader.common.assignments import assignment_names, course_assignments, graded_assignment_names, unknown_assignments
from grader.common.config import load_config
from tests.support import ROOT

ASSIGNMENTS = course_assignments(load_config(ROOT))


def test_every_folder_of_source_has_its_line_and_the_list_is_in_teaching_order():
    assert [a.name for a in ASSIGNMENTS] == list(load_config(ROOT).assignments)
    assert assignment_names(ROOT) == [
        "tutorial",
        "project1",
        "xor",
        "backprop",
        "classification",
        "instruments",
        "deep",
    ]
    assert graded_assignment_names(ROOT) == assignment_names(ROOT)[1:]


def test_unknown_assignments_are_the_names_without_a_folder_of_source():
    assert unknown_assignments(ROOT, ["deep", "Deep", "nope", "tutorial"]) == ["Deep", "nope"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.name)
def test_an_assignment_has_a_weight_exactly_when_its_notebook_has_graded_cells(assignment):
    graded_cells = [c for nb in assignment.notebooks() for c in nbformat.read(nb, as_version=4).cells if is_grade(c)]
    assert assignment.graded == bool(graded_cells), (
        f"{assignment.name}: weight {assignment.weight} in [tool.course.assignments], "
        f"{len(graded_cells)} graded cells in source/{assignment.name}/"
    )


@pytest.mark.parametrize("assignment", [a for a in ASSIGNMENTS if a.graded], ids=lambda a: a.name)
def test_a_graded_assignment_has_its_checks_mutation_tests_and_sample_class(assignment):
    name = assignment.name
    assert importlib.util.find_spec(assignment.checks_module), f"grader/checks/{name}.py is missing"
    assert (ROOT / "tests" / "checks" / f"test_{name}.py").is_file(), f"tests/checks/test_{name}.py is missing"
    assert (ROOT / "scripts" / "sample_classes" / f"{name}.py").is_file(), f"scripts/sample_classes/{name}.py"
    assert (ROOT / "release" / name / f"{name}.ipynb").is_file(), f"run `course release {name}`"
    assert any((ROOT / "submitted").glob(f"*/{name}/{name}.ipynb")), "run scripts/make_sample_submissions.py"


def test_unlisted_folders_follow_alphabetically_and_a_line_without_a_folder_is_refused(course_copy):
    for name in ("zeta", "alpha"):
        (course_copy / "source" / name).mkdir()
        nbformat.write(nbformat.v4.new_notebook(), course_copy / "source" / name / f"{name}.ipynb")
    (course_copy / "source" / "empty").mkdir()  # no notebook: not an assignment
    listed = assignment_names(course_copy)
    assert listed[-2:] == ["alpha", "zeta"] and "empty" not in listed
    assert [a.weight for a in course_assignments(load_config(course_copy))][-2:] == [None, None]
    pyproject = course_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("deep = 20\n", "deep = 20\nepsilon = 5\n"))
    with pytest.raises(ValueError, match=r"lists epsilon, but .* has no notebook in source/epsilon/"):
        course_assignments(load_config(course_copy))


def test_the_old_order_and_weights_settings_are_refused_with_where_to_move_them(course_copy):
    pyproject = course_copy / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("[tool.course.term]\n", "[tool.course.term]\nweights = { xor = 1 }\n"))
    with pytest.raises(ValueError, match=r"now one table,\s+\[tool.course.assignments\]"):
        load_config(course_copy)
