"""Generate the student release with nbgrader's own ``generate_assignment``."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


def _find_alembic() -> None:
    """nbgrader creates a gradebook by running the ``alembic`` script by name; when this
    environment's scripts are not on PATH (``.venv/bin/python -m ...``), put them there."""
    if shutil.which("alembic") is None:
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(root: Path, overrides: Config | None = None) -> NbGraderAPI:
    """An ``NbGraderAPI`` for the course at ``root``, configured by its ``nbgrader_config.py``."""
    _find_alembic()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    if overrides is not None:
        config.merge(overrides)
    return NbGraderAPI(config=config)


def assignment_names(root: Path) -> list[str]:
    """The assignments of the course: the folders under ``source/`` that hold a notebook."""
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def generate_release(root: Path, assignment: str) -> Path:
    """Regenerate ``release/<assignment>/`` from ``source/<assignment>/``; return that folder.

    Raises ``RuntimeError`` carrying nbgrader's log when nbgrader refuses the source (for
    example a solution region without its end marker).
    """
    if not (root / "source" / assignment).is_dir():
        raise FileNotFoundError(
            f"no source/{assignment}/ in {root}; assignments here: {', '.join(assignment_names(root)) or 'none'}"
        )
    result = nbgrader_api(root).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{result.get('log', '')}{result.get('error', '')}")
    return root / "release" / assignment


EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Entry)): (.+)$")
GENERIC = "Please see the the above traceback"


def last_error_line(result: dict) -> str:
    """The most specific exception in an nbgrader API result, as ``Name: message``."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    found = [f"{m[1]}: {m[2]}" for m in map(EXCEPTION_LINE.match, text.splitlines()) if m and GENERIC not in m[2]]
    return (found or ["nbgrader failed; see its log"])[-1][:300]
