"""One submission graded by nbgrader's own ``autograde`` in a fresh scratch folder; runs in a worker
process (local or Dask) and answers for every submission it is given.

The scratch folder is private to the grading user (``mkdtemp``) and lies in the run's own folder
(:func:`grader.autograde.scratch.run_scratch`) where the worker shares the coordinator's machine, so that a run
stopped while its workers grade leaves nothing behind.

The Execute step is the guarded one (:mod:`grader.kernel.guarded_execute`): the student's code runs
jailed, limited and watched. Everything that travels, both ways, is plain data and bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry
from traitlets.config import Config

from grader.autograde.bundle import SQLITE, unpack_bundle
from grader.common.nbgrader_api import Gradebook, last_error_line, nbgrader_api, quiet_sqlalchemy
from grader.common.statuses import KernelReport
from grader.kernel.sandbox import compiled_sweeps, resolve_isolation


@dataclass
class GradingTask:
    """One submission and what a worker needs to grade it; all bytes, so it travels to any worker."""

    student: str
    assignment: str
    files: dict[str, bytes]
    bundle: bytes
    isolation: str = "auto"
    rerun_experiments: bool = False  # run the experiment cells too, instead of keeping the student's outputs
    scratch_root: str = ""  # the run's private folder for scratch folders, where this worker can see it
    cold_kernels: bool = False  # start the kernel as a new process instead of forking it from the warm template


@dataclass
class GradeRecord:
    """One graded cell's result, as nbgrader's autograde left it."""

    notebook: str
    name: str
    auto_score: float | None
    needs_manual_grade: bool


@dataclass
class GradingResult:
    """What a worker sends back: grades, the autograded files and what happened."""

    student: str
    ok: bool
    error: str = ""  # one line, for the grade table
    details: str = ""  # what the error line came from, in full: the traceback, or nbgrader's log
    grades: list[GradeRecord] = field(default_factory=list)
    comments: list[tuple[str, str, str | None]] = field(default_factory=list)  # (notebook, name, auto_comment)
    penalties: dict[str, float] = field(default_factory=dict)  # notebook -> late penalty
    timestamp: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # autograded/<student>/<assignment>/...
    report: KernelReport = field(default_factory=KernelReport)  # what the grading kernel saw
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds of the worker's steps


def one_line(error: BaseException) -> str:
    """``Name: message`` of an exception, on one line of at most 300 characters (the grade table's reason)."""
    return " ".join(f"{type(error).__name__}: {error}".split())[:300]


def _read_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _read_grades(result: GradingResult, db_url: str, course_id: str, assignment: str) -> None:
    """Copy what nbgrader recorded for the submission from the scratch gradebook into ``result``."""
    with Gradebook(db_url, course_id) as gb:
        try:
            submission = gb.find_submission(assignment, result.student)
        except MissingEntry:
            return
        result.timestamp = submission.timestamp.isoformat() if submission.timestamp else None
        for notebook in submission.notebooks:
            result.penalties[notebook.name] = notebook.late_submission_penalty or 0.0
            result.grades += [
                GradeRecord(notebook.name, g.name, g.auto_score, bool(g.needs_manual_grade)) for g in notebook.grades
            ]
            result.comments += [(notebook.name, c.name, c.auto_comment) for c in notebook.comments]


def grade_submission(task: GradingTask) -> GradingResult:
    """Grade one submission with nbgrader in a fresh scratch folder (runs in a worker process)."""
    started = time.perf_counter()
    phases: dict[str, float] = {}
    where = task.scratch_root if task.scratch_root and os.path.isdir(task.scratch_root) else None
    scratch = Path(tempfile.mkdtemp(prefix=f"grade-{task.student}-", dir=where))
    try:
        course = scratch / "course"
        course.mkdir()
        unpack_bundle(task.bundle, course)
        submitted = course / "submitted" / task.student / task.assignment
        for name, data in task.files.items():
            path = submitted / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        overrides = Config()
        overrides.GuardedExecute.report_path = str(scratch / "report.json")
        overrides.GuardedExecute.scratch_dir = str(scratch)
        overrides.GuardedExecute.isolation = resolve_isolation(task.isolation)
        overrides.GuardedExecute.rerun_experiments = task.rerun_experiments
        overrides.GuardedExecute.warm_kernels = not task.cold_kernels
        overrides.GuardedExecute.sweep_cache = compiled_sweeps() or ""
        overrides.CourseDirectory.db_url = f"{SQLITE}{course / 'gradebook.db'}"
        api = nbgrader_api(course, overrides)
        phases["unpack and configure"] = time.perf_counter() - started
        with quiet_sqlalchemy():
            outcome = api.autograde(task.assignment, task.student, force=True, create=True)
        phases["nbgrader autograde"] = time.perf_counter() - started - sum(phases.values())
        result = GradingResult(task.student, bool(outcome["success"]))
        if not result.ok:
            result.error = last_error_line(outcome)
            result.details = f"{outcome.get('log') or ''}\n{outcome.get('error') or ''}".strip()
        report = scratch / "report.json"
        result.report = KernelReport.from_json(report.read_text()) if report.exists() else KernelReport()
        _read_grades(result, api.coursedir.db_url, api.coursedir.course_id, task.assignment)
        result.files = _read_files(course / "autograded" / task.student / task.assignment)
        phases["read back"] = time.perf_counter() - started - sum(phases.values())
    except Exception as error:  # the worker must answer for every submission it was given
        result = GradingResult(task.student, False, error=one_line(error), details=traceback.format_exc())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    result.phases = phases
    return result
