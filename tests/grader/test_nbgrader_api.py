"""The adaptor to nbgrader's API: a new gradebook takes nbgrader's schema version from this process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nbgrader.dbutil import _temp_alembic_ini
from sqlalchemy import create_engine, text

from grader.common.nbgrader_api import Gradebook, gradebook_schema_version


def test_a_new_gradebook_is_stamped_with_the_version_nbgraders_alembic_script_reports(tmp_path, monkeypatch):
    with _temp_alembic_ini(f"sqlite:///{tmp_path / 'scratch.db'}") as ini:
        heads = subprocess.run(
            [Path(sys.executable).parent / "alembic", "-c", ini, "heads"], capture_output=True, text=True, check=True
        )
    reported = heads.stdout.split()[0]
    monkeypatch.setenv("PATH", "")  # no `alembic` script to run: the version comes from this process
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}", "course") as gb:
        gb.add_assignment("a1")
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert stamped == gradebook_schema_version() == reported
