"""course publish: the student repository holds what students may see and nothing else, is checked before it is
committed, and grows by one commit a change; it writes only into a new or empty folder or a repository it wrote,
and changes nothing when it refuses; and the links that open its notebooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

from grader import cli
from grader.common.config import load_config
from grader.release.links import hub_link
from grader.release.publish import MARKER, MARKERS, PUBLISHED, TRAILER, PublishRefused, publish, scan, stage
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


def git(repository: Path, *arguments: str) -> str:
    """Run git in ``repository`` as a tester who commits; what it prints."""
    identity = ["-c", "user.name=Tester", "-c", "user.email=tester@localhost", "-c", "init.defaultBranch=main"]
    done = subprocess.run(["git", *identity, *arguments], cwd=repository, capture_output=True, text=True, check=True)
    return done.stdout


def snapshot(dest: Path) -> tuple:
    """Everything a refusal must leave as it was: every file's bytes (the git folder's too, but its index, which
    ``git status`` may refresh), and what ``git rev-parse HEAD`` and ``git status --porcelain`` say."""
    if not dest.is_dir():
        return (dest.read_bytes(),)
    files = {p.relative_to(dest).as_posix(): p.read_bytes() for p in sorted(dest.rglob("*")) if p.is_file()}
    files.pop(".git/index", None)
    said = [
        subprocess.run(["git", *arguments], cwd=dest, capture_output=True, text=True)
        for arguments in (["rev-parse", "HEAD"], ["status", "--porcelain", "--untracked-files=all"])
    ]
    return files, [(done.returncode, done.stdout) for done in said]


def unrelated_repository(dest: Path) -> Path:
    """Someone's project: a git repository with tracked files and a commit."""
    dest.mkdir()
    git(dest, "init", "--quiet")
    (dest / "thesis.tex").write_text("\\chapter{Results}\n")
    (dest / "README.md").write_text("# My thesis\n")
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "--message", "Chapter 3")
    return dest


def unrelated_work_in_progress(course: Path, dest: Path) -> Path:
    """Someone's project with a modified tracked file and an untracked one."""
    unrelated_repository(dest)
    (dest / "thesis.tex").write_text("\\chapter{Results, revised}\n")
    (dest / "notes.txt").write_text("unsaved thoughts\n")
    return dest


def published_and_edited(course: Path, dest: Path) -> Path:
    """A student repository that ``course publish`` wrote, its README edited by hand and a file added."""
    publish(course, dest)
    (dest / "README.md").write_text((dest / "README.md").read_text() + "\nOffice hours: Tuesdays.\n")
    (dest / "errata.md").write_text("Task 2's hint is wrong.\n")
    return dest


def plain_folder(course: Path, dest: Path) -> Path:
    dest.mkdir()
    (dest / "todo.txt").write_text("mine\n")
    return dest


def a_file(course: Path, dest: Path) -> Path:
    dest.write_text("not a folder\n")
    return dest


def under_a_file(course: Path, dest: Path) -> Path:
    a_file(course, dest)
    return dest / "student-repo"


def bare_repository(course: Path, dest: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(dest)], check=True)
    return dest


def in_a_merge(course: Path, dest: Path) -> Path:
    """A student repository that ``course publish`` wrote, stopped in the middle of a merge with a conflict."""
    publish(course, dest)
    git(dest, "switch", "--quiet", "--create", "side")
    (dest / "README.md").write_text("one way\n")
    git(dest, "commit", "--quiet", "--all", "--message", "one way")
    git(dest, "switch", "--quiet", "-")
    (dest / "README.md").write_text("another way\n")
    git(dest, "commit", "--quiet", "--all", "--message", "another way")
    assert subprocess.run(["git", "merge", "side"], cwd=dest, capture_output=True).returncode != 0
    return dest


def detached(course: Path, dest: Path) -> Path:
    publish(course, dest)
    git(dest, "switch", "--quiet", "--detach")
    return dest


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda course, dest: unrelated_repository(dest), "a git repository that `course publish` did not write"),
        (unrelated_work_in_progress, "a git repository that `course publish` did not write"),
        (published_and_edited, "2 uncommitted or untracked file(s) (README.md, errata.md), which publishing would"),
        (plain_folder, "neither empty nor a git repository"),
        (a_file, "is a file, not a folder"),
        (under_a_file, "cannot be made:"),
        (bare_repository, "is a bare git repository"),
        (in_a_merge, "is in the middle of a merge: finish or abort it first"),
        (detached, "has a detached HEAD: check out its branch first"),
    ],
    ids=[
        "unrelated repository",
        "unrelated repository with uncommitted work",
        "own repository edited by hand",
        "plain folder",
        "file",
        "under a file",
        "bare repository",
        "merge in progress",
        "detached HEAD",
    ],
)
def test_publish_refuses_a_destination_it_did_not_write_or_with_work_in_it_and_changes_nothing(
    course, elsewhere, capsys, make, says
):
    dest = make(course, elsewhere / "dest")
    before = snapshot(elsewhere / "dest")
    assert cli.main(["--root", str(course), "publish", str(dest)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {dest} ") and says in error, error
    if not any(state in says for state in ("uncommitted", "merge", "detached")):  # DEST is the wrong place
        assert "publish into a new or empty folder, or into a repository that `course publish` wrote" in error
    assert snapshot(elsewhere / "dest") == before


def test_refused_work_in_progress_keeps_every_file_and_says_to_commit_it(course, elsewhere, capsys):
    dest = unrelated_work_in_progress(course, elsewhere / "thesis")
    head = git(dest, "rev-parse", "HEAD")
    assert cli.main(["--root", str(course), "publish", str(dest)]) == 1
    assert (dest / "thesis.tex").read_text() == "\\chapter{Results, revised}\n"
    assert (dest / "notes.txt").read_text() == "unsaved thoughts\n"
    assert git(dest, "rev-parse", "HEAD") == head and git(dest, "ls-files").split() == ["README.md", "thesis.tex"]
    dest = published_and_edited(course, elsewhere / "student-repo")
    assert cli.main(["--root", str(course), "publish", str(dest)]) == 1
    assert "commit, stash or remove them first" in capsys.readouterr().err
    assert "Office hours: Tuesdays." in (dest / "README.md").read_text() and (dest / "errata.md").exists()
    assert commits(dest) == 1


def test_an_empty_folder_is_published_into_with_the_marker_and_each_commit_carries_the_trailer(
    course, elsewhere, capsys
):
    dest = elsewhere / "empty"
    dest.mkdir()
    assert cli.main(["--root", str(course), "publish", str(dest), "--message", "Week 1"]) == 0
    assert "publish" in (dest / MARKER).read_text() and git(dest, "ls-files", MARKER).strip() == MARKER
    assert git(dest, "log", "--format=%s|%(trailers:key=Published-by,valueonly)").split() == [
        "Week",
        "1|course",
        "publish",
    ]
    capsys.readouterr()
    assert cli.main(["--root", str(course), "publish", str(dest)]) == 0  # its own repository, unchanged
    assert "nothing changed, nothing committed" in capsys.readouterr().out and commits(dest) == 1
    shutil.rmtree(course / "release" / "xor")
    assert cli.main(["--root", str(course), "publish", str(dest)]) == 0
    assert commits(dest) == 2 and git(dest, "log", "-1", "--format=%B").strip().endswith(f"\n\n{TRAILER}")
    assert not (dest / "release" / "xor").exists()  # a folder that only a deleted file held goes too


def test_a_republish_keeps_ignored_files_and_takes_an_earlier_versions_or_an_empty_clones_repository(course, elsewhere):
    dest = elsewhere / "student-repo"
    publish(course, dest)
    (dest / ".venv").mkdir()
    (dest / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # the instructor tried the package out
    (course / "release" / "xor" / "xor.ipynb").unlink()
    assert publish(course, dest).commit and (dest / ".venv" / "pyvenv.cfg").read_text() == "home = /usr/bin\n"
    git(dest, "rm", "--quiet", MARKER)  # as an earlier version of `course publish` left it: no marker
    git(dest, "commit", "--quiet", "--message", "Before the marker")
    assert publish(course, dest).commit and (dest / MARKER).exists() and commits(dest) == 4
    clone = elsewhere / "clone"  # a clone of a new, empty repository: no commit, no file
    git(elsewhere, "init", "--quiet", str(clone))
    assert publish(course, clone).commit and commits(clone) == 1


def test_the_student_repository_holds_the_release_helpers_and_its_own_files_only(course, elsewhere):
    dest = elsewhere / "student-repo"
    done = publish(course, dest, message="Week 1")
    release = {f"release/{p.relative_to(course / 'release').as_posix()}" for p in (course / "release").rglob("*.*")}
    helpers = {f"helpers/{p.relative_to(ROOT / 'helpers').as_posix()}" for p in (ROOT / "helpers").rglob("*.py")}
    assert set(done.files) == release | helpers | {"pyproject.toml", "README.md", "LICENSE", ".gitignore", MARKER}
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
    assert "published the student repository, 26 files, into" in capsys.readouterr().out
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


def test_the_student_readme_installs_torchs_cpu_build_then_the_lab_extra_with_ipywidgets(tmp_path):
    dest = publish(ROOT, tmp_path / "student-repo").dest
    with open(dest / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    assert project["optional-dependencies"]["lab"] == ["jupyterlab>=4", "ipywidgets>=8"]
    readme = (dest / "README.md").read_text()
    commands = [line.split("#")[0].strip() for line in readme.splitlines() if line.strip().startswith("pip install")]
    assert commands == ["pip install torch --index-url https://download.pytorch.org/whl/cpu", 'pip install -e ".[lab]"']
    assert "**Which torch.**" in readme and "MEASURE" not in readme


def test_what_the_destinations_own_gitignore_hid_is_neither_committed_nor_deleted(course, elsewhere):
    dest = elsewhere / "student-repo"
    publish(course, dest)
    (dest / ".gitignore").write_text((dest / ".gitignore").read_text() + "private/\n")
    subprocess.run(["git", "commit", "-qam", "ignore private/"], cwd=dest, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "ta", "GIT_AUTHOR_EMAIL": "ta@x", "GIT_COMMITTER_NAME": "ta",
                        "GIT_COMMITTER_EMAIL": "ta@x"})  # fmt: skip
    (dest / "private").mkdir()
    (dest / "private" / "answers.txt").write_text("a model answer")
    done = publish(course, dest)
    assert "private/answers.txt" not in done.files
    assert (dest / "private" / "answers.txt").read_text() == "a model answer"
    tracked = subprocess.run(["git", "ls-files"], cwd=dest, capture_output=True, text=True).stdout.split()
    assert "private/answers.txt" not in tracked and ".gitignore" in tracked


def test_a_new_folder_inside_another_repository_is_refused(course, elsewhere, capsys):
    other = elsewhere / "other"
    other.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=other, check=True)
    (other / "empty").mkdir()
    for dest in (other / "sub", other / "empty"):
        assert cli.main(["--root", str(course), "publish", str(dest)]) == 1
        assert f"is inside the git repository {other}" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == [".git", "empty"] and not any((other / "empty").iterdir())
