"""``python -m grader``: the ``course`` command, where the console script is not on PATH."""

import sys

from grader.cli import main

sys.exit(main())
