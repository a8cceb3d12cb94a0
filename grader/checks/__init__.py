"""The hidden tests of every assignment, as code: ``grader.checks.<assignment>``.

Each module holds one function per graded test cell of its assignment's source notebook, named after
the cell's grade id; it takes the student's functions as arguments. A hidden test cell is a call::

    ### BEGIN HIDDEN TESTS
    from grader.checks.xor import make_batch_hidden_parity
    make_batch_hidden_parity(make_batch)
    ### END HIDDEN TESTS

What a check defines stays in its own scope, and :func:`check` leaves the student's random state as it
was. Where a task's function calls the student's other functions, the check puts correct stand-ins in
their place (:func:`helpers.checking.stand_ins`; the visible checks do too), so that one mistake costs
only its own task. The grading kernel imports every checks module before any student code runs, and
its integrity guard puts them back before each test cell (:mod:`grader.kernel.integrity`), so that a
planted fake module gains nothing. The modules are the instructor's: they are never in the release.

:func:`hidden_call` writes the cell's source; ``tests/checks/`` runs every check in-process against the
model answers, correct alternatives and realistic mistakes.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import helpers
from helpers.checking import stand_ins
from helpers.environment import kept_random_state

#: Marks a function of a checks module as a check (the decorator :func:`check` sets it).
CHECK_ATTRIBUTE = "__course_check__"
__all__ = ["arguments", "check", "checks_of", "hidden_call", "lines_run", "raises_value_error", "stand_ins"]
#: Where code that is not the student's lives: Python, the installed packages, the course's own packages.
COURSE_PACKAGES = (str(Path(__file__).parents[1]), str(Path(helpers.__file__).parent))
NOT_THE_STUDENTS = (sys.prefix, sys.base_prefix, sys.exec_prefix, *COURSE_PACKAGES, "<frozen ")


def check(function: Callable[..., None]) -> Callable[..., None]:
    """A check: it runs with the random state kept (:func:`helpers.environment.kept_random_state`)."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> None:
        with kept_random_state():
            function(*args, **kwargs)

    setattr(run, CHECK_ATTRIBUTE, True)
    return run


def raises_value_error(call: Callable[[], Any], what: str) -> None:
    """The rule "any other name raises ValueError": ``call()`` (``what``, in the student's terms) must raise it,
    not another error and not nothing."""
    try:
        call()
    except ValueError:
        return
    except Exception as error:
        raise AssertionError(f"{what} must raise ValueError, not {type(error).__name__}: {error}") from None
    raise AssertionError(f"{what} must raise ValueError")


def lines_run(call: Callable[[], Any]) -> int:
    """How many lines of the student's code (code outside Python, the installed packages and the course's
    packages: the notebook's) ``call()`` runs. A Python loop over n samples runs at least n of them."""
    count = 0

    def in_students_code(frame, event, arg):
        nonlocal count
        count += event == "line"
        return in_students_code

    def trace(frame, event, arg):
        return None if frame.f_code.co_filename.startswith(NOT_THE_STUDENTS) else in_students_code

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def training_modes(model: Any, call: Callable[[], Any]) -> list[bool]:
    """The mode (``model.training``) of each forward pass of the torch module ``model`` while ``call()`` runs: what a
    rule on the mode a function computes in checks, so that a function that puts the caller's mode back afterwards
    (good practice) passes as well as one that leaves the mode it set."""
    modes: list[bool] = []
    handle = model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    try:
        call()
    finally:
        handle.remove()
    return modes


def assignments() -> list[str]:
    """The assignments that have a checks module."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def checks_module(assignment: str) -> ModuleType:
    """``grader.checks.<assignment>``."""
    return importlib.import_module(f"{__name__}.{assignment}")


def checks_of(assignment: str) -> dict[str, Callable[..., None]]:
    """The checks of ``assignment``, by grade id, in the module's order."""
    module = checks_module(assignment)
    return {name: value for name, value in vars(module).items() if getattr(value, CHECK_ATTRIBUTE, False)}


def arguments(function: Callable[..., None]) -> list[str]:
    """The names of the student's functions that a check takes, in order."""
    return list(inspect.signature(function).parameters)


def hidden_call(assignment: str, grade_id: str) -> str:
    """The code of the hidden test cell of ``grade_id``: an import and a call, with the markers."""
    names = ", ".join(arguments(checks_of(assignment)[grade_id]))
    from grader.common.cells import hidden_tests  # not at the top: grading kernels import this package, not nbgrader

    return hidden_tests(f"from {__name__}.{assignment} import {grade_id}\n{grade_id}({names})")
