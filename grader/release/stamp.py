"""Stamp the "Open in Colab" badges and the setup cell's repository into the notebooks.

Each source notebook starts with a badge cell and a setup code cell. The badge points at the
notebook's *release* copy in the student repository on GitHub; the setup cell names the repository that Colab
installs ``helpers`` from, the same one. Both come from ``student_repository`` in ``[tool.course]``
(``pyproject.toml``), so a fork edits that line and runs ``course release`` (or ``course stamp``). The README's
notebook table is regenerated from the same information.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from grader.common import cells
from grader.common.assignments import course_assignments
from grader.common.config import CourseConfig

BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_PATTERN = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
REPOSITORY_PATTERN = re.compile(r'^COURSE_REPOSITORY = "[^"]*"', re.MULTILINE)
TABLE_START, TABLE_END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"


def badge(config: CourseConfig, release_path: str) -> str:
    """Markdown of the "Open in Colab" badge for a notebook under ``release/``."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({config.colab_url(release_path)})"


def release_path(config: CourseConfig, source_notebook: Path) -> str:
    """``release/<assignment>/<file>`` for a notebook under ``source/<assignment>/``."""
    relative = source_notebook.resolve().relative_to(config.root / "source")
    return (Path("release") / relative).as_posix()


def stamp_notebook(config: CourseConfig, path: Path, required: bool = True) -> bool:
    """Rewrite the badge and ``COURSE_REPOSITORY`` of one source notebook; True if it changed.

    Raises ``ValueError`` naming the notebook when it lacks the badge cell or the setup cell, unless not
    ``required`` (then such a notebook is left alone).
    """
    nb = nbformat.read(path, as_version=4)
    badge_cells = [c for c in nb.cells if c.cell_type == "markdown" and BADGE_PATTERN.search(c.source)]
    setup_cells = [c for c in nb.cells if c.cell_type == "code" and REPOSITORY_PATTERN.search(c.source)]
    if not badge_cells or not setup_cells:
        if not required:
            return False
        raise ValueError(
            f"{path}: every course notebook needs a markdown cell with an 'Open In Colab' badge and a "
            'setup code cell with a line COURSE_REPOSITORY = "owner/name"; copy them from source/tutorial'
        )
    new_badge = badge(config, release_path(config, path))
    changed = False
    for cell in badge_cells:
        source = BADGE_PATTERN.sub(lambda _: new_badge, cell.source)
        changed |= source != cell.source
        cell.source = source
    for cell in setup_cells:
        source = REPOSITORY_PATTERN.sub(f'COURSE_REPOSITORY = "{config.student_repository}"', cell.source)
        changed |= source != cell.source
        cell.source = source
    if changed:
        nbformat.write(nb, path)
    return changed


def notebook_title(path: Path) -> str:
    """The first markdown heading of a notebook, or its file name."""
    return cells.notebook_title(nbformat.read(path, as_version=4)) or path.stem


def notebook_table(config: CourseConfig, notebooks: list[Path]) -> str:
    """The README's Markdown table of notebooks with their badges."""
    rows = ["| notebook | student version | open |", "|---|---|---|"]
    for path in notebooks:
        target = release_path(config, path)
        rows.append(f"| {notebook_title(path)} | [`{target}`]({target}) | {badge(config, target)} |")
    return "\n".join(rows)


def stamp_readme(config: CourseConfig, notebooks: list[Path]) -> bool:
    """Regenerate the table between the README's notebook markers; True if it changed."""
    readme = config.root / "README.md"
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"{readme} lacks the markers {TABLE_START} and {TABLE_END} around the notebook table")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    new = f"{head}{TABLE_START}\n{notebook_table(config, notebooks)}\n{TABLE_END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def source_notebooks(config: CourseConfig) -> list[Path]:
    """Every notebook under ``source/<assignment>/``, the assignments in teaching order."""
    return [notebook for assignment in course_assignments(config) for notebook in assignment.notebooks()]


def stamp_all(config: CourseConfig) -> list[Path]:
    """Stamp every source notebook and the README; return the files that changed."""
    notebooks = source_notebooks(config)
    changed = [p for p in notebooks if stamp_notebook(config, p)]
    if stamp_readme(config, notebooks):
        changed.append(config.root / "README.md")
    return changed
