"""The adaptor to nbgrader's Python API: one place that builds ``NbGraderAPI`` for a course folder and
turns nbgrader's answers into what the course's commands report."""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbgrader.api
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from nbgrader.api import Gradebook as Gradebook  # for the course's modules: see gradebook_schema_version
from nbgrader.apps import NbGraderAPI
from nbgrader.dbutil import ALEMBIC_DIR
from sqlalchemy.exc import SAWarning
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

#: nbgrader's own Execute step, which the course's configuration replaces by the guarded one.
NBGRADER_EXECUTE = "nbgrader.preprocessors.Execute"
GUARDED_EXECUTE = "grader.kernel.guarded_execute.GuardedExecute"

EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Entry)): (.+)$")
GENERIC = "Please see the the above traceback"


@functools.cache
def gradebook_schema_version() -> str:
    """The newest revision of nbgrader's gradebook schema, which nbgrader stamps into every gradebook it creates.

    nbgrader asks its ``alembic`` script for it, in a process of its own, each time it creates a gradebook: 2 to 4 s
    on 2 cores for every new course and every grading run (whose bundle has a gradebook of its own), and an error
    where that script is not on PATH. The answer is fixed for the installed nbgrader, so this process reads it once
    from nbgrader's migration scripts (milliseconds), and :data:`Gradebook` uses it from the moment this module is
    imported."""
    config = AlembicConfig()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


nbgrader.api.get_alembic_version = gradebook_schema_version


def find_alembic() -> None:
    """nbgrader apps started as processes of their own (the formgrader) create a gradebook by running the
    ``alembic`` script by name; when this environment's scripts are not on PATH (``.venv/bin/python -m ...``),
    put them there, for those processes to inherit."""
    if shutil.which("alembic") is None:
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def load_course_config(root: Path) -> Config:
    """The course's ``nbgrader_config.py``, with the course root set to ``root``."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def nbgrader_api(root: Path, overrides: Config | None = None) -> NbGraderAPI:
    """An ``NbGraderAPI`` for the course at ``root``, configured by its ``nbgrader_config.py``."""
    config = load_course_config(root)
    if overrides is not None:
        config.merge(overrides)
    return NbGraderAPI(config=config)


def plain_autograde_preprocessors(root: Path) -> list[str]:
    """The course's autograde steps with nbgrader's own Execute in place of the guarded one: how
    plain ``nbgrader autograde`` grades (no jail, no limits, no integrity check)."""
    steps = list(load_course_config(root).Autograde.autograde_preprocessors)
    if GUARDED_EXECUTE not in steps:
        raise ValueError(f"{root / 'nbgrader_config.py'} does not grade with {GUARDED_EXECUTE}")
    return [NBGRADER_EXECUTE if step == GUARDED_EXECUTE else step for step in steps]


def last_error_line(result: dict) -> str:
    """The most specific exception in an nbgrader API result, as ``Name: message``."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    found = [f"{m[1]}: {m[2]}" for m in map(EXCEPTION_LINE.match, text.splitlines()) if m and GENERIC not in m[2]]
    return (found or ["nbgrader failed; see its log"])[-1][:300]


@contextmanager
def quiet_sqlalchemy() -> Iterator[None]:
    """nbgrader 0.9 touches objects of a closed session while it records grades; SQLAlchemy warns,
    and the grades are written all the same (the tests read them back)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Object of type .* not in session", SAWarning)
        yield
