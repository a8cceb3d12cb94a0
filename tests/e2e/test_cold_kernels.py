"""Every sample class gets exactly the same grades and statuses with cold kernels (each a new process) as with warm
ones (forked from the worker's template, the default): the two ways of starting a kernel grade alike."""

from __future__ import annotations

import pytest

from grader.assignments import graded_assignment_names
from grader.gradebook_audit import cell_grades
from tests.support import ROOT


@pytest.mark.parametrize("assignment", graded_assignment_names(ROOT))
def test_every_sample_class_gets_the_same_grades_cold_as_warm(sample_classes, assignment):
    warm_course, warm_outcomes, _ = sample_classes(assignment)
    cold_course, cold_outcomes, _ = sample_classes(assignment, cold_kernels=True)
    assert cell_grades(cold_course, assignment) == cell_grades(warm_course, assignment)
    assert [(o.student, o.status, o.reason, o.flags) for o in cold_outcomes] == [
        (o.student, o.status, o.reason, o.flags) for o in warm_outcomes
    ]
