"""Grading a class on a Dask cluster against grading it with local worker processes, in one run.

The class is COPIES copies of Project 1's sample submissions (default 3: 39 submissions, a class of about 40),
as in class_grading.py. Each mode grades the whole class in a fresh copy of the course, with the canary, through
`grader.autograde.coordinator.grade_class`:

* local: ``workers=N`` local processes;
* dask: a ``dask scheduler`` and N ``dask worker`` processes of one thread each, started from this environment on
  loopback (grader/serve/local_services.py), the scheduler's address passed as ``scheduler=``.

It prints each mode's wall time and submissions per minute, and last one line:
``dask vs local, N workers each: R x wall time`` (the aim: at most 1.10). The cluster's start-up is not counted.
It asserts nothing about time.

    python benchmarks/dask_grading.py [--copies 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from class_grading import ASSIGNMENT, make_course  # noqa: E402

from grader.autograde.coordinator import grade_class  # noqa: E402
from grader.serve.local_services import dask_cluster  # noqa: E402


def time_class(copies: int, **where) -> tuple[float, int]:
    """Grade a fresh class of ``copies`` copies; return the wall time and the number of submissions."""
    with tempfile.TemporaryDirectory(prefix="dask-bench-") as folder:
        course = Path(folder)
        students = make_course(course, copies)
        started = time.perf_counter()
        outcomes = grade_class(course, ASSIGNMENT, students, progress=False, **where)
        seconds = time.perf_counter() - started
    bad = [o for o in outcomes if o.status != "graded"]
    if bad:
        raise RuntimeError(f"{len(bad)} submission(s) not graded, e.g. {bad[0]}")
    return seconds, len(students)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3, help="copies of the sample class (3: 39 submissions)")
    parser.add_argument("--workers", type=int, default=2, help="local workers, and Dask workers")
    args = parser.parse_args()
    local, n = time_class(args.copies, workers=args.workers)
    print(f"local, {args.workers} workers: {n} submissions in {local:.1f} s ({60 * n / local:.1f} per minute)")
    with dask_cluster(args.workers) as cluster:
        dask, _ = time_class(args.copies, scheduler=cluster.address)
    print(f"dask, {args.workers} workers of 1 thread: {n} submissions in {dask:.1f} s ({60 * n / dask:.1f} per minute)")
    print(f"dask vs local, {args.workers} workers each: {dask / local:.3f} x wall time")


if __name__ == "__main__":
    main()
