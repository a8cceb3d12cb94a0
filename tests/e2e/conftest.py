"""What the end-to-end tests share: Project 1's three-student class, graded once a session."""

from __future__ import annotations

import pytest

from grader.report.gradebook_audit import cell_grades
from tests.e2e.lab_class import grade_sample_class
from tests.e2e.project1_trio import TRIO


@pytest.fixture(scope="session")
def trio_grades(tmp_path_factory) -> dict:
    """:func:`~grader.report.gradebook_audit.cell_grades` of Project 1's :data:`~tests.e2e.project1_trio.TRIO`, graded
    by 2 local workers into SQLite in fast mode: the grades every other way of grading that class must give."""
    course, outcomes, _ = grade_sample_class(tmp_path_factory.mktemp("trio"), "project1", students=TRIO)
    assert [o.status for o in outcomes] == ["graded"] * len(TRIO), [(o.student, o.reason) for o in outcomes]
    return cell_grades(course, "project1")
