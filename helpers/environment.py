"""Reproducibility and run-mode switches shared by every notebook."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

#: Environment variable that switches notebooks into their quick mode.
FAST_ENV_VAR = "COURSE_FAST"


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's ``random``, NumPy and torch, and return a seeded torch generator.

    Seeding all three makes a notebook print the same numbers on every run; the returned
    generator lets a function draw its own random numbers without depending on how much of
    the global stream other cells have used.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def fast_mode() -> bool:
    """Return True when ``COURSE_FAST`` is set to a true value (``1``, ``true``, ``yes``).

    Notebooks shrink epochs and sweeps in fast mode so that the test suite can execute them
    end to end in seconds; the full run is the default.
    """
    value = os.environ.get(FAST_ENV_VAR, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(
        f"{FAST_ENV_VAR}={value!r} is not understood: set it to 1 (fast) or 0 (full run)."
    )
