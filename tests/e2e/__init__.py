"""End-to-end tests: executed notebooks, and whole classes graded through the real nbgrader pipeline."""
