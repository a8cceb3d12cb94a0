"""Check a submission before it is graded: is there a notebook, can it be read, are the grader's
cells where the release put them?

Each problem becomes a status and a one-line reason for the grade table. Files that cannot be
graded (no notebook, an unknown notebook, not a notebook) are not sent to a worker; a notebook
whose grader cells were changed is graded (nbgrader puts the cells back from the gradebook) and
marked ``metadata tampered`` so that a human looks at it; a grader cell whose grade id was renamed gets its id
back, and one the release does not know loses its grader metadata (nbgrader would stop at it).

Two mistakes cost the submission its points but still get a feedback page that says what happened: the untouched
release notebook is graded in its place (every task 0), with a status of its own:

- ``wrong assignment``: the notebook is another assignment's (most of its grade ids are that release's);
- ``too large``: a notebook over the size limit (``GuardedExecute.submission_file_limit_mb``); other files over
  it are left out, with a review flag.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.common.cells import grade_id_of
from grader.common.experiments import sync_experiment_tags
from grader.common.limits import MAX_FILE_BYTES
from grader.common.statuses import (
    GRADABLE,
    GRADED,
    METADATA_TAMPERED,
    NOT_A_NOTEBOOK,
    NOTEBOOK_MISSING,
    TOO_LARGE,
    UNKNOWN_NOTEBOOK,
    WRONG_ASSIGNMENT,
)

#: The nbgrader metadata of a grader cell that a student must not change (nbgrader refuses a notebook whose
#: ``schema_version`` is not its own).
GUARDED_KEYS = ("grade", "solution", "locked", "task", "points", "schema_version")
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
    too_large: list[str] = field(default_factory=list)  # other files over the size limit, not shipped

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


def check_submission(
    folder: Path, release_folder: Path, max_bytes: int = MAX_FILE_BYTES, foreign_ids: dict[str, str] | None = None
) -> Intake:
    """Check ``submitted/<student>/<assignment>/`` against ``release/<assignment>/``. ``max_bytes``: the size limit
    of a submitted file; ``foreign_ids``: the grade ids of the other assignments' notebooks
    (:func:`foreign_grade_ids`), by which a notebook of another assignment is recognised."""
    expected = sorted(p.name for p in release_folder.glob("*.ipynb"))
    refused = find_notebooks(folder, expected)
    if refused is not None:
        return refused
    oversized = [(name, size) for name in expected if (size := _size(folder / name)) > max_bytes]
    if oversized:
        name, size = oversized[0]
        return graded_as_release(
            release_folder,
            TOO_LARGE,
            f"{name} is too large ({_megabytes(size)}; the limit is {_megabytes(max_bytes)}): clear the outputs "
            "(Edit > Clear Outputs of All Cells, then run it again) and submit again",
        )
    intake, repaired = Intake(), {}
    for name in expected:
        path = folder / name
        if path.is_symlink():
            return Intake(NOT_A_NOTEBOOK, f"{name} is a link, not a file: submit the notebook itself")
        if not path.exists():
            intake.problems.append(f"{name} missing (scored 0)")
            continue
        try:
            nb = read_notebook(path)
        except (ValueError, OSError) as error:
            return Intake(NOT_A_NOTEBOOK, str(error))
        release = nbformat.read(release_folder / name, as_version=4)
        other = other_assignment(nb, release, foreign_ids or {})
        if other:
            return graded_as_release(
                release_folder,
                WRONG_ASSIGNMENT,
                f"this is the notebook of {other}, not {release_folder.name}/{name}: put your answers in "
                f"{release_folder.name}'s own {name} and submit that",
            )
        intake.notebooks[name] = nb
        problems, changed = repair_notebook(nb, release)
        intake.problems += problems
        if changed:
            repaired[name] = nbformat.writes(nb).encode("utf-8")
    intake.files, intake.left_out, intake.too_large = submitted_files(folder, max_bytes)
    intake.files.update(repaired)
    if intake.problems:
        intake.status = METADATA_TAMPERED
        intake.reason = summarise(intake.problems) + " (graded with the grader's cells put back)"
    return intake


def repair_notebook(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> tuple[list[str], bool]:
    """What the student changed in the grader's cells (:func:`repair_unknown_cells`,
    :func:`compare_with_release`), and whether ``nb`` was repaired for nbgrader: it stops at a duplicated or
    unknown grade id, and at a grader cell whose type or checksum it no longer trusts; which grader cells are
    experiments (not re-run, outputs kept) is the release's word, not the student's."""
    renamed = repair_unknown_cells(nb, release)
    problems = renamed + compare_with_release(nb, release)
    repairs = drop_duplicate_grader_cells(nb) + restore_grader_metadata(nb, release) + sync_experiment_tags(nb, release)
    return problems, bool(renamed or repairs)


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() and not path.is_symlink() else 0


def _megabytes(size: int) -> str:
    """``size`` in MB, rounded up to a tenth (so that a file just over a limit never reads as the limit)."""
    return f"{math.ceil(size / 1e5) / 10:g} MB"


def graded_as_release(release_folder: Path, status: str, reason: str) -> Intake:
    """A submission that is graded as the untouched release (every task 0), so that its feedback page says what
    happened: ``status`` and ``reason`` are its row's."""
    files = {p.name: p.read_bytes() for p in sorted(release_folder.glob("*.ipynb"))}
    return Intake(status, reason, files=files)


def foreign_grade_ids(release_root: Path, assignment: str) -> dict[str, str]:
    """The grade ids of every released notebook of the other assignments that ``assignment``'s release does not
    use too, each with its notebook's name (``xor/xor.ipynb``)."""
    own = {grade_id for path in (release_root / assignment).glob("*.ipynb") for grade_id in _grade_ids(path)}
    foreign = {}
    for path in sorted(release_root.glob("*/*.ipynb")):
        if path.parent.name != assignment:
            where = f"{path.parent.name}/{path.name}"
            foreign |= {grade_id: where for grade_id in _grade_ids(path) - own}
    return foreign


def _grade_ids(path: Path) -> set[str]:
    return set(grader_cells(nbformat.read(path, as_version=4)))


def other_assignment(nb: nbformat.NotebookNode, release: nbformat.NotebookNode, foreign: dict[str, str]) -> str:
    """The notebook (``xor/xor.ipynb``) that ``nb`` is, when it holds fewer than half of ``release``'s grade ids and
    more of that notebook's; else ``""``."""
    ids, own = set(grader_cells(nb)), set(grader_cells(release))
    counts: dict[str, int] = {}
    for grade_id in ids & set(foreign):
        counts[foreign[grade_id]] = counts.get(foreign[grade_id], 0) + 1
    if not counts or 2 * len(ids & own) >= len(own):
        return ""
    where, count = max(counts.items(), key=lambda item: item[1])
    return where if count > len(ids & own) else ""


def _kind(cell: nbformat.NotebookNode) -> tuple:
    """What a grader cell is: its type, and whether it is an answer, a test, locked or a task."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type, *(bool(meta.get(key)) for key in ("solution", "grade", "locked", "task"))


def repair_unknown_cells(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Give back its grade id to each grader cell whose id was renamed (paired, in order, with a missing release cell
    of the same kind: type, and whether it is an answer, a test, locked or a task), and take the grader metadata off
    every other cell whose grade id the release does not know (nbgrader stops at it); return what was done, a phrase
    each."""
    expected = grader_cells(release)
    submitted = grader_cells(nb)
    missing = [grade_id for grade_id in expected if grade_id not in submitted]
    problems = []
    for grade_id, cells in submitted.items():
        if grade_id in expected:
            continue
        for cell in cells:
            match = next((m for m in missing if _kind(expected[m][0]) == _kind(cell)), None)
            if match is None:
                del cell.metadata["nbgrader"]
                problems.append(f"cell {grade_id} is no cell of the release (its grader metadata removed)")
                continue
            missing.remove(match)
            cell.metadata["nbgrader"] = copy.deepcopy(expected[match][0].metadata["nbgrader"])
            problems.append(f"cell {match} renamed to {grade_id} (its name put back)")
    return problems


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


def submitted_files(folder: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[dict[str, bytes], list[str], list[str]]:
    """The submission's files that go to the worker, by relative path, the Python files left out
    (``IMPORTABLE_SUFFIXES``) and the files left out for their size (over ``max_bytes``); links are passed over."""
    files, left_out, too_large = {}, [], []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = str(path.relative_to(folder))
        if path.stat().st_size > max_bytes:
            too_large.append(relative)
        elif path.suffix in IMPORTABLE_SUFFIXES:
            left_out.append(relative)
        else:
            files[relative] = path.read_bytes()
    return files, left_out, too_large
