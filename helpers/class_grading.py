"""Grade a whole class: submissions checked, graded in parallel in isolated scratch folders, and
every result written to the course gradebook by this one process.

The coordinator (:func:`grade_class`)

1. packs the assignment's *grading bundle*: ``nbgrader_config.py``, a gradebook that holds the
   assignment's cell definitions and no student, and the assignment's non-notebook source files;
2. checks each submission (:mod:`helpers.intake`) and scans its code for review flags
   (:mod:`helpers.review`); what cannot be graded gets its row at once;
3. sends each gradable submission with the bundle to a worker, a local process
   (:class:`~concurrent.futures.ProcessPoolExecutor`) or a Dask worker (``scheduler=``);
4. as each result comes back, writes its grades to the course gradebook in one transaction, its
   autograded notebook to ``autograded/<student>/<assignment>/`` and its status to
   ``grades/<assignment>-status.json``, so a crash loses no finished submission.

A worker (:func:`grade_submission`) unpacks the bundle and the submission into a fresh scratch
folder and runs nbgrader's own ``autograde`` there, with the guarded Execute step
(:mod:`helpers.guarded_execute`): the student's code runs jailed, limited and watched.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import warnings
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from tqdm.auto import tqdm
from traitlets.config import Config

from helpers import intake as statuses
from helpers.intake import Intake, check_submission
from helpers.release import last_error_line, nbgrader_api
from helpers.review import scan_notebook
from helpers.sandbox import kernel_cache_folder, resolve_isolation

#: Statuses of submissions that nbgrader did not grade (no feedback is written for them).
NOT_GRADED = (statuses.NOTEBOOK_MISSING, statuses.UNKNOWN_NOTEBOOK, statuses.NOT_A_NOTEBOOK, statuses.GRADER_ERROR)
#: Attempts at a submission whose worker process died (not the kernel: the grader itself).
WORKER_ATTEMPTS = 2


@dataclass
class GradingTask:
    """One submission and what a worker needs to grade it; all bytes, so it travels to any worker."""

    student: str
    assignment: str
    files: dict[str, bytes]
    bundle: bytes
    isolation: str = "auto"


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
    error: str = ""
    grades: list[GradeRecord] = field(default_factory=list)
    comments: list[tuple[str, str, str | None]] = field(default_factory=list)  # (notebook, name, auto_comment)
    penalties: dict[str, float] = field(default_factory=dict)  # notebook -> late penalty
    timestamp: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # autograded/<student>/<assignment>/...
    report: dict = field(default_factory=dict)  # helpers.guarded_execute's report
    seconds: float = 0.0


@dataclass
class Outcome:
    """A submission's row: status, one-line reason and review flags."""

    student: str
    status: str
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0


@contextmanager
def quiet_sqlalchemy():
    """nbgrader 0.9 touches objects of a closed session while it records grades; SQLAlchemy warns,
    and the grades are written all the same (the tests read them back)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Object of type .* not in session", SAWarning)
        yield


# -- the bundle -------------------------------------------------------------------------------------


def _pack(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=".")
    return buffer.getvalue()


def make_bundle(root: Path, assignment: str) -> bytes:
    """The assignment's grading bundle (see the module's docstring), as a tar.gz."""
    api = nbgrader_api(root)
    db_url = api.coursedir.db_url
    if not db_url.startswith("sqlite:///"):
        raise RuntimeError(f"parallel grading copies the assignment from a SQLite gradebook; this course uses {db_url}")
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        folder = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", folder / "nbgrader_config.py")
        database = folder / "gradebook.db"
        source_db = Path(db_url[len("sqlite:///"):])
        shutil.copy(source_db if source_db.is_absolute() else root / source_db, database)
        with Gradebook(f"sqlite:///{database}", api.coursedir.course_id) as gb:
            for student in gb.students:
                gb.remove_student(student.id)
            for other in [a.name for a in gb.assignments if a.name != assignment]:
                gb.remove_assignment(other)
        source = root / "source" / assignment
        for path in source.rglob("*"):
            if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                target = folder / "source" / assignment / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        (folder / "source" / assignment).mkdir(parents=True, exist_ok=True)
        return _pack(folder)


# -- the worker -------------------------------------------------------------------------------------


def _read_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def grade_submission(task: GradingTask) -> GradingResult:
    """Grade one submission with nbgrader in a fresh scratch folder (runs in a worker process)."""
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix=f"grade-{task.student}-"))
    try:
        course = scratch / "course"
        course.mkdir()
        with tarfile.open(fileobj=io.BytesIO(task.bundle), mode="r:gz") as tar:
            tar.extractall(course, filter="data")
        submitted = course / "submitted" / task.student / task.assignment
        for name, data in task.files.items():
            path = submitted / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        overrides = Config()
        overrides.GuardedExecute.report_path = str(scratch / "report.json")
        overrides.GuardedExecute.scratch_dir = str(scratch)
        overrides.GuardedExecute.isolation = resolve_isolation(task.isolation)
        overrides.GuardedExecute.kernel_cache = kernel_cache_folder() or ""
        overrides.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        api = nbgrader_api(course, overrides)
        with quiet_sqlalchemy():
            outcome = api.autograde(task.assignment, task.student, force=True, create=True)
        result = GradingResult(task.student, bool(outcome["success"]))
        if not result.ok:
            result.error = last_error_line(outcome)
        report = scratch / "report.json"
        result.report = json.loads(report.read_text()) if report.exists() else {}
        with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
            try:
                submission = gb.find_submission(task.assignment, task.student)
            except MissingEntry:
                submission = None
            if submission is not None:
                result.timestamp = submission.timestamp.isoformat() if submission.timestamp else None
                for notebook in submission.notebooks:
                    result.penalties[notebook.name] = notebook.late_submission_penalty or 0.0
                    result.grades += [GradeRecord(notebook.name, g.name, g.auto_score, bool(g.needs_manual_grade))
                                      for g in notebook.grades]
                    result.comments += [(notebook.name, c.name, c.auto_comment) for c in notebook.comments]
        result.files = _read_files(course / "autograded" / task.student / task.assignment)
    except Exception as error:  # the worker must answer for every submission it was given
        result = GradingResult(task.student, False, error=f"{type(error).__name__}: {error}"[:300])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


# -- the coordinator --------------------------------------------------------------------------------


def status_path(root: Path, assignment: str) -> Path:
    """Where the statuses of an assignment's submissions are kept."""
    return root / "grades" / f"{assignment}-status.json"


def load_statuses(root: Path, assignment: str) -> dict[str, Outcome]:
    """The recorded status of each graded submission (empty when none were recorded)."""
    path = status_path(root, assignment)
    if not path.exists():
        return {}
    return {student: Outcome(**row) for student, row in json.loads(path.read_text()).items()}


def _save_statuses(root: Path, assignment: str, outcomes: dict[str, Outcome]) -> None:
    path = status_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({s: asdict(o) for s, o in sorted(outcomes.items())}, indent=1))
    os.replace(temporary, path)


def outcome_of(intake: Intake, result: GradingResult | None, flags: list[str]) -> Outcome:
    """The status and reason of a submission from its check, its grading and its report."""
    student = result.student if result else ""
    if result is None:
        return Outcome(student, intake.status, intake.reason, flags)
    report = result.report or {}
    flags = list(flags)
    if report.get("repaired"):
        flags.append(f"kernel repaired before tests: {', '.join(report['repaired'][:6])}")
    if report.get("links_removed"):
        flags.append(f"links removed from its folder: {', '.join(report['links_removed'][:3])}")
    if not result.ok:
        return Outcome(student, statuses.GRADER_ERROR, result.error or "nbgrader could not grade it", flags, result.seconds)
    if report.get("stopped"):
        kind, reason = report["stopped"]
        return Outcome(student, kind, reason + "; cells after it scored 0", flags, result.seconds)
    if report.get("cell_timeouts"):
        return Outcome(student, statuses.TIMED_OUT, f"cell {report['cell_timeouts'][0]} ran past the per-cell time limit "
                                                    "and was interrupted", flags, result.seconds)
    if report.get("memory_errors"):
        return Outcome(student, statuses.OUT_OF_MEMORY, f"cell {report['memory_errors'][0]} raised MemoryError "
                                                        "at the memory limit", flags, result.seconds)
    if report.get("output_truncated"):
        flags.append(f"output flood: cells {', '.join(map(str, report['output_truncated'][:5]))} cut")
    return Outcome(student, intake.status, intake.reason, flags, result.seconds)


def record_result(root: Path, assignment: str, result: GradingResult | None, student: str) -> None:
    """Write one submission's grades to the course gradebook in one transaction; a submission
    that was not graded gets 0 in every autograded cell (and keeps its manual grades)."""
    api = nbgrader_api(root)
    with quiet_sqlalchemy(), Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        gb.update_or_create_student(student)
        timestamp = result.timestamp if result else None
        submission = gb.update_or_create_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
        reported = {(g.notebook, g.name): g for g in (result.grades if result else [])}
        comments = {(n, c): text for n, c, text in (result.comments if result else [])}
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = (result.penalties.get(notebook.name) if result else None) or 0.0
            for grade in notebook.grades:
                record = reported.get((notebook.name, grade.name))
                if record is not None:
                    grade.auto_score, grade.needs_manual_grade = record.auto_score, record.needs_manual_grade
                else:  # nothing graded it: 0, as nbgrader gives a missing notebook
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
            for comment in notebook.comments:
                comment.auto_comment = comments.get((notebook.name, comment.name))
        gb.db.commit()
    target = root / "autograded" / student / assignment
    if result is not None and result.files:
        shutil.rmtree(target, ignore_errors=True)
        for name, data in result.files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _local_results(tasks: list[GradingTask], workers: int) -> Iterable[GradingResult]:
    """Grade ``tasks`` in ``workers`` local processes; yield results as they finish."""
    attempts = {task.student: 0 for task in tasks}
    pending = list(tasks)
    while pending:
        retry = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(grade_submission, task): task for task in pending}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    attempts[task.student] += 1
                    if attempts[task.student] < WORKER_ATTEMPTS:
                        retry.append(task)
                    else:
                        yield GradingResult(task.student, False, error="the grading worker process died twice")
        pending = retry


def _dask_results(tasks: list[GradingTask], scheduler: str) -> Iterable[GradingResult]:
    """Grade ``tasks`` on the Dask cluster at ``scheduler``; yield results as they finish."""
    from distributed import Client, as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {client.submit(grade_submission, task, key=f"grade-{task.assignment}-{task.student}-{time.time_ns()}",
                                 pure=False, retries=WORKER_ATTEMPTS - 1): task for task in tasks}
        for future in dask_completed(futures):
            task = futures[future]
            try:
                yield future.result()
            except Exception as error:  # a lost worker, a pickling failure: the row says which
                yield GradingResult(task.student, False, error=f"Dask: {type(error).__name__}: {error}"[:300])


def grade_class(root: Path, assignment: str, students: list[str], workers: int | None = None,
                scheduler: str | None = None, isolation: str | None = None, progress: bool = True,
                on_result: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Grade ``students``' submissions of ``assignment``; return an :class:`Outcome` per student,
    in the order given. See the module's docstring."""
    api = nbgrader_api(root)
    with api.gradebook as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise RuntimeError(
                f"the gradebook has no assignment {assignment!r}: run `python -m helpers.course release {assignment}` "
                "first (it records the assignment's grade cells in the gradebook)"
            ) from None
    isolation = isolation or api.config.GuardedExecute.get("isolation", "auto")
    resolve_isolation(isolation)  # fails early, with its reason, when namespaces were required
    bundle = make_bundle(root, assignment)
    release = root / "release" / assignment
    released_sources = {cell.source for path in release.glob("*.ipynb")
                        for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"}
    outcomes: dict[str, Outcome] = {}
    intakes: dict[str, Intake] = {}
    flags: dict[str, list[str]] = {}
    tasks = []
    for student in students:
        intakes[student] = check_submission(root / "submitted" / student / assignment, release)
        flags[student] = [flag for nb in intakes[student].notebooks.values() for flag in scan_notebook(nb, released_sources)]
        if intakes[student].gradable:
            tasks.append(GradingTask(student, assignment, intakes[student].files, bundle, isolation))
        else:
            outcomes[student] = outcome_of(intakes[student], None, flags[student])
            outcomes[student].student = student
            record_result(root, assignment, None, student)
    recorded = {s: o for s, o in load_statuses(root, assignment).items() if s not in students}
    _save_statuses(root, assignment, {**recorded, **outcomes})
    for outcome in outcomes.values():
        if on_result:
            on_result(outcome)
    if tasks:
        results = _dask_results(tasks, scheduler) if scheduler else _local_results(tasks, workers or os.cpu_count() or 1)
        bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="submission", disable=not progress, dynamic_ncols=True)
        for result in results:
            outcome = outcome_of(intakes[result.student], result, flags[result.student])
            outcome.student = result.student
            record_result(root, assignment, result if result.ok else None, result.student)
            outcomes[result.student] = outcome
            _save_statuses(root, assignment, {**recorded, **outcomes})
            bar.set_postfix_str(f"{result.student}: {outcome.status}", refresh=False)
            bar.update()
            if on_result:
                on_result(outcome)
        bar.close()
    return [outcomes[student] for student in students]


