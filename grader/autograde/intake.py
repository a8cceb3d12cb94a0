"""Check a submission before it is graded: is there a notebook, can it be read, are the grader's
cells where the release put them?

Each problem becomes a status and a one-line reason for the grade table. Files that cannot be
graded (no notebook, an unknown notebook, not a notebook) are not sent to a worker; a notebook
whose grader cells were changed is graded (nbgrader puts the cells back from the gradebook) and
marked ``metadata tampered`` so that a human looks at it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.cells import grade_id_of
from grader.experiments import sync_experiment_tags
from grader.statuses import (
    GRADABLE,
    GRADED,
    METADATA_TAMPERED,
    NOT_A_NOTEBOOK,
    NOTEBOOK_MISSING,
    UNKNOWN_NOTEBOOK,
)

#: The nbgrader metadata of a grader cell that a student must not change.
GUARDED_KEYS = ("grade", "solution", "locked", "task", "points")
#: Largest file of a submission that is shipped to a worker.
MAX_FILE_BYTES = 50 << 20
#: Files that Python could import in place of a real module: the grading kernel runs in the
#: submission's folder, first on its import path, so a ``torch.py`` there would replace torch (and
#: with it the tests' checks). They are not shipped; a submission is its notebooks and their data
#: (saved weights such as ``model.pth`` are data: Python reads ``.pth`` files in site folders only).
IMPORTABLE_SUFFIXES = (".py", ".pyc", ".pyd", ".so")


@dataclass
class Intake:
    """What the check found: ``status`` is ``graded`` when the submission can be graded as it is."""

    status: str = GRADED
    reason: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # what the worker gets, by relative path
    notebooks: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # metadata changes that nbgrader repairs
    left_out: list[str] = field(default_factory=list)  # Python files not shipped (IMPORTABLE_SUFFIXES)

    @property
    def gradable(self) -> bool:
        """Whether the submission goes to a worker."""
        return self.status in GRADABLE


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, or raise ``ValueError`` saying in one line why it is not one."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError(f"{path.name} is empty ({len(data)} bytes): submit the notebook saved from Jupyter")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path.name} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}): "
            "submit the .ipynb file itself, not an export or an archive"
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path.name} is broken JSON ({error.msg} at line {error.lineno}, column {error.colno}): "
            "the file was cut or edited by hand; submit a copy saved from Jupyter"
        ) from None
    if not isinstance(raw, dict) or "cells" not in raw:
        raise ValueError(f"{path.name} is JSON but not a notebook (no 'cells'): submit the .ipynb file")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # nbformat raises several kinds for a malformed notebook
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{path.name} is not a valid notebook ({first[:120]})") from None
    return nb


def changed_keys(meta: dict, original: dict) -> list[str]:
    """The guarded nbgrader metadata keys (:data:`GUARDED_KEYS`) whose values differ."""
    return [key for key in GUARDED_KEYS if meta.get(key) != original.get(key)]


def grader_cells(nb: nbformat.NotebookNode) -> dict[str, list[nbformat.NotebookNode]]:
    """The cells with nbgrader metadata, by grade id."""
    cells: dict[str, list] = {}
    for cell in nb.cells:
        grade_id = grade_id_of(cell)
        if grade_id:
            cells.setdefault(grade_id, []).append(cell)
    return cells


def compare_with_release(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """What a student changed in the grader's cells or the kernel, each as a short phrase."""
    problems = []
    submitted = grader_cells(nb)
    for grade_id, (expected, *_) in grader_cells(release).items():
        found = submitted.get(grade_id, [])
        if not found:
            problems.append(f"cell {grade_id} deleted")
            continue
        if len(found) > 1:
            problems.append(f"cell {grade_id} duplicated ({len(found)} copies)")
        cell = found[0]
        if cell.cell_type != expected.cell_type:
            problems.append(f"cell {grade_id} changed from {expected.cell_type} to {cell.cell_type}")
        meta, wanted = cell.metadata.get("nbgrader", {}), expected.metadata.get("nbgrader", {})
        changed = changed_keys(meta, wanted)
        if changed:
            problems.append(f"cell {grade_id} metadata changed ({', '.join(changed)})")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    expected_kernel = release.metadata.get("kernelspec", {}).get("name")
    if kernel != expected_kernel:
        problems.append(f"kernel {kernel!r} instead of {expected_kernel!r}")
    return problems


def drop_duplicate_grader_cells(nb: nbformat.NotebookNode) -> int:
    """Remove every later copy of a grader cell (same grade id); return how many were removed."""
    seen, kept = set(), []
    for cell in nb.cells:
        grade_id = grade_id_of(cell)
        if grade_id and grade_id in seen:
            continue
        seen.add(grade_id)
        kept.append(cell)
    removed = len(nb.cells) - len(kept)
    nb.cells = kept
    return removed


def restore_grader_metadata(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> int:
    """Give every grader cell of ``nb`` whose guarded metadata differs from the release the release's
    nbgrader metadata (a test cell turned into an answer cell, changed points, ...); return how many.
    nbgrader then puts the cell's source back as for any other grader cell."""
    expected = {grade_id: cells[0] for grade_id, cells in grader_cells(release).items()}
    restored = 0
    for grade_id, cells in grader_cells(nb).items():
        wanted = expected.get(grade_id)
        if wanted is None:
            continue
        for cell in cells:
            meta, original = cell.metadata["nbgrader"], wanted.metadata["nbgrader"]
            if changed_keys(meta, original):
                cell.metadata["nbgrader"] = copy.deepcopy(original)
                restored += 1
    return restored


def summarise(problems: list[str], most: int = 3) -> str:
    """The first ``most`` problems in one line, and how many more there are."""
    more = f"; and {len(problems) - most} more" if len(problems) > most else ""
    return "; ".join(problems[:most]) + more


def check_submission(folder: Path, release_folder: Path) -> Intake:
    """Check ``submitted/<student>/<assignment>/`` against ``release/<assignment>/``."""
    expected = sorted(p.name for p in release_folder.glob("*.ipynb"))
    refused = find_notebooks(folder, expected)
    if refused is not None:
        return refused
    intake = Intake()
    repaired = {}
    for name in expected:
        path = folder / name
        if not path.exists():
            intake.problems.append(f"{name} missing (scored 0)")
            continue
        try:
            nb = read_notebook(path)
        except (ValueError, OSError) as error:
            return Intake(NOT_A_NOTEBOOK, str(error))
        intake.notebooks[name] = nb
        release = nbformat.read(release_folder / name, as_version=4)
        intake.problems += compare_with_release(nb, release)
        # nbgrader stops at a duplicated grade id, and at a grader cell whose type or checksum it no longer trusts;
        # which grader cells are experiments (not re-run, outputs kept) is the release's word, not the student's
        if drop_duplicate_grader_cells(nb) + restore_grader_metadata(nb, release) + sync_experiment_tags(nb, release):
            repaired[name] = nbformat.writes(nb).encode("utf-8")
    intake.files, intake.left_out = submitted_files(folder)
    intake.files.update(repaired)
    if intake.problems:
        intake.status = METADATA_TAMPERED
        intake.reason = summarise(intake.problems) + " (graded with the grader's cells put back)"
    return intake


def find_notebooks(folder: Path, expected: list[str]) -> Intake | None:
    """Why a submission cannot be graded at all (no folder, no notebook, none of the ``expected`` names), or
    ``None`` when it holds at least one of them."""
    if not folder.is_dir():
        return Intake(NOTEBOOK_MISSING, f"no folder {folder.name}/ in the student's submission")
    notebooks = sorted(p.name for p in folder.glob("*.ipynb"))
    if not notebooks:
        return Intake(NOTEBOOK_MISSING, f"no .ipynb file in the submission; expected {', '.join(expected)}")
    if not any(name in expected for name in notebooks):
        return Intake(
            UNKNOWN_NOTEBOOK,
            f"found {', '.join(notebooks)}; expected {', '.join(expected)}: "
            "rename the file (or collect it again) and regrade",
        )
    return None


def submitted_files(folder: Path) -> tuple[dict[str, bytes], list[str]]:
    """The submission's files that go to the worker, by relative path, and the Python files left out
    (``IMPORTABLE_SUFFIXES``); links and files over ``MAX_FILE_BYTES`` are passed over."""
    files, left_out = {}, []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
            continue
        if path.suffix in IMPORTABLE_SUFFIXES:
            left_out.append(str(path.relative_to(folder)))
        else:
            files[str(path.relative_to(folder))] = path.read_bytes()
    return files, left_out
