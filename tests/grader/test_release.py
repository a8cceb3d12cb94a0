"""release/ must be exactly what `nbgrader generate_assignment` makes of source/ today."""

import json
import shutil
from pathlib import Path

import pytest

from grader.assignments import assignment_names
from grader.release import generate_release


def tree(folder: Path) -> dict[str, object]:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            key = path.relative_to(folder).as_posix()
            files[key] = json.loads(path.read_text()) if path.suffix == ".ipynb" else path.read_bytes()
    return files


def test_every_assignment_is_released(root):
    assert sorted(assignment_names(root)) == sorted(p.name for p in (root / "release").iterdir() if p.is_dir())


@pytest.mark.slow  # runs nbgrader's release of every assignment
def test_release_is_in_sync_with_source(root, course_copy):
    shutil.rmtree(course_copy / "release")
    for name in assignment_names(root):
        generated = generate_release(course_copy, name)
        assert tree(generated) == tree(root / "release" / name), (
            f"release/{name} is stale: run `course release {name}` and commit release/"
        )


@pytest.mark.slow  # runs nbgrader's release
def test_a_stale_release_is_detected(root, course_copy):
    notebook = course_copy / "source" / "tutorial" / "tutorial.ipynb"
    notebook.write_text(notebook.read_text().replace("Tutorial: training", "Tutorial: TRAINING"))
    generated = generate_release(course_copy, "tutorial")
    assert tree(generated) != tree(root / "release" / "tutorial")


def test_unknown_assignment_is_named(course_copy):
    with pytest.raises(FileNotFoundError, match=r"source/nope/.*tutorial"):
        generate_release(course_copy, "nope")
