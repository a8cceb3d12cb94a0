#!/usr/bin/env bash
# The main job: set up the environment, stamp the badges, regenerate release/ from source/ with nbgrader, publish
# the student repository into build/student-repo/, execute the tutorial into build/tutorial/ (notebook, HTML and
# figures), and grade the sample classes.
# Extra arguments go to `course demo` (e.g. --fast).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
course demo "$@"
