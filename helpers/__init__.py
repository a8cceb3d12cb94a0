"""What the course notebooks import; nothing here grades (that is the instructor's ``grader``).

- :mod:`helpers.environment` - seeding, thread limits, ``COURSE_FAST`` and the course's other environment variables,
- :mod:`helpers.checking` - stand-ins that keep a check of one task from running the student's other tasks,
- :mod:`helpers.data` - seeded samplers for the course's target functions,
- :mod:`helpers.audio` - the instruments lab's notes: synthetic, and the NSynth data set's loader,
- :mod:`helpers.models` - network builders, parameter counts and resets,
- :mod:`helpers.training` - train/evaluate loops that return loss histories,
- :mod:`helpers.plotting` - data, loss-curve and double-descent figures,
- :mod:`helpers.experiments` - the width sweeps behind double descent,
- :mod:`helpers.sweep` - every network of a width sweep trained at once,
- :mod:`helpers.xor` - the XOR lab's experiment networks trained at once,
- :mod:`helpers.notebook` - small display helpers for notebooks.
"""

from helpers.checking import stand_ins
from helpers.environment import fast_mode, idle_cores, kept_random_state, limit_threads, seed_everything

__all__ = ["fast_mode", "idle_cores", "kept_random_state", "limit_threads", "seed_everything", "stand_ins"]
__version__ = "0.1.0"
