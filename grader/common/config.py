"""The course repository's own settings, read from ``[tool.course]`` in ``pyproject.toml``."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CourseConfig:
    """Where the course lives: its root folder, its private instructor repository and the public student one."""

    root: Path
    repository: str  # the instructor repository, "owner/name" on GitHub: private, it holds the answers
    student_repository: str  # what students see and install: `course publish` writes it
    branch: str
    #: ``[tool.course.assignments]``: each assignment's weight in the term total, in teaching order
    #: (0: not part of the term total, like the tutorial); :mod:`grader.common.assignments` reads it with ``source/``
    assignments: dict[str, float] = field(default_factory=dict)
    late_penalty_per_day: float = 0.0  # fraction of an assignment's points lost per day (or part of one) late

    def colab_url(self, notebook: str) -> str:
        """The "Open in Colab" address of a notebook path relative to the student repository's root."""
        return f"https://colab.research.google.com/github/{self.student_repository}/blob/{self.branch}/{notebook}"

    def git_url(self) -> str:
        """The address ``git clone`` takes for the student repository."""
        return f"https://github.com/{self.student_repository}"


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) that holds
    both ``pyproject.toml`` and ``nbgrader_config.py``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "nbgrader_config.py").is_file():
            return folder
    raise FileNotFoundError(
        f"no course repository (a folder with pyproject.toml and nbgrader_config.py) at or above {here}; "
        "run this from inside the course repository or pass --root"
    )


def load_config(root: Path | None = None) -> CourseConfig:
    """Read ``[tool.course]`` from the course's ``pyproject.toml``."""
    root = find_course_root(root)
    with open(root / "pyproject.toml", "rb") as f:
        settings = tomllib.load(f).get("tool", {}).get("course", {})
    repository, student_repository = settings.get("repository", ""), settings.get("student_repository", "")
    for key, value in (("repository", repository), ("student_repository", student_repository)):
        if value.count("/") != 1 or not all(value.split("/")):
            raise ValueError(f"[tool.course] {key} in {root / 'pyproject.toml'} must be 'owner/name', got {value!r}")
    if student_repository.lower() == repository.lower():
        raise ValueError(
            f"[tool.course] student_repository in {root / 'pyproject.toml'} is the instructor repository, which holds "
            "source/ with every answer: name a repository of its own for `course publish` to write"
        )
    if "order" in settings or "weights" in settings.get("term", {}):
        raise ValueError(
            f"{root / 'pyproject.toml'}: [tool.course] order and [tool.course.term] weights are now one table, "
            "[tool.course.assignments], a line per assignment in teaching order with its weight (tutorial = 0, "
            "project1 = 20, ...): move them there"
        )
    weights = settings.get("assignments", {})
    if not isinstance(weights, dict) or not all(
        isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in weights.values()
    ):
        raise ValueError(
            f"[tool.course.assignments] in {root / 'pyproject.toml'} must give each assignment a weight of 0 or more "
            f"(a line each, e.g. project1 = 20); got {weights!r}"
        )
    term = settings.get("term", {})
    per_day = term.get("late_penalty_per_day", 0.0)
    if isinstance(per_day, bool) or not isinstance(per_day, int | float) or not 0 <= per_day <= 1:
        raise ValueError(
            f"[tool.course.term] late_penalty_per_day in {root / 'pyproject.toml'} must be a fraction from 0 to 1 "
            f"(0.1: a tenth of the points per day late), got {per_day!r}"
        )
    return CourseConfig(
        root=root,
        repository=repository,
        student_repository=student_repository,
        branch=settings.get("branch", "main"),
        assignments={name: float(w) for name, w in weights.items()},
        late_penalty_per_day=float(per_day),
    )


#: What defines a course for nbgrader and the course's commands: files, then folders.
COURSE_FILES = ("nbgrader_config.py", "pyproject.toml", "README.md")
COURSE_FOLDERS = ("source", "release")


def copy_course(root: Path, destination: Path) -> Path:
    """Copy the course at ``root`` (configuration, ``source/``, ``release/``; no submissions, no
    grades) into the existing folder ``destination``, for grading or trying things elsewhere."""
    for name in COURSE_FILES:
        shutil.copy(root / name, destination / name)
    for name in COURSE_FOLDERS:
        shutil.copytree(root / name, destination / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return destination
