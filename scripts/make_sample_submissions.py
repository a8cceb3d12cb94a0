"""Write the sample classes into submitted/: the submissions the demo and the tests grade.

Every submission starts from the student release (release/<assignment>/<assignment>.ipynb) and fills
answer cells with the reference solution from source/, then applies its student's mistakes. Each
mistake is a typical one and breaks one task only, so the tests can check that it costs that task's
points and no others.

Then each submission is executed once, top to bottom in full mode, as a student runs it before handing it in
(errors do not stop the run), so that it carries its outputs: grading keeps the outputs of the experiment cells
(grader/common/experiments.py) instead of re-running them. The untouched release ("ben") is handed in without running
it. An executed notebook is cached in build/sample-runs/, keyed by the notebook and the helpers package, so a
second run executes only what changed; the outputs are committed with submitted/, and the tests never execute
them again. Run after changing a source notebook and regenerating release/:

    python scripts/make_sample_submissions.py [ASSIGNMENT ...]   # default: every graded assignment

After a change to a locked cell only (task text, a mark scheme), which grading does not run, bring the
submissions' copies of the locked cells up to date without running them again:

    python scripts/make_sample_submissions.py --locked-cells [ASSIGNMENT ...]

Each assignment's students and their mistakes are in scripts/sample_classes/<assignment>.py.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib
import os
import re
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from types import ModuleType

import nbformat
from nbclient import NotebookClient

from grader.common.assignments import graded_assignment_names
from grader.common.cells import grade_id_of, solutions
from grader.kernel.environment import QUIET_KERNEL, grading_environment
from helpers.environment import FAST_ENV_VAR, FIGURE_DIR_ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "sample-runs"
#: seconds a cell of a sample submission may run
CELL_TIMEOUT = 600


def sample_class(assignment: str) -> ModuleType:
    """The module ``scripts/sample_classes/<assignment>.py``: ``STUDENTS`` and any ``PARTLY_DONE``."""
    try:
        return importlib.import_module(f"sample_classes.{assignment}")
    except ModuleNotFoundError as error:
        if error.name != f"sample_classes.{assignment}":
            raise
        raise SystemExit(
            f"no sample class for {assignment}: write scripts/sample_classes/{assignment}.py (docs/contributing.md)"
        ) from None


def sample_notebooks(assignment: str) -> dict[str, tuple[nbformat.NotebookNode, bool]]:
    """Every sample student's notebook of ``assignment``, not yet run, and whether the student runs it."""
    notebook = f"{assignment}.ipynb"
    source = nbformat.read(ROOT / "source" / assignment / notebook, as_version=4)
    answers = solutions(source)
    students = sample_class(assignment)
    partly_done = getattr(students, "PARTLY_DONE", {})
    notebooks = {}
    for student, (description, edits) in students.STUDENTS.items():
        nb = nbformat.read(ROOT / "release" / assignment / notebook, as_version=4)
        answered = partly_done.get(student, answers)
        if edits is not None:
            for cell in nb.cells:
                grade_id = grade_id_of(cell)
                if grade_id in answers and grade_id in answered:
                    cell.source = answers[grade_id]
                    for pattern, replacement in edits.get(grade_id, []):
                        new = re.sub(pattern, replacement, cell.source, count=1, flags=re.MULTILINE)
                        assert new != cell.source, f"{student}: {pattern!r} not found in {grade_id}"
                        cell.source = new
        nb.metadata["sample_submission"] = description
        notebooks[student] = (nb, edits is not None)
    return notebooks


def cache_path(nb: nbformat.NotebookNode) -> Path:
    """Where the executed ``nb`` is cached: named by the notebook and the helpers package it imports."""
    digest = hashlib.sha256(nbformat.writes(nb).encode("utf-8"))
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        digest.update(path.read_bytes())
    return CACHE / f"{digest.hexdigest()[:32]}.ipynb"


def run_as_a_student(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` executed top to bottom in full mode, in a scratch folder, errors and all; one thread for each math
    library, as a grading kernel has (small networks run fastest so, and two runs share the machine)."""
    with tempfile.TemporaryDirectory(prefix="sample-run-") as folder:
        env = grading_environment(os.environ)
        env.update({FAST_ENV_VAR: "0", FIGURE_DIR_ENV_VAR: str(Path(folder) / "figures")})
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=True,
            record_timing=True,  # each cell's run time: tests/test_sample_runs.py reads it
            coalesce_streams=True,  # one output per stream and cell, carriage returns applied: a bar's last line
            extra_arguments=list(QUIET_KERNEL),
            resources={"metadata": {"path": folder}},
        )
        client.execute(env=env)
    return nb


def _run_and_cache(nb: nbformat.NotebookNode, cached: Path) -> Path:
    executed = run_as_a_student(nb)
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(".tmp")
    nbformat.write(executed, temporary)
    os.replace(temporary, cached)
    return cached


def write_classes(assignments: list[str], jobs: int = 2) -> None:
    """Write ``submitted/<student>/<assignment>/`` for every sample student of ``assignments``, executing (in
    ``jobs`` processes) the notebooks that the cache does not hold yet."""
    planned = []
    for assignment in assignments:
        for student, (nb, runs) in sample_notebooks(assignment).items():
            planned.append((ROOT / "submitted" / student / assignment / f"{assignment}.ipynb", nb, runs))
    missing = {cache_path(nb): nb for _, nb, runs in planned if runs and not cache_path(nb).exists()}
    print(f"{len(planned)} sample submissions; executing {len(missing)} of them (the others are cached)", flush=True)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        for done in pool.map(_run_and_cache, missing.values(), missing.keys()):
            print(f"  executed {done.relative_to(ROOT)}", flush=True)
    for path, nb, runs in planned:
        if runs:
            nb = nbformat.read(cache_path(nb), as_version=4)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: {nb.metadata['sample_submission']}{'' if runs else ' (not run)'}")


def refresh_given_cells(assignments: list[str]) -> None:
    """Give the sample submissions of ``assignments`` the release's locked cells (their text and nbgrader's
    checksums), as a student's fresh download of the release would have, without running anything again: for a
    change of the task text or a mark scheme, which grading does not run."""
    for assignment in assignments:
        release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        given = {grade_id_of(c): c for c in release.cells if grade_id_of(c) and c.metadata.nbgrader.get("locked")}
        for path in sorted((ROOT / "submitted").glob(f"*/{assignment}/{assignment}.ipynb")):
            nb = nbformat.read(path, as_version=4)
            stale = [c for c in nb.cells if grade_id_of(c) in given and c.source != given[grade_id_of(c)].source]
            for cell in stale:
                cell.source = given[grade_id_of(cell)].source
                cell.metadata = copy.deepcopy(given[grade_id_of(cell)].metadata)
            if stale:
                nbformat.write(nb, path)
            print(f"{path.relative_to(ROOT)}: {len(stale)} locked cell(s) brought up to date")


def main() -> None:
    graded = graded_assignment_names(ROOT)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "assignments",
        nargs="*",
        metavar="ASSIGNMENT",
        help=f"the assignments whose sample class to write (default: all of {', '.join(graded)})",
    )
    parser.add_argument(
        "--locked-cells",
        action="store_true",
        help="only bring the submissions' copies of the locked cells up to date, running nothing",
    )
    arguments = parser.parse_args()
    unknown = sorted(set(arguments.assignments) - set(graded))
    if unknown:
        parser.error(f"no graded assignment {', '.join(unknown)}; the graded assignments are {', '.join(graded)}")
    (refresh_given_cells if arguments.locked_cells else write_classes)(arguments.assignments or graded)


if __name__ == "__main__":
    main()
