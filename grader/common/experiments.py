"""Experiment cells: the cells of an assignment that only feed hand-graded answers (training sweeps, learning-rate
grids, the figures a TA reads), tagged ``experiment`` in the source notebook (Jupyter's cell tags, in JupyterLab's
property inspector). The tag survives ``course release`` into the student's notebook.

When a submission is graded, an experiment cell is not executed: its outputs are the ones the student submitted,
kept by :class:`KeepExperimentOutputs` (nbgrader's ClearOutput step, but for them) and skipped by
:class:`grader.kernel.guarded_execute.GuardedExecute`, which marks each with :data:`NOT_RERUN_NOTE`. Test cells
always run, whatever their tags say. This module also holds what makes skipping safe and visible:

- :func:`experiment_dependencies`: the static check of ``course release`` that no cell which runs when graded
  reads a name that only an experiment cell assigns (:func:`experiment_only_names`); the canary catches what a
  static check cannot see (:mod:`grader.autograde.canary`);
- :func:`experiments_not_run`: the experiment cells a submission carries no outputs for (the review flag
  :data:`NOT_RUN_FLAG`);
- :func:`sync_experiment_tags`: a grader cell is an experiment when the release says so, not when a student's
  copy does.
"""

from __future__ import annotations

import ast
import builtins

from IPython.core.inputtransformer2 import TransformerManager
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import ClearOutput
from nbgrader.utils import is_grade, is_solution

from grader.common.cells import grade_id_of

EXPERIMENT_TAG = "experiment"
#: The line shown above every experiment cell of an autograded notebook (and so in the formgrader and feedback).
NOT_RERUN_NOTE = "not re-run when graded: the outputs are the student's own"
#: The cell metadata key of that line's markdown cell.
NOTE_KEY = "grading_note"
#: The review flag of a submission whose experiment cells carry no outputs.
NOT_RUN_FLAG = "experiments not run"
#: Names a notebook's kernel defines besides Python's builtins.
KERNEL_NAMES = frozenset({"get_ipython", "display", "In", "Out", "exit", "quit"})

_transformer = TransformerManager()


def has_experiment_tag(cell: NotebookNode) -> bool:
    """Whether ``cell`` carries the ``experiment`` tag."""
    return EXPERIMENT_TAG in cell.get("metadata", {}).get("tags", [])


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograder test cell: a graded code cell that is not an answer cell."""
    return cell.cell_type == "code" and bool(is_grade(cell)) and not is_solution(cell)


def is_experiment(cell: NotebookNode) -> bool:
    """Whether grading skips ``cell`` and keeps its outputs: a tagged code cell that is not a test cell."""
    return cell.get("cell_type") == "code" and has_experiment_tag(cell) and not is_test_cell(cell)


def cell_label(cell: NotebookNode, index: int) -> str:
    """A cell's name in messages: its grade id, else its position."""
    return grade_id_of(cell) or f"cell {index}"


def names_of(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code assigns anywhere (targets, imports, definitions, parameters) and the names it reads
    that it does not assign itself; IPython magics are understood. A cell that does not parse assigns and reads
    nothing (the kernel reports its syntax error)."""
    try:
        tree = ast.parse(_transformer.transform_cell(source))
    except (SyntaxError, ValueError):
        return set(), set()
    assigned, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else assigned).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            assigned.add(node.name)
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
        elif isinstance(node, ast.alias):
            assigned.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            assigned.update(node.names)
    return assigned, read - assigned - set(dir(builtins)) - KERNEL_NAMES


def experiment_only_names(nb: NotebookNode) -> dict[str, str]:
    """The names that only experiment cells assign, each with the label of the first experiment cell that does."""
    by_experiments: dict[str, str] = {}
    elsewhere: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assigned, _ = names_of(cell.source)
        if is_experiment(cell):
            for name in assigned:
                by_experiments.setdefault(name, cell_label(cell, index))
        else:
            elsewhere |= assigned
    return {name: label for name, label in by_experiments.items() if name not in elsewhere}


def experiment_dependencies(nb: NotebookNode) -> list[str]:
    """What would break when experiments are skipped, one line each: a test cell tagged as an experiment, or a
    cell that runs when graded reading a name that only an experiment cell assigns. Empty when grading may skip
    the experiments."""
    problems = [
        f"test cell {cell_label(cell, index)} is tagged {EXPERIMENT_TAG!r}: tests always run when graded; "
        "remove the tag"
        for index, cell in enumerate(nb.cells)
        if has_experiment_tag(cell) and is_test_cell(cell)
    ]
    only = experiment_only_names(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_experiment(cell):
            continue
        _, read = names_of(cell.source)
        missed = sorted(read & only.keys())
        if missed:
            kind = "test cell" if is_test_cell(cell) else "cell"
            names = ", ".join(f"{name!r} (from {only[name]})" for name in missed)
            problems.append(
                f"{kind} {cell_label(cell, index)} reads {names}, which only experiment cells assign: assign "
                f"{'them' if len(missed) > 1 else 'it'} outside the experiments, or move the cell"
            )
    return problems


def experiments_not_run(nb: NotebookNode) -> list[str]:
    """The labels of the experiment cells that carry no outputs and no execution count: never run, or their
    outputs cleared."""
    return [
        cell_label(cell, index)
        for index, cell in enumerate(nb.cells)
        if is_experiment(cell) and cell.source.strip() and not cell.get("outputs") and not cell.get("execution_count")
    ]


def not_run_flag(nb: NotebookNode) -> str | None:
    """The review flag of a submission whose experiment cells carry no outputs (None when they all ran)."""
    missing = experiments_not_run(nb)
    if not missing:
        return None
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return f"{NOT_RUN_FLAG}: no outputs in {', '.join(missing[:3])}{more}"


def sync_experiment_tags(nb: NotebookNode, release: NotebookNode) -> int:
    """Give every grader cell of ``nb`` (a cell with a grade id) the release's ``experiment`` tag, or take it
    away; return how many cells changed. A student's copy cannot make a grader cell an experiment, or stop one
    being one."""
    tagged = {grade_id_of(cell): has_experiment_tag(cell) for cell in release.cells if grade_id_of(cell)}
    changed = 0
    for cell in nb.cells:
        grade_id = grade_id_of(cell)
        if grade_id not in tagged or has_experiment_tag(cell) == tagged[grade_id]:
            continue
        tags = [tag for tag in cell.metadata.get("tags", []) if tag != EXPERIMENT_TAG]
        cell.metadata["tags"] = [*tags, EXPERIMENT_TAG] if tagged[grade_id] else tags
        changed += 1
    return changed


def note_cell(index: int) -> NotebookNode:
    """The markdown cell placed above the skipped experiment cell at ``index`` in the autograded notebook."""
    return new_markdown_cell(f"*{NOT_RERUN_NOTE}*", metadata={NOTE_KEY: EXPERIMENT_TAG}, id=f"not-rerun-{index}")


class KeepExperimentOutputs(ClearOutput):
    """nbgrader's ClearOutput, except for experiment cells: their outputs are the student's, kept for grading."""

    def preprocess_cell(self, cell, resources, cell_index):
        if is_experiment(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)
