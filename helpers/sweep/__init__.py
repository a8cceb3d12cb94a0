"""Train a whole width sweep of one-hidden-layer networks at once.

- :mod:`helpers.sweep.trainer` - :func:`train_sweep` and the :class:`SweepHistory` it returns,
- :mod:`helpers.sweep.fused` - the fused CPU loops it runs, generated and compiled by Numba.
"""

from helpers.sweep.trainer import (
    BLOCK,
    DEFAULT_MEMORY_BUDGET,
    SweepHistory,
    chunk_bytes,
    split_into_chunks,
    train_sweep,
)

__all__ = ["BLOCK", "DEFAULT_MEMORY_BUDGET", "SweepHistory", "chunk_bytes", "split_into_chunks", "train_sweep"]
