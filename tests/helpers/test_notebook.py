"""helpers.notebook: showing a helper's code, and finding where an answer reaches torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch as T
from torch import sigmoid

from helpers.notebook import show_source, torch_references


def numpy_only(x):
    return np.exp(-x).sum() + len([v for v in x])


def through_alias(x):
    return T.exp(x)


def through_a_torch_function(x):
    return sigmoid(x)


def importing_torch_inside(x):
    import torch

    return torch.zeros(1)


def in_a_comprehension(xs):
    return [torch.tensor(x) for x in xs]


def test_an_answer_in_numpy_reaches_no_torch():
    assert torch_references(numpy_only) == []


@pytest.mark.parametrize(
    ("function", "names"),
    [
        (through_alias, ["T"]),
        (through_a_torch_function, ["sigmoid"]),
        (importing_torch_inside, ["torch"]),
        (in_a_comprehension, ["torch"]),
        (lambda x: torch.nn.functional.relu(x), ["torch"]),
    ],
)
def test_every_way_of_reaching_torch_is_named(function, names):
    assert torch_references(function) == names


def test_a_function_is_needed():
    with pytest.raises(TypeError, match="needs a Python function, not int"):
        torch_references(3)


def test_show_source_renders_the_code_of_a_helper():
    shown = show_source(torch_references).data
    assert shown.startswith("From `helpers.notebook.torch_references`:") and "def torch_references" in shown
