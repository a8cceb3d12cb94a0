"""Project 1's own checks, run in-process against wrong answers: each names the real problem."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

from helpers import kept_random_state
from tests.support import ROOT

NOTEBOOK = ROOT / "source" / "project1" / "project1.ipynb"


def check(grade_id: str) -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def failure(grade_id: str, **answers) -> str:
    """Run one test cell with ``answers`` in place of the student's; return its one-line failure."""
    namespace = {"torch": torch, "nn": nn, "math": math, "kept_random_state": kept_random_state, **answers}
    with pytest.raises(AssertionError) as error:
        exec(check(grade_id), namespace)
    return str(error.value)


def numpy_data(n: int = 500, noise_var: float = 0.01, generator=None):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (n, 4)).astype(np.float32)
    return X, (X**2).sum(axis=1, keepdims=True)


def test_numpy_arrays_hear_that_torch_tensors_are_required():
    message = failure("make_training_data_visible", make_training_data=numpy_data)
    assert message.startswith("make_training_data must return torch tensors (X, y), not ndarray and ndarray")
    assert "float32" not in message


def test_float64_tensors_hear_their_dtype():
    def float64_data(n: int = 500, noise_var: float = 0.01, generator=None):
        X = 2 * torch.rand(n, 4, generator=generator, dtype=torch.float64) - 1
        return X, X.sum(dim=1, keepdim=True)

    assert failure("make_training_data_visible", make_training_data=float64_data) == (
        "X and y must be float32, not torch.float64 and torch.float64"
    )


def test_an_unseeded_sampler_hears_about_the_generator():
    def unseeded(n: int = 500, noise_var: float = 0.01, generator=None):
        X = 2 * torch.rand(n, 4) - 1
        return X, X.sum(dim=1, keepdim=True)

    assert "the same seeded generator must give the same data" in failure(
        "make_training_data_visible", make_training_data=unseeded
    )
