"""A new gradebook, as nbgrader makes one and as the course does: nbgrader asks its ``alembic`` script, in a process
of its own, for the schema version it stamps into the gradebook; :mod:`grader.common.nbgrader_api` reads that
version once in this process. Each new course and each grading run (whose bundle has a gradebook of its own) makes one.

Prints the median time of making a gradebook each way over ``--repeats`` and their ratio, last
``gradebook creation: nbgrader X s, course Y s, X/Y = R x``."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbgrader.api

NBGRADER_VERSION_LOOKUP = nbgrader.api.get_alembic_version  # before grader.common.nbgrader_api replaces it

from grader.common.nbgrader_api import Gradebook, find_alembic, gradebook_schema_version  # noqa: E402


def time_creation(folder: Path, name: str) -> float:
    """Seconds to make (and close) a new SQLite gradebook at ``folder/name``."""
    started = time.perf_counter()
    with Gradebook(f"sqlite:///{folder / name}", "benchmark"):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    find_alembic()  # nbgrader's way runs the script by name
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gradebook_schema_version()  # read once per process, as the course does: the first gradebook pays it
        course = [time_creation(folder, f"course-{i}.db") for i in range(args.repeats)]
        nbgrader.api.get_alembic_version = NBGRADER_VERSION_LOOKUP
        try:
            plain = [time_creation(folder, f"nbgrader-{i}.db") for i in range(args.repeats)]
        finally:
            nbgrader.api.get_alembic_version = gradebook_schema_version
    x, y = statistics.median(plain), statistics.median(course)
    for label, times in (("nbgrader (alembic subprocess)", plain), ("course (in-process version)", course)):
        each = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label:32s} median {statistics.median(times):.3f} s over {len(times)}: {each}")
    print(f"gradebook creation: nbgrader {x:.2f} s, course {y:.3f} s, X/Y = {x / y:.0f} x")


if __name__ == "__main__":
    main()
