"""How long autograding one submission takes, and how much of it is nbgrader's own overhead.

In one process, on a scratch copy of the course, for each sample submission named (default: the
reference solution `ada`):

* execute: the submitted notebook run top to bottom by nbclient in a fresh kernel, with the same
  kernel arguments as grading (what the student's code itself costs);
* autograde: `nbgrader autograde` of the same submission through the course's grading command.

Prints the median of REPEATS runs of each, the overhead (autograde - execute) and the ratio. It
asserts nothing about time: the numbers depend on the machine and its load.

    python benchmarks/autograde_overhead.py [STUDENT ...] [--repeats N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers import grading  # noqa: E402
from helpers.release import generate_release, nbgrader_api  # noqa: E402

ASSIGNMENT = "project1"


def copy_course(destination: Path) -> Path:
    for name in ("nbgrader_config.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, destination / name)
    for name in ("source", "release", "submitted"):
        shutil.copytree(ROOT / name, destination / name)
    return destination


def time_execute(course: Path, student: str) -> float:
    """Seconds to run the submission in a fresh kernel, as grading configures the kernel."""
    path = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    extra = list(nbgrader_api(course).config.Execute.extra_arguments)
    started = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", extra_arguments=extra, allow_errors=True, timeout=600,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - started


def time_autograde(course: Path, student: str) -> float:
    """Seconds for nbgrader to autograde the submission (gradebook writes included)."""
    started = time.perf_counter()
    failures = grading.autograde(course, ASSIGNMENT, [student])
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"autograde of {student} failed: {failures[student]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("students", nargs="*", default=["ada"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        course = copy_course(Path(scratch))
        generate_release(course, ASSIGNMENT)
        time_autograde(course, args.students[0])  # warm-up: imports, gradebook creation
        print(f"{'student':8s} {'execute s':>10s} {'autograde s':>12s} {'overhead s':>11s} {'ratio':>6s}")
        for student in args.students:
            execute = statistics.median(time_execute(course, student) for _ in range(args.repeats))
            autograde = statistics.median(time_autograde(course, student) for _ in range(args.repeats))
            print(f"{student:8s} {execute:10.2f} {autograde:12.2f} {autograde - execute:11.2f} {autograde / execute:6.2f}")
        print(f"(medians of {args.repeats} runs each, measured in one process)")


if __name__ == "__main__":
    main()
