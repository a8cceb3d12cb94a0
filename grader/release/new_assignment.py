"""A new assignment's skeleton in every place it needs (``course new NAME``), so that it releases at once.

The skeleton is one small, working task (``double(x)``: twice a tensor), shown the way every assignment of the
course does it, for the author to replace:

- ``source/NAME/NAME.ipynb``: the Colab badge and setup cell (the tutorial's), the title, the introduction with
  the grading-limits markers, the imports cell (one thread), the task's text, its answer cell (the solution between
  nbgrader's markers), its visible check and its hidden test cell (a call of the checks module), and the "Check
  before you submit" cell;
- ``grader/checks/NAME.py``: the hidden test;
- its line in ``[tool.course.assignments]`` (``pyproject.toml``), with its weight;
- ``scripts/sample_classes/NAME.py``: the sample class (the reference, the untouched release, one mistake);
- ``tests/checks/test_NAME.py`` and ``tests/e2e/test_NAME_lab.py``: the mutation test and the end-to-end test,
  each with a test that fails until it is filled in and says what to fill in.

A name that is not a lowercase Python identifier, or that any of these places already holds, is refused before
anything is written.
"""

from __future__ import annotations

import ast
import importlib.util
import keyword
import math
import re
from pathlib import Path

import nbformat

from grader.common.cells import hidden_tests
from grader.common.config import load_config
from grader.release.stamp import BADGE_PATTERN, REPOSITORY_PATTERN
from grader.release.student_guide import CHECK_CELL, LIMITS_END, LIMITS_START

#: an assignment's name: a folder, a Python module (its checks) and a test file's name
NAME_RULE = re.compile(r"[a-z][a-z0-9_]*")
#: the longest name: the files written stay within the style check's line length
MAX_NAME = 40
#: the points of the skeleton's task: its visible check and its hidden test
VISIBLE_POINTS, HIDDEN_POINTS = 2, 8
ANSWER = "def double(x: torch.Tensor) -> torch.Tensor:\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"


def skeleton_paths(root: Path, name: str) -> list[Path]:
    """The files ``course new NAME`` writes (``pyproject.toml`` gets a line)."""
    return [
        root / "source" / name / f"{name}.ipynb",
        root / "grader" / "checks" / f"{name}.py",
        root / "scripts" / "sample_classes" / f"{name}.py",
        root / "tests" / "checks" / f"test_{name}.py",
        root / "tests" / "e2e" / f"test_{name}_lab.py",
    ]


def checks_package_names() -> set[str]:
    """The names ``grader/checks/__init__.py`` binds: a checks module of one of these names would replace it in the
    package (and break every kernel, which imports every checks module). Read from the source, not imported."""
    tree = ast.parse(Path(importlib.util.find_spec("grader.checks").origin).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def refusal(root: Path, name: str) -> str | None:
    """Why ``name`` cannot be a new assignment of the course at ``root``, or None."""
    if not NAME_RULE.fullmatch(name) or len(name) > MAX_NAME:
        return (
            f"{name!r} is not a usable assignment name: it becomes a folder, a Python module and a test file, so it "
            f"must be lowercase letters, digits and _, starting with a letter, at most {MAX_NAME} characters (such "
            "as dropout or rnn_lab)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in checks_package_names():
        return f"{name!r} cannot be a checks module: it is a Python keyword or a name grader.checks already uses"
    if name in load_config(root).assignments:
        return f"{name} is already an assignment: it has a line in [tool.course.assignments] of pyproject.toml"
    taken = [f"{folder}/{name}/" for folder in ("source", "release") if (root / folder / name).exists()]
    taken += [str(path.relative_to(root)) for path in skeleton_paths(root, name) if path.exists()]
    if any((root / "submitted").glob(f"*/{name}")):
        taken.append(f"submitted/*/{name}/")
    if taken:
        return f"{name} is taken: the course already has {', '.join(dict.fromkeys(taken))}; choose another name"
    return None


def _cell(kind: str, source: str, grade_id: str, *, solution: bool = False, points: int | None = None):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution, "schema_version": 3}
    meta |= {"solution": solution, "task": False} | ({"points": points} if points is not None else {})
    return make(source, metadata={"nbgrader": meta})


def colab_cells(root: Path) -> list[nbformat.NotebookNode]:
    """The "Open In Colab" badge cell and the setup cell, as the tutorial's source notebook has them (``course
    release`` points them at the new notebook and the student repository)."""
    tutorial = nbformat.read(root / "source" / "tutorial" / "tutorial.ipynb", as_version=4)
    badge = next(c for c in tutorial.cells if c.cell_type == "markdown" and BADGE_PATTERN.search(c.source))
    setup = next(c for c in tutorial.cells if c.cell_type == "code" and REPOSITORY_PATTERN.search(c.source))
    return [nbformat.v4.new_markdown_cell(badge.source), nbformat.v4.new_code_cell(setup.source)]


def notebook(name: str, title: str, colab: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """The source notebook of the skeleton, after the ``colab`` cells (:func:`colab_cells`); the check cell's code
    is stamped by ``course release``."""
    points = VISIBLE_POINTS + HIDDEN_POINTS
    visible = (
        "def _visible_checks():  # the checks' own names stay inside this function\n"
        "    with kept_random_state():  # the checks draw their own numbers and leave yours as they were\n"
        "        _x = torch.tensor([[0.0, 1.5], [-2.0, 3.0]])\n"
        "        _y = double(_x)\n"
        '        assert isinstance(_y, torch.Tensor), f"double must return a torch.Tensor, not {type(_y).__name__}"\n'
        '        assert _y.shape == _x.shape, f"double(x) must keep the shape of x, not make it {tuple(_y.shape)}"\n'
        '        assert torch.equal(_y, torch.tensor([[0.0, 3.0], [-4.0, 6.0]])), "double(x) must be 2 * x"\n'
        '    print("double: visible checks passed")\n\n\n'
        "_visible_checks()"
    )
    cells = [
        _cell(
            "markdown",
            f"# {title} ({points} points)\n\nWhat this assignment teaches, in two or three sentences, and what the "
            "student builds. (`course new` wrote this skeleton: replace its text and its task with yours.)",
            "title",
        ),
        _cell(
            "markdown",
            "## Before you start\n\n"
            "**How to submit**: run every cell top to bottom (Restart & Run All), then run the last cell, "
            '"Check before you submit", and hand in this notebook.\n\n'
            "**What you may import**: what the imports cell imports; nothing else.\n\n"
            "**Run time**: about N seconds top to bottom on a laptop (measure it and say so here).\n\n"
            f"**How it is graded**: the visible checks below each task, and hidden tests. The limits:\n\n"
            f"{LIMITS_START}\n{LIMITS_END}",
            "introduction",
        ),
        _cell(
            "code",
            "import torch\n\nfrom helpers import kept_random_state, limit_threads\n\n"
            "limit_threads()  # torch and NumPy on one thread: fastest for small networks",
            "imports",
        ),
        _cell(
            "markdown",
            f"## Task 1: twice a tensor ({points} points)\n\n"
            "Write `double(x: torch.Tensor) -> torch.Tensor` returning `2 * x`: a tensor of the shape and dtype of "
            "`x`. The hidden tests try other shapes and dtypes.",
            "task1",
        ),
        _cell("code", ANSWER, "double", solution=True),
        _cell("code", visible, "double_visible", points=VISIBLE_POINTS),
        _cell(
            "code",
            "# Hidden tests: they run when your notebook is graded.\n"
            + hidden_tests(f"from grader.checks.{name} import double_hidden\ndouble_hidden(double)"),
            "double_hidden",
            points=HIDDEN_POINTS,
        ),
        _cell(
            "markdown",
            "## Check before you submit\n\nRun the cell below last: it runs every visible check again and says, "
            "task by task, what is ready.",
            f"{CHECK_CELL}_text",
        ),
        _cell("code", "", CHECK_CELL),
    ]
    nb = nbformat.v4.new_notebook(cells=[colab[0], cells[0], colab[1], *cells[1:]])
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def checks_module(name: str) -> str:
    """The source of ``grader/checks/NAME.py``."""
    return f'''"""The hidden tests of source/{name}/: one check per hidden test cell,
named after its grade id, taking the student's functions as arguments (grader.checks explains the rules)."""

from __future__ import annotations

import torch

from grader.checks import check


@check
def double_hidden(double) -> None:
    """``double`` doubles a tensor of any shape and dtype and keeps both."""
    for x in (torch.randn(5), torch.randn(3, 4, dtype=torch.float64), torch.arange(6).reshape(2, 3)):
        y = double(x)
        assert isinstance(y, torch.Tensor), f"double must return a torch.Tensor, not {{type(y).__name__}}"
        assert y.shape == x.shape, f"double(x) must keep the shape of x, {{tuple(x.shape)}}, not {{tuple(y.shape)}}"
        assert y.dtype == x.dtype, f"double(x) must keep the dtype of x, {{x.dtype}}, not {{y.dtype}}"
        assert torch.equal(y, 2 * x), "double(x) must be 2 * x"
'''


def sample_class(name: str) -> str:
    """The source of ``scripts/sample_classes/NAME.py``."""
    return f'''"""The sample class of source/{name}/ (see sample_classes.SampleClass):
the reference, the untouched release, and one typical mistake a student, each breaking one task only. Replace dev's
mistake with your tasks' typical ones."""

from __future__ import annotations

from sample_classes import SampleClass

STUDENTS: SampleClass = {{
    "ada": ("reference solution", {{}}),
    "ben": ("untouched release", None),
    "dev": ("adds 2 instead of doubling", {{"double": [(r"return 2 \\* x", "return x + 2")]}}),
}}
'''


def docs_section(name: str) -> str:
    """The heading of the assignment's section of docs/assignments.md, as the labs' are named (``The XOR lab``)."""
    words = name.replace("_", " ")
    return f"The {words}" if words.endswith(" lab") else f"The {words} lab"


def mutation_test(name: str) -> str:
    """The source of ``tests/checks/test_NAME.py``."""
    return f'''"""The checks of an assignment against correct answers written other ways and against realistic
mistakes."""

from __future__ import annotations

from tests.checks.harness import CheckSuite, Variant

ASSIGNMENT = "{name}"
#: its section of docs/assignments.md, which counts the answers below
DOCS_SECTION = "{docs_section(name)}"

#: correct answers written other ways: every check must pass them (at least 3 a task)
ALTERNATIVES: list[Variant] = []
#: realistic mistakes: each must fail a check of its own task, with its cause in the message (at least 4 a task)
MUTANTS: list[Variant] = []


class TestChecks(CheckSuite):
    ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES = ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES


def test_the_answers_that_test_the_checks_are_written():
    assert ALTERNATIVES and MUTANTS, (
        f"tests/checks/test_{{ASSIGNMENT}}.py: fill in ALTERNATIVES (correct answers written other ways, "
        "at least 3 a task) and MUTANTS (realistic mistakes, each with the cause its check's message "
        "names, at least 4 a task), as tests/checks/test_xor.py does, and the section "
        f"'## {{DOCS_SECTION}}' of docs/assignments.md that counts them"
    )
'''


def end_to_end_test(name: str) -> str:
    """The source of ``tests/e2e/test_NAME_lab.py``."""
    points = VISIBLE_POINTS + HIDDEN_POINTS
    return f'''"""An assignment through the real pipeline: the source notebook executed, the release, and its sample
class graded (in fast mode: the experiments are small, the autograded tests are the same)."""

from __future__ import annotations

from typing import ClassVar

from grader.release.run_notebook import error_outputs
from tests.e2e.lab_class import SampleClassChecks
from tests.support import ROOT

ASSIGNMENT = "{name}"
#: its section of docs/assignments.md, with the sample students' points
DOCS_SECTION = "{docs_section(name)}"


class TestSampleClass(SampleClassChecks):
    ASSIGNMENT, DOCS_SECTION = ASSIGNMENT, DOCS_SECTION
    AUTOGRADED: ClassVar[dict[str, int]] = {{"double": {points}}}
    MANUAL: ClassVar[dict[str, int]] = {{}}
    LOST: ClassVar[dict[str, dict[str, int]]] = {{"dev": {{"double": {points}}}}}

    def test_the_model_answer_runs_top_to_bottom_in_fast_mode(self, executed):
        assert error_outputs(executed) == []


def test_the_assignment_is_written_and_its_sample_class_made():
    assert (ROOT / "submitted" / "ada" / ASSIGNMENT).is_dir(), (
        f"tests/e2e/test_{{ASSIGNMENT}}_lab.py: write the assignment's tasks (the course's assignments "
        "have 100 points each, with the hand-graded ones in MANUAL), its sample class "
        f"(scripts/sample_classes/{{ASSIGNMENT}}.py), then run `course release {{ASSIGNMENT}}` and "
        f"`python scripts/make_sample_submissions.py {{ASSIGNMENT}}`; set AUTOGRADED, MANUAL and "
        "LOST to the points of each task and of each sample student's mistake, and write "
        f"the section '## {{DOCS_SECTION}}' of docs/assignments.md"
    )
'''


def weight_text(weight: float) -> str:
    """``weight`` as its line in ``[tool.course.assignments]`` writes it: ``10``, ``12.5``, every digit kept."""
    return str(int(weight)) if float(weight).is_integer() else repr(weight)


def with_assignment_line(pyproject: str, name: str, weight: float) -> str:
    """``pyproject`` with ``name = weight`` after the last line of its ``[tool.course.assignments]`` table (last in
    teaching order), its comments and layout kept. Raises ``ValueError`` when it has no such table."""
    lines = pyproject.splitlines(keepends=True)
    header = re.compile(r"\[\s*tool\.course\.assignments\s*\]\s*(#.*)?")
    start = next((i for i, line in enumerate(lines) if header.fullmatch(line.strip())), None)
    if start is None:
        raise ValueError("pyproject.toml has no [tool.course.assignments] table: add one, a line per assignment")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    last = max(i for i in range(start, end) if lines[i].strip() and not lines[i].lstrip().startswith("#"))
    lines[last] = lines[last] if lines[last].endswith("\n") else lines[last] + "\n"
    lines.insert(last + 1, f"{name} = {weight_text(weight)}\n")
    return "".join(lines)


def new_assignment(root: Path, name: str, title: str | None = None, weight: float = 10) -> list[Path]:
    """Write the skeleton of assignment ``name`` in the course at ``root`` (module docstring); return the files
    written. Raises ``ValueError`` with :func:`refusal`'s reason, or for a weight that is not a number above 0,
    before writing anything."""
    reason = refusal(root, name)
    if reason:
        raise ValueError(reason)
    if not (math.isfinite(weight) and weight > 0):
        raise ValueError(f"--weight {weight}: a graded assignment's weight in the term total must be a number above 0")
    pyproject = root / "pyproject.toml"
    listed = with_assignment_line(pyproject.read_text(encoding="utf-8"), name, weight)
    sources = [
        nbformat.writes(notebook(name, title or f"Lab: {name.replace('_', ' ')}", colab_cells(root))),
        checks_module(name),
        sample_class(name),
        mutation_test(name),
        end_to_end_test(name),
    ]
    paths = skeleton_paths(root, name)
    for path, source in zip(paths, sources, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source if source.endswith("\n") else source + "\n", encoding="utf-8")
    pyproject.write_text(listed, encoding="utf-8")
    return paths
