import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.common.config import load_config
from grader.release.stamp import stamp_all, stamp_notebook

SETUP_MARKER = 'COURSE_REPOSITORY = "'


def setup_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


def test_the_repository_is_one_config_value_and_everything_is_stamped_with_it(root):
    config = load_config(root)
    readme = (root / "README.md").read_text()
    for folder in ("source", "release"):
        for path in sorted((root / folder).glob("*/*.ipynb")):
            text = path.read_text()
            release = f"release/{path.parent.name}/{path.name}"
            assert config.colab_url(release) in text, f"{path}: badge not stamped"
            assert f'{SETUP_MARKER}{config.student_repository}"' in setup_cell(path), f"{path}: setup not stamped"
            assert config.colab_url(release) in readme, f"README lacks the badge of {release}"


def test_stamping_a_fork_changes_badges_setup_and_readme(course_copy):
    pyproject = course_copy / "pyproject.toml"
    student_repository = load_config(course_copy).student_repository
    pyproject.write_text(pyproject.read_text().replace(f'"{student_repository}"', '"someone/fork"'))
    config = load_config(course_copy)
    assert config.student_repository == "someone/fork"
    changed = stamp_all(config)
    assert course_copy / "README.md" in changed
    tutorial = course_copy / "source" / "tutorial" / "tutorial.ipynb"
    assert tutorial in changed
    text = tutorial.read_text()
    assert "https://colab.research.google.com/github/someone/fork/blob/main/release/tutorial/tutorial.ipynb" in text
    assert f'{SETUP_MARKER}someone/fork"' in setup_cell(tutorial)
    assert "someone/fork" in (course_copy / "README.md").read_text()
    assert stamp_all(config) == []  # idempotent


def test_stamping_names_a_notebook_without_the_badge_cell(course_copy):
    path = course_copy / "source" / "tutorial" / "extra.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), path)
    with pytest.raises(ValueError, match=r"extra\.ipynb.*Open In Colab"):
        stamp_notebook(load_config(course_copy), path)


def test_readme_lists_the_notebooks_in_teaching_order(root):
    readme = (root / "README.md").read_text()
    assert readme.index("release/tutorial/tutorial.ipynb") < readme.index("release/project1/project1.ipynb")


def test_bad_repository_values_are_explained(course_copy):
    pyproject = course_copy / "pyproject.toml"
    text = pyproject.read_text()
    config = load_config(course_copy)
    pyproject.write_text(text.replace(f'"{config.student_repository}"', '"no-slash"'))
    with pytest.raises(ValueError, match=r"student_repository .* must be 'owner/name'"):
        load_config(course_copy)
    pyproject.write_text(text.replace(f'"{config.student_repository}"', f'"{config.repository.upper()}"'))
    with pytest.raises(ValueError, match="is the instructor repository, which holds source/"):
        load_config(course_copy)


def run_setup_cell(root: Path, cwd: Path, *python_flags: str) -> subprocess.CompletedProcess:
    code = setup_cell(root / "release" / "tutorial" / "tutorial.ipynb")
    code += "\nimport importlib.util; print(importlib.util.find_spec('helpers').origin)"
    return subprocess.run([sys.executable, *python_flags, "-c", code], cwd=cwd, capture_output=True, text=True)


def test_setup_cell_does_nothing_where_helpers_is_installed(root, tmp_path):
    done = run_setup_cell(root, tmp_path)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == root / "helpers" / "__init__.py"


def test_setup_cell_finds_the_clone_when_helpers_is_not_installed(root):
    # -S: no site-packages, so `helpers` is not installed; the cell finds the clone around the notebook
    done = run_setup_cell(root, root / "release" / "tutorial", "-S")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == root / "helpers" / "__init__.py"


def test_setup_cell_explains_what_to_do_elsewhere(root, tmp_path):
    done = run_setup_cell(root, tmp_path, "-S")
    assert done.returncode != 0
    assert "pip install -e ." in done.stderr
