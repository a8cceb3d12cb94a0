"""Style is checked like behaviour: ruff's linter and formatter, configured in pyproject.toml."""

import subprocess
import sys

import pytest

from tests.support import ROOT


@pytest.mark.parametrize(
    "command", [["check", "--no-cache"], ["format", "--check", "--no-cache", "--diff"]], ids=["lint", "format"]
)
def test_ruff_passes(command):
    done = subprocess.run([sys.executable, "-m", "ruff", *command, str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, (
        f"`ruff {' '.join(command[:1])}` found problems (run `ruff {command[0]}"
        f"{' --fix' if command[0] == 'check' else ''} .`):\n{done.stdout}{done.stderr}"
    )
