"""The grading limits, defined once: the guarded Execute step enforces them
(:class:`~grader.kernel.guarded_execute.GuardedExecute` derives from :class:`GradingLimits`) and every release
tells its students what they are (:mod:`grader.release.student_guide`, through :func:`configured_limits`), both from
``nbgrader_config.py``: ``c.Execute.timeout`` per cell and ``c.GuardedExecute.*`` for the rest.
"""

from __future__ import annotations

from nbgrader.preprocessors import Execute
from traitlets import Float, Integer
from traitlets.config import Config, Configurable

#: The configuration section that sets the limits in ``nbgrader_config.py``.
SECTION = "GuardedExecute"


class GradingLimits(Configurable):
    """The limits of a graded notebook besides nbgrader's per-cell ``Execute.timeout`` (which the grader counts
    in CPU seconds too)."""

    submission_timeout = Integer(
        900, help="CPU seconds of the kernel's process tree for the whole notebook; then the kernel is killed"
    ).tag(config=True)
    wall_clock_factor = Float(
        5.0,
        help="the backstop for a kernel that sleeps or waits: this many times a limit, in wall-clock seconds",
    ).tag(config=True)
    memory_limit_mb = Integer(2048, help="memory of the kernel and what it starts, in MiB; then it is killed").tag(
        config=True
    )
    output_limit_kb = Integer(1024, help="output kept per cell, in KiB; the rest is dropped").tag(config=True)
    submission_file_limit_mb = Integer(
        50,
        help="the largest file of a submission, in MB (10^6 bytes): a notebook over it scores 0 and its feedback "
        "says to clear the outputs; another file over it is left out of grading; `course collect` skips it",
    ).tag(config=True)


#: The largest file of a submission that is graded, in bytes, unless ``nbgrader_config.py`` says otherwise.
MAX_FILE_BYTES = GradingLimits.class_traits()["submission_file_limit_mb"].default_value * 1_000_000


def file_limit_bytes(config: Config) -> int:
    """The largest file of a submission that is graded, in bytes, as ``config`` sets it."""
    return int(configured_limits(config)["file_mb"] * 1_000_000)


def configured_limits(config: Config) -> dict[str, float]:
    """The limits that ``config`` (the course's ``nbgrader_config.py``) gives the guarded Execute step."""
    sections = [config[name] for name in ("Execute", "GradingLimits", SECTION) if name in config]
    merged = Config()
    for section in sections:
        merged.merge(section)
    names = set(GradingLimits.class_trait_names(config=True))
    limits = GradingLimits(config=Config({"GradingLimits": {key: merged[key] for key in names & set(merged)}}))
    timeout = merged.get("timeout", Execute.class_traits()["timeout"].default_value)
    return {
        "cell_seconds": timeout,
        "notebook_seconds": limits.submission_timeout,
        "wall_clock_factor": limits.wall_clock_factor,
        "memory_mb": limits.memory_limit_mb,
        "output_kb": limits.output_limit_kb,
        "file_mb": limits.submission_file_limit_mb,
    }
