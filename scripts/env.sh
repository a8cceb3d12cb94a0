# Sourced by scripts/main.sh and scripts/test.sh: create or reuse the course's virtual
# environment and install requirements.txt and the course's packages (helpers, grader) into it (again only when
# requirements.txt or pyproject.toml changed). Set COURSE_VENV to use another folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${COURSE_VENV:-$ROOT/.venv}"

if [ ! -x "$VENV/bin/python" ]; then
    PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
    if [ -z "$PYTHON" ]; then
        echo "error: no python3 found; install Python 3.11 or set PYTHON=/path/to/python3.11" >&2
        exit 1
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "error: $PYTHON is Python $("$PYTHON" -c 'import platform; print(platform.python_version())'); the course needs 3.11 or newer (set PYTHON=...)" >&2
        exit 1
    fi
    echo "creating the virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi

wanted="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
marker="$VENV/.course-installed"
if [ "$(cat "$marker" 2>/dev/null)" != "$wanted" ]; then
    echo "installing requirements.txt and the course's packages into $VENV"
    # pip compiles every module it installs one file after another (about 100 s here); compileall does the same
    # on every core. Like pip, it skips the files that are not Python 3 (templates, test data); the kernels that
    # grade find every module compiled, since the jail binds the environment read-only.
    "$VENV/bin/python" -m pip install --quiet --quiet --disable-pip-version-check --no-compile \
        -r "$ROOT/requirements.txt" -e "$ROOT[instructor,test]"
    "$VENV/bin/python" -m compileall -q -j 0 "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
        > /dev/null || true
    echo "$wanted" > "$marker"
fi

export PATH="$VENV/bin:$PATH"
cd "$ROOT"
