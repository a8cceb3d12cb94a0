"""A class of hundreds: what grading it costs on one machine and on a Dask cluster, and how the cost grows.

The class is N synthetic submissions of one assignment (default Project 1, N = 200): the sample class's notebooks
(correct, partly done and buggy ones) copied under distinct student ids, with hostile ones among them, each built
from the reference answer as the grading tests build theirs: a kernel that patches what the checks compare with,
one that exits mid-notebook, a notebook cut in half (not a notebook), a hidden test deleted.
It is graded, with the canary, through ``grader.autograde.coordinator.grade_class`` three ways, each in a fresh
copy of the course:

* local, 1 worker, into the course's SQLite gradebook;
* local, W workers (default 2), into SQLite;
* a ``dask scheduler`` with W ``dask worker`` processes of one thread each, into a PostgreSQL gradebook (both
  started on this machine as the cluster tests start them: grader/serve/local_services.py).

For each it prints submissions per minute; the coordinator's CPU time per submission (this process, which checks
the submissions, settles each result and writes every grade); the wall time per submission of settling a result,
of its gradebook transaction and of its status file; the peak memory of one worker (the proportional set size of
its process tree: worker, jail and kernel; a Dask worker's nanny included) and of the coordinator; and how the
time grows with the class: the times at which the N/4-th, N/2-th and N-th submission was settled, and a line fit
through them (a fixed cost, then seconds per submission). From those it projects the workers needed to grade
500 and 5,000 submissions in 10 minutes, and where the coordinator or the gradebook would become the limit.
After each run it counts the gradebook's rows (grader/report/gradebook_audit.py): every student's submission once, with
its grades; it stops with exit status 1 if one is missing, incomplete or there twice. Its last line:
``class scale: N submissions, dask+postgresql X/min, local W workers Y/min, coordinator Z ms/submission``
(Z: the coordinator's CPU time per submission in the Dask + PostgreSQL run). Nothing is asserted about time.

Fast mode (``COURSE_FAST=1``) by default: what grows with a class is the coordinator's and the gradebook's work
and each submission's fixed cost (a Python, torch and a kernel started), not the notebook's own run time, which
``--full`` adds (and ``class_grading.py`` measures).

    python benchmarks/class_scale.py [--students 200] [--assignment project1] [--workers 2] [--full]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import math
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from class_grading import sample_class  # noqa: E402

from grader.autograde import coordinator  # noqa: E402
from grader.autograde.gradebook_writer import GradebookWriter  # noqa: E402
from grader.common.config import copy_course  # noqa: E402
from grader.common.nbgrader_api import nbgrader_api  # noqa: E402
from grader.release.generate import generate_release  # noqa: E402
from grader.report.gradebook_audit import Audit, audit_class  # noqa: E402
from grader.serve.local_services import dask_cluster, postgres_server  # noqa: E402

#: the targets of the projection: submissions graded within this many seconds
PROJECTED_CLASSES, DEADLINE = (500, 5000), 600


#: a student's cell that patches what checks compare with (the grader puts it back before each test)
PATCHER = "import numpy as np, torch\nnp.allclose = lambda *a, **k: True\ntorch.allclose = lambda *a, **k: True\n"
#: a student's cell that ends the kernel (the cells after it score 0)
QUITTER = "import os\nos._exit(0)\n"


def with_cell(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with a code cell of ``source`` after its first code cell (the imports)."""
    nb = copy.deepcopy(nb)
    first = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(source))
    return nb


def hostile_notebooks(reference: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode | bytes]:
    """Hostile submissions made from the reference answer: a notebook, or the bytes of a file that is none."""
    deleted = copy.deepcopy(reference)
    hidden = [
        i
        for i, cell in enumerate(deleted.cells)
        if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"].get("solution")
    ]
    del deleted.cells[hidden[-1]]
    text = nbformat.writes(reference)
    return {
        "patcher": with_cell(reference, PATCHER),
        "quitter": with_cell(reference, QUITTER),
        "truncated": text[: len(text) // 2].encode(),
        "deleter": deleted,
    }


def make_class(course: Path, assignment: str, size: int, db_url: str | None = None) -> list[str]:
    """A fresh copy of the course in ``course`` (its gradebook at ``db_url``, or SQLite) with ``size`` submissions
    of ``assignment``, released; return the students."""
    copy_course(ROOT, course)
    if db_url:
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
            f.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    notebook = f"{assignment}.ipynb"
    samples = sample_class(assignment)
    reference = nbformat.read(ROOT / "submitted" / samples[0] / assignment / notebook, as_version=4)
    kinds: list[tuple[str, Path | nbformat.NotebookNode | bytes]] = [
        *((sample, ROOT / "submitted" / sample / assignment / notebook) for sample in samples),
        *hostile_notebooks(reference).items(),
    ]
    students = []
    for index in range(size):
        kind, content = kinds[index % len(kinds)]
        student = f"{kind}{index // len(kinds):03d}"
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        if isinstance(content, Path):
            shutil.copy(content, folder / notebook)
        elif isinstance(content, bytes):
            (folder / notebook).write_bytes(content)
        else:
            nbformat.write(content, folder / notebook)
        students.append(student)
    generate_release(course, assignment)
    return students


def _tree_pss(process: psutil.Process) -> int:
    """Bytes of proportional set size of ``process`` and its descendants (what they hold, shared pages split)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += member.memory_full_info().pss
    return total


def _sample_memory(coordinator_pid: int, worker_pids: list[int], stop, results, interval: float) -> None:
    """In a process of its own: the peak memory of the coordinator alone and of each worker's process tree (the
    coordinator's children other than this sampler when ``worker_pids`` is empty) until ``stop`` is set."""
    me = os.getpid()
    coordinator_process = psutil.Process(coordinator_pid)
    peak_workers: dict[int, int] = {}
    peak_coordinator = 0
    while not stop.wait(interval):
        with contextlib.suppress(psutil.Error):
            peak_coordinator = max(peak_coordinator, coordinator_process.memory_full_info().pss)
            roots = [psutil.Process(p) for p in worker_pids] or [
                child for child in coordinator_process.children() if child.pid != me
            ]
            for root in roots:
                peak_workers[root.pid] = max(peak_workers.get(root.pid, 0), _tree_pss(root))
    results.put((peak_coordinator, max(peak_workers.values(), default=0)))


@contextlib.contextmanager
def peak_memory(worker_pids: list[int], interval: float = 0.5) -> Iterator[dict[str, int]]:
    """Sample the memory of this process and of its workers while a block runs; fill the yielded dict with
    ``coordinator`` and ``worker`` peaks (bytes) when it ends. The sampler is a process of its own, so that its
    work is not the coordinator's CPU time."""
    spawn = multiprocessing.get_context("spawn")
    stop, results = spawn.Event(), spawn.Queue()
    sampler = spawn.Process(target=_sample_memory, args=(os.getpid(), worker_pids, stop, results, interval))
    sampler.start()
    peaks: dict[str, int] = {}
    try:
        yield peaks
    finally:
        stop.set()
        peaks["coordinator"], peaks["worker"] = results.get(timeout=60)
        sampler.join()


@contextlib.contextmanager
def timed_calls(owner: object, name: str) -> Iterator[list[float]]:
    """Replace ``owner.name`` by a wrapper that records each call's wall time, in seconds, while a block runs."""
    original = getattr(owner, name)
    durations: list[float] = []

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - started)

    setattr(owner, name, wrapper)
    try:
        yield durations
    finally:
        setattr(owner, name, original)


@dataclass
class Run:
    """One setup's grading of the class."""

    setup: str
    workers: int
    wall: float
    settled_at: list[float]  # seconds from the start at which each submission was settled, in order
    coordinator_cpu: float  # seconds of this process's CPU time
    settle: list[float]  # seconds of each submission's settling (grades, autograded notebook, status file)
    grades: list[float]  # seconds of each gradebook transaction
    status_file: list[float]  # seconds of each status file write
    memory: dict[str, int]
    audit: Audit
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.settled_at)

    def checkpoints(self) -> list[tuple[int, float]]:
        """(k, seconds at which the k-th submission was settled) for k = N/4, N/2, N."""
        return [(k, self.settled_at[k - 1]) for k in (self.size // 4, self.size // 2, self.size)]

    def line(self) -> tuple[float, float]:
        """The least-squares line through the checkpoints: (fixed seconds, seconds per submission)."""
        ks, seconds = zip(*self.checkpoints(), strict=True)
        slope, intercept = np.polyfit(ks, seconds, 1)
        return float(intercept), float(slope)

    def worker_seconds(self) -> float:
        """Seconds of a worker per submission: the line's slope times the workers."""
        return self.line()[1] * self.workers


def grade_once(setup: str, assignment: str, size: int, workers: int, db_url: str | None = None, cluster=None) -> Run:
    """Grade a fresh class of ``size`` in a fresh copy of the course; ``cluster``: a running Dask cluster."""
    with tempfile.TemporaryDirectory(prefix="class-scale-") as folder:
        course = Path(folder)
        students = make_class(course, assignment, size, db_url)
        settled_at: list[float] = []
        where = {"scheduler": cluster.address} if cluster else {"workers": workers}
        with (
            timed_calls(coordinator.ClassRecorder, "settle") as settle,
            timed_calls(GradebookWriter, "write_grades") as grades,
            timed_calls(coordinator, "save_statuses") as status_file,
            peak_memory([p.pid for p in cluster.workers] if cluster else []) as memory,
        ):
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            outcomes = coordinator.grade_class(
                course,
                assignment,
                students,
                progress=False,
                on_result=lambda outcome: settled_at.append(time.perf_counter() - started),
                **where,
            )
            wall = time.perf_counter() - started
            used = resource.getrusage(resource.RUSAGE_SELF)
        statuses: dict[str, int] = {}
        for outcome in outcomes:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        api = nbgrader_api(course)
        audit = audit_class(api.coursedir.db_url, api.coursedir.course_id, assignment, students)
    return Run(
        setup,
        workers,
        wall,
        settled_at,
        (used.ru_utime + used.ru_stime) - (cpu.ru_utime + cpu.ru_stime),
        settle,
        grades,
        status_file,
        memory,
        audit,
        statuses,
    )


def ms(seconds: list[float]) -> float:
    """The mean of ``seconds``, in milliseconds."""
    return 1000 * statistics.mean(seconds) if seconds else float("nan")


def print_runs(runs: list[Run]) -> None:
    """The table of the runs, how each one's time grew, and its gradebook's counts."""
    print(
        f"\n{'setup':32} {'wall s':>7} {'per min':>8} {'coord CPU':>10} {'settle':>7} {'grades':>7} {'status':>7} "
        f"{'worker MiB':>11} {'coord MiB':>10}"
    )
    print(f"{'':32} {'':>7} {'':>8} {'ms/sub':>10} {'ms/sub':>7} {'ms/sub':>7} {'ms/sub':>7} {'peak':>11} {'peak':>10}")
    for run in runs:
        print(
            f"{run.setup:32} {run.wall:7.1f} {60 * run.size / run.wall:8.1f} "
            f"{1000 * run.coordinator_cpu / run.size:10.1f} {ms(run.settle):7.1f} {ms(run.grades):7.1f} "
            f"{ms(run.status_file):7.2f} {run.memory['worker'] / 2**20:11.0f} {run.memory['coordinator'] / 2**20:10.0f}"
        )
    print("\nhow the time grows (seconds at which the k-th submission was settled; a line through them):")
    for run in runs:
        points = ", ".join(f"{k}: {seconds:.1f} s" for k, seconds in run.checkpoints())
        fixed, per = run.line()
        quarter = max(1, len(run.settle) // 4)
        print(
            f"  {run.setup:32} {points}; fit {fixed:.1f} s + {per:.2f} s x k; settling {ms(run.settle[:quarter]):.1f} "
            f"ms a submission in the first quarter, {ms(run.settle[-quarter:]):.1f} ms in the last"
        )
    print("\nthe gradebook after each run:")
    for run in runs:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(run.statuses.items()))
        print(f"  {run.setup:32} {run.audit.describe()} ({statuses})")


def print_projection(run: Run) -> None:
    """Workers needed for the projected classes, and where the coordinator and the gradebook would limit."""
    fixed, _ = run.line()
    worker = run.worker_seconds()
    coordinator_busy = max(run.coordinator_cpu / run.size, statistics.mean(run.settle))
    grades = statistics.mean(run.grades)
    # the status file is rewritten whole for each result: its cost grows with the students already settled
    growth = max(0.0, float(np.polyfit(np.arange(len(run.status_file)), run.status_file, 1)[0]))
    print(f"\nprojection from {run.setup} ({worker:.2f} s of a worker per submission, {fixed:.1f} s fixed):")
    for size in PROJECTED_CLASSES:
        left = DEADLINE - fixed
        needed = math.ceil(size * worker / left) if left > 0 else None
        busy = coordinator_busy + growth * size / 2  # the mean status-file write over a class of this size
        limit = 60 / busy
        print(
            f"  {size:5d} submissions in {DEADLINE // 60} minutes: {needed} workers "
            f"({size / (DEADLINE / 60):.0f} submissions a minute); the coordinator settles at most {limit:.0f} a "
            f"minute at that size ({1000 * busy:.1f} ms each), "
            f"{'enough' if limit >= size / (DEADLINE / 60) else 'the limit'}"
        )
    print(
        f"  the coordinator becomes the limit beyond about {worker / coordinator_busy:.0f} workers "
        f"({60 / coordinator_busy:.0f} submissions a minute); the gradebook's transactions alone beyond about "
        f"{worker / grades:.0f} workers ({60 / grades:.0f} a minute)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200, help="submissions in the class (N)")
    parser.add_argument("--assignment", default="project1", help="project1 or a lab with a sample class")
    parser.add_argument("--workers", type=int, default=2, help="local workers of the parallel run, and Dask workers")
    parser.add_argument("--full", action="store_true", help="grade in full mode (default: COURSE_FAST=1)")
    args = parser.parse_args()
    if args.students < 4:
        parser.error("--students must be at least 4 (the line is fitted at N/4, N/2 and N)")
    mode = {"COURSE_FAST": "0" if args.full else "1"}
    os.environ.update(mode)
    print(
        f"class scale: {args.students} submissions of {args.assignment} ({'full' if args.full else 'fast'} mode), "
        f"{os.cpu_count()} cores; the sample class of {len(sample_class(args.assignment))} and 4 hostile kinds, "
        "in turn",
        flush=True,
    )
    runs: list[Run] = []
    for workers in (1, args.workers):
        runs.append(grade_once(f"local {workers} worker(s), SQLite", args.assignment, args.students, workers))
        print(f"  {runs[-1].setup}: {runs[-1].wall:.1f} s", flush=True)
    with postgres_server() as db_url, dask_cluster(args.workers, env=mode) as cluster:
        setup = f"dask {args.workers} workers, PostgreSQL"
        runs.append(grade_once(setup, args.assignment, args.students, args.workers, db_url, cluster))
        print(f"  {runs[-1].setup}: {runs[-1].wall:.1f} s", flush=True)
    print_runs(runs)
    for run in runs[1:]:
        print_projection(run)
    broken = [run for run in runs if not run.audit.whole]
    if broken:
        sys.exit(f"the gradebook is not whole after: {', '.join(run.setup for run in broken)}")
    local, dask = runs[1], runs[2]
    print(
        f"\nclass scale: {args.students} submissions, dask+postgresql {60 * dask.size / dask.wall:.1f}/min, "
        f"local {args.workers} workers {60 * local.size / local.wall:.1f}/min, "
        f"coordinator {1000 * dask.coordinator_cpu / dask.size:.0f} ms/submission"
    )


if __name__ == "__main__":
    main()
