"""Shared fixtures: the course root, a scratch copy of the course, and a non-interactive matplotlib backend; and
the ``slow`` mark on every test of ``tests/e2e/`` and ``tests/browser/`` (they grade classes, start kernels,
servers, browsers or clusters), so that ``pytest -m "not slow"`` is the fast tier."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from grader.config import copy_course
from tests.support import ROOT

matplotlib.use("Agg")

#: the test folders whose every test is slow
SLOW_FOLDERS = ("e2e", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of ``SLOW_FOLDERS`` ``slow``."""
    for item in items:
        if item.path.parent.name in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def root() -> Path:
    """The course repository."""
    return ROOT


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A scratch copy of the course, for tests that write."""
    return copy_course(ROOT, tmp_path)
