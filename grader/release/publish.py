"""The student repository: what students may see, written by ``course publish DEST``, and checked before it is
committed.

The instructor repository (this one) is private: ``source/`` holds every model answer and mark scheme, and
``grader/checks/`` every hidden test. The student repository holds ``release/``, the ``helpers`` package, a
``pyproject.toml`` that installs ``helpers`` and its dependencies only, a student README, the licence, a
``.gitignore`` and the marker ``.course-publish``; nothing else. DEST is a git repository: the first publish
creates it, each later one adds one commit on top (students who cloned it ``git pull``; nbgitpuller links keep
working), and nothing is committed when nothing changed.

The tree is staged in a scratch folder and scanned (:func:`scan`) before anything reaches DEST: a marker of
nbgrader's (solution, hidden tests, mark scheme), a line of a hidden test or of a model answer, a file on an
instructor-only path, or a notebook whose nbgrader metadata differs from ``release/`` stops the publish, naming
the file and the line, with nothing committed.

DEST is checked before anything is staged, deleted or written, and a publish writes only into a folder that
does not exist, an empty folder, a git repository with no commit and no file yet (a clone of a new, empty
GitHub repository), or a git repository that ``course publish`` wrote before: HEAD's tree holds the marker file
``.course-publish`` (:data:`MARKER`), which each publish writes, and each commit carries the trailer
``Published-by: course publish`` (:data:`TRAILER`). A publish replaces every tracked file of DEST, so anything
else is refused with a :class:`ValueError` that names DEST, what is wrong and what to do, and nothing in DEST
changed: a file; a non-empty folder that is not a git repository; an unrelated repository (a mistyped path
must not turn someone's project into the course); a bare repository; a repository in the middle of a merge,
rebase, cherry-pick, revert or bisect, or whose HEAD is detached; and a repository with uncommitted or
untracked files (hand edits would be lost). Files that DEST's ``.gitignore`` ignores (a ``.venv/``) are kept.
A repository that an earlier version wrote, without the marker, is recognised by its top level, which is
exactly the published files (:data:`EARLIER_PUBLISHED`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearMarkScheme

from grader.common.assignments import course_assignments
from grader.common.cells import HIDDEN_TESTS, SOLUTION, regions
from grader.common.config import CourseConfig, load_config
from grader.release.stamp import notebook_table
from grader.release.student_guide import grading_limits, limits_markdown

#: The file that marks a repository as written by ``course publish``: it publishes only into one that holds it.
MARKER = ".course-publish"
MARKER_TEXT = (
    "This repository is written by `course publish` from the course's instructor repository.\n"
    "Do not edit it by hand: the next publish replaces every file, and refuses to run while a change is uncommitted.\n"
)
#: The trailer of every commit that ``course publish`` makes.
TRAILER = "Published-by: course publish"
#: What a student repository held at its top level before the marker: how an earlier publish is recognised.
EARLIER_PUBLISHED = ("release", "helpers", "pyproject.toml", "README.md", "LICENSE", ".gitignore")
#: What a student repository holds at its top level.
PUBLISHED = (*EARLIER_PUBLISHED, MARKER)
#: What to publish into instead, in every refusal.
WHERE_TO = f"publish into a new or empty folder, or into a repository that `course publish` wrote (it holds {MARKER})"
#: The files in a repository's git folder while an operation is in progress, and the operation.
IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("BISECT_LOG", "a bisect"),
)
#: How many of a repository's uncommitted files a refusal names.
NAMED_CHANGES = 3
#: Names that never appear anywhere in a student repository: the instructor's side.
INSTRUCTOR_ONLY = {
    "source",
    "grader",
    "submitted",
    "autograded",
    "feedback",
    "grades",
    "tests",
    "benchmarks",
    "scripts",
    "exchange",
    "gradebook.db",
    "nbgrader_config.py",
    "CONTRIBUTING.md",
    "docs",
    "mkdocs.yml",
}
MARK_SCHEME = (
    ClearMarkScheme.begin_mark_scheme_delimeter.default_value,
    ClearMarkScheme.end_mark_scheme_delimeter.default_value,
)
#: The regions of a source notebook that students never see, and what a line of each is.
SECRETS = (
    (SOLUTION, "a model answer's line"),
    (HIDDEN_TESTS, "a hidden test's line"),
    (MARK_SCHEME, "a mark scheme's line"),
)
#: Words that give away an answer or a hidden test wherever they appear.
MARKERS = (*SOLUTION, *HIDDEN_TESTS, *MARK_SCHEME, "grader.checks")
#: A model answer's or hidden test's line shorter than this (``return x``) is too common to say anything.
SECRET_LINE_LENGTH = 24
#: PyTorch's index of CPU-only builds: the student README installs torch from it on Linux.
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
#: The student package's ``lab`` extra: JupyterLab, and ipywidgets for widgets a student draws (tqdm.auto's bars among
#: them: without it tqdm.auto warns and falls back to text); the course's own bars are text (tqdm.std).
LAB_EXTRA = ("jupyterlab>=4", "ipywidgets>=8")
#: A CPU install, measured (docs/students.md says how): the student README's figure.
CPU_INSTALL = "a 183 MB wheel; with the `lab` extra, 1.7 GB installed, in about 2 minutes on 2 cores once downloaded"
GITIGNORE = "__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n.venv/\nbuild/\nfigures/\n"


class PublishRefused(ValueError):
    """The staged student repository holds something students must not see; nothing was committed."""


@dataclass
class Published:
    """What a publish did."""

    dest: Path
    files: list[str]  # every file of the student repository, relative to it
    commit: str | None  # the new commit, or None when nothing changed


def publish(root: Path, dest: Path, message: str | None = None) -> Published:
    """Write the student repository of the course at ``root`` into the git repository ``dest`` (created when it
    does not exist) and commit it; see the module's docstring. Raises :class:`ValueError` when ``dest`` is not a
    place to publish into (:func:`check_destination`) and :class:`PublishRefused` naming each problem of
    :func:`scan`, in both cases with nothing in ``dest`` changed."""
    config = load_config(root)
    where = dest.resolve()
    if (where == config.root or config.root in where.parents) and config.root / "build" not in where.parents:
        raise ValueError(
            f"{dest} is inside the instructor repository: publish into a folder of its own (or under build/)"
        )
    check_destination(dest, within=config.root / "build")
    with tempfile.TemporaryDirectory(prefix="student-repo-") as scratch:
        staged = Path(scratch)
        stage(config, staged)
        problems = scan(config, staged)
        if problems:
            raise PublishRefused(
                "the student repository would give away what students must not see; nothing was published:\n  "
                + "\n  ".join(problems)
            )
        _init_repository(dest, config.branch)
        _remove_tracked(dest)
        shutil.copytree(staged, dest, dirs_exist_ok=True)
        published = {p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()}
    commit = _commit(dest, message or f"Publish the course from {config.repository}", published)
    return Published(dest, sorted(_tracked(dest)), commit)


def check_destination(dest: Path, within: Path | None = None) -> None:
    """Raise :class:`ValueError`, naming ``dest``, what is wrong and what to do, unless ``dest`` is a place to
    publish into: a folder that does not exist, an empty folder, or a git repository of its own that ``course
    publish`` wrote (or that has no commit and no file yet) with nothing uncommitted. A new or empty folder inside
    another git repository is refused too (the student repository would sit in it as untracked files), except
    under ``within`` (the instructor repository's ``build/``). Changes nothing."""
    if dest.is_symlink() and not dest.exists():
        raise ValueError(f"{dest} is a broken symbolic link: remove it, or {WHERE_TO}")
    if not dest.exists():
        _check_parent(dest)
    elif not dest.is_dir():
        raise ValueError(f"{dest} is a file, not a folder: {WHERE_TO}")
    elif any(dest.iterdir()):
        _check_repository(dest)
        return
    _check_not_inside_a_repository(dest, within)


def _check_not_inside_a_repository(dest: Path, within: Path | None) -> None:
    """Refuse a new or empty ``dest`` inside another git repository's work tree, unless it lies in ``within``."""
    where = dest.absolute()
    if within is not None and within.resolve() in where.resolve().parents:
        return
    above = next(folder for folder in (where, *where.parents) if folder.is_dir())
    top = _ask_git(above, "rev-parse", "--show-toplevel")
    if top:
        raise ValueError(
            f"{dest} is inside the git repository {top}, where the student repository would be a stray folder: "
            f"{WHERE_TO}, outside any other repository"
        )


def _check_parent(dest: Path) -> None:
    """Refuse a ``dest`` that cannot be made because a folder above it is a file."""
    above = next(parent for parent in dest.absolute().parents if parent.exists() or parent == parent.parent)
    if not above.is_dir():
        raise ValueError(f"{dest} cannot be made: {above} is a file, not a folder; {WHERE_TO}")


def _check_repository(dest: Path) -> None:
    """Refuse a non-empty folder ``dest`` unless it is a clean git repository that ``course publish`` wrote."""
    if _ask_git(dest, "rev-parse", "--is-bare-repository") == "true":
        raise ValueError(
            f"{dest} is a bare git repository, which has no files to publish into: {WHERE_TO}, such as a clone of it"
        )
    top = _ask_git(dest, "rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != dest.resolve():
        raise ValueError(f"{dest} is neither empty nor a git repository (it holds files of its own): {WHERE_TO}")
    if not _published_before(dest):
        raise ValueError(
            f"{dest} is a git repository that `course publish` did not write: publishing would replace its files; "
            f"{WHERE_TO}"
        )
    _check_state(dest)
    changed = _changed_files(dest)
    if changed:
        named = ", ".join(changed[:NAMED_CHANGES]) + (", ..." if len(changed) > NAMED_CHANGES else "")
        raise ValueError(
            f"{dest} has {len(changed)} uncommitted or untracked file(s) ({named}), which publishing would "
            "overwrite or delete: commit, stash or remove them first, then publish again"
        )


def _published_before(dest: Path) -> bool:
    """Whether the repository ``dest`` is one that ``course publish`` wrote: HEAD's tree holds :data:`MARKER`, or
    its top level is exactly what an earlier version published; or it has no commit and no file yet."""
    if _ask_git(dest, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return not [entry for entry in dest.iterdir() if entry.name != ".git"]
    top = set(_git(dest, "ls-tree", "--name-only", "HEAD").splitlines())
    return MARKER in top or top == set(EARLIER_PUBLISHED)


def _check_state(dest: Path) -> None:
    """Refuse a repository in the middle of a merge, rebase, cherry-pick, revert or bisect, or on a detached HEAD."""
    folder = Path(_git(dest, "rev-parse", "--absolute-git-dir"))
    doing = next((what for name, what in IN_PROGRESS if (folder / name).exists()), None)
    if doing:
        raise ValueError(f"{dest} is in the middle of {doing}: finish or abort it first, then publish again")
    if _ask_git(dest, "symbolic-ref", "--quiet", "HEAD") is None:
        raise ValueError(f"{dest} has a detached HEAD: check out its branch first (git switch <branch>)")


def stage(config: CourseConfig, folder: Path) -> None:
    """Write the student repository's files into ``folder``."""
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    shutil.copytree(config.root / "release", folder / "release", ignore=ignore)
    shutil.copytree(config.root / "helpers", folder / "helpers", ignore=ignore)
    shutil.copy(config.root / "LICENSE", folder / "LICENSE")
    (folder / "pyproject.toml").write_text(student_pyproject(config), encoding="utf-8")
    (folder / "README.md").write_text(student_readme(config), encoding="utf-8")
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def student_pyproject(config: CourseConfig) -> str:
    """A ``pyproject.toml`` that installs the ``helpers`` package and its dependencies, and nothing else."""
    with open(config.root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    dependencies = "".join(f'    "{requirement}",\n' for requirement in project["dependencies"])
    return (
        "# The course's student package: what the notebooks import. Colab's setup cell installs it from GitHub;\n"
        '# locally: pip install -e . (or pip install -e ".[lab]" for JupyterLab too); on Linux, first install\n'
        f"# torch's CPU build: pip install torch --index-url {CPU_TORCH_INDEX}\n"
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{project["name"]}"\nversion = "{project["version"]}"\n'
        'description = "A PyTorch course on building, training and testing neural networks: the notebooks\' helpers"\n'
        f'readme = "README.md"\nlicense = "{project["license"]}"\nrequires-python = "{project["requires-python"]}"\n'
        f"dependencies = [\n{dependencies}]\n\n"
        "[project.optional-dependencies]\n"
        "# JupyterLab, and ipywidgets for widgets (tqdm.auto's progress bars among them)\n"
        f"lab = {json.dumps(list(LAB_EXTRA))}\n\n"
        '[tool.setuptools.packages.find]\ninclude = ["helpers", "helpers.*"]\n'
    )


def student_readme(config: CourseConfig) -> str:
    """The student repository's README: the course, its notebooks, how to start, submit, and the limits."""
    notebooks = [notebook for assignment in course_assignments(config) for notebook in assignment.notebooks()]
    name = config.student_repository.split("/")[1]
    limits = grading_limits(config.root)
    return f"""# Neural networks in PyTorch: the course notebooks

How neural networks are built, trained and tested, in PyTorch: a tutorial, then assignments, each a notebook
that states its tasks, what you may import and how long it takes. The checks after each answer tell you what is
wrong; hidden tests grade the notebook you submit.

## The notebooks

{notebook_table(config, notebooks)}

## Starting

* **In Colab**: click a notebook's badge. Its first code cell installs the course's `helpers` package from this
  repository (Colab has the rest); run it first. Save a copy to your Drive to keep your work.
* **On your machine** (Python 3.11 or later; Debian and Ubuntu: `sudo apt install python3-venv` first):

  ```bash
  git clone {config.git_url()}.git
  cd {name}
  python3 -m venv .venv && source .venv/bin/activate   # Windows: py -m venv .venv, then .venv\\Scripts\\activate
  pip install torch --index-url {CPU_TORCH_INDEX}   # Linux: torch's CPU build (see below)
  pip install -e ".[lab]"    # the helpers package, its dependencies, JupyterLab and ipywidgets
  jupyter lab release/
  ```

  **Which torch.** The course runs on a CPU and needs no GPU. On Linux, a plain `pip install torch` (which
  `pip install -e .` does when torch is missing) brings the CUDA build with its NVIDIA libraries: about 6 GB
  installed. The first `pip` line above installs PyTorch's CPU build instead ({CPU_INSTALL}), and the second keeps
  it. Leave that line out if your Linux machine has an NVIDIA GPU that you want for other work, and on macOS and
  Windows, where the default build has no CUDA libraries. To update torch later, repeat that line with `-U`: a plain
  `pip install -U torch` brings the CUDA build. On an Intel Mac, PyTorch's last build is 2.2.2: use Python 3.11 or
  3.12 and first `pip install torch==2.2.2 "numpy<2"` (or work in Colab).

  `git pull` brings new and corrected notebooks; commit or copy your work first.

## Submitting

Keep the notebook's file name. Run **Kernel > Restart Kernel and Run All Cells** (Colab: **Runtime > Restart
session and run all**): every cell must run without an error, and the last cell, "Check before you submit",
must say that every task is ready. Then hand in the notebook itself (Colab: **File > Download > Download
.ipynb**) as your course tells you. A notebook larger than {limits["file_mb"]} MB scores 0: if yours is, clear the
outputs of the cells that print or draw a lot, run it again and save it.

## Grading limits

When your notebook is graded:

{limits_markdown(limits)}

## Licence

MIT: see `LICENSE`.
"""


def scan(config: CourseConfig, folder: Path) -> list[str]:
    """Everything in the staged student repository at ``folder`` that students must not see, one
    ``path:line: what`` a problem (empty when there is none)."""
    secrets = secret_lines(config)
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if relative.parts[0] not in PUBLISHED or INSTRUCTOR_ONLY & set(relative.parts):
            problems.append(f"{relative}: an instructor-only file")
            continue
        for number, line in enumerate(_text_lines(path), start=1):
            marker = next((marker for marker in MARKERS if marker in line), None)
            if marker:
                problems.append(f"{relative}:{number}: the marker {marker!r}")
            elif line.strip() in secrets:
                problems.append(f"{relative}:{number}: {secrets[line.strip()]} ({line.strip()[:60]})")
        if path.suffix == ".ipynb":
            problems += [f"{relative}: {problem}" for problem in _metadata_problems(config, relative, path)]
    return problems


def secret_lines(config: CourseConfig) -> dict[str, str]:
    """The substantial lines of the source notebooks' model answers, hidden tests and mark schemes that no source
    notebook also shows outside them, each with what it is."""
    secrets, shown = {}, set()
    for path in (config.root / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            outside = cell.source
            for markers, what in SECRETS:
                secrets |= {
                    line.strip(): what
                    for line, inside in regions(cell.source, markers)
                    if inside and len(line.strip()) >= SECRET_LINE_LENGTH
                }
                outside = "\n".join(line for line, inside in regions(outside, markers) if not inside)
            shown |= {line.strip() for line in outside.splitlines()}
    return {line: what for line, what in secrets.items() if line not in shown}


def _text_lines(path: Path) -> list[str]:
    """The lines of a file as a student would read them: a notebook's cell sources and outputs, any other file's
    text (bytes that are not UTF-8 replaced)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return text.splitlines()
    nb = nbformat.reads(text, as_version=4)
    lines = text.splitlines()  # the markers, wherever they hide in the JSON
    for cell in nb.cells:
        lines += cell.source.splitlines()
        for output in cell.get("outputs", []):
            lines += str(output.get("text", "")).splitlines()
    return lines


def _metadata_problems(config: CourseConfig, relative: Path, path: Path) -> list[str]:
    """How a published notebook's nbgrader metadata differs from the release's copy of it."""
    original = config.root / relative
    if relative.parts[0] != "release" or not original.is_file():
        return ["a notebook that release/ does not hold"]
    published, released = (_grader_metadata(nbformat.read(p, as_version=4)) for p in (path, original))
    return [] if published == released else ["nbgrader metadata differs from release/"]


def _grader_metadata(nb: NotebookNode) -> list[dict]:
    return [cell.metadata.get("nbgrader", {}) for cell in nb.cells]


def _git(dest: Path, *arguments: str) -> str:
    """What git prints in ``dest``, stripped; raises :class:`RuntimeError` when it fails."""
    return _git_output(dest, *arguments).strip()


def _git_output(dest: Path, *arguments: str) -> str:
    """What git prints in ``dest``, as it prints it; raises :class:`RuntimeError` when it fails."""
    done = subprocess.run(["git", *arguments], cwd=dest, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(arguments)} in {dest} failed: {done.stderr.strip()}")
    return done.stdout


def _ask_git(dest: Path, *arguments: str) -> str | None:
    """What git answers in ``dest``, or None when it fails (not a repository, no HEAD, ...)."""
    done = subprocess.run(["git", *arguments], cwd=dest, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def _init_repository(dest: Path, branch: str) -> None:
    """Make ``dest`` (checked by :func:`check_destination`) a git repository on ``branch`` unless it is one."""
    if (dest / ".git").exists():
        return
    dest.mkdir(parents=True, exist_ok=True)
    _git(dest, "init", "--quiet", f"--initial-branch={branch}")


def _remove_tracked(dest: Path) -> None:
    """Delete every file that the repository ``dest`` tracks, and the folders that leaves empty; the files its
    ``.gitignore`` ignores stay."""
    for name in _tracked(dest):
        path = dest / name
        if path.is_file() or path.is_symlink():
            path.unlink()
            for folder in path.parents:
                if folder == dest or any(folder.iterdir()):
                    break
                folder.rmdir()


def _tracked(dest: Path) -> list[str]:
    """The files that the repository ``dest`` tracks, relative to it."""
    return [name for name in _git_output(dest, "ls-files", "-z").split("\0") if name]


def _changed_files(dest: Path) -> list[str]:
    """The uncommitted and untracked files of the repository ``dest`` (those its ``.gitignore`` ignores aside)."""
    porcelain = _git_output(dest, "status", "--porcelain=v1", "-z", "--untracked-files=all").split("\0")
    changed, entries = [], iter(porcelain)
    for entry in entries:
        if entry:
            changed.append(entry[3:])
            if entry[0] in "RC":  # a rename or copy: the next entry is the name it had
                next(entries, None)
    return changed


def _commit(dest: Path, message: str, published: set[str]) -> str | None:
    """Commit the ``published`` files in ``dest`` (and the removal of any other tracked file), with
    :data:`TRAILER`; the new commit's id, or None when nothing changed. A file that was in ``dest`` before and
    that DEST's own ``.gitignore`` hid (which the published one may not) is neither committed nor deleted: it was
    never scanned."""
    _git(dest, "add", "--all")
    added = _git_output(dest, "diff", "--cached", "--name-only", "-z", "--diff-filter=A").split("\0")
    foreign = [name for name in added if name and name not in published]
    if foreign:
        _git(dest, "rm", "--cached", "--quiet", "--", *foreign)
    if _ask_git(dest, "diff", "--cached", "--quiet") is not None:  # git exits 0: nothing staged
        return None
    identity = [] if _configured(dest) else ["-c", "user.name=course publish", "-c", "user.email=course@localhost"]
    _git(dest, *identity, "commit", "--quiet", "--message", f"{message.rstrip()}\n\n{TRAILER}")
    return _git(dest, "rev-parse", "HEAD")


def _configured(dest: Path) -> bool:
    """Whether git knows who commits in ``dest``."""
    done = subprocess.run(["git", "config", "user.email"], cwd=dest, capture_output=True, text=True)
    return bool(done.stdout.strip())
