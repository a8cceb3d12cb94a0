"""What grading a submission comes to: the grading kernel's report, the statuses, and where they are kept.

Every submission of a graded class gets one status and a one-line reason, in the grade table, the CSV and
``grades/<assignment>-status.json``. This module is the one list of them, and of what the grading kernel reports
(:class:`KernelReport`, written by :mod:`grader.kernel.guarded_execute`, read by the coordinator). It imports
nothing of the grader, so that both sides may import it: ``autograde`` -> ``kernel`` -> ``statuses``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

GRADED = "graded"
#: In the gradebook, no autograded submission (grading has not run for this student).
NOT_GRADED = "not graded"
NOTEBOOK_MISSING = "notebook missing"
UNKNOWN_NOTEBOOK = "unknown notebook"
NOT_A_NOTEBOOK = "not a notebook"
METADATA_TAMPERED = "metadata tampered"
#: Graded as the untouched release (every task 0), with a feedback page that says why: the notebook is another
#: assignment's, or over the size limit of a submitted file.
WRONG_ASSIGNMENT = "wrong assignment"
TOO_LARGE = "too large"
TIMED_OUT = "timed out"
OUT_OF_MEMORY = "out of memory"
KERNEL_DIED = "kernel died"
KERNEL_TAMPERED = "kernel tampered"
GRADER_ERROR = "grader error"

#: The names of the errors that grading writes into a graded notebook (grader.kernel.guarded_execute), which the
#: feedback's summary reads (grader.report.feedback_summary): a cell past its CPU time, interrupted; the cell in which
#: the kernel was stopped; each cell after it, not run.
CELL_TIMEOUT_ERROR = "CellTimeoutError"
KERNEL_STOPPED_ERROR = "KernelStopped"
NOT_RUN_ERROR = "NotRun"

#: Statuses of submissions that nbgrader did not grade (no feedback is written for them).
UNGRADED = (NOTEBOOK_MISSING, UNKNOWN_NOTEBOOK, NOT_A_NOTEBOOK, GRADER_ERROR, NOT_GRADED)
#: Statuses with which a submission is sent to a worker.
GRADABLE = (GRADED, METADATA_TAMPERED, WRONG_ASSIGNMENT, TOO_LARGE)


@dataclass
class KernelReport:
    """What happened in a submission's grading kernel, as :class:`~grader.kernel.guarded_execute.GuardedExecute`
    saw it; it travels from the worker's scratch folder as JSON."""

    isolation: str = ""  # how the kernel was isolated (grader.kernel.sandbox)
    kernel_start: str = ""  # "warm" (forked from the worker's template, grader.kernel.warm), "cold", or "cold: why"
    repaired: list[str] = field(default_factory=list)  # what integrity put back before a test cell
    cell_timeouts: list[int] = field(default_factory=list)  # cells interrupted at the per-cell time limit
    memory_errors: list[int] = field(default_factory=list)  # cells that raised MemoryError at the memory limit
    output_truncated: list[int] = field(default_factory=list)  # cells whose output flood was cut
    stopped: tuple[str, str] | None = None  # (status, reason) when the grader stopped the notebook
    links_removed: list[str] = field(default_factory=list)  # links and special files taken from the folder
    experiments_skipped: list[int] = field(default_factory=list)  # experiment cells not run (outputs kept)
    cpu_seconds: float = 0.0  # of the kernel's process tree
    seconds: dict[str, float] = field(default_factory=dict)  # by phase: kernel start and shutdown, cells, checks

    def to_json(self) -> str:
        """The report as JSON."""
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> KernelReport:
        """The report that :meth:`to_json` wrote; raises ``ValueError`` naming a field it does not know (a
        grader of another version wrote it)."""
        fields = json.loads(text)
        unknown = sorted(set(fields) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"the kernel's report has fields this grader does not know: {', '.join(unknown)}")
        if fields.get("stopped") is not None:
            fields["stopped"] = tuple(fields["stopped"])
        return cls(**fields)


@dataclass
class Outcome:
    """A submission's row: status, one-line reason and review flags."""

    student: str
    status: str
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0


def status_path(root: Path, assignment: str) -> Path:
    """Where the statuses of an assignment's submissions are kept."""
    return root / "grades" / f"{assignment}-status.json"


#: The status file's entry of the canary's verdict (no student id has brackets): the key of the release, checks and
#: environment with which the reference solution last got every point (:mod:`grader.autograde.canary`).
CANARY_ENTRY = "(reference solution)"


def _read(root: Path, assignment: str) -> dict:
    path = status_path(root, assignment)
    return json.loads(path.read_text()) if path.exists() else {}


def load_statuses(root: Path, assignment: str) -> dict[str, Outcome]:
    """The recorded status of each graded submission (empty when none were recorded)."""
    return {student: Outcome(**row) for student, row in _read(root, assignment).items() if student != CANARY_ENTRY}


def canary_passed_with(root: Path, assignment: str) -> str:
    """The key with which the canary of ``assignment`` last passed, or ``""``."""
    return _read(root, assignment).get(CANARY_ENTRY, {}).get("key", "")


def save_statuses(root: Path, assignment: str, outcomes: dict[str, Outcome], canary_key: str | None = None) -> None:
    """Replace the status file of ``assignment`` with ``outcomes``, atomically, keeping the canary's verdict, or
    recording ``canary_key`` as the key of its pass (``""``: it failed, or was not run)."""
    rows: dict = {s: asdict(o) for s, o in sorted(outcomes.items())}
    key = canary_passed_with(root, assignment) if canary_key is None else canary_key
    if key:
        rows[CANARY_ENTRY] = {"key": key}
    path = status_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(rows, indent=1))
    os.replace(temporary, path)
