"""Tests of the instructor package `grader`, module by module."""
