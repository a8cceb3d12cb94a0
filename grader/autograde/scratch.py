"""The private folder of a grading run, which holds every scratch folder of its local workers.

A worker removes its scratch folder when it finishes a submission, but a run that is stopped kills its workers
mid-submission (:mod:`grader.autograde.stopping`): their scratch folders, which hold the submission and, for the
canary, the model answer, would stay in ``/tmp``. So each run makes one folder of its own (``mkdtemp``: mode
0700, the grading user's alone), named with its process id, for its workers' scratch folders, and removes it
however the run ends; a run that was killed outright (SIGKILL) cannot, so each run first removes the folders of
runs whose process is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "course-grading-"
REMOVE_ATTEMPTS = 10


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphaned_runs(folder: Path | None = None) -> list[Path]:
    """Remove this user's run folders (in ``folder``, default: the system's temporary folder) whose run's process
    is gone; return them."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = path.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and path.stat().st_uid == os.getuid() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextlib.contextmanager
def run_scratch() -> Iterator[Path]:
    """A private folder for the scratch folders of one grading run, removed when the ``with`` block ends."""
    for path in remove_orphaned_runs():
        log.info("removed the scratch folder of a grading run that was killed: %s", path)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        yield folder
    finally:
        for _ in range(REMOVE_ATTEMPTS):  # a stopped worker's kernel may still write while it dies
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                break
            time.sleep(0.5)
