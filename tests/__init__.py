"""The course test suite: `helpers` (the student package), `grader` (the instructor package), and end to end."""
