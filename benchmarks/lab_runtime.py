"""The source notebooks' run times: full mode with one thread against torch's default, idle and under a load.

In one process, executes ``source/<assignment>/<assignment>.ipynb`` of each assignment named (every one by
default) top to bottom in a fresh kernel: in full mode (what students run) with one thread for torch and BLAS
(``COURSE_THREADS=1``, what the graded notebooks' imports cells set; the tutorial, which does not call
``helpers.limit_threads``, runs with the default both times) and with torch's default number of threads; with
``--load N`` the same again beside N busy processes (torch with its default threads, as other notebooks on a
shared machine); and once with ``COURSE_FAST=1`` (what the tests run). It prints each run's wall time, the
ratios, and the slowest cells of the idle one-thread run with their share of it (from the execution timestamps
nbclient records in each cell), to be compared with the per-cell limit and the run times the notebooks state;
nothing is asserted. ``--cell-limit S`` stops a run whose cell runs past S seconds (the grading limit is 120 s of
CPU time a cell) and prints it as ``> S/cell``: with the default threads beside a load, a whole lab can take many
times its idle run.

    python benchmarks/lab_runtime.py [deep ...] [--load 4] [--cell-limit 120] [--top 3]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch
from nbclient.exceptions import CellTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.threads import busy_processes
from grader.common.assignments import assignment_names, unknown_assignments
from grader.release.run_notebook import cell_seconds, error_outputs, execute_notebook
from helpers.environment import THREADS_ENV_VAR

ROOT = Path(__file__).resolve().parents[1]


def cell_timings(nb: nbformat.NotebookNode) -> list[tuple[float, str]]:
    """(seconds, label) of every executed code cell; the label is the grade id."""
    return [
        (seconds, cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}")
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (seconds := cell_seconds(cell)) is not None
    ]


def timed_run(
    notebook: Path, fast: bool, threads: int = 1, cell_limit: int = 1800
) -> tuple[float, nbformat.NotebookNode | None]:
    """Execute ``notebook`` once with ``threads`` threads for torch and BLAS; return the wall time and the executed
    notebook (errors are reported), or infinity and None when a cell ran past ``cell_limit`` seconds."""
    os.environ[THREADS_ENV_VAR] = str(threads)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        try:
            nb = execute_notebook(notebook, Path(folder), fast=fast, timeout=cell_limit)
        except CellTimeoutError:
            return math.inf, None
        seconds = time.perf_counter() - started
    if errors := error_outputs(nb):
        print(f"warning: the {'fast' if fast else 'full'} run printed errors: {errors}")
    return seconds, nb


def full_runs(
    assignments: list[str], default: int, cell_limit: int = 1800
) -> dict[str, tuple[float, float, nbformat.NotebookNode | None]]:
    """Each assignment's full run with one thread and with ``default`` threads: (seconds, seconds, the first)."""
    runs = {}
    for name in assignments:
        notebook = ROOT / "source" / name / f"{name}.ipynb"
        one, executed = timed_run(notebook, fast=False, threads=1, cell_limit=cell_limit)
        runs[name] = (one, timed_run(notebook, fast=False, threads=default, cell_limit=cell_limit)[0], executed)
    return runs


def shown(seconds: float, cell_limit: int) -> str:
    """A run's seconds, or how it was stopped."""
    return f"{seconds:8.1f}" if math.isfinite(seconds) else f"{f'> {cell_limit}/cell':>8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="folders of source/ (default: every assignment)")
    parser.add_argument("--load", type=int, default=0, help="busy processes beside a second round of full runs")
    parser.add_argument("--top", type=int, default=3, help="how many of the slowest cells to list")
    parser.add_argument("--cell-limit", type=int, default=1800, help="seconds a cell of a loaded run may take")
    args = parser.parse_args()
    names = args.assignments or assignment_names(ROOT)
    if unknown := unknown_assignments(ROOT, names):
        sys.exit(f"error: no source notebook for {', '.join(unknown)}; name folders of source/")
    default = torch.get_num_threads()
    print(f"{os.cpu_count()} cores; one thread against torch's default {default}; seconds of a whole run")
    idle = full_runs(names, default)
    loaded = {}
    if args.load:
        with busy_processes(args.load):
            loaded = full_runs(names, default, args.cell_limit)
    header = f"{'assignment':15} {'fast':>6} {'idle: 1 / default':>19} {'ratio':>6}"
    if loaded:
        header += f" {f'{args.load} busy: 1 / default':>21} {'ratio':>6}"
    print(header)
    for name, (one, many, _) in idle.items():
        fast, _ = timed_run(ROOT / "source" / name / f"{name}.ipynb", fast=True)
        line = f"{name:15} {fast:6.1f} {one:8.1f} / {many:8.1f} {many / one:6.2f}"
        if loaded:
            busy_one, busy_many, _ = loaded[name]
            stopped = not (math.isfinite(busy_one) and math.isfinite(busy_many))
            ratio = f"{'-':>6}" if stopped else f"{busy_many / busy_one:6.2f}"
            line += f"   {shown(busy_one, args.cell_limit)} / {shown(busy_many, args.cell_limit)} {ratio}"
        print(line)
    print("slowest cells of the idle one-thread runs:")
    for name, (_, _, executed) in idle.items():
        cells = sorted(cell_timings(executed), reverse=True)
        in_cells = sum(seconds for seconds, _ in cells)
        print(
            f"  {name}: "
            + ", ".join(f"{label} {seconds:.1f} s ({seconds / in_cells:.0%})" for seconds, label in cells[: args.top])
        )


if __name__ == "__main__":
    main()
