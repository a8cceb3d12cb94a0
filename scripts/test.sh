#!/usr/bin/env bash
# The test command: set up the environment (and the Debian packages of scripts/system-packages.sh) and run the test
# suite (extra arguments go to pytest).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh"
python -m pytest "$@"
