"""Shared fixtures: the course root, a scratch copy of the course, and a non-interactive matplotlib backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from grader.config import copy_course
from tests.support import ROOT

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    """The course repository."""
    return ROOT


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A scratch copy of the course, for tests that write."""
    return copy_course(ROOT, tmp_path)
