"""The checks run in-process on one thread, as in a grading kernel (its OMP_NUM_THREADS=1): small networks train
faster so, and a busy machine slows them less; a check suite's variants as parameters."""

from collections.abc import Iterator

import pytest
import torch


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A :class:`~tests.checks.harness.CheckSuite`'s ``alternative`` and ``mistake``: each of its lists' variants."""
    for argument, variants in (("alternative", "ALTERNATIVES"), ("mistake", "MUTANTS")):
        if argument in metafunc.fixturenames:
            metafunc.parametrize(argument, getattr(metafunc.cls, variants), ids=lambda variant: variant.name)


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
