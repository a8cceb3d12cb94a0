"""Shared fixtures: the course root, and a non-interactive matplotlib backend for the tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    """The course repository."""
    return ROOT


def copy_course(destination: Path) -> Path:
    """Copy what nbgrader and the course tools read (config, pyproject, README, source, release)."""
    for name in ("nbgrader_config.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, destination / name)
    for name in ("source", "release"):
        shutil.copytree(ROOT / name, destination / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return destination


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A scratch copy of the course, for tests that write."""
    return copy_course(tmp_path)
