"""Grade a whole class: submissions checked, graded in parallel in isolated scratch folders, and
every result written to the course gradebook by this one process.

:func:`grade_class`

1. packs the assignment's grading bundle (:mod:`grader.autograde.bundle`);
2. checks each submission (:mod:`grader.autograde.intake`) and scans its code for review flags
   (:mod:`grader.autograde.review`; experiment cells without outputs, :mod:`grader.common.experiments`); what cannot be
   graded gets its row at once;
3. sends each gradable submission with the bundle to a worker (:mod:`grader.autograde.worker`), a
   local process (:mod:`grader.autograde.pool`: they die with this one, and a later run of this process grades
   in them again) or a Dask worker (``scheduler=``);
4. as each result comes back, writes its grades to the course gradebook in one transaction
   (:mod:`grader.autograde.gradebook_writer`), then its autograded notebook to
   ``autograded/<student>/<assignment>/`` and its status to ``grades/<assignment>-status.json``, so a crash loses
   no finished submission.

A stop signal (Ctrl-C, SIGTERM, SIGHUP) stops the run cleanly (:mod:`grader.autograde.stopping`): no submission is
handed out after it, the running gradings end with their workers, a submission being written is written whole, and
:class:`~grader.autograde.stopping.GradingStopped` says who was graded and who was not.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.apps import NbGraderAPI
from tqdm.auto import tqdm

from grader.autograde.bundle import make_bundle
from grader.autograde.canary import CANARY, autograded_max_scores, canary_key, canary_problem, reference_submission
from grader.autograde.gradebook_writer import GradebookWriter
from grader.autograde.intake import Intake, check_submission, foreign_grade_ids, summarise
from grader.autograde.lock import grading_lock
from grader.autograde.pool import worker_pool
from grader.autograde.review import scan_notebook
from grader.autograde.scratch import run_scratch
from grader.autograde.stopping import GradingStopped, StopRequested, StopSignals
from grader.autograde.worker import GradingResult, GradingTask, grade_submission, one_line
from grader.common import statuses
from grader.common.experiments import not_run_flag
from grader.common.limits import file_limit_bytes
from grader.common.logs import assignment_log, relative_log_path
from grader.common.nbgrader_api import load_course_config, nbgrader_api
from grader.common.statuses import KernelReport, Outcome, canary_passed_with, load_statuses, save_statuses
from grader.kernel.sandbox import resolve_isolation
from helpers.environment import FAST_ENV_VAR

log = logging.getLogger(__name__)

#: Attempts at a submission whose Dask worker died (not the kernel: the grader itself or its machine); local
#: workers make two, in the shared pool and then alone (:func:`_local_results`).
WORKER_ATTEMPTS = 2


def outcome_of(intake: Intake, result: GradingResult | None, flags: list[str]) -> Outcome:
    """The status and reason of a submission from its check, its grading and its report."""
    if result is None:
        return Outcome("", intake.status, intake.reason, flags)
    status, reason = status_of(intake, result)
    return Outcome(result.student, status, reason, [*flags, *report_flags(intake, result.report)], result.seconds)


def report_flags(intake: Intake, report: KernelReport) -> list[str]:
    """The review flags of what the check and the kernel's report found (the kernel repaired, files left out,
    links removed, output cut)."""
    flags = []
    if report.repaired:
        flags.append(f"kernel repaired before tests: {', '.join(report.repaired[:6])}")
    if intake.left_out:
        flags.append(f"Python files left out of grading: {', '.join(intake.left_out[:3])}")
    if intake.too_large:
        flags.append(f"files over the size limit left out of grading: {', '.join(intake.too_large[:3])}")
    if report.links_removed:
        flags.append(f"links removed from its folder: {', '.join(report.links_removed[:3])}")
    if report.output_truncated:
        flags.append(f"output flood: cells {', '.join(map(str, report.output_truncated[:5]))} cut")
    return flags


def status_of(intake: Intake, result: GradingResult) -> tuple[str, str]:
    """The status of a graded submission and its one-line reason: nbgrader's failure, the kernel stopped, a cell
    past its time or memory, or what the check said."""
    report = result.report
    if not result.ok and intake.status == statuses.METADATA_TAMPERED:  # the student's changes broke nbgrader
        return statuses.METADATA_TAMPERED, (
            f"{summarise(intake.problems)}; nbgrader could not grade the notebook even with the grader's "
            f"cells put back ({result.error}), so every autograded cell scored 0: submit the release "
            "notebook with your answers in it"
        )
    if not result.ok:
        return statuses.GRADER_ERROR, result.error or "nbgrader could not grade it"
    if report.stopped:
        kind, reason = report.stopped
        return kind, reason if kind == statuses.GRADER_ERROR else reason + "; cells after it scored 0"
    if report.cell_timeouts:
        return statuses.TIMED_OUT, (
            f"cell {report.cell_timeouts[0]} ran past the per-cell time limit and was interrupted"
        )
    if report.memory_errors:
        return statuses.OUT_OF_MEMORY, f"cell {report.memory_errors[0]} raised MemoryError at the memory limit"
    return intake.status, intake.reason


def record_result(
    writer: GradebookWriter, root: Path, assignment: str, result: GradingResult | None, student: str
) -> None:
    """Write one submission's grades to the course gradebook (one transaction), then its autograded notebook to
    ``autograded/<student>/<assignment>/``."""
    writer.write_grades(assignment, result, student)
    target = root / "autograded" / student / assignment
    if result is not None and result.files:
        shutil.rmtree(target, ignore_errors=True)
        for name, data in result.files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _local_results(tasks: list[GradingTask], workers: int) -> Iterable[GradingResult]:
    """Grade ``tasks`` in ``workers`` local processes; yield results as they finish. Closing the generator early,
    or an exception (a stop) while it waits, ends the running gradings with their workers and cancels the rest.

    A worker process that dies (the grader's fault, or the machine's: never the kernel, which is a process of its
    own) breaks the pool and fails every submission not finished in it; those are graded again, each in a process
    of its own, so that only the submission that kills its worker again gets a grader-error row."""
    broken = []
    with worker_pool(workers) as pool:
        futures = {pool.submit(grade_submission, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                broken.append(futures[future])
    if not broken:
        return
    students = ", ".join(task.student for task in broken)
    log.warning("a grading worker process died; grading again, each alone in a process: %s", students)
    threads = ThreadPoolExecutor(max_workers=workers)
    try:
        yield from (future.result() for future in as_completed([threads.submit(_grade_alone, t) for t in broken]))
    finally:  # a stop waits for these few: each pool's worker dies with the coordinator if it is killed
        threads.shutdown(wait=True, cancel_futures=True)


def _grade_alone(task: GradingTask) -> GradingResult:
    """Grade ``task`` in a worker process of its own; a grader-error result if that process dies too."""
    with worker_pool(1, reuse=False) as pool:
        try:
            return pool.submit(grade_submission, task).result()
        except BrokenProcessPool:
            return GradingResult(
                task.student,
                False,
                error="the grading worker process died twice, the second time alone with this submission",
            )


def _dask_results(tasks: list[GradingTask], scheduler: str) -> Iterable[GradingResult]:
    """Grade ``tasks`` on the Dask cluster at ``scheduler``; yield results as they finish."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {
            client.submit(
                grade_submission,
                task,
                key=f"grade-{task.assignment}-{task.student}-{time.time_ns()}",
                pure=False,
                retries=WORKER_ATTEMPTS - 1,
            ): task
            for task in tasks
        }
        try:
            for future in dask_completed(futures):
                task = futures[future]
                try:
                    yield future.result()
                except Exception as error:  # a lost worker, a pickling failure: the row says which
                    details = "".join(traceback.format_exception(error))
                    yield GradingResult(task.student, False, error=f"Dask: {one_line(error)}", details=details)
        except BaseException:  # a stop: what has not started is cancelled; what runs ends on its worker, unused
            client.cancel(list(futures))
            raise


class CanaryFailed(RuntimeError):
    """The reference solution did not get every autograded point: the grader, not the class, is wrong."""


def grade_class(
    root: Path,
    assignment: str,
    students: list[str],
    workers: int | None = None,
    scheduler: str | None = None,
    isolation: str | None = None,
    progress: bool = True,
    on_result: Callable[[Outcome], None] | None = None,
    canary: bool = True,
    rerun_experiments: bool | None = None,
    cold_kernels: bool | None = None,
) -> list[Outcome]:
    """Grade ``students``' submissions of ``assignment``; return an :class:`Outcome` per student,
    in the order given. See the module's docstring.

    Experiment cells keep the student's outputs and are not run, unless ``rerun_experiments`` (default:
    ``GuardedExecute.rerun_experiments`` of ``nbgrader_config.py``). Kernels are forked warm from each worker's
    template (:mod:`grader.kernel.warm`) unless ``cold_kernels`` (default: not ``GuardedExecute.warm_kernels``).

    With ``canary``, the reference solution (:mod:`grader.autograde.canary`) is graded first, in the
    same pool; nothing is written until it has got every autograded point, and :class:`CanaryFailed`
    says which test cell failed and why when it has not. A pass is kept in the status file with the key of what it
    was reached with, and not graded again while that key holds (:func:`~grader.autograde.canary.canary_key`).

    What happens is logged to ``grades/<assignment>-log.txt`` (:mod:`grader.common.logs`), grader errors with their
    tracebacks. One run per assignment and course at a time (:mod:`grader.autograde.lock`); the workers' scratch
    folders lie in the run's own folder (:mod:`grader.autograde.scratch`), removed however the run ends."""
    api = nbgrader_api(root)
    require_released(api, assignment)
    if canary and CANARY in students:
        raise ValueError(f"{CANARY!r} is the name of the canary's submission; rename that student's folder")
    isolation = isolation or api.config.GuardedExecute.get("isolation", "auto")
    if rerun_experiments is None:
        rerun_experiments = bool(api.config.GuardedExecute.get("rerun_experiments", False))
    resolve_isolation(isolation)  # fails early, with its reason, when namespaces were required
    if cold_kernels is None:
        cold_kernels = not api.config.GuardedExecute.get("warm_kernels", True)
    options = {"isolation": isolation, "canary": canary, "rerun_experiments": rerun_experiments,
               "cold_kernels": cold_kernels}  # fmt: skip
    with (
        grading_lock(root, assignment),
        assignment_log(root, assignment) as path,
        run_scratch() as scratch,
        StopSignals().installed() as stop,
    ):
        where = f"the Dask cluster at {scheduler}" if scheduler else f"{workers or os.cpu_count()} local worker(s)"
        log.info("%d submission(s) of %s on %s; %s", len(students), assignment, where, options)
        key = canary_key(root, assignment, {**options, "fast": os.environ.get(FAST_ENV_VAR, "")}) if canary else ""
        if key and key == canary_passed_with(root, assignment):
            log.info("the reference solution got every point with this release, these checks, this environment and "
                     "these options before: not graded again (key %s)", key[:12])  # fmt: skip
            options["canary"] = False
        settled: dict[str, Outcome] = {}
        try:
            return _grade_class(api, root, assignment, students, workers, scheduler, progress, on_result, stop,
                                settled, scratch_root=str(scratch), canary_key=key, **options)  # fmt: skip
        except StopRequested as request:
            stopped = GradingStopped(
                request.signal_name, [s for s in students if s in settled], [s for s in students if s not in settled]
            )
            log.info("%s; not graded: %s", stopped, ", ".join(stopped.not_graded) or "none")
            raise stopped from None
        except CanaryFailed as error:
            log.error("%s", error)
            raise
        except Exception:
            log.exception("grading %s stopped: the grader's error (no grade of this run is lost: each is written "
                          "as it is settled); rerun to finish, and report the traceback above", assignment)  # fmt: skip
            raise
        finally:
            log.debug("the log of this run: %s", path)


def _grade_class(
    api: NbGraderAPI,
    root: Path,
    assignment: str,
    students: list[str],
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    on_result: Callable[[Outcome], None] | None,
    stop: StopSignals,
    settled: dict[str, Outcome],
    scratch_root: str,
    canary_key: str,
    isolation: str,
    canary: bool,
    rerun_experiments: bool,
    cold_kernels: bool,
) -> list[Outcome]:
    """:func:`grade_class` once its arguments are checked, inside its log and with its stop signals; each
    submission's outcome goes into ``settled`` as it is written."""
    bundle = make_bundle(root, assignment)
    intakes, flags = check_class(root, assignment, students)
    submissions = {CANARY: reference_submission(root, assignment)} if canary else {}
    submissions.update({student: intakes[student].files for student in students if intakes[student].gradable})
    tasks = [
        GradingTask(student, assignment, files, bundle, isolation, rerun_experiments, scratch_root, cold_kernels)
        for student, files in submissions.items()
    ]
    recorder = ClassRecorder(root, assignment, intakes, flags, on_result, stop, settled)
    # nothing is written before the reference has passed: the submissions that go to no worker, then those graded
    verified = not canary
    held: list[tuple[str, GradingResult | None]] = [(s, None) for s in students if not intakes[s].gradable]
    if verified:
        recorder.settle_all(held)
    results = _dask_results(tasks, scheduler) if scheduler else _local_results(tasks, workers or os.cpu_count() or 1)
    bar = tqdm(
        total=len(tasks) - canary,
        desc=f"grading {assignment}",
        unit="submission",
        disable=not progress,
        dynamic_ncols=True,
    )
    try:
        for result in results:
            if result.student == CANARY:
                check_canary(api, assignment, result)
                verified = True
                recorder.canary_passed(canary_key)
                recorder.settle_all(held)
                continue
            if verified:
                recorder.settle(result.student, result)
                status = recorder.outcomes[result.student].status
            else:
                held.append((result.student, result))
                status = "held until the reference is graded"
            bar.set_postfix_str(f"{result.student}: {status}", refresh=False)
            bar.update()
    finally:
        bar.close()
        results.close()
        recorder.writer.close()
    return [recorder.outcomes[student] for student in students]


def require_released(api: NbGraderAPI, assignment: str) -> None:
    """Raise ``RuntimeError``, saying what to do, unless the gradebook has ``assignment``."""
    with api.gradebook as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise RuntimeError(
                f"the gradebook has no assignment {assignment!r}: run `course release {assignment}` "
                "first (it records the assignment's grade cells in the gradebook)"
            ) from None


def check_class(root: Path, assignment: str, students: list[str]) -> tuple[dict[str, Intake], dict[str, list[str]]]:
    """Every student's submission checked against the release (:func:`check_submission`), and its review flags:
    the static scan's and an experiment without outputs."""
    release = root / "release" / assignment
    max_bytes = file_limit_bytes(load_course_config(root))
    foreign = foreign_grade_ids(root / "release", assignment)
    released_sources = {
        cell.source
        for path in release.glob("*.ipynb")
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    }
    intakes, flags = {}, {}
    for student in students:
        intakes[student] = check_submission(root / "submitted" / student / assignment, release, max_bytes, foreign)
        notebooks = intakes[student].notebooks.values()
        flags[student] = [flag for nb in notebooks for flag in scan_notebook(nb, released_sources)]
        flags[student] += [flag for nb in notebooks if (flag := not_run_flag(nb))]
    return intakes, flags


class ClassRecorder:
    """Writes each submission's grades and status as it is settled (see the module's docstring), keeping the
    recorded status of every other student: those not graded now, and those of this run not settled yet (a
    stopped run leaves them as they were)."""

    def __init__(
        self,
        root: Path,
        assignment: str,
        intakes: dict[str, Intake],
        flags: dict[str, list[str]],
        on_result: Callable[[Outcome], None] | None,
        stop: StopSignals,
        outcomes: dict[str, Outcome],
    ) -> None:
        self.root, self.assignment, self.on_result, self.stop = root, assignment, on_result, stop
        self.writer = GradebookWriter(root)
        self.log_name = relative_log_path(root, assignment)
        self.intakes, self.flags = intakes, flags
        self.recorded = load_statuses(root, assignment)  # kept for every student until their new one is settled
        self.outcomes = outcomes

    def settle(self, student: str, result: GradingResult | None) -> None:
        """Write one submission's grades (not for a grader error: they stay as they were) and its status: the
        grades in one transaction, then the autograded notebook, then the status file. A stop signal that arrives
        meanwhile takes effect once all three are written."""
        with self.stop.deferred():
            self._settle(student, result)

    def _settle(self, student: str, result: GradingResult | None) -> None:
        outcome = outcome_of(self.intakes[student], result, self.flags[student])
        outcome.student = student
        details = result.details if result is not None else ""
        if outcome.status == statuses.GRADER_ERROR:
            log.error("%s: %s: %s", student, outcome.status, outcome.reason)
            outcome.reason += f" (the grader's fault, not the student's; details in {self.log_name})"
        else:
            level = logging.WARNING if details else logging.INFO
            log.log(level, "%s: %s%s", student, outcome.status, f": {outcome.reason}" if outcome.reason else "")
        if result is not None and result.report.kernel_start.startswith("cold:"):
            log.warning("%s: the kernel started cold, not from the warm template%s", student,
                        result.report.kernel_start[len("cold"):])  # fmt: skip
        if details:  # nbgrader's log or a traceback: for the log file (and --verbose), not between the progress lines
            log.info("%s: what grading said:\n%s", student, details)
        if outcome.status != statuses.GRADER_ERROR:
            graded = result if result is not None and result.ok else None
            record_result(self.writer, self.root, self.assignment, graded, student)
        self.outcomes[student] = outcome
        save_statuses(self.root, self.assignment, {**self.recorded, **self.outcomes})
        if self.on_result:
            self.on_result(outcome)

    def canary_passed(self, key: str) -> None:
        """Record in the status file that the reference solution got every point with ``key``
        (:func:`grader.autograde.canary.canary_key`)."""
        save_statuses(self.root, self.assignment, {**self.recorded, **self.outcomes}, canary_key=key)

    def settle_all(self, held: list[tuple[str, GradingResult | None]]) -> None:
        """Settle the submissions held back, in order."""
        for student, result in held:
            self.settle(student, result)


def check_canary(api: NbGraderAPI, assignment: str, result: GradingResult) -> None:
    """Raise :class:`CanaryFailed` unless the reference solution got every autograded point."""
    outcome = outcome_of(Intake(), result, [])
    max_scores = autograded_max_scores(api.coursedir.db_url, api.coursedir.course_id, assignment)
    problem = canary_problem(result, outcome.status, outcome.reason, max_scores)
    if problem and result.details:
        log.info("the reference solution's grading:\n%s", result.details)
    if problem:
        raise CanaryFailed(
            f"the reference solution (source/{assignment}/) did not get every autograded point, so the "
            f"grader is not fit to grade the class: {problem}. Nothing was written to the gradebook. Fix the "
            "source notebook or the grading setup (then `course release`), or pass --no-canary to grade anyway "
            f"(details in {relative_log_path(Path(api.coursedir.root), assignment)})"
        )
