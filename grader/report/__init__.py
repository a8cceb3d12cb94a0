"""The last phase of a term: what grading a class gives back to its students and to the course.

- :mod:`grader.report.grade_table` - an assignment's grade table and its CSV,
- :mod:`grader.report.feedback` - feedback HTML without the hidden tests,
- :mod:`grader.report.feedback_summary` - the table of tasks that opens a feedback page: points and results in words,
- :mod:`grader.report.mathml` - formulas as MathML, for the feedback pages and the formgrader without a network,
- :mod:`grader.report.term` - the term gradebook: every assignment, weighted, with the late policy,
- :mod:`grader.report.lms` - the term's grades as Canvas's and Moodle's import files (``course export --lms``),
- :mod:`grader.report.gradebook_audit` - counts that show a graded class whole in a gradebook: nothing missing or
  twice.
"""
