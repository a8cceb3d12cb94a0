"""The second phase of a term: the class and its submissions.

- :mod:`grader.collect.roster` - the roster in the gradebook, who submitted, and the submissions collected from an
  LMS download (``course add-students``, ``course collect``).

What a submission must hold to be graded is checked when it is graded (:mod:`grader.autograde.intake`).
"""
