"""The checks run in-process on one thread, as in a grading kernel (its OMP_NUM_THREADS=1): small networks train
faster so, and a busy machine slows them less."""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
