"""The instructor's side of the course, on nbgrader, in the order of a term: release -> collect -> grade -> report.

Students never need this package; the notebooks import :mod:`helpers`. ``grader`` may import
``helpers``, never the reverse. Its folders, one per phase, and what they share:

- :mod:`grader.release` - prepare the students' notebooks and publish them (``course stamp``, ``release``,
  ``publish``, ``links``, ``run-tutorial``),
- :mod:`grader.collect` - the class and its submissions (``course add-students``, ``collect``),
- :mod:`grader.autograde` - grade a class: intake, review flags, the canary, the workers and the gradebook writer
  (``course autograde``, ``grade``),
- :mod:`grader.kernel` - the jailed, limited and guarded kernel a submission runs in,
- :mod:`grader.checks` - the hidden tests of every assignment, as code,
- :mod:`grader.report` - grade tables, feedback pages, the term gradebook, the LMS files, the gradebook audit
  (``course feedback``, ``export``),
- :mod:`grader.serve` - JupyterLab, the formgrader and the local services (``course lab``, ``formgrader``),
- :mod:`grader.common` - what every phase shares: settings, assignments, names, cells, the nbgrader adaptor,
  limits, statuses, experiment cells, logs,
- :mod:`grader.cli` - the command line, ``course COMMAND`` (or ``python -m grader COMMAND``).

``grader/templates/`` holds the feedback page's template (:mod:`grader.report.feedback`).

Nothing is imported here, so that ``python -m grader.kernel.jail``, started for every graded kernel,
loads only what it needs (a test checks that NumPy and torch are not among it).
"""
