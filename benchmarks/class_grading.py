"""Grading a generated class: plain sequential `nbgrader autograde` against the course's grading
command with 1 and with N workers, in one run; or, for a lab, grading that keeps the students' experiment outputs
against grading that re-runs the experiments.

The class is COPIES copies of the 13 sample submissions (default 3: 39 submissions, a class of
about 40), each copy a student of its own. Each mode grades the whole class in a fresh copy of the course:

* plain: nbgrader's own autograde, one submission after another, its own Execute step (no jail,
  no limits, no integrity check), as an instructor runs it without this course's command;
* workers=1 and workers=N: `grader.autograde.coordinator.grade_class` (checks, review flags, jailed and
  watched kernels, integrity restore before each test cell, one gradebook writer).

The course command grades with its canary (the reference solution first), as instructors run it.

It also executes each sample notebook once with nbclient, as grading configures the kernel, to get
what running the student's code itself costs, and grades the reference solution once more, alone,
for a profile of one submission by phase. It prints, for each mode, the wall time, submissions per
minute, the ratio to plain, and the overhead per submission beyond executing the notebook (wall
time x workers / submissions - mean execution time); last, one line:
``overhead per submission: X s; workers=N vs plain: Y x``, where X is (workers=1 - plain) / submissions.

With ``--assignment LAB`` (xor, backprop, classification, deep) it grades that lab's sample class (COPIES copies
of it, default 1) in full mode, without the canary, twice in fresh copies of the course: as the course grades by
default, the experiment cells skipped and their outputs kept, and with ``--rerun-experiments``. It prints each
run's wall time and seconds per submission (wall time x workers / submissions: what one submission costs a
worker), and last ``lab grading: LAB skip X s/submission, rerun Y s/submission, Y/X = R x``.

It asserts nothing about time.

    python benchmarks/class_grading.py [--copies 3] [--workers 2]
    python benchmarks/class_grading.py --assignment xor [--copies 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.autograde.bundle import make_bundle  # noqa: E402
from grader.autograde.canary import CANARY, reference_submission  # noqa: E402
from grader.autograde.coordinator import grade_class  # noqa: E402
from grader.autograde.worker import GradingTask, grade_submission  # noqa: E402
from grader.common.config import copy_course  # noqa: E402
from grader.common.nbgrader_api import nbgrader_api, plain_autograde_preprocessors, quiet_sqlalchemy  # noqa: E402
from grader.kernel.environment import QUIET_KERNEL  # noqa: E402
from grader.release.generate import generate_release  # noqa: E402

ASSIGNMENT = "project1"
LABS = ("xor", "backprop", "classification", "deep")


def sample_class(assignment: str) -> list[str]:
    """The sample students of ``assignment`` in ``submitted/``."""
    return sorted(p.name for p in (ROOT / "submitted").iterdir() if (p / assignment).is_dir())


SAMPLE = sample_class(ASSIGNMENT)


def make_course(folder: Path, copies: int, assignment: str = ASSIGNMENT) -> list[str]:
    """A course copy with the generated class of ``assignment``; return the students."""
    copy_course(ROOT, folder)
    students = []
    for copy in range(copies):
        for sample in sample_class(assignment):
            student = f"{sample}{copy:02d}"
            shutil.copytree(ROOT / "submitted" / sample / assignment, folder / "submitted" / student / assignment)
            students.append(student)
    generate_release(folder, assignment)
    return students


def time_plain(course: Path, students: list[str]) -> float:
    plain = Config()
    plain.Autograde.autograde_preprocessors = plain_autograde_preprocessors(course)
    plain.Execute.extra_arguments = [*nbgrader_api(course).config.Execute.extra_arguments, *QUIET_KERNEL]
    api = nbgrader_api(course, plain)
    started = time.perf_counter()
    with quiet_sqlalchemy():
        for student in students:
            if not api.autograde(ASSIGNMENT, student, force=True, create=True)["success"]:
                raise RuntimeError(f"plain nbgrader could not grade {student}")
    return time.perf_counter() - started


def time_command(course: Path, students: list[str], workers: int, assignment: str = ASSIGNMENT, **options) -> float:
    """Seconds to grade ``students`` with the course's command (``options`` go to ``grade_class``)."""
    started = time.perf_counter()
    outcomes = grade_class(course, assignment, students, workers=workers, progress=False, **options)
    seconds = time.perf_counter() - started
    bad = [o for o in outcomes if o.status != "graded"]
    if bad:
        raise RuntimeError(f"{len(bad)} submission(s) not graded, e.g. {bad[0]}")
    return seconds


def mean_execution(course: Path) -> float:
    """Mean seconds to run one sample notebook top to bottom in a fresh kernel."""
    extra = [*nbgrader_api(course).config.Execute.extra_arguments, *QUIET_KERNEL]
    times = []
    for sample in SAMPLE:
        path = ROOT / "submitted" / sample / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            NotebookClient(
                nb,
                kernel_name="python3",
                extra_arguments=extra,
                allow_errors=True,
                timeout=600,
                resources={"metadata": {"path": folder}},
            ).execute()
            times.append(time.perf_counter() - started)
    return statistics.mean(times)


def profile_one(course: Path) -> dict[str, float]:
    """Seconds by phase of grading the reference solution alone (after one warm-up run)."""
    task = GradingTask(CANARY, ASSIGNMENT, reference_submission(course, ASSIGNMENT), make_bundle(course, ASSIGNMENT))
    for _ in range(2):
        result = grade_submission(task)
    if not result.ok:
        raise RuntimeError(f"the reference solution could not be graded: {result.error}")
    kernel = result.report.seconds
    autograde = result.phases.pop("nbgrader autograde")
    return {
        **result.phases,
        **{f"  {name}": seconds for name, seconds in kernel.items()},
        "  nbgrader's other steps": autograde - sum(kernel.values()),
        "total": result.seconds,
    }


def lab_grading(assignment: str, copies: int, workers: int) -> None:
    """Grade a lab's sample class keeping the experiment outputs, then re-running them; print the comparison."""
    os.environ["COURSE_FAST"] = "0"  # the full run, as a class is graded
    per_submission: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for mode, rerun in (("skip", False), ("rerun", True)):
            course = Path(scratch) / mode
            course.mkdir()
            students = make_course(course, copies, assignment)
            seconds = time_command(course, students, workers, assignment, canary=False, rerun_experiments=rerun)
            per_submission[mode] = seconds * workers / len(students)
            print(
                f"  {mode:6s} {len(students)} submissions with {workers} worker(s): {seconds:.1f} s wall, "
                f"{per_submission[mode]:.1f} s/submission",
                flush=True,
            )
    skip, rerun = per_submission["skip"], per_submission["rerun"]
    print(
        f"lab grading: {assignment} skip {skip:.1f} s/submission, rerun {rerun:.1f} s/submission, "
        f"Y/X = {rerun / skip:.1f} x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--assignment",
        choices=(ASSIGNMENT, *LABS),
        default=ASSIGNMENT,
        help="project1 (default): plain nbgrader against the course's command; a lab: experiments kept or re-run",
    )
    parser.add_argument(
        "--copies", type=int, default=None, help="copies of the sample class (default 3 for project1, 1 for a lab)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="workers of the parallel run")
    args = parser.parse_args()
    if args.assignment != ASSIGNMENT:
        lab_grading(args.assignment, args.copies or 1, args.workers)
        return
    args.copies = args.copies or 3
    with tempfile.TemporaryDirectory() as scratch:
        runs: dict[str, float] = {}
        for mode in ("plain", "workers=1", f"workers={args.workers}"):
            course = Path(scratch) / mode
            course.mkdir()
            students = make_course(course, args.copies)
            if mode == "plain":
                execute = mean_execution(course)
                runs[mode] = time_plain(course, students)
            else:
                runs[mode] = time_command(course, students, int(mode.split("=")[1]))
            print(f"  {mode}: {runs[mode]:.1f} s", flush=True)
        profile = profile_one(course)
    n = len(students)
    print(
        f"\n{n} submissions ({args.copies} copies of {len(SAMPLE)}); executing one notebook: {execute:.2f} s on average"
    )
    print(f"{'mode':12s} {'wall s':>8s} {'per minute':>11s} {'vs plain':>9s} {'overhead s/submission':>22s}")
    for mode, seconds in runs.items():
        workers = 1 if mode in ("plain", "workers=1") else args.workers
        overhead = seconds * workers / n - execute
        print(f"{mode:12s} {seconds:8.1f} {60 * n / seconds:11.1f} {runs['plain'] / seconds:8.2f}x {overhead:22.2f}")
    parallel = f"workers={args.workers}"
    print(f"\n{parallel} vs workers=1: {runs['workers=1'] / runs[parallel]:.2f}x the submissions per minute")
    print("\none submission (the reference solution, graded alone), seconds by phase:")
    for phase, seconds in profile.items():
        print(f"  {phase:45s} {seconds:6.2f}")
    overhead = (runs["workers=1"] - runs["plain"]) / n
    print(f"\noverhead per submission: {overhead:.2f} s; {parallel} vs plain: {runs['plain'] / runs[parallel]:.2f} x")


if __name__ == "__main__":
    main()
