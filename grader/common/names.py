"""Names and paths that come from outside the course, checked against one rule in one place.

Student ids reach the course from rosters, LMS archives, folder names in ``submitted/``, the command line and
uploads; each becomes a folder name (``submitted/<student>/``, ``autograded/<student>/``, ``feedback/<student>/``)
and a row of the gradebook, the CSVs and the LMS file, and is typed on a command line. A student id is therefore a
*safe name*: letters, digits, ``-``, ``_`` and ``.``, not starting with ``.`` or ``-``, at most 64 characters
(:data:`STUDENT_ID_RULE`). And every path built from outside data must stay inside the folder it was meant for,
with no link on the way (:func:`path_inside`).
"""

from __future__ import annotations

import re
from pathlib import Path

#: The rule, as the messages and the documentation (docs/instructors.md) state it.
STUDENT_ID_RULE = "letters, digits, '-', '_' and '.', not starting with '.' or '-', at most 64 characters"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


class UnsafeName(ValueError):
    """A name or path from outside data that the course refuses: nothing was written for it."""


def is_safe_name(name: str) -> bool:
    """Whether ``name`` follows :data:`STUDENT_ID_RULE`."""
    return isinstance(name, str) and _SAFE_NAME.fullmatch(name) is not None


def check_student_id(student: str, where: str = "") -> str:
    """``student`` when it is a safe name; otherwise raise :class:`UnsafeName` naming it, ``where`` it came from
    (such as ``"roster.csv line 4: "``) and the rule."""
    if not is_safe_name(student):
        raise UnsafeName(f"{where}{student!r} is not a valid student id (a student id has {STUDENT_ID_RULE})")
    return student


def path_inside(folder: Path, *parts: str) -> Path:
    """``folder / parts``, or :class:`UnsafeName` when it would lie outside ``folder`` or pass through a link: no
    ``..``, absolute part or link may take a path built from outside data out of its folder, or to another
    student's."""
    base = folder.resolve()
    target = base.joinpath(*parts)
    resolved = target.resolve()
    if resolved == base or base not in resolved.parents:
        raise UnsafeName(f"{'/'.join(parts)!r} would be written outside {folder}: refused")
    if resolved != target:
        raise UnsafeName(f"{'/'.join(parts)!r} passes through a link in {folder}: refused (remove the link)")
    return target
