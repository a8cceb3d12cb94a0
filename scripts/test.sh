#!/usr/bin/env bash
# The test command: set up the environment (and Debian's chromium for the browser tests) and run the test
# suite (extra arguments go to pytest).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/browser.sh"
python -m pytest "$@"
