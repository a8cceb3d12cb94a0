"""The grader's logging: the standard :mod:`logging` module, under the logger ``grader``.

Quiet by default (warnings and errors on stderr); ``course --verbose`` (or ``-v`` after any command) shows what
each step does. While a class is graded, :func:`assignment_log` also appends everything at INFO and above to
``grades/<assignment>-log.txt``: the run, every submission's status, and the full traceback or nbgrader log of
every grader error, which the one-line reason in the grade table points to.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOGGER = "grader"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(verbose: bool = False) -> None:
    """Send the grader's log to stderr: warnings and errors, or everything from DEBUG on when ``verbose``."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.DEBUG)
    for handler in [h for h in logger.handlers if getattr(h, "course_stderr", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler.setFormatter(logging.Formatter(FORMAT, "%H:%M:%S"))
    handler.course_stderr = True  # type: ignore[attr-defined]  # so that configuring again replaces it
    logger.addHandler(handler)


def log_path(root: Path, assignment: str) -> Path:
    """Where the grading log of ``assignment`` is kept."""
    return root / "grades" / f"{assignment}-log.txt"


def relative_log_path(root: Path, assignment: str) -> str:
    """The grading log's path as the grade table names it, relative to the course."""
    return log_path(root, assignment).relative_to(root).as_posix()


@contextmanager
def assignment_log(root: Path, assignment: str) -> Iterator[Path]:
    """Append the grader's log at INFO and above to ``grades/<assignment>-log.txt`` for the ``with`` block."""
    path = log_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger(LOGGER)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    handler.stream.write(f"\n== {time.strftime('%Y-%m-%d %H:%M:%S')} grading {assignment}\n")
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()
