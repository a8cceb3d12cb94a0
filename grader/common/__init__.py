"""What every phase of a term shares: the course's settings, the assignments, the names, nbgrader's cells and API,
the grading limits, the statuses, the logs and the experiment cells.

- :mod:`grader.common.config` - the course's settings (``[tool.course]``) and its folder,
- :mod:`grader.common.assignments` - the one list of assignments: ``source/`` and ``[tool.course.assignments]``,
- :mod:`grader.common.names` - the one rule for student ids and paths built from outside data,
- :mod:`grader.common.cells` - nbgrader's cells: their metadata, grade ids and the one parser of nbgrader's markers,
- :mod:`grader.common.nbgrader_api` - the adaptor to nbgrader's Python API,
- :mod:`grader.common.limits` - the grading limits, defined once: enforced by the kernel, stated in the release,
- :mod:`grader.common.statuses` - what grading a submission comes to: the kernel's report, the statuses, the status
  file,
- :mod:`grader.common.experiments` - experiment cells: not re-run when graded, their outputs kept, the release's
  check,
- :mod:`grader.common.logs` - the grader's logging: ``--verbose``, and each assignment's log
  ``grades/<assignment>-log.txt``.

Nothing is imported here: the jail and the kernel load only the module they need.
"""
