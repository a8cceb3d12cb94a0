"""What the end-to-end tests share: each sample class, and Project 1's three-student class, graded once a session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from grader.gradebook_audit import cell_grades
from tests.e2e.lab_class import grade_sample_class
from tests.e2e.project1_trio import TRIO


@pytest.fixture(scope="session")
def trio_grades(tmp_path_factory) -> dict:
    """:func:`~grader.gradebook_audit.cell_grades` of Project 1's :data:`~tests.e2e.project1_trio.TRIO`, graded
    by 2 local workers into SQLite in fast mode: the grades every other way of grading that class must give."""
    course, outcomes, _ = grade_sample_class(tmp_path_factory.mktemp("trio"), "project1", students=TRIO)
    assert [o.status for o in outcomes] == ["graded"] * len(TRIO), [(o.student, o.reason) for o in outcomes]
    return cell_grades(course, "project1")


@pytest.fixture(scope="session")
def sample_classes(tmp_path_factory) -> Callable[..., tuple]:
    """:func:`~tests.e2e.lab_class.grade_sample_class` of an assignment's whole sample class in fast mode, warm or with
    ``cold_kernels``, graded once a session whichever test module asks first (read them; do not change them)."""
    graded: dict[tuple[str, bool], tuple] = {}

    def grade(assignment: str, cold_kernels: bool = False) -> tuple:
        key = (assignment, cold_kernels)
        if key not in graded:
            folder = tmp_path_factory.mktemp(f"{assignment}-{'cold' if cold_kernels else 'warm'}")
            graded[key] = grade_sample_class(folder, assignment, cold_kernels=cold_kernels)
        return graded[key]

    return grade
