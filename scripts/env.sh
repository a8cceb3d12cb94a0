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
    "$VENV/bin/python" -m pip install --quiet --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" -e "$ROOT[instructor,test]"
    echo "$wanted" > "$marker"
fi

export PATH="$VENV/bin:$PATH"
cd "$ROOT"
