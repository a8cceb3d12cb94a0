"""What the notebooks' check cells use besides :func:`helpers.environment.kept_random_state`.

A check of one task calls only that task's function with the student's own code: where that function calls
the student's other functions, the check puts stand-ins in their place (:func:`stand_ins`), so that a mistake
in one task never fails another task's check, and its message never blames a function that is right.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_MISSING = object()


def _namespace_of(answer: Any) -> dict | None:
    """The global namespace that a student's function or class looks its other names up in (None if none)."""
    if hasattr(answer, "__globals__"):
        return answer.__globals__
    for member in vars(answer).values() if isinstance(answer, type) else ():
        if hasattr(member, "__globals__"):
            return member.__globals__
    return None


@contextmanager
def stand_ins(answer: Any, **replacements: Any) -> Iterator[None]:
    """Within the block, the names of ``replacements`` are bound to the stand-ins given in the namespace of the
    student's ``answer`` (a function or a class); afterwards they are bound as they were.

    >>> def double(x): return 2 * helper(x)
    >>> with stand_ins(double, helper=lambda x: x):
    ...     double(3)
    6
    """
    namespace = _namespace_of(answer)
    if namespace is None:
        yield
        return
    saved = {name: namespace.get(name, _MISSING) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value
