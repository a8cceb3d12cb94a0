"""The environment variables a notebook kernel starts with, for running and for grading."""

from __future__ import annotations

from collections.abc import Mapping

#: What makes a grading kernel deterministic: a fixed hash seed and one thread for every math library.
DETERMINISTIC = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
#: Kernel arguments that keep ipykernel's warnings for a person at a terminal (that its connection is
#: plain TCP on this machine's loopback) out of the course commands' output; errors still show.
QUIET_KERNEL = ("--IPKernelApp.log_level=ERROR",)


def notebook_environment(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` without ``MPLBACKEND``, so that figures show inline as in Jupyter."""
    return {key: value for key, value in base.items() if key != "MPLBACKEND"}


def grading_environment(base: Mapping[str, str]) -> dict[str, str]:
    """A notebook environment made deterministic (:data:`DETERMINISTIC`)."""
    return {**notebook_environment(base), **DETERMINISTIC}
