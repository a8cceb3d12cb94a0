#!/usr/bin/env bash
# The test command: set up the environment and run the test suite (extra arguments go to pytest).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
python -m pytest "$@"
