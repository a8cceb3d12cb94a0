"""What an assignment tells its students before they submit, written into its source notebook from the
course's own definitions, so that nothing is typed twice:

- the grading limits, from ``nbgrader_config.py``, between the markers ``<!-- grading-limits:start -->``
  and ``<!-- grading-limits:end -->`` of a markdown cell;
- the "Check before you submit" cell (grade id ``check_before_submit``): every visible test of the
  notebook run again, one line per task, in Colab as in Jupyter (where nbgrader's Validate button is
  missing).

:func:`grader.release.generate.generate_release` stamps both before nbgrader makes the release.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade

from grader.common.cells import grade_id_of, visible_check_task
from grader.common.limits import configured_limits
from grader.common.nbgrader_api import load_course_config

LIMITS_START, LIMITS_END = "<!-- grading-limits:start -->", "<!-- grading-limits:end -->"
CHECK_CELL = "check_before_submit"
TASK_HEADING = re.compile(r"^##\s+Task\s+(\d+)", re.MULTILINE)


def grading_limits(root: Path) -> dict[str, float]:
    """The limits the grader enforces, as the course's ``nbgrader_config.py`` sets them
    (:mod:`grader.common.limits`)."""
    return configured_limits(load_course_config(root))


def _duration(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds % 60 == 0 and seconds >= 120 else f"{seconds} s"


def limits_markdown(limits: dict[str, float]) -> str:
    """The grading limits as a short Markdown list for students."""
    factor = limits["wall_clock_factor"]
    return (
        f"* each cell may use at most **{limits['cell_seconds']} s** of CPU time, the whole notebook at most "
        f"**{_duration(limits['notebook_seconds'])}**, with at most **{limits['memory_mb']} MiB** of memory;\n"
        "* time is counted in CPU time, the processor time your code uses, so a busy grading machine does not\n"
        f"  count against you; code that sleeps or waits is stopped at {factor:g} times a limit in clock time;\n"
        "* a cell past its time is interrupted and its tests fail; a notebook past its time or memory is stopped,\n"
        "  and the tests it did not reach score 0;\n"
        "* the cells tagged `experiment` (the experiments, for the answers graded by hand) are not run again:\n"
        "  their outputs are graded as you submit them, so run them before you submit;\n"
        f"* output beyond {limits['output_kb']} KiB per cell is dropped."
    )


def visible_checks(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Every visible test cell of ``nb``, labelled ``Task N <name>``, in notebook order."""
    checks, number = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (heading := TASK_HEADING.search(cell.source)):
            number = heading.group(1)
        task = visible_check_task(grade_id_of(cell) or "")
        if cell.cell_type == "code" and task:
            checks[f"Task {number} {task}" if number else task] = cell.source
    return checks


def check_cell_source(nb: nbformat.NotebookNode) -> str:
    """The code of the "Check before you submit" cell for the visible tests of ``nb``."""
    entries = "".join(f"    {label!r}: {source!r},\n" for label, source in visible_checks(nb).items())
    return (
        "# Check before you submit: every visible check above, run again, one line per task.\n"
        "# Run it after Restart & Run All (Colab: Runtime > Restart session and run all).\n"
        "import contextlib as _contextlib\n"
        "import io as _io\n\n"
        f"_CHECKS = {{\n{entries}}}\n"
        "_ready = 0\n"
        "for _task, _source in _CHECKS.items():\n"
        "    try:\n"
        "        with _contextlib.redirect_stdout(_io.StringIO()):\n"
        "            exec(_source, globals())\n"
        "    except NotImplementedError:\n"
        '        print(f"{_task}: not done yet (the answer cell still raises NotImplementedError)")\n'
        "    except Exception as _error:\n"
        '        print(f"{_task}: {type(_error).__name__}: {_error}")\n'
        "    else:\n"
        "        _ready += 1\n"
        '        print(f"{_task}: ready")\n'
        'print(f"\\n{_ready} of {len(_CHECKS)} tasks pass their visible checks; "\n'
        '      "the hidden tests check more when you submit.")'
    )


def stamp_guide(root: Path, path: Path) -> bool:
    """Write the grading limits and the check cell into the source notebook ``path``; True if it changed.

    Notebooks without grade cells (tutorials) are left alone. Raises ``ValueError`` naming what an
    assignment lacks.
    """
    nb = nbformat.read(path, as_version=4)
    if not any(is_grade(cell) for cell in nb.cells):
        return False
    limit_cells = [
        c for c in nb.cells if c.cell_type == "markdown" and LIMITS_START in c.source and LIMITS_END in c.source
    ]
    check_cells = [c for c in nb.cells if grade_id_of(c) == CHECK_CELL]
    if not limit_cells or not check_cells:
        raise ValueError(
            f"{path}: a graded notebook needs a markdown cell with the markers {LIMITS_START} and {LIMITS_END} "
            f"(the grading limits go between them) and a read-only code cell with grade id {CHECK_CELL!r}; "
            "copy them from source/project1"
        )
    changed = False
    limits = limits_markdown(grading_limits(root))
    for cell in limit_cells:
        head, rest = cell.source.split(LIMITS_START, 1)
        _, tail = rest.split(LIMITS_END, 1)
        source = f"{head}{LIMITS_START}\n{limits}\n{LIMITS_END}{tail}"
        changed |= source != cell.source
        cell.source = source
    for cell in check_cells:
        source = check_cell_source(nb)
        changed |= source != cell.source
        cell.source = source
    if changed:
        nbformat.write(nb, path)
    return changed
