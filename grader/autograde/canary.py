"""The canary: before a class is graded, the instructor's own solution is graded through exactly the
same pipeline, and it must get every autograded point.

A grader that is misconfigured (a kernel that cannot import the course's packages, a test that the
release broke, a limit too tight for the reference) would otherwise give a whole class zeros.
:func:`reference_submission` makes the submission (the release notebooks with the source's
solutions in their answer cells), :func:`canary_problem` says in one line what went wrong with its
grading, or nothing.

A verdict holds as long as what it was reached with: :func:`canary_key` digests the release and the source of the
assignment, ``nbgrader_config.py``, the course's packages (the checks among them), the versions of Python and of
the libraries that grade, and the grading options. The status file keeps the key of the last pass
(:func:`grader.common.statuses.canary_passed_with`), and a run with the same key does not grade the reference again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import re
from pathlib import Path

import nbformat

from grader.autograde.worker import GradingResult
from grader.common.cells import grade_id_of, solutions
from grader.common.nbgrader_api import Gradebook
from grader.common.statuses import GRADED
from grader.kernel.sandbox import course_packages

#: The student id of the canary's submission (never written to the course gradebook).
CANARY = "reference-solution-canary"
UNDEFINED_NAME = re.compile(r"^NameError: name '(\w+)' is not defined")
#: The distributions whose versions a canary's verdict depends on.
GRADING_DISTRIBUTIONS = ("torch", "numpy", "nbgrader", "nbclient", "ipykernel", "matplotlib")


def reference_notebook(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``release`` with every answer cell holding the model answer from ``source``."""
    answers = solutions(source)
    answered = nbformat.from_dict(release)
    for cell in answered.cells:
        if grade_id_of(cell) in answers:
            cell.source = answers[grade_id_of(cell)]
    return answered


def reference_submission(root: Path, assignment: str) -> dict[str, bytes]:
    """The files of a submission that answers every task of ``assignment`` with the model answer."""
    files = {}
    for release_path in sorted((root / "release" / assignment).glob("*.ipynb")):
        source = nbformat.read(root / "source" / assignment / release_path.name, as_version=4)
        release = nbformat.read(release_path, as_version=4)
        files[release_path.name] = nbformat.writes(reference_notebook(source, release)).encode("utf-8")
    return files


def autograded_max_scores(db_url: str, course_id: str, assignment: str) -> dict[tuple[str, str], float]:
    """The points of each autograded test cell of ``assignment``, by (notebook, grade id)."""
    with Gradebook(db_url, course_id) as gb:
        scores = {}
        for notebook in gb.find_assignment(assignment).notebooks:
            answers = {cell.name for cell in notebook.solution_cells}
            for cell in notebook.grade_cells:
                if cell.name not in answers and cell.cell_type == "code":
                    scores[(notebook.name, cell.name)] = cell.max_score
        return scores


def _failure_of(result: GradingResult, notebook: str, grade_id: str) -> str:
    """The last error line a test cell printed in the canary's autograded notebook (``notebook`` is the
    gradebook's name of it, without ``.ipynb``)."""
    data = result.files.get(f"{notebook}.ipynb")
    if data is None:
        return "no autograded notebook came back"
    for cell in nbformat.reads(data.decode("utf-8"), as_version=4).cells:
        if grade_id_of(cell) == grade_id:
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                return f"{errors[-1].get('ename', 'Error')}: {str(errors[-1].get('evalue', '')).splitlines()[0][:200]}"
            return "it printed no error, but scored less than its points (output on stderr?)"
    return "the cell is missing from the autograded notebook"


def canary_problem(result: GradingResult, status: str, reason: str, max_scores: dict[tuple[str, str], float]) -> str:
    """What kept the reference solution from full marks, in one line; empty when it got every point.
    ``status`` and ``reason`` are the canary's outcome (:func:`grader.autograde.coordinator.outcome_of`)."""
    if not result.ok or status != GRADED:
        return f"{status}: {reason or result.error}"
    scored = {(g.notebook, g.name): g.auto_score or 0.0 for g in result.grades}
    short = [(key, points) for key, points in max_scores.items() if scored.get(key, 0.0) < points]
    if not short:
        return ""
    (notebook, grade_id), points = short[0]
    more = f" (and {len(short) - 1} more test cell(s))" if len(short) > 1 else ""
    failure = _failure_of(result, notebook, grade_id)
    undefined = UNDEFINED_NAME.match(failure)
    if undefined and result.report.experiments_skipped:
        failure += (
            f"; the test reads {undefined[1]!r}, which no cell that runs at grading defines: experiment cells are "
            "not re-run when graded, so a name that only an experiment assigns is missing; assign it outside the "
            "experiments, or move the test"
        )
    return (
        f"test cell {grade_id} of {notebook}.ipynb scored {scored.get((notebook, grade_id), 0.0):g} of {points:g}: "
        f"{failure}{more}"
    )


def canary_key(root: Path, assignment: str, options: dict) -> str:
    """The digest of what the canary's verdict on ``assignment`` depends on (see the module's docstring)."""
    digest = hashlib.sha256()
    folders = [(root / "release" / assignment, "*"), (root / "source" / assignment, "*")]
    folders += [(Path(folder), "*.py") for folder in course_packages()]
    for folder, pattern in folders:
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(folder)}\n".encode())
            digest.update(path.read_bytes())
    digest.update((root / "nbgrader_config.py").read_bytes())
    versions = {name: importlib.metadata.version(name) for name in GRADING_DISTRIBUTIONS}
    environment = {"python": platform.python_version(), "versions": versions, "options": options}
    digest.update(json.dumps(environment, sort_keys=True).encode())
    return digest.hexdigest()
