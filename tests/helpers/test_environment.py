import random

import numpy as np
import pytest
import torch

from helpers.environment import FAST_ENV_VAR, fast_mode, kept_random_state, seed_everything


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seed_everything_seeds_random_numpy_and_torch():
    seed_everything(3)
    first = draw()
    seed_everything(3)
    assert draw() == first
    seed_everything(4)
    assert all(a != b for a, b in zip(draw(), first, strict=True))


def test_seed_everything_returns_nothing_for_a_notebook_to_print():
    assert seed_everything(7) is None


@pytest.mark.parametrize(
    "value, expected", [("", False), ("0", False), ("false", False), ("1", True), ("TRUE", True), ("yes", True)]
)
def test_fast_mode_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(FAST_ENV_VAR, value)
    assert fast_mode() is expected


def test_fast_mode_defaults_to_the_full_run(monkeypatch):
    monkeypatch.delenv(FAST_ENV_VAR, raising=False)
    assert fast_mode() is False


def test_fast_mode_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv(FAST_ENV_VAR, "maybe")
    with pytest.raises(ValueError, match="COURSE_FAST"):
        fast_mode()


def test_kept_random_state_leaves_every_stream_where_it_was():
    seed_everything(5)
    expected = draw()
    seed_everything(5)
    with kept_random_state():
        draw()
        seed_everything(99)
        draw()
    assert draw() == expected


def test_kept_random_state_restores_after_an_error():
    seed_everything(6)
    expected = draw()
    seed_everything(6)
    with pytest.raises(AssertionError), kept_random_state():
        draw()
        raise AssertionError("a failing test")
    assert draw() == expected
