"""Display helpers for the notebooks."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.display import Markdown


def show_source(obj: Any) -> Markdown:
    """Return the source code of a ``helpers`` function or class, rendered as a code block.

    Lets a notebook show the code a student should read without copying it into the notebook.
    """
    module = inspect.getmodule(obj)
    where = f"`{module.__name__}.{obj.__qualname__}`" if module else f"`{obj.__qualname__}`"
    return Markdown(f"From {where}:\n\n```python\n{inspect.getsource(obj)}```")
