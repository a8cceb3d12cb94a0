"""What the end-to-end tests share: Project 1's three-student class graded once a session."""

from __future__ import annotations

import pytest

from grader.autograde.coordinator import grade_class
from grader.gradebook_audit import cell_grades
from tests.e2e.project1_trio import TRIO, trio_course


@pytest.fixture(scope="session")
def trio_grades(tmp_path_factory) -> dict:
    """:func:`~grader.gradebook_audit.cell_grades` of Project 1's :data:`~tests.e2e.project1_trio.TRIO`, graded
    by 2 local workers into SQLite in fast mode: the grades every other way of grading that class must give."""
    course = trio_course(tmp_path_factory.mktemp("trio"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("COURSE_FAST", "1")
        outcomes = grade_class(course, "project1", TRIO, workers=2, progress=False)
    assert [o.status for o in outcomes] == ["graded"] * len(TRIO), [(o.student, o.reason) for o in outcomes]
    return cell_grades(course, "project1")
