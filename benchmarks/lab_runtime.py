"""A source notebook's run time, in full mode and in fast mode, cell by cell.

In one process, executes ``source/<assignment>/<assignment>.ipynb`` top to bottom in a fresh kernel, in full
mode (what students run) and with ``COURSE_FAST=1`` (what the tests run), and prints each run's wall time,
their ratio, and the slowest cells of the full run with their share of it (from the execution timestamps
nbclient records in each cell). An issue's aim for a lab's full run (the deeper-networks lab: 180 s on 2
cores) is compared by a person with the printed figure; nothing is asserted about time.

    python benchmarks/lab_runtime.py deep [--top 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.run_notebook import error_outputs, execute_notebook

ROOT = Path(__file__).resolve().parents[1]


def cell_seconds(nb: nbformat.NotebookNode) -> list[tuple[float, str]]:
    """(seconds, label) of every executed code cell, from nbclient's timestamps; the label is the grade id."""
    timings = []
    for index, cell in enumerate(nb.cells):
        stamps = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (
                datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                for k in ("iopub.execute_input", "shell.execute_reply")
            )
            label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
            timings.append(((end - start).total_seconds(), label))
    return timings


def timed_run(notebook: Path, fast: bool) -> tuple[float, nbformat.NotebookNode]:
    """Execute ``notebook`` once; return the wall time and the executed notebook (errors are reported)."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        nb = execute_notebook(notebook, Path(folder), fast=fast)
        seconds = time.perf_counter() - started
    if errors := error_outputs(nb):
        print(f"warning: the {'fast' if fast else 'full'} run printed errors: {errors}")
    return seconds, nb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="a folder of source/, e.g. deep")
    parser.add_argument("--top", type=int, default=8, help="how many of the slowest cells to list")
    args = parser.parse_args()
    notebook = ROOT / "source" / args.assignment / f"{args.assignment}.ipynb"
    if not notebook.is_file():
        sys.exit(f"error: {notebook} does not exist; name a folder of source/")
    full, executed = timed_run(notebook, fast=False)
    fast, _ = timed_run(notebook, fast=True)
    cells = sorted(cell_seconds(executed), reverse=True)
    in_cells = sum(seconds for seconds, _ in cells)
    print(f"{args.assignment}: full run {full:.1f} s (in cells {in_cells:.1f} s), fast run {fast:.1f} s")
    print(f"full / fast: {full / fast:.1f} x")
    print("slowest cells of the full run:")
    for seconds, label in cells[: args.top]:
        print(f"  {label:28} {seconds:6.1f} s  {seconds / in_cells:6.1%}")


if __name__ == "__main__":
    main()
