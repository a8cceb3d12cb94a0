"""Tests of the student package `helpers`: pure functions, no notebook, no nbgrader."""
