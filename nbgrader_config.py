"""nbgrader configuration of the course (https://nbgrader.readthedocs.io/en/stable/configuration/).

The course root is this folder: source/ holds the instructor notebooks, release/ the student
versions generated from them, submitted/ and autograded/ the class's work.
"""

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "neural-networks"
# The gradebook: SQLite in the course folder by default; any SQLAlchemy URL works, e.g.
# "postgresql://user:password@host/gradebook".
# c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# What a student sees in place of a removed solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding. The grading kernel starts seeded (the same submission always gets the same grade) and
# sends what it would print to stderr to stdout: nbgrader scores a test cell 0 when it writes to
# stderr, and a warning from torch or numpy, or a progress bar, must not zero a correct answer.
# Errors still fail a test: they are error outputs, not stderr text.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=import sys; sys.stderr = sys.stdout",
    "--IPKernelApp.exec_lines=from helpers import seed_everything; seed_everything(0)",
]
c.Execute.timeout = 300  # seconds per cell

# Feedback: hidden tests are graded but never shown to students, not even in a traceback, and
# the marking schemes of manually graded tasks stay with the instructors.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearMarkScheme",
    "helpers.feedback.HideHiddenTests",
]
