"""The release notebooks' setup cell as Colab runs it, as far as that can be tried offline: a virtual environment
shaped like Colab's (Python with torch, numpy, matplotlib, scikit-learn and the rest of what Colab ships, and
nothing of the course), `google.colab` imported, the working directory outside any clone, and the student
repository on GitHub replaced by the student repository that `course publish` writes, as a `git+file://` URL, the
only difference from Colab."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from grader.common.assignments import assignment_names, graded_assignment_names
from grader.common.cells import solutions
from grader.release.publish import publish
from tests.support import ROOT

#: What Colab has installed that the course's student package needs (its base dependencies, pyproject.toml).
COLAB_PACKAGES = ("torch", "numpy", "numba", "matplotlib", "tqdm", "ipython", "scikit-learn")
GITHUB_URL = 'f"git+https://github.com/{COURSE_REPOSITORY}.git"'


def closure(names: tuple[str, ...]) -> set[str]:
    """The distributions ``names`` need, themselves included, as this environment has them."""
    found, todo = set(), list(names)
    while todo:
        name = todo.pop()
        dist = importlib.metadata.distribution(name)
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in found:
            continue
        found.add(key)
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return found


def link_distributions(names: set[str], folder: Path) -> None:
    """Make ``folder`` a site folder holding exactly the distributions ``names`` (symbolic links to this
    environment's files: packages, modules and their metadata)."""
    folder.mkdir(parents=True)
    for name in names:
        dist = importlib.metadata.distribution(name)
        for top in {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            source = Path(dist.locate_file(top))
            if source.exists() and not (folder / top).exists():
                (folder / top).symlink_to(source)


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory) -> Path:
    """The student repository, published from this course."""
    return publish(ROOT, tmp_path_factory.mktemp("published") / "student-repo").dest


def colab_environment(home: Path) -> Path:
    """A Colab-like environment in ``home``; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(home / "env")], check=True)
    python = home / "env" / "bin" / "python"
    site = Path(
        subprocess.check_output([python, "-c", "import site; print(site.getsitepackages()[0])"], text=True).strip()
    )
    link_distributions(closure(COLAB_PACKAGES), home / "preinstalled")
    (site / "colab_preinstalled.pth").write_text(str(home / "preinstalled") + "\n")
    return python


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> Path:
    """The Colab-like environment's python, for the tests that install the course's package in it."""
    return colab_environment(tmp_path_factory.mktemp("colab"))


def installed(python: Path) -> set[str]:
    listing = subprocess.check_output([python, "-m", "pip", "list", "--format=json"], text=True)
    return {entry["name"].lower() for entry in json.loads(listing)}


def run_cells(python: Path, cells: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the cells' code one after another in one process of ``python``, with Colab's module imported."""
    program = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    program += "".join(f"exec(compile({source!r}, 'cell {i}', 'exec'))\n" for i, source in enumerate(cells))
    return subprocess.run([python, "-c", program], cwd=cwd, capture_output=True, text=True, timeout=600)


def first_task_cells(student_repo: Path, assignment: str) -> list[str]:
    """The published release's setup cell (GitHub replaced by the published student repository), its other cells up
    to the first task's visible check, with the model answer from source/ in the answer cell."""
    release = nbformat.read(student_repo / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = solutions(source)
    code = [c for c in release.cells if c.cell_type == "code"]
    setup = code[0].source
    assert GITHUB_URL in setup, "the setup cell no longer installs from GitHub as this test expects"
    cells = [setup.replace(GITHUB_URL, repr(f"git+file://{student_repo}"))]
    for cell in code[1:]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        cells.append(answers.get(grade_id, cell.source))
        if grade_id.endswith("_visible"):
            return cells
    return cells[:2]  # the tutorial: the setup and the imports


def test_every_notebook_has_the_same_setup_cell(student_repo):
    names_by_setup: dict[str, list[str]] = {}
    for name in assignment_names(ROOT):
        names_by_setup.setdefault(first_task_cells(student_repo, name)[0], []).append(name)
    assert len(names_by_setup) == 1, f"the setup cells differ; notebooks by setup cell: {list(names_by_setup.values())}"


def test_the_setup_cell_outside_colab_and_any_clone_says_what_to_do(student_repo, tmp_path):
    python = colab_environment(tmp_path / "home")  # its own: whatever the other tests installed, helpers is missing
    setup = first_task_cells(student_repo, "xor")[0]
    program = textwrap.dedent(setup)
    done = subprocess.run([python, "-c", program], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1
    assert re.search(r"ModuleNotFoundError: The course's `helpers` package is missing", done.stderr)


@pytest.fixture(scope="module")
def installed_by_setup(colab, student_repo, tmp_path_factory) -> Iterator[Path]:
    """The Colab-like environment after the setup cell (the same in every notebook) has run once, and the tutorial's
    imports after it in the same process: it installed the course's package and nothing else, from the published
    repository, importable at once; removed again after the module's tests."""
    before = installed(colab)
    assert "helpers" not in before and "nn-course" not in before
    done = run_cells(colab, first_task_cells(student_repo, "tutorial"), cwd=tmp_path_factory.mktemp("setup"))
    assert done.returncode == 0, done.stderr[-3000:]
    # the course's package and nothing else: Colab already has every dependency of the student package
    assert installed(colab) - before == {"nn-course"}
    yield colab
    subprocess.run([colab, "-m", "pip", "uninstall", "--yes", "--quiet", "nn-course"], check=True)


def test_the_setup_cell_installs_the_student_package_and_not_the_instructors(installed_by_setup, tmp_path):
    probe = "import helpers, importlib.util as u; print(helpers.__file__, u.find_spec('grader') is None)"
    where, no_grader = subprocess.check_output([installed_by_setup, "-c", probe], cwd=tmp_path, text=True).split()
    assert not where.startswith(str(ROOT)) and no_grader == "True"  # installed, not the clone; no instructor side
    shown = subprocess.run(
        [installed_by_setup, "-m", "pip", "show", "--files", "nn-course"], capture_output=True, text=True
    )
    assert "helpers/" in shown.stdout and "grader" not in shown.stdout.replace("nbgrader", "")


@pytest.mark.parametrize("assignment", assignment_names(ROOT))
def test_after_the_setup_cell_the_first_task_runs(installed_by_setup, student_repo, tmp_path, assignment):
    before = installed(installed_by_setup)
    done = run_cells(installed_by_setup, first_task_cells(student_repo, assignment), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    if assignment in graded_assignment_names(ROOT):
        assert "visible checks passed" in done.stdout
    assert installed(installed_by_setup) == before  # the notebook's own cells install nothing
