"""What every grading kernel imports before the student's first cell, in one list: the warm kernels' template
imports it before it forks (:mod:`grader.kernel.template`), and a cold kernel imports it first thing, before it is
seeded (``nbgrader_config.py``'s ``exec_lines``), so that a cold and a warm kernel start from the same state: an
import that draws from a random stream draws before the seed in both."""

from __future__ import annotations

import importlib
import os
import pkgutil

#: The modules, besides every assignment's checks module (:func:`checks_modules`).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "sqlite3",  # IPython's history
    "pdb",
    "IPython",
    "numpy",
    "torch",
    "torch._dynamo",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "helpers",
    "grader.kernel.integrity",
)
#: Where ipykernel's inline backend is, as a kernel sets it.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def checks_modules() -> list[str]:
    """Every assignment's checks module (``grader.checks.<assignment>``), which the hidden tests import."""
    import grader.checks

    return [f"grader.checks.{module.name}" for module in pkgutil.iter_modules(grader.checks.__path__)]


def load(extra: tuple[str, ...] = ()) -> None:
    """Import :data:`PRELOAD`, every checks module and ``extra``."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in (*PRELOAD, *checks_modules(), *extra):
        importlib.import_module(name)
