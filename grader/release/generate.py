"""Generate the student release with nbgrader's own ``generate_assignment``."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat

from grader.common.assignments import require_assignment
from grader.common.config import load_config
from grader.common.experiments import experiment_dependencies
from grader.common.nbgrader_api import nbgrader_api
from grader.release.stamp import stamp_notebook
from grader.release.student_guide import stamp_guide

log = logging.getLogger(__name__)


def generate_release(root: Path, assignment: str) -> Path:
    """Regenerate ``release/<assignment>/`` from ``source/<assignment>/``; return that folder.

    The source notebooks get their Colab badge and setup cell (:mod:`grader.release.stamp`), the grading limits and the
    "Check before you submit" cell (:mod:`grader.release.student_guide`) stamped first.

    Raises ``ValueError`` naming each test and name when a cell that runs at grading reads a name that only an
    experiment cell assigns (:func:`grader.common.experiments.experiment_dependencies`): grading does not re-run
    experiments. Raises ``RuntimeError`` carrying nbgrader's log when nbgrader refuses the source (for
    example a solution region without its end marker).
    """
    require_assignment(root, assignment)
    log.info("releasing %s from source/%s/", assignment, assignment)
    config = load_config(root)
    for notebook in sorted((root / "source" / assignment).glob("*.ipynb")):
        problems = experiment_dependencies(nbformat.read(notebook, as_version=4))
        if problems:
            raise ValueError(
                f"source/{assignment}/{notebook.name} cannot be released: grading skips its experiment cells, and\n  "
                + "\n  ".join(problems)
            )
        stamp_notebook(config, notebook, required=False)  # the badge and setup cell: the student repository
        changed = stamp_guide(root, notebook)  # the grading limits and the check cell, as of today's configuration
        log.debug("%s: grading limits and check cell %s", notebook.name, "stamped" if changed else "as they were")
    result = nbgrader_api(root).generate_assignment(assignment, force=True, create=True)
    log.debug("nbgrader generate_assignment %s:\n%s", assignment, result.get("log", ""))
    if not result["success"]:
        raise RuntimeError(
            f"nbgrader generate_assignment {assignment} failed:\n{result.get('log', '')}{result.get('error', '')}"
        )
    return root / "release" / assignment
