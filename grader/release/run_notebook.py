"""Execute a notebook top to bottom, as "Restart & Run All" does, and save what it shows."""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from grader.kernel.environment import QUIET_KERNEL, notebook_environment
from helpers.environment import FAST_ENV_VAR, FIGURE_DIR_ENV_VAR

#: A whole line of a tqdm text bar, "networks:  43%|####3     | 3/7 [00:01<00:02, 2.1it/s]" (to ``fullmatch`` a line
#: without its end): its count and its total. A message written while a bar runs is glued to the bar's line, which
#: then does not match.
PROGRESS_BAR_LINE = re.compile(r"[^|\n]*\d+%\|[^|\n]*\| (\d+)/(\d+) \[[^\]\n]*\]\s*")


def execute_notebook(notebook: Path, out_dir: Path, fast: bool = False, timeout: int = 1800) -> nbformat.NotebookNode:
    """Run a copy of ``notebook`` in ``out_dir`` in a fresh kernel; return the executed notebook.

    Writes the executed notebook, an HTML rendering of it, and every figure the notebook
    saves (``out_dir/figures/*.png``). ``fast`` sets ``COURSE_FAST=1`` in the kernel.
    ``timeout`` bounds each cell, in seconds. Raises ``nbclient`` 's ``CellExecutionError``
    when a cell fails; the partly executed notebook is saved first.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / notebook.name
    shutil.copyfile(notebook, target)
    nb = nbformat.read(target, as_version=4)
    env = notebook_environment(os.environ)
    env.update({FAST_ENV_VAR: "1" if fast else "0", FIGURE_DIR_ENV_VAR: str((out_dir / "figures").resolve())})
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        extra_arguments=list(QUIET_KERNEL),
        resources={"metadata": {"path": str(out_dir)}},
        coalesce_streams=True,  # one output per stream and cell, carriage returns applied: a bar's last line
    )
    try:
        client.execute(env=env)
    finally:
        nbformat.write(nb, target)
        html, _ = HTMLExporter().from_notebook_node(nb)
        target.with_suffix(".html").write_text(html, encoding="utf-8")
    return nb


def only_progress_bars(text: str) -> bool:
    """Whether every line of ``text`` that is not blank is a progress bar's (:data:`PROGRESS_BAR_LINE`)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(PROGRESS_BAR_LINE.fullmatch(line) for line in lines)


def error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Describe every error output and every stderr stream of an executed notebook, but for progress bars."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr" and not only_progress_bars(output.text):
                found.append(f"cell {index}: stderr: {output.text[:200]}")
    return found


def cell_seconds(cell: nbformat.NotebookNode) -> float | None:
    """How long an executed code cell ran, from the timestamps nbclient records (``record_timing``); None when
    the cell carries none."""
    stamps = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in stamps or "shell.execute_reply" not in stamps:
        return None
    start, end = (
        datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
        for key in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - start).total_seconds()
