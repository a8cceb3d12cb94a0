"""The sample classes that ``scripts/make_sample_submissions.py`` writes into ``submitted/``: a module per graded
assignment, named after it, with ``STUDENTS`` (student -> (description, edits)) and, where some students answered
only part of the assignment, ``PARTLY_DONE`` (student -> the tasks they answered).

Edits are ``{answer cell's grade id: [(regex, replacement), ...]}`` applied to the reference answer of that cell;
``{}`` is the reference answer itself, ``None`` the untouched release. Each mistake is a typical one and breaks
one task only; the lab's end-to-end test (``tests/e2e/test_<assignment>_lab.py``) states the points it costs.
"""

from __future__ import annotations

#: {answer cell's grade id: [(regex, replacement), ...]}, or None for the untouched release
Edits = dict[str, list[tuple[str, str]]] | None
#: student -> (what the submission shows, its edits)
SampleClass = dict[str, tuple[str, Edits]]
