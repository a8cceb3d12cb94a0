"""course publish: the student repository holds what students may see and nothing else, is checked before it is
committed, and grows by one commit a change; and the links that open its notebooks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

from grader import cli
from grader.config import load_config
from grader.links import hub_link
from grader.publish import MARKERS, PUBLISHED, PublishRefused, publish, scan, stage
from tests.support import ROOT


@pytest.fixture
def course(course_copy: Path) -> Path:
    """A copy of the course with what a publish reads besides the course files: the helpers package and the
    licence."""
    shutil.copytree(ROOT / "helpers", course_copy / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "LICENSE", course_copy / "LICENSE")
    return course_copy


@pytest.fixture
def elsewhere(tmp_path_factory) -> Path:
    """A folder outside the course copy (which is ``tmp_path``) for the student repository."""
    return tmp_path_factory.mktemp("published")


def commits(repository: Path) -> int:
    done = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repository, capture_output=True, text=True)
    return int(done.stdout) if done.returncode == 0 else 0


def test_the_student_repository_holds_the_release_helpers_and_its_own_files_only(course, elsewhere):
    dest = elsewhere / "student-repo"
    done = publish(course, dest, message="Week 1")
    release = {f"release/{p.relative_to(course / 'release').as_posix()}" for p in (course / "release").rglob("*.*")}
    helpers = {f"helpers/{p.relative_to(ROOT / 'helpers').as_posix()}" for p in (ROOT / "helpers").rglob("*.py")}
    assert set(done.files) == release | helpers | {"pyproject.toml", "README.md", "LICENSE", ".gitignore"}
    assert {Path(f).parts[0] for f in done.files} == set(PUBLISHED)
    for path in dest.rglob("*"):  # every published byte, not only the notebooks
        if path.is_file() and ".git" not in path.relative_to(dest).parts:
            data = path.read_bytes()
            assert not [m for m in MARKERS if m.encode() in data], path
    log = subprocess.run(["git", "log", "--format=%s"], cwd=dest, capture_output=True, text=True).stdout
    assert log.strip() == "Week 1" and done.commit


def test_a_publish_without_a_change_commits_nothing_and_a_changed_release_exactly_once(course, elsewhere):
    dest = elsewhere / "student-repo"
    publish(course, dest)
    assert publish(course, dest).commit is None and commits(dest) == 1
    notebook = course / "release" / "tutorial" / "tutorial.ipynb"
    notebook.write_text(notebook.read_text().replace("Tutorial: training", "Tutorial: Training"))
    (course / "release" / "xor" / "xor.ipynb").unlink()  # a file that goes away goes from the repository too
    assert publish(course, dest).commit is not None and commits(dest) == 2
    assert "Tutorial: Training" in (dest / "release" / "tutorial" / "tutorial.ipynb").read_text()
    assert not (dest / "release" / "xor" / "xor.ipynb").exists()


@pytest.mark.parametrize(
    "plant, named",
    [
        (lambda cell, secret: "### BEGIN SOLUTION\n" + cell, "the marker 'BEGIN SOLUTION'"),
        (lambda cell, secret: cell + "\n" + secret, "a model answer's line"),
        (lambda cell, secret: cell + "\nfrom grader.checks.xor import make_batch_hidden", "the marker 'grader.checks'"),
    ],
    ids=["solution marker", "model answer", "hidden test"],
)
def test_a_release_that_gives_an_answer_away_is_refused_and_nothing_is_committed(course, elsewhere, plant, named):
    dest = elsewhere / "student-repo"
    publish(course, dest)
    path = course / "release" / "xor" / "xor.ipynb"
    nb = nbformat.read(path, as_version=4)
    secret = "X = X + 0.1 * torch.rand(batch_size, n_inputs, generator=generator)"  # make_batch's model answer
    assert secret not in path.read_text()
    nb.cells[1].source = plant(nb.cells[1].source, secret)
    nbformat.write(nb, path)
    with pytest.raises(PublishRefused, match=rf"release/xor/xor\.ipynb:\d+: {named}"):
        publish(course, dest)
    assert commits(dest) == 1 and "BEGIN SOLUTION" not in (dest / "release" / "xor" / "xor.ipynb").read_text()


def test_changed_grader_metadata_and_instructor_files_are_named(course, elsewhere):
    staged = elsewhere / "staged"
    stage(load_config(course), staged)
    notebook = staged / "release" / "deep" / "deep.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("points"))
    graded.metadata.nbgrader["points"] += 1
    nbformat.write(nb, notebook)
    (staged / "helpers" / "grader").mkdir()
    (staged / "helpers" / "grader" / "x.py").write_text("")
    (staged / "nbgrader_config.py").write_text("")
    assert scan(load_config(course), staged) == [
        "helpers/grader/x.py: an instructor-only file",
        "nbgrader_config.py: an instructor-only file",
        "release/deep/deep.ipynb: nbgrader metadata differs from release/",
    ]


def test_publish_refuses_a_folder_that_is_neither_new_nor_a_repository_nor_tracked_by_the_course(course, elsewhere):
    (elsewhere / "notes").mkdir()
    (elsewhere / "notes" / "todo.txt").write_text("mine")
    with pytest.raises(ValueError, match="neither empty nor a git repository"):
        publish(course, elsewhere / "notes")
    with pytest.raises(ValueError, match="inside the instructor repository"):
        publish(course, course / "release" / "student-repo")
    assert publish(course, course / "build" / "student-repo").commit  # build/ is ignored: the main job's place


def test_the_command_prints_the_count_and_refuses_with_status_1(course, elsewhere, capsys):
    assert cli.main(["--root", str(course), "publish", str(elsewhere / "repo")]) == 0
    assert "published the student repository, 25 files, into" in capsys.readouterr().out
    (course / "release" / "xor" / "note.md").write_text("### END MARK SCHEME\n")
    assert cli.main(["--root", str(course), "publish", str(elsewhere / "repo")]) == 1
    assert "release/xor/note.md:1: the marker 'END MARK SCHEME'" in capsys.readouterr().err


def test_the_links_open_the_notebook_of_the_student_repository(capsys):
    config = load_config(ROOT)
    assert cli.main(["links", "--hub", "https://hub.example.edu/"]) == 0
    printed = capsys.readouterr().out
    colab = urlparse(
        next(line.split(": ", 1)[1] for line in printed.splitlines() if "xor.ipynb" in line and "Colab" in line)
    )
    owner, name = config.student_repository.split("/")
    assert (colab.netloc, colab.path) == (
        "colab.research.google.com",
        f"/github/{owner}/{name}/blob/{config.branch}/release/xor/xor.ipynb",
    )
    link = urlparse(hub_link(config, "https://hub.example.edu/", "release/xor/xor.ipynb"))
    assert link.geturl() in printed
    assert (link.scheme, link.netloc, link.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    query = parse_qs(link.query)
    assert query == {
        "repo": [f"https://github.com/{owner}/{name}"],
        "branch": [config.branch],
        "urlpath": [f"lab/tree/{name}/release/xor/xor.ipynb?autodecode"],
    }
    assert cli.main(["links", "--hub", "hub.example.edu"]) == 1  # not an address


def test_the_published_package_installs_helpers_and_no_grader(tmp_path):
    dest = publish(ROOT, tmp_path / "student-repo").dest
    site = tmp_path / "site"  # a folder of its own, as a fresh environment; its dependencies (torch, ...) not needed
    install = ["-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(site)]
    subprocess.run([sys.executable, *install, str(dest)], check=True, capture_output=True)
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == ["helpers"]
    probe = "import importlib.util as u; print(u.find_spec('helpers').origin); print(u.find_spec('grader'))"
    found = subprocess.run([sys.executable, "-S", "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                           capture_output=True, text=True, check=True)  # fmt: skip
    where, grader = found.stdout.split()
    assert where == str(site / "helpers" / "__init__.py") and grader == "None"
