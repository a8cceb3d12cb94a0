"""Shared fixtures: the course root, a scratch copy of the course, a non-interactive matplotlib backend, and a
session that starts and ends without orphaned grading kernels; and the ``slow`` mark on every test of ``tests/e2e/``
and ``tests/browser/`` (they grade classes, start kernels, servers, browsers or clusters), so that
``pytest -m "not slow"`` is the fast tier."""

from __future__ import annotations

import contextlib
import time
import warnings
from pathlib import Path

import matplotlib
import psutil
import pytest

from grader.common.config import copy_course
from tests.support import ROOT, orphaned_grading_kernels

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


@pytest.fixture(scope="session", autouse=True)
def no_orphaned_grading_kernels():
    """Grading kernels that an earlier run left behind (idle, each holding hundreds of MiB) are ended before the
    session, so that they cannot starve it; one that this session leaves behind fails it, 10 s after its last test."""
    for kernel in orphaned_grading_kernels():
        with contextlib.suppress(psutil.Error):
            kernel.kill()
            warnings.warn(f"ended grading kernel {kernel.pid}, which an earlier run left behind", stacklevel=1)
    yield
    deadline = time.monotonic() + 10
    while (left := orphaned_grading_kernels()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not left, f"this session left grading kernels without their grader: {[p.pid for p in left]}"
