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
