#!/usr/bin/env bash
# The test command: set up the environment (and the Debian packages of scripts/system-packages.sh) and run the test
# suite (extra arguments go to pytest), in one process. COURSE_TEST_PROCESSES=2 runs it in two (pytest-xdist), each test
# file whole in one of them (pyproject.toml's --dist loadfile): 18% faster on 2 cores, but the warm-kernel isolation
# test then sometimes sees the other process's activity (docs/benchmarks.md), so CI keeps one.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh"
python -m pytest -n "${COURSE_TEST_PROCESSES:-0}" "$@"
