"""grader.kernel.integrity without a kernel: its snapshot, taken in a fresh interpreter with an IPython shell of
its own and a stand-in for the kernel, puts back what student code changes and names each change; what it
cannot put back it still reports."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support import ROOT

#: Runs in a fresh interpreter (the snapshot records and restores process-wide state): takes the snapshot, does
#: what a student's cell might, restores, and prints what was reported and whether it was put back.
SCRIPT = textwrap.dedent(
    """
    import json, sys, types
    from IPython.core.interactiveshell import InteractiveShell
    from grader.kernel import integrity

    shell = InteractiveShell.instance()
    kernel = types.SimpleNamespace(shell_handlers={}, session=types.SimpleNamespace())
    for name in integrity.MODULES + tuple(module for module, _ in integrity.CLASSES):
        __import__(name)


    class Locked(type):
        locked = False

        def __setattr__(cls, key, value):
            if Locked.locked:
                raise TypeError("locked")
            super().__setattr__(key, value)


    class Guarded(metaclass=Locked):
        def method(self):
            return "original"


    snapshot = integrity._Snapshot(shell, kernel, integrity.check_modules())
    snapshot.classes.append((Guarded, dict(vars(Guarded))))
    import grader.checks.xor as checks
    import numpy as np
    import torch

    original_check, original_allclose = checks.reference_batch.__code__, np.allclose
    checks.reference_batch.__code__ = (lambda *args, **kwargs: None).__code__  # a check patched in place
    sys.modules["grader.checks.xor"] = types.ModuleType("grader.checks.xor")  # a fake module planted
    np.allclose = lambda *args, **kwargs: True  # a test's helper faked
    torch.Tensor.__eq__ = lambda self, other: True  # a method of a recorded class
    Guarded.method = lambda self: "faked"
    Locked.locked = True  # ... which can no longer be put back
    changed = snapshot.restore()
    print(json.dumps({
        "changed": changed,
        "again": snapshot.restore(),
        "put back": [
            checks.reference_batch.__code__ is original_check,
            sys.modules["grader.checks.xor"] is checks,
            np.allclose is original_allclose,
            torch.equal(torch.zeros(2), torch.zeros(2)) and not (torch.zeros(1) == torch.ones(1)).all(),
        ],
    }))
    """
)


def run_snapshot() -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_restore_puts_back_and_names_each_change_and_reports_what_it_cannot_put_back():
    report = run_snapshot()
    changed = report["changed"]
    assert report["put back"] == [True, True, True, True]
    assert "sys.modules['grader.checks.xor']" in changed
    assert "grader.checks.xor.reference_batch" in changed
    assert "numpy.allclose" in changed
    assert "torch.Tensor.__eq__ (added)" in changed  # it hid the __eq__ that torch.Tensor inherits
    assert "__main__.Guarded.method (could not be put back: TypeError)" in changed
    # after a restore nothing else has changed; what could not be put back is reported again
    assert report["again"] == ["__main__.Guarded.method (could not be put back: TypeError)"]
