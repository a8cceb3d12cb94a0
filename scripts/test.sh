#!/usr/bin/env bash
# The test command: set up the environment (and the Debian packages of scripts/system-packages.sh) and run the test
# suite (extra arguments go to pytest) in two processes (pytest-xdist), each test file whole in one of them
# (pyproject.toml's --dist loadfile), so that a file's graded classes (its module fixtures) are graded once;
# COURSE_TEST_PROCESSES sets how many (0: one process).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh"
python -m pytest -n "${COURSE_TEST_PROCESSES:-2}" "$@"
