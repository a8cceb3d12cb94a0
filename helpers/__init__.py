"""Shared code for the neural-network course notebooks.

The notebooks import from here instead of copying code between each other:

- :mod:`helpers.environment` - seeding and the ``COURSE_FAST`` switch,
- :mod:`helpers.data` - seeded samplers for the course's target functions,
- :mod:`helpers.models` - network builders, parameter counts and resets,
- :mod:`helpers.training` - train/evaluate loops that return loss histories,
- :mod:`helpers.plotting` - data, loss-curve and double-descent figures,
- :mod:`helpers.experiments` - the width sweeps behind double descent,
- :mod:`helpers.notebook` - small display helpers for notebooks,
- :mod:`helpers.course` - the instructor's command line (``python -m helpers.course``).
"""

from helpers.environment import fast_mode, seed_everything

__all__ = ["fast_mode", "seed_everything"]
__version__ = "0.1.0"
