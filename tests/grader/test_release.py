"""release/ must be exactly what `nbgrader generate_assignment` makes of source/ today, and its imports cells limit
the threads."""

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.common.assignments import assignment_names, graded_assignment_names
from grader.release.generate import generate_release
from tests.support import thread_counts_after


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


def test_every_graded_imports_cell_limits_torch_and_blas_to_one_thread(root):
    """Run each graded notebook's released imports cell (the one that seeds) in a process whose torch and BLAS start
    with two threads, and read the counts it leaves (the tutorial keeps the default: docs/assignments.md, "One thread
    for small networks")."""
    names = graded_assignment_names(root)
    sources = []
    for name in names:
        cells = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4).cells
        sources.append(next(c.source for c in cells if c.cell_type == "code" and "seed_everything(SEED)" in c.source))
    env = {k: v for k, v in os.environ.items() if k != "COURSE_THREADS"} | {"COURSE_FAST": "1"}
    before_each = "torch.set_num_threads(2); threadpool_limits(limits=2, user_api='blas')"
    done = thread_counts_after(sources, env=env, before_each=before_each)
    assert done.returncode == 0, done.stderr
    counts = dict(zip(names, done.stdout.splitlines()[-len(names) :], strict=True))
    assert counts == {name: "1 [1]" for name in names}, counts


def test_removing_a_mark_scheme_leaves_one_blank_line_between_the_paragraphs():
    from grader.release.mark_scheme import TidyClearMarkScheme

    cell = nbformat.v4.new_markdown_cell(
        "Task text.\n\n=== BEGIN MARK SCHEME ===\n**Scheme.**\n\n* a point\n=== END MARK SCHEME ===\n\nThe question?"
    )
    cell.metadata.nbgrader = {"grade_id": "t", "locked": True, "task": True}
    TidyClearMarkScheme().preprocess_cell(cell, {}, 0)
    assert cell.source == "Task text.\n\nThe question?"


def test_no_released_text_has_a_doubled_blank_line(root):
    for name in assignment_names(root):
        for cell in nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4).cells:
            assert cell.cell_type != "markdown" or "\n\n\n" not in cell.source, (name, cell.source[:80])
