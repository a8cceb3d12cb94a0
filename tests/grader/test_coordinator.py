"""The coordinator without kernels or nbgrader: the order in which results are settled around the canary, the
grader's errors and their log, a stop signal's clean stop, and the local workers' retry when a worker process dies
(fake workers)."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.autograde import coordinator
from grader.autograde.canary import CANARY
from grader.autograde.intake import Intake
from grader.autograde.stopping import GradingStopped
from grader.autograde.worker import GradingResult, GradingTask
from grader.common import logs, statuses
from grader.common.logs import log_path

ASSIGNMENT = "lab"


def dying_grader(task: GradingTask) -> GradingResult:
    """A worker that dies outright (as a killed process) on the submissions of "killer"s."""
    if task.student.startswith("killer"):
        os._exit(1)
    return GradingResult(task.student, True, seconds=1.0)


@pytest.fixture
def course(tmp_path: Path, monkeypatch) -> dict[str, list]:
    """A course whose submissions all pass intake, graded by fake workers: ``results`` is what the workers send
    back, in order; ``events`` records each result sent and each submission written to the gradebook."""
    fake: dict[str, list] = {"results": [], "events": []}

    def results(tasks, workers) -> Iterator[GradingResult]:
        fake["events"].append(f"tasks {' '.join(task.student for task in tasks)}")
        for result in fake["results"]:
            fake["events"].append(f"result {result.student}")
            yield result

    def canary_check(api, assignment, result):
        if not result.ok:
            raise coordinator.CanaryFailed(f"the reference failed: {result.error}")

    monkeypatch.setattr(coordinator, "nbgrader_api", lambda root: None)
    monkeypatch.setattr(coordinator, "require_released", lambda api, assignment: None)
    monkeypatch.setattr(coordinator, "make_bundle", lambda root, assignment: b"")
    monkeypatch.setattr(coordinator, "reference_submission", lambda root, assignment: {})
    monkeypatch.setattr(coordinator, "check_canary", canary_check)
    monkeypatch.setattr(coordinator, "check_class", lambda root, a, students: ({s: Intake() for s in students},
                                                                               {s: [] for s in students}))  # fmt: skip
    monkeypatch.setattr(
        coordinator, "record_result", lambda writer, root, a, result, s: fake["events"].append(f"write {s}")
    )
    monkeypatch.setattr(coordinator, "_local_results", results)
    monkeypatch.setattr(coordinator, "canary_key", lambda root, assignment, options: fake["canary_key"][0])
    fake["canary_key"] = ["release 1"]
    fake["root"] = [tmp_path]
    return fake


def grade(course, students, **options) -> list[statuses.Outcome]:
    options = {"workers": 1, "progress": False, "isolation": "scratch", "rerun_experiments": False, **options}
    options.setdefault("cold_kernels", False)
    return coordinator.grade_class(course["root"][0], ASSIGNMENT, students, **options)


def test_nothing_is_written_before_the_canary_passes_and_rows_come_in_the_order_given(course):
    course["results"] = [GradingResult("ben", True), GradingResult(CANARY, True), GradingResult("ada", True)]
    outcomes = grade(course, ["ada", "ben"])
    assert course["events"] == [f"tasks {CANARY} ada ben", "result ben", f"result {CANARY}", "write ben", "result ada",
                                "write ada"]  # fmt: skip
    assert [(o.student, o.status) for o in outcomes] == [("ada", statuses.GRADED), ("ben", statuses.GRADED)]
    assert set(statuses.load_statuses(course["root"][0], ASSIGNMENT)) == {"ada", "ben"}


def test_a_failed_canary_writes_nothing_and_its_details_are_in_the_log(course):
    course["results"] = [
        GradingResult("ada", True),
        GradingResult(CANARY, False, error="KeyError: 'x'", details="Traceback (most recent call last):\nKeyError"),
    ]
    with pytest.raises(coordinator.CanaryFailed, match="the reference failed: KeyError"):
        grade(course, ["ada"])
    assert [e for e in course["events"] if e.startswith("write")] == []
    assert statuses.load_statuses(course["root"][0], ASSIGNMENT) == {}
    log = log_path(course["root"][0], ASSIGNMENT).read_text()
    assert "the reference failed: KeyError" in log


def test_without_the_canary_everything_is_written_as_it_comes(course):
    course["results"] = [GradingResult("ben", True), GradingResult("ada", True)]
    grade(course, ["ada", "ben"], canary=False)
    assert course["events"] == ["tasks ada ben", "result ben", "write ben", "result ada", "write ada"]


def test_a_grader_error_keeps_its_traceback_in_the_log_and_the_row_says_where(course):
    traceback = 'Traceback (most recent call last):\n  File "worker.py", line 9\nOSError: [Errno 28] No space left'
    course["results"] = [
        GradingResult(CANARY, True),
        GradingResult("ada", False, error="OSError: [Errno 28] No space left", details=traceback),
        GradingResult("ben", True),
    ]
    outcomes = {o.student: o for o in grade(course, ["ada", "ben"])}
    assert outcomes["ada"].status == statuses.GRADER_ERROR
    assert outcomes["ada"].reason == (
        f"OSError: [Errno 28] No space left (the grader's fault, not the student's; details in grades/{ASSIGNMENT}"
        "-log.txt)"
    )
    assert "write ada" not in course["events"] and "write ben" in course["events"]  # ada's grades stay as they were
    log = log_path(course["root"][0], ASSIGNMENT).read_text()
    assert f"ada: {statuses.GRADER_ERROR}: OSError" in log and traceback in log and "ben: graded" in log


def test_a_crash_of_the_grader_itself_is_logged_with_its_traceback_and_keeps_what_was_settled(course, monkeypatch):
    course["results"] = [GradingResult(CANARY, True), GradingResult("ada", True), GradingResult("ben", True)]
    real = coordinator.record_result

    def full_disk(writer, root, assignment, result, student):
        if student == "ben":
            raise OSError(28, "No space left on device")
        real(writer, root, assignment, result, student)

    monkeypatch.setattr(coordinator, "record_result", full_disk)
    with pytest.raises(OSError):
        grade(course, ["ada", "ben"])
    assert list(statuses.load_statuses(course["root"][0], ASSIGNMENT)) == ["ada"]
    log = log_path(course["root"][0], ASSIGNMENT).read_text()
    assert "grading lab stopped: the grader's error" in log and "OSError: [Errno 28] No space left on device" in log


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_signal_while_a_submission_is_written_lets_it_finish_then_stops_and_says_who_is_left(course, signum):
    course["results"] = [GradingResult(CANARY, True), GradingResult("ada", True), GradingResult("ben", True)]

    def stopped_while_ada_is_written(outcome) -> None:
        if outcome.student == "ada":
            os.kill(os.getpid(), signum)  # delivered in the middle of ada's settling

    previous = signal.getsignal(signum)
    with pytest.raises(GradingStopped) as stopped:
        grade(course, ["ada", "ben", "cleo"], on_result=stopped_while_ada_is_written)
    assert (stopped.value.signal_name, stopped.value.graded, stopped.value.not_graded) == (
        signum.name,
        ["ada"],
        ["ben", "cleo"],
    )
    assert stopped.value.exit_status == 128 + signum
    assert "write ada" in course["events"] and "write ben" not in course["events"]
    assert list(statuses.load_statuses(course["root"][0], ASSIGNMENT)) == ["ada"]  # its status written too
    assert signal.getsignal(signum) is previous  # the run's handlers are gone


def test_a_dying_worker_costs_only_its_own_submission(monkeypatch):
    monkeypatch.setattr(coordinator, "grade_submission", dying_grader)
    tasks = [GradingTask(student, ASSIGNMENT, {}, b"") for student in ("ada", "killer", "ben", "cleo")]
    results = {r.student: r for r in coordinator._local_results(tasks, workers=2)}
    assert sorted(results) == ["ada", "ben", "cleo", "killer"]
    assert all(results[s].ok for s in ("ada", "ben", "cleo"))
    assert not results["killer"].ok
    assert (
        results["killer"].error == "the grading worker process died twice, the second time alone with this submission"
    )


def test_what_grading_said_goes_to_the_log_file_and_the_terminal_gets_one_line(course, capsys):
    logger = logging.getLogger(logs.LOGGER)
    handlers, level = list(logger.handlers), logger.level
    nbgrader_log = "[INFO] Converting notebook project1.ipynb\n[WARNING] Cell 'x' does not exist in the database"
    course["results"] = [
        GradingResult(CANARY, True),
        GradingResult("ada", False, error="NbGraderException: no notebooks", details=nbgrader_log),
    ]
    try:
        logs.configure(verbose=False)
        grade(course, ["ada"])
        printed = capsys.readouterr().err
    finally:
        logger.handlers[:], logger.level = handlers, level
    assert f"ada: {statuses.GRADER_ERROR}: NbGraderException: no notebooks" in printed
    assert "[INFO]" not in printed and "[WARNING]" not in printed
    assert nbgrader_log in log_path(course["root"][0], ASSIGNMENT).read_text()


def test_a_canary_that_passed_is_not_graded_again_until_what_it_was_graded_with_changes(course):
    course["results"] = [GradingResult(CANARY, True), GradingResult("ada", True)]
    grade(course, ["ada"])
    assert statuses.canary_passed_with(course["root"][0], ASSIGNMENT) == "release 1"
    course["events"], course["results"] = [], [GradingResult("ada", True)]
    grade(course, ["ada"])
    assert course["events"] == ["tasks ada", "result ada", "write ada"]  # no canary
    assert "not graded again" in log_path(course["root"][0], ASSIGNMENT).read_text()
    assert set(statuses.load_statuses(course["root"][0], ASSIGNMENT)) == {"ada"}
    course["canary_key"][0] = "release 2"  # a new release, checks module or environment
    course["events"], course["results"] = [], [GradingResult(CANARY, True), GradingResult("ada", True)]
    grade(course, ["ada"])
    assert course["events"][0] == f"tasks {CANARY} ada"
    assert statuses.canary_passed_with(course["root"][0], ASSIGNMENT) == "release 2"
