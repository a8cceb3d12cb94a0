#!/usr/bin/env bash
# The main job: set up the environment, stamp the badges, regenerate release/ from source/
# with nbgrader, and execute the tutorial into build/tutorial/ (notebook, HTML and figures).
# Extra arguments go to `course demo` (e.g. --fast).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
course demo "$@"
