"""How the coordinator classifies a submission from its check, its grading and the kernel's report, without a
kernel: the status and reason a student reads, and the review flags."""

from __future__ import annotations

import json

import pytest

from grader.autograde.coordinator import outcome_of
from grader.autograde.intake import Intake
from grader.autograde.worker import GradingResult
from grader.common import statuses


def graded(report: dict | None = None, ok: bool = True, error: str = "") -> GradingResult:
    """A worker's result whose kernel reported ``report`` (as the worker reads it: from JSON)."""
    kernel = statuses.KernelReport.from_json(json.dumps(report or {}))
    return GradingResult("ada", ok, error, report=kernel, seconds=2.5)


def test_a_submission_that_never_reached_a_worker_keeps_its_checks_status():
    intake = Intake(statuses.NOTEBOOK_MISSING, "no .ipynb file in the submission")
    assert outcome_of(intake, None, ["a flag"]) == statuses.Outcome(
        "", statuses.NOTEBOOK_MISSING, "no .ipynb file in the submission", ["a flag"]
    )


def test_a_clean_run_is_graded_with_its_time():
    assert outcome_of(Intake(), graded(), []) == statuses.Outcome("ada", statuses.GRADED, "", [], 2.5)


@pytest.mark.parametrize(
    "report, status, reason",
    [
        (
            {"stopped": [statuses.KERNEL_DIED, "the kernel died in cell 7"]},
            statuses.KERNEL_DIED,
            "the kernel died in cell 7; cells after it scored 0",
        ),
        (
            {"stopped": [statuses.GRADER_ERROR, "no reply from the integrity hook"]},
            statuses.GRADER_ERROR,
            "no reply from the integrity hook",
        ),
        (
            {"cell_timeouts": [12, 14]},
            statuses.TIMED_OUT,
            "cell 12 ran past the per-cell time limit and was interrupted",
        ),
        ({"memory_errors": [9]}, statuses.OUT_OF_MEMORY, "cell 9 raised MemoryError at the memory limit"),
    ],
)
def test_the_kernels_report_decides_the_status(report, status, reason):
    outcome = outcome_of(Intake(), graded(report), [])
    assert (outcome.status, outcome.reason) == (status, reason)


def test_a_stopped_kernel_outranks_a_timeout():
    report = {"stopped": [statuses.KERNEL_TAMPERED, "cell 3 replaced the kernel's handlers"], "cell_timeouts": [5]}
    assert outcome_of(Intake(), graded(report), []).status == statuses.KERNEL_TAMPERED


def test_nbgrader_failing_is_the_graders_error_unless_the_student_broke_the_metadata():
    assert (outcome_of(Intake(), graded(ok=False, error="boom"), []).status) == statuses.GRADER_ERROR
    assert outcome_of(Intake(), graded(ok=False), []).reason == "nbgrader could not grade it"
    tampered = Intake(statuses.METADATA_TAMPERED, "cell x changed", problems=["cell x changed"])
    outcome = outcome_of(tampered, graded(ok=False, error="boom"), [])
    assert outcome.status == statuses.METADATA_TAMPERED
    assert outcome.reason.startswith("cell x changed; nbgrader could not grade the notebook even with the grader's")
    assert "(boom)" in outcome.reason and outcome.reason.endswith("submit the release notebook with your answers in it")


def test_tampered_metadata_that_nbgrader_could_grade_keeps_the_checks_reason():
    tampered = Intake(statuses.METADATA_TAMPERED, "cell x changed (graded with the grader's cells put back)")
    outcome = outcome_of(tampered, graded(), [])
    assert (outcome.status, outcome.reason) == (tampered.status, tampered.reason)


def test_the_report_becomes_review_flags_after_the_scans():
    intake = Intake(left_out=["helper.py", "b.py", "c.py", "d.py"])
    report = {
        "repaired": [f"thing{i}" for i in range(8)],
        "links_removed": ["project1.ipynb"],
        "output_truncated": [4, 5],
        "cell_timeouts": [5],
    }
    assert outcome_of(intake, graded(report), ["monkeypatching: torch.Tensor"]).flags == [
        "monkeypatching: torch.Tensor",
        "kernel repaired before tests: thing0, thing1, thing2, thing3, thing4, thing5",
        "Python files left out of grading: helper.py, b.py, c.py",
        "links removed from its folder: project1.ipynb",
        "output flood: cells 4, 5 cut",
    ]


def test_the_kernels_report_goes_through_json_whole_and_a_field_it_does_not_know_is_named():
    report = statuses.KernelReport(
        isolation="namespaces",
        repaired=["np.allclose"],
        stopped=(statuses.KERNEL_DIED, "the kernel died in cell 7"),
        seconds={"cells": 1.5},
    )
    assert statuses.KernelReport.from_json(report.to_json()) == report
    with pytest.raises(ValueError, match="fields this grader does not know: cell_timeout"):
        statuses.KernelReport.from_json('{"cell_timeout": [3]}')
