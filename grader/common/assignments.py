"""The course's assignments, in one place: the folders of ``source/`` and their lines in
``[tool.course.assignments]`` (``pyproject.toml``).

Everything that goes through every assignment (``course release``, the README's table, the term gradebook, the
sample classes and the tests) takes the list from :func:`course_assignments`, in teaching order: the listed
ones in the order of their lines, then any other folder of ``source/`` alphabetically (it has no weight, so the
term gradebook refuses it once it has submissions). Adding an assignment is in docs/contributing.md
(``course new NAME`` writes its skeleton).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.common.config import CourseConfig, load_config
from grader.common.names import is_safe_name


@dataclass(frozen=True)
class Assignment:
    """One assignment: ``source/<name>/`` and its line in ``[tool.course.assignments]``."""

    name: str
    folder: Path  # source/<name>/
    weight: float | None  # its weight in the term total; None when [tool.course.assignments] has no line for it

    @property
    def graded(self) -> bool:
        """Whether the assignment counts in the term (a weight above 0): it has graded cells and checks."""
        return bool(self.weight)

    @property
    def checks_module(self) -> str:
        """The module of its hidden tests, ``grader.checks.<name>`` (graded assignments only)."""
        return f"grader.checks.{self.name}"

    def notebooks(self) -> list[Path]:
        """Its source notebooks."""
        return sorted(self.folder.glob("*.ipynb"))


def course_assignments(config: CourseConfig) -> list[Assignment]:
    """The assignments of the course, in teaching order.

    Raises ``ValueError`` naming a line of ``[tool.course.assignments]`` that ``source/`` has no notebook for."""
    source = config.root / "source"
    folders = {p.name: p for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))}
    missing = [name for name in config.assignments if name not in folders]
    if missing:
        raise ValueError(
            f"[tool.course.assignments] in {config.root / 'pyproject.toml'} lists {', '.join(missing)}, but "
            f"{source} has no notebook in {', '.join(f'source/{name}/' for name in missing)}: "
            "correct the name, or remove the line"
        )
    listed = [Assignment(name, folders[name], weight) for name, weight in config.assignments.items()]
    others = [Assignment(name, folders[name], None) for name in sorted(folders) if name not in config.assignments]
    return listed + others


def assignment_names(root: Path) -> list[str]:
    """The names of the course's assignments at ``root``, in teaching order."""
    return [a.name for a in course_assignments(load_config(root))]


def unknown_assignments(root: Path, names: list[str]) -> list[str]:
    """Those of ``names`` that are not assignments of the course at ``root`` (no folder of ``source/``)."""
    known = set(assignment_names(root))
    return [name for name in names if name not in known]


def require_assignment(root: Path, name: str) -> None:
    """Raise ``FileNotFoundError``, listing the course's assignments, unless ``name`` is one of them (a folder of
    ``source/`` with a notebook)."""
    folder = root / "source" / name
    if is_safe_name(name) and folder.is_dir() and any(folder.glob("*.ipynb")):
        return
    names = assignment_names(root)
    if name not in names:
        raise FileNotFoundError(
            f"no assignment {name!r} in this course (no source/{name}/ in {root}); its assignments: "
            f"{', '.join(names) or 'none'}"
        )


def graded_assignment_names(root: Path) -> list[str]:
    """The names of the assignments that count in the term, in teaching order."""
    return [a.name for a in course_assignments(load_config(root)) if a.graded]
