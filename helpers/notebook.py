"""Small helpers for notebooks: showing a helper's code, and the check that a NumPy lab's answers use no torch."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any

from IPython.display import Markdown


def show_source(obj: Any) -> Markdown:
    """Return the source code of a ``helpers`` function or class, rendered as a code block.

    Lets a notebook show the code a student should read without copying it into the notebook.
    """
    module = inspect.getmodule(obj)
    where = f"`{module.__name__}.{obj.__qualname__}`" if module else f"`{obj.__qualname__}`"
    return Markdown(f"From {where}:\n\n```python\n{inspect.getsource(obj)}```")


def _is_torch(value: Any) -> bool:
    name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return isinstance(name, str) and name.split(".")[0] == "torch"


def torch_references(function: Callable) -> list[str]:
    """The names through which ``function`` itself reaches torch, sorted; empty when it uses none.

    Looks at every name its code (nested functions and comprehensions included) loads, imports or reads
    as a global: ``torch`` and any global bound to a torch module, function or class (``T`` after
    ``import torch as T``, ``sigmoid`` after ``from torch import sigmoid``). Functions it calls are not
    followed: each answer of a NumPy lab is checked on its own.
    """
    code = getattr(function, "__code__", None)
    if code is None:
        raise TypeError(f"torch_references needs a Python function, not {type(function).__name__}")
    found, codes = set(), [code]
    while codes:
        code = codes.pop()
        codes.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
        for name in code.co_names:
            if name == "torch" or _is_torch(function.__globals__.get(name)):
                found.add(name)
    return sorted(found)
