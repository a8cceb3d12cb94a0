"""``course new NAME``: a new assignment's skeleton in every place it needs, which releases at once, whose task works
as the course's tasks do, and whose tests fail until they are filled in, saying what to fill in."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
import torch

from grader.cli import main
from grader.common.assignments import assignment_names
from grader.common.cells import grade_id_of, solutions
from grader.common.config import load_config
from grader.release.new_assignment import MAX_NAME, new_assignment, refusal, skeleton_paths
from tests.support import ROOT

NAME = "dropout_lab"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def new_course(course_copy, capsys) -> Path:
    assert main(["--root", str(course_copy), "new", NAME, "--title", "Lab: dropout", "--weight", "15"]) == 0
    out = capsys.readouterr().out
    assert f"course release {NAME}" in out and f"grader/checks/{NAME}.py" in out
    return course_copy


def test_the_skeleton_is_in_every_place_and_the_assignment_is_listed_last_with_its_weight(new_course):
    assert all(path.is_file() for path in skeleton_paths(new_course, NAME))
    assert assignment_names(new_course)[-1] == NAME
    assert load_config(new_course).assignments[NAME] == 15
    text = (new_course / "pyproject.toml").read_text()
    assert f"deep = 20\n{NAME} = 15\n" in text and text.count("[tool.course.assignments]") == 1


def test_it_releases_at_once_with_the_answer_and_hidden_test_removed_and_the_limits_and_check_cell_stamped(new_course):
    assert main(["--root", str(new_course), "release", NAME]) == 0
    released = nbformat.read(new_course / "release" / NAME / f"{NAME}.ipynb", as_version=4)
    cells = {grade_id_of(c): c.source for c in released.cells if grade_id_of(c)}
    assert "raise NotImplementedError" in cells["double"] and "return 2 * x" not in cells["double"]
    assert "double_hidden(" not in cells["double_hidden"]
    assert "each cell may use at most" in cells["introduction"]
    assert "'Task 1 double'" in cells["check_before_submit"]
    assert f"release/{NAME}/{NAME}.ipynb" in released.cells[0].source  # the badge, pointed at this notebook
    assert 'COURSE_REPOSITORY = "nn-course/pytorch-nn-course-student"' in released.cells[2].source  # the setup cell


def test_its_task_the_visible_check_and_the_hidden_test_work_as_the_courses_do(new_course):
    source = nbformat.read(new_course / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    code = {grade_id_of(c): c.source for c in source.cells if c.cell_type == "code" and grade_id_of(c)}
    namespace: dict = {}
    exec(code["imports"], namespace)
    exec(solutions(source)["double"], namespace)
    exec(code["double_visible"], namespace)  # passes on the model answer
    hidden = load(new_course / "grader" / "checks" / f"{NAME}.py")
    hidden.double_hidden(namespace["double"])
    for wrong, cause in [(lambda x: x + 2, "must be 2 * x"), (lambda x: (2 * x).float(), "must keep the dtype")]:
        with pytest.raises(AssertionError, match=re.escape(cause)):
            hidden.double_hidden(wrong)
    namespace["double"] = lambda x: 2 * x.flatten()
    with pytest.raises(AssertionError, match="must keep the shape"):
        exec(code["double_visible"], namespace)
    assert torch.equal(namespace["double"](torch.ones(2)), torch.full((2,), 2.0))


def test_its_tests_fail_until_filled_in_and_say_what_to_fill_in(new_course):
    mutation = load(new_course / "tests" / "checks" / f"test_{NAME}.py")
    with pytest.raises(AssertionError, match=r"fill in ALTERNATIVES .* and MUTANTS"):
        mutation.test_the_answers_that_test_the_checks_are_written()
    end_to_end = load(new_course / "tests" / "e2e" / f"test_{NAME}_lab.py")
    with pytest.raises(AssertionError, match=rf"python scripts/make_sample_submissions.py {NAME}"):
        end_to_end.test_the_assignment_is_written_and_its_sample_class_made()


def test_its_sample_students_mistake_applies_to_the_model_answer(new_course, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))  # sample_classes.SampleClass
    students = load(new_course / "scripts" / "sample_classes" / f"{NAME}.py").STUDENTS
    assert list(students) == ["ada", "ben", "dev"] and students["ben"][1] is None
    answer = solutions(nbformat.read(new_course / "source" / NAME / f"{NAME}.ipynb", as_version=4))["double"]
    ((pattern, replacement),) = students["dev"][1]["double"]
    assert re.search(pattern, answer) and "x + 2" in re.sub(pattern, replacement, answer)


@pytest.mark.parametrize("name", [NAME, "a" * MAX_NAME])
def test_the_files_it_writes_pass_the_style_check(course_copy, name):
    assert main(["--root", str(course_copy), "new", name]) == 0
    paths = [str(p) for p in skeleton_paths(course_copy, name) if p.suffix == ".py"]
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--config", str(ROOT / "pyproject.toml"), *paths],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "name, reason",
    [
        ("xor", "already an assignment"),
        ("Dropout", "not a usable assignment name"),
        ("2layers", "not a usable assignment name"),
        ("drop-out", "not a usable assignment name"),
        ("dropout\n", "not a usable assignment name"),
        ("a" * (MAX_NAME + 1), "not a usable assignment name"),
        ("class", "a Python keyword or a name grader.checks already uses"),
        ("check", "a Python keyword or a name grader.checks already uses"),  # the decorator every checks module uses
        ("functools", "a Python keyword or a name grader.checks already uses"),
    ],
)
def test_a_name_that_exists_or_cannot_be_a_module_is_refused_and_nothing_is_written(course_copy, capsys, name, reason):
    before = (course_copy / "pyproject.toml").read_text()
    assert main(["--root", str(course_copy), "new", name]) == 1
    assert reason in capsys.readouterr().err
    assert (course_copy / "pyproject.toml").read_text() == before


def test_a_name_whose_files_exist_is_refused_naming_them(course_copy):
    (course_copy / "grader" / "checks").mkdir(parents=True)
    (course_copy / "grader" / "checks" / f"{NAME}.py").write_text("")
    reason = refusal(course_copy, NAME)
    assert reason == f"{NAME} is taken: the course already has grader/checks/{NAME}.py; choose another name"


@pytest.mark.parametrize("weight", ["0", "-1", "nan", "inf"])
def test_a_weight_that_is_not_a_number_above_0_is_refused_and_nothing_is_written(course_copy, capsys, weight):
    before = (course_copy / "pyproject.toml").read_text()
    assert main(["--root", str(course_copy), "new", NAME, "--weight", weight]) == 1
    assert "must be a number above 0" in capsys.readouterr().err
    assert (course_copy / "pyproject.toml").read_text() == before
    assert not any(path.exists() for path in skeleton_paths(course_copy, NAME))


def test_a_weight_keeps_its_digits_and_a_commented_table_header_is_found(course_copy, capsys):
    pyproject = course_copy / "pyproject.toml"
    commented = pyproject.read_text().replace("[tool.course.assignments]\n", "[tool.course.assignments]  # x\n")
    pyproject.write_text(commented)
    assert main(["--root", str(course_copy), "new", NAME, "--weight", "12.3456789"]) == 0
    assert load_config(course_copy).assignments[NAME] == 12.3456789
    assert "(12.3456789 in the term total" in capsys.readouterr().out


def test_a_course_without_an_assignments_table_is_refused_before_anything_is_written(course_copy, capsys):
    pyproject = course_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.course.assignments]\n", "[tool.course.other]\n"))
    with pytest.raises(ValueError, match=r"no \[tool.course.assignments\] table"):
        new_assignment(course_copy, NAME)
    assert not any(path.exists() for path in skeleton_paths(course_copy, NAME))


def test_the_leftovers_of_a_removed_assignment_are_named(course_copy):
    (course_copy / "release" / NAME).mkdir()
    (course_copy / "submitted" / "ada" / NAME).mkdir(parents=True)
    assert refusal(course_copy, NAME) == (
        f"{NAME} is taken: the course already has release/{NAME}/, submitted/*/{NAME}/; choose another name"
    )
