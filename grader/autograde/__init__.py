"""The grading phase of a term (``course autograde``, and ``course grade`` with the reports): a class of
submissions, in the order a submission meets them:

- :mod:`grader.autograde.intake` - is there a notebook, can it be read, are the grader's cells intact,
- :mod:`grader.autograde.review` - review flags from a static scan of the student's code (never a score),
- :mod:`grader.autograde.canary` - the instructor's own solution, graded first: it must get every point,
- :mod:`grader.autograde.bundle` - the assignment's grading bundle that travels to every worker,
- :mod:`grader.autograde.worker` - one submission graded by nbgrader in a scratch folder,
- :mod:`grader.autograde.gradebook_writer` - a submission's grades into the gradebook in one transaction,
- :mod:`grader.autograde.stopping` - Ctrl-C, SIGTERM and SIGHUP as a clean stop of a grading run,
- :mod:`grader.autograde.lock` - one grading run per assignment and course at a time,
- :mod:`grader.autograde.scratch` - the run's private folder for its workers' scratch folders, removed however it
  ends,
- :mod:`grader.autograde.pool` - the local worker processes, kept warm from one grading run of a process to the next,
- :mod:`grader.autograde.coordinator` - :func:`~grader.autograde.coordinator.grade_class`: the class, in
  parallel, with one gradebook writer.
"""
