"""The student repository: what students may see, written by ``course publish DEST``, and checked before it is
committed.

The instructor repository (this one) is private: ``source/`` holds every model answer and mark scheme, and
``grader/checks/`` every hidden test. The student repository holds ``release/``, the ``helpers`` package, a
``pyproject.toml`` that installs ``helpers`` and its dependencies only, a student README, the licence and a
``.gitignore``; nothing else. DEST is a git repository: the first publish creates it, each later one adds one
commit on top (students who cloned it ``git pull``; nbgitpuller links keep working), and nothing is committed
when nothing changed.

The tree is staged in a scratch folder and scanned (:func:`scan`) before anything reaches DEST: a marker of
nbgrader's (solution, hidden tests, mark scheme), a line of a hidden test or of a model answer, a file on an
instructor-only path, or a notebook whose nbgrader metadata differs from ``release/`` stops the publish, naming
the file and the line, with nothing committed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearMarkScheme

from grader.assignments import course_assignments
from grader.cells import HIDDEN_TESTS, SOLUTION, regions
from grader.config import CourseConfig, load_config
from grader.stamp import notebook_table
from grader.student_guide import grading_limits, limits_markdown

#: What a student repository holds at its top level.
PUBLISHED = ("release", "helpers", "pyproject.toml", "README.md", "LICENSE", ".gitignore")
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
    does not exist) and commit it; see the module's docstring. Raises :class:`PublishRefused` naming each
    problem of :func:`scan`, with nothing written to ``dest``."""
    config = load_config(root)
    where = dest.resolve()
    if (where == config.root or config.root in where.parents) and config.root / "build" not in where.parents:
        raise ValueError(
            f"{dest} is inside the instructor repository: publish into a folder of its own (or under build/)"
        )
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
        for entry in dest.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.copytree(staged, dest, dirs_exist_ok=True)
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file() and ".git" not in p.parts)
    return Published(dest, files, _commit(dest, message or f"Publish the course from {config.repository}"))


def stage(config: CourseConfig, folder: Path) -> None:
    """Write the student repository's files into ``folder``."""
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    shutil.copytree(config.root / "release", folder / "release", ignore=ignore)
    shutil.copytree(config.root / "helpers", folder / "helpers", ignore=ignore)
    shutil.copy(config.root / "LICENSE", folder / "LICENSE")
    (folder / "pyproject.toml").write_text(student_pyproject(config), encoding="utf-8")
    (folder / "README.md").write_text(student_readme(config), encoding="utf-8")
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")


def student_pyproject(config: CourseConfig) -> str:
    """A ``pyproject.toml`` that installs the ``helpers`` package and its dependencies, and nothing else."""
    with open(config.root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    dependencies = "".join(f'    "{requirement}",\n' for requirement in project["dependencies"])
    return (
        "# The course's student package: what the notebooks import. Colab's setup cell installs it from GitHub;\n"
        '# locally: pip install -e . (or pip install -e ".[lab]" for JupyterLab too).\n'
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{project["name"]}"\nversion = "{project["version"]}"\n'
        'description = "A PyTorch course on building, training and testing neural networks: the notebooks\' helpers"\n'
        f'readme = "README.md"\nlicense = "{project["license"]}"\nrequires-python = "{project["requires-python"]}"\n'
        f"dependencies = [\n{dependencies}]\n\n"
        '[project.optional-dependencies]\nlab = ["jupyterlab>=4"]\n\n'
        '[tool.setuptools.packages.find]\ninclude = ["helpers", "helpers.*"]\n'
    )


def student_readme(config: CourseConfig) -> str:
    """The student repository's README: the course, its notebooks, how to start, submit, and the limits."""
    notebooks = [notebook for assignment in course_assignments(config) for notebook in assignment.notebooks()]
    name = config.student_repository.split("/")[1]
    return f"""# Neural networks in PyTorch: the course notebooks

How neural networks are built, trained and tested, in PyTorch: a tutorial, then assignments, each a notebook
that states its tasks, what you may import and how long it takes. The checks after each answer tell you what is
wrong; hidden tests grade the notebook you submit.

## The notebooks

{notebook_table(config, notebooks)}

## Starting

* **In Colab**: click a notebook's badge. Its first code cell installs the course's `helpers` package from this
  repository (Colab has the rest); run it first. Save a copy to your Drive to keep your work.
* **On your machine** (Python 3.11 or later):

  ```bash
  git clone {config.git_url()}.git
  cd {name}
  python -m venv .venv && source .venv/bin/activate
  pip install -e ".[lab]"    # the helpers package, its dependencies and JupyterLab
  jupyter lab release/
  ```

  `git pull` brings new and corrected notebooks; commit or copy your work first.

## Submitting

Keep the notebook's file name. Run **Kernel > Restart Kernel and Run All Cells** (Colab: **Runtime > Restart
session and run all**): every cell must run without an error, and the last cell, "Check before you submit",
must say that every task is ready. Then hand in the notebook itself (Colab: **File > Download > Download
.ipynb**) as your course tells you.

## Grading limits

When your notebook is graded:

{limits_markdown(grading_limits(config.root))}

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
    done = subprocess.run(["git", *arguments], cwd=dest, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(arguments)} in {dest} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _init_repository(dest: Path, branch: str) -> None:
    """Make ``dest`` a git repository on ``branch`` unless it is one."""
    if (dest / ".git").is_dir():
        return
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is neither empty nor a git repository: publish into a new folder or an earlier one")
    dest.mkdir(parents=True, exist_ok=True)
    _git(dest, "init", "--quiet", f"--initial-branch={branch}")


def _commit(dest: Path, message: str) -> str | None:
    """Commit everything in ``dest``; the new commit's id, or None when nothing changed."""
    _git(dest, "add", "--all")
    if not _git(dest, "status", "--porcelain"):
        return None
    identity = [] if _configured(dest) else ["-c", "user.name=course publish", "-c", "user.email=course@localhost"]
    _git(dest, *identity, "commit", "--quiet", "--message", message)
    return _git(dest, "rev-parse", "HEAD")


def _configured(dest: Path) -> bool:
    """Whether git knows who commits in ``dest``."""
    done = subprocess.run(["git", "config", "user.email"], cwd=dest, capture_output=True, text=True)
    return bool(done.stdout.strip())
