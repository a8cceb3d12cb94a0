"""The checks a submission meets before grading: each problem has its status and a reason that says what to do."""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import pytest

from grader.autograde.intake import check_submission, foreign_grade_ids, read_notebook
from grader.common.statuses import (
    GRADED,
    METADATA_TAMPERED,
    NOT_A_NOTEBOOK,
    NOTEBOOK_MISSING,
    TOO_LARGE,
    UNKNOWN_NOTEBOOK,
    WRONG_ASSIGNMENT,
)
from tests.support import ROOT

RELEASE = ROOT / "release" / "project1"
NOTEBOOK = "project1.ipynb"


def release_copy() -> nbformat.NotebookNode:
    return nbformat.read(RELEASE / NOTEBOOK, as_version=4)


def cell_of(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def submit(folder: Path, nb: nbformat.NotebookNode | None = None, name: str = NOTEBOOK) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb if nb is not None else release_copy(), folder / name)
    return folder


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "project1.ipynb is empty (0 bytes): submit the notebook saved from Jupyter"),
        (b"\xe9t\xe9", "project1.ipynb is not UTF-8 text (byte 0xe9 at offset 0)"),
        (b'{"cells": [', "project1.ipynb is broken JSON"),
        (b"[1, 2, 3]", "project1.ipynb is JSON but not a notebook (no 'cells')"),
        (b'{"cells": 7, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "project1.ipynb is not a valid notebook"),
    ],
)
def test_what_is_not_a_notebook_says_why(tmp_path, data, reason):
    path = tmp_path / NOTEBOOK
    path.write_bytes(data)
    with pytest.raises(ValueError) as error:
        read_notebook(path)
    assert str(error.value).startswith(reason)
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / NOTEBOOK).write_bytes(data)
    checked = check_submission(folder, RELEASE)
    assert (checked.status, checked.gradable) == (NOT_A_NOTEBOOK, False)
    assert checked.reason.startswith(reason)


def test_the_untouched_release_is_gradable_as_it_is(tmp_path):
    folder = submit(tmp_path / "ada")
    (folder / "notes.txt").write_text("my notes")
    checked = check_submission(folder, RELEASE)
    assert (checked.status, checked.reason, checked.problems, checked.gradable) == (GRADED, "", [], True)
    assert sorted(checked.files) == ["notes.txt", NOTEBOOK]
    assert list(checked.notebooks) == [NOTEBOOK]


def test_missing_and_unknown_notebooks_are_not_sent_to_a_worker(tmp_path):
    missing = check_submission(tmp_path / "nobody", RELEASE)
    assert (missing.status, missing.gradable) == (NOTEBOOK_MISSING, False)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_submission(empty, RELEASE).reason == "no .ipynb file in the submission; expected project1.ipynb"
    renamed = check_submission(submit(tmp_path / "renamed", name="Project 1 (1).ipynb"), RELEASE)
    assert (renamed.status, renamed.gradable) == (UNKNOWN_NOTEBOOK, False)
    assert renamed.reason.startswith("found Project 1 (1).ipynb; expected project1.ipynb: rename the file")


def test_each_change_to_the_grader_cells_is_named(tmp_path):
    nb = release_copy()
    nb.cells.remove(cell_of(nb, "make_test_data_hidden"))
    retyped = cell_of(nb, "train_hidden")
    retyped.cell_type = "markdown"
    del retyped["outputs"], retyped["execution_count"]
    cell_of(nb, "evaluate_visible").metadata["nbgrader"]["points"] = 50
    copy = nbformat.from_dict(json.loads(json.dumps(cell_of(nb, "SmallNet_visible"))))
    copy["id"] = "a-copy"
    nb.cells.append(copy)
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    checked = check_submission(submit(tmp_path / "tamperer", nb), RELEASE)
    assert (checked.status, checked.gradable) == (METADATA_TAMPERED, True)
    assert sorted(checked.problems) == [
        "cell SmallNet_visible duplicated (2 copies)",
        "cell evaluate_visible metadata changed (points)",
        "cell make_test_data_hidden deleted",
        "cell train_hidden changed from code to markdown",
        "kernel 'ir' instead of 'python3'",
    ]
    assert checked.reason.endswith("(graded with the grader's cells put back)")
    # nbgrader stops at a duplicated grade id: the worker gets the notebook with the later copy removed
    shipped = nbformat.reads(checked.files[NOTEBOOK].decode(), as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in shipped.cells]
    assert ids.count("SmallNet_visible") == 1


def test_links_and_oversized_files_are_not_shipped(tmp_path):
    folder = submit(tmp_path / "linker")
    size = (folder / NOTEBOOK).stat().st_size
    (folder / "big.bin").write_bytes(b"x" * (size + 1))
    (folder / "secret").symlink_to("/etc/hostname")
    checked = check_submission(folder, RELEASE, max_bytes=size)
    assert sorted(checked.files) == [NOTEBOOK] and checked.too_large == ["big.bin"]


def test_python_files_that_could_replace_a_module_are_left_out(tmp_path):
    folder = submit(tmp_path / "shadower")
    (folder / "torch.py").write_text("def allclose(*args, **kwargs):\n    return True\n")
    (folder / "grader" / "kernel").mkdir(parents=True)
    (folder / "grader" / "kernel" / "integrity.py").write_text("def install():\n    pass\n")
    (folder / "data.csv").write_text("x\n1\n")
    (folder / "model.pth").write_bytes(b"saved weights")
    checked = check_submission(folder, RELEASE)
    assert sorted(checked.files) == ["data.csv", "model.pth", NOTEBOOK]
    assert checked.left_out == ["grader/kernel/integrity.py", "torch.py"]


def test_a_test_cell_turned_into_an_answer_cell_is_put_back_before_grading(tmp_path):
    nb = release_copy()
    cell_of(nb, "train_hidden").metadata["nbgrader"]["solution"] = True
    cell_of(nb, "evaluate_visible").metadata["nbgrader"]["points"] = 50
    checked = check_submission(submit(tmp_path / "answerer", nb), RELEASE)
    assert checked.status == METADATA_TAMPERED
    assert checked.problems == [
        "cell train_hidden metadata changed (solution)",
        "cell evaluate_visible metadata changed (points)",
    ]
    shipped = nbformat.reads(checked.files[NOTEBOOK].decode(), as_version=4)
    release = release_copy()
    for grade_id in ("train_hidden", "evaluate_visible"):
        assert cell_of(shipped, grade_id).metadata["nbgrader"] == cell_of(release, grade_id).metadata["nbgrader"]


def test_a_long_list_of_problems_stays_one_short_line(tmp_path):
    nb = release_copy()
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    checked = check_submission(submit(tmp_path / "stripper", nb), RELEASE)
    assert checked.status == METADATA_TAMPERED and len(checked.problems) > 40
    assert checked.reason.startswith("cell title deleted; cell imports deleted; cell task1 deleted; and ")
    assert len(checked.reason) < 150


def test_another_assignments_notebook_is_named_and_graded_as_the_release(tmp_path):
    xor = nbformat.read(ROOT / "release" / "xor" / "xor.ipynb", as_version=4)
    foreign = foreign_grade_ids(ROOT / "release", "project1")
    checked = check_submission(submit(tmp_path / "mixer", xor), RELEASE, foreign_ids=foreign)
    assert (checked.status, checked.gradable) == (WRONG_ASSIGNMENT, True)
    assert checked.reason.startswith("this is the notebook of xor/xor.ipynb, not project1/project1.ipynb")
    assert checked.files == {NOTEBOOK: (RELEASE / NOTEBOOK).read_bytes()}  # the release is graded in its place
    pasted = release_copy()  # one cell of another assignment pasted into this one's notebook is not that
    pasted.cells.append(next(c for c in xor.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "make_batch"))
    checked = check_submission(submit(tmp_path / "paster", pasted), RELEASE, foreign_ids=foreign)
    assert checked.status == METADATA_TAMPERED
    assert checked.problems == ["cell make_batch is no cell of the release (its grader metadata removed)"]
    shipped = nbformat.reads(checked.files[NOTEBOOK].decode(), as_version=4)
    assert "nbgrader" not in shipped.cells[-1].metadata


def test_a_renamed_grade_id_is_named_and_given_back(tmp_path):
    nb = release_copy()
    cell_of(nb, "train_hidden").metadata["nbgrader"]["grade_id"] = "my_train_tests"
    checked = check_submission(submit(tmp_path / "renamer", nb), RELEASE)
    assert (checked.status, checked.problems) == (
        METADATA_TAMPERED,
        ["cell train_hidden renamed to my_train_tests (its name put back)"],
    )
    shipped = nbformat.reads(checked.files[NOTEBOOK].decode(), as_version=4)
    assert (
        cell_of(shipped, "train_hidden").metadata["nbgrader"]
        == cell_of(release_copy(), "train_hidden").metadata["nbgrader"]
    )


def test_a_notebook_over_the_size_limit_is_too_large_and_graded_as_the_release(tmp_path):
    folder = submit(tmp_path / "hoarder")
    size = (folder / NOTEBOOK).stat().st_size
    checked = check_submission(folder, RELEASE, max_bytes=size - 1)
    assert (checked.status, checked.gradable) == (TOO_LARGE, True)
    assert "project1.ipynb is too large (" in checked.reason and "clear the outputs" in checked.reason
    assert checked.files == {NOTEBOOK: (RELEASE / NOTEBOOK).read_bytes()}
    assert check_submission(folder, RELEASE, max_bytes=size).status == GRADED  # at the limit is within it


def test_a_whole_notebook_with_another_assignments_cells_pasted_in_is_this_assignments(tmp_path):
    nb = release_copy()
    deep = nbformat.read(ROOT / "release" / "deep" / "deep.ipynb", as_version=4)
    nb.cells += [cell for cell in deep.cells if cell.metadata.get("nbgrader")]  # more cells than project1 has
    checked = check_submission(submit(tmp_path / "paster", nb), RELEASE, foreign_ids=foreign_grade_ids(
        ROOT / "release", "project1"))  # fmt: skip
    assert checked.status == METADATA_TAMPERED
    assert all("is no cell of the release" in problem or "duplicated" in problem for problem in checked.problems)


def test_a_renamed_answer_gets_its_own_name_back_not_a_deleted_tests(tmp_path):
    nb = release_copy()
    answer = cell_of(nb, "train")
    answer.source = "def train(model, batches):\n    return []"
    answer.metadata["nbgrader"]["grade_id"] = "my_train"
    nb.cells.remove(cell_of(nb, "evaluate_visible"))  # a test cell missing too, earlier or later
    nb.cells.remove(cell_of(nb, "make_training_data_visible"))
    checked = check_submission(submit(tmp_path / "renamer", nb), RELEASE)
    assert "cell train renamed to my_train (its name put back)" in checked.problems
    shipped = nbformat.reads(checked.files[NOTEBOOK].decode(), as_version=4)
    assert cell_of(shipped, "train").source == answer.source


def test_a_notebook_that_is_a_link_is_not_graded(tmp_path):
    folder = tmp_path / "linker"
    folder.mkdir()
    (folder / NOTEBOOK).symlink_to(RELEASE / NOTEBOOK)
    checked = check_submission(folder, RELEASE)
    assert (checked.status, checked.reason) == (
        NOT_A_NOTEBOOK,
        "project1.ipynb is a link, not a file: submit the notebook itself",
    )


def test_a_file_just_over_the_limit_never_reads_as_the_limit(tmp_path):
    folder = submit(tmp_path / "hoarder")
    size = (folder / NOTEBOOK).stat().st_size
    checked = check_submission(folder, RELEASE, max_bytes=size - 1)
    assert (
        f"({math.ceil(size / 1e5) / 10:g} MB; the limit is {math.ceil((size - 1) / 1e5) / 10:g} MB)" in checked.reason
    )
