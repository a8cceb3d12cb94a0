"""Review flags: a static scan that points a human at suspicious code and never at honest work."""

from __future__ import annotations

import nbformat
import pytest

from grader.autograde.review import scan_code, scan_notebook
from tests.support import ROOT

HONEST = """
import math
import numpy as np
import torch
from torch import nn

def train(model, batches, episodes=25, lr=0.01, momentum=0.9):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for _ in range(episodes):
        total = 0.0
        for X, y in batches:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(batches))
    print(f"{len(losses)} episodes, final {losses[-1]:.3f}", np.mean(losses), math.sqrt(2))
    return losses
"""


def test_honest_code_gets_no_flag():
    assert scan_code(HONEST) == []
    assert scan_code("def f(:\n    pass") == []  # a syntax error is the kernel's to report


@pytest.mark.parametrize(
    "code, flag",
    [
        ("np.allclose = lambda *a, **k: True", "monkeypatching (np.allclose = ...)"),
        ("setattr(torch, 'allclose', None)", "monkeypatching (setattr on torch)"),
        ("ip = get_ipython()", "get_ipython() (the kernel's shell)"),
        ("import os\nos._exit(0)", "exits the kernel (os._exit)"),
        ("import subprocess", "processes/threads (subprocess)"),
        ("import os\nos.system('ls')", "processes (os.system)"),
        ("open('/etc/passwd').read()", "files outside the working folder (open('/etc/passwd'))"),
        ("!ls ..", "shell commands (! or %%bash)"),
        ("exec('x = 1')", "exec of a string"),
        ("eval(code)", "eval of code built at run time"),
        ("def print(*args):\n    pass", "shadows the builtin print()"),
        ("import sqlite3\nsqlite3.connect('gradebook.db')", "database access (sqlite3)"),
        ("x = f.__globals__", "interpreter internals (.__globals__)"),
        ("get_ipython().events.register('pre_run_cell', f)", "IPython internals (.events)"),
    ],
)
def test_each_kind_of_suspicious_code_is_flagged(code, flag):
    flags = scan_code(code)
    assert any(found.startswith(flag) for found in flags), flags


def test_a_notebook_is_flagged_once_per_kind_at_its_first_cell_and_released_code_is_skipped():
    release = nbformat.read(ROOT / "release" / "project1" / "project1.ipynb", as_version=4)
    released = {c.source for c in release.cells if c.cell_type == "code"}
    assert scan_notebook(release, released) == []
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(HONEST),
            nbformat.v4.new_code_cell("import subprocess"),
            nbformat.v4.new_markdown_cell("import subprocess"),
            nbformat.v4.new_code_cell("import subprocess\nnp.isclose = None"),
        ]
    )
    assert scan_notebook(nb) == [
        "processes/threads (subprocess) (cell 1)",
        "monkeypatching (np.isclose = ...) (cell 3)",
    ]
