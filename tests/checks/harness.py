"""The checks of an assignment run in-process against answers: no kernel, no nbgrader.

A *namespace* is what a student's notebook defines: the source notebook's code cells (imports, data, answers; not
the experiments) executed in order, each answer the model answer unless a variant replaces it. Every check then
runs against it: the hidden checks of ``grader.checks.<assignment>``, called as the hidden cells call them,
and the visible checks, executed from their cells as a student runs them. Each check belongs to the task whose
heading comes before it in the notebook.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

import nbformat
from nbgrader.utils import is_grade, is_solution

from grader.checks import arguments, checks_of
from grader.common.cells import grade_id_of, solution_code, strip_hidden_tests
from grader.common.experiments import has_experiment_tag
from tests.support import ROOT, docs_section

TASK_HEADING = re.compile(r"^task\d+$")
CHECK_CELL = "check_before_submit"


@dataclass(frozen=True)
class Variant:
    """Another answer to one task: ``source`` replaces the answer cell ``cell``.

    A mutant (``cause`` set) must fail a check of its task, with a message that contains ``cause``, and no
    check of another task; an alternative (``cause`` None) must pass every check."""

    name: str
    cell: str
    source: str
    cause: str | None = None


@dataclass(frozen=True)
class Notebook:
    """The parts of a source notebook that the checks need."""

    code: dict[str, str]  # grade id -> the code a student's run executes before the checks, in order
    answers: dict[str, str]  # grade id -> model answer, in order
    visible: dict[str, str]  # grade id -> the visible check's code
    task_of: dict[str, str]  # grade id of an answer or a check -> its task's heading id

    def defined_by(self, grade_id: str) -> set[str]:
        """The names an answer cell defines."""
        return _bound_names(self.answers[grade_id])

    def reach(self, names: set[str], replaced: set[str]) -> set[str]:
        """``names`` and the answers' names their code uses, and theirs, ...: what a check of ``names`` runs,
        where it puts stand-ins in place of the ``replaced`` names."""
        uses = _uses(tuple(self.answers.values()))
        reached, todo = set(), list(names)
        while todo:
            name = todo.pop()
            if name not in reached and (name in names or name not in replaced):
                reached.add(name)
                todo += uses.get(name, set())
        return reached


@cache
def _uses(answers: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The names that each name the answers define uses."""
    return {name: _used_names(answer) for answer in answers for name in _bound_names(answer)}


@cache
def _bound_names(source: str) -> frozenset[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return frozenset(names)


@cache
def _used_names(source: str) -> frozenset[str]:
    return frozenset(node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name))


def _stood_in(source: str, names: dict) -> set[str]:
    """The names that the ``stand_ins(...)`` calls of ``source`` replace: keywords, and ``**NAME`` where NAME is a
    dict in ``names`` or a dict literal assigned in ``source`` (others are left out: the checks then run anyway)."""
    tree = ast.parse(textwrap.dedent(source))
    literals = {
        node.targets[0].id: {key.value for key in node.value.keys if isinstance(key, ast.Constant)}
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Dict)
    }
    replaced = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "stand_ins":
            for keyword in node.keywords:
                if keyword.arg:
                    replaced.add(keyword.arg)
                elif isinstance(keyword.value, ast.Name):
                    replaced |= set(names.get(keyword.value.id, literals.get(keyword.value.id, ())))
    return replaced


@cache
def notebook(assignment: str) -> Notebook:
    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    code, answers, visible, task_of, task = {}, {}, {}, {}, None
    for cell in nb.cells:
        grade_id = grade_id_of(cell) or ""
        if cell.cell_type == "markdown" and TASK_HEADING.match(grade_id):
            task = grade_id
        elif cell.cell_type != "code" or has_experiment_tag(cell) or not grade_id:
            continue
        elif is_solution(cell) and not is_grade(cell):
            answers[grade_id] = code[grade_id] = solution_code(cell.source)
            task_of[grade_id] = task
        elif is_grade(cell) and not strip_hidden_tests(cell.source)[1]:
            visible[grade_id], task_of[grade_id] = cell.source, task
        elif is_grade(cell):
            task_of[grade_id] = task
        elif grade_id != CHECK_CELL:  # the imports, and the data that the visible checks use
            code[grade_id] = cell.source
    return Notebook(code, answers, visible, task_of)


def namespace(assignment: str, replacements: dict[str, str] | None = None) -> dict:
    """The notebook's names after its code cells (answers, imports and data, no experiment), with
    ``replacements`` (grade id -> source) in place of answers."""
    names: dict = {"__name__": "__notebook__"}
    for grade_id, source in notebook(assignment).code.items():
        exec((replacements or {}).get(grade_id, source), names)
    return names


@cache
def _scope(assignment: str, grade_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names of the student's that a check uses, and those it puts stand-ins in place of."""
    run = checks_of(assignment).get(grade_id)
    if run is None:
        source = notebook(assignment).visible[grade_id]
        return _used_names(source), frozenset(_stood_in(source, {}))
    function = run.__wrapped__
    return frozenset(arguments(run)), frozenset(_stood_in(inspect.getsource(function), function.__globals__))


def _outcomes(assignment: str, names: dict, changed: set[str] | None, tasks: set[str] | None = None):
    """``(grade id, failure or None)`` for every check of ``tasks`` (default: all) against ``names``, in the
    notebook's order (a task's visible check first). With ``changed`` (the names that differ from the model
    answers', which pass every check), only the checks that can reach them."""
    book = notebook(assignment)
    hidden = checks_of(assignment)
    for grade_id, task in book.task_of.items():
        if grade_id in book.answers or (tasks is not None and task not in tasks):
            continue
        if changed is not None and not book.reach(*_scope(assignment, grade_id)) & changed:
            continue
        try:
            if grade_id in hidden:
                run = hidden[grade_id]
                run(*(names[name] for name in arguments(run)))
            else:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(book.visible[grade_id], dict(names))
        except Exception as error:
            yield grade_id, f"{type(error).__name__}: {error}"
        else:
            yield grade_id, None


def failures(assignment: str, names: dict) -> dict[str, str]:
    """Every check that fails against ``names``: grade id -> ``ExceptionType: message``."""
    return {grade_id: message for grade_id, message in _outcomes(assignment, names, None) if message}


def verdict(assignment: str, variant: Variant) -> str | None:
    """What is wrong with how the checks treat ``variant`` (None when they treat it right). A mistake's own task
    runs its checks until one names the cause; every other check it can reach runs."""
    book = notebook(assignment)
    changed = _bound_names(variant.source) | book.defined_by(variant.cell)
    names = namespace(assignment, {variant.cell: variant.source})
    task = book.task_of[variant.cell]
    if variant.cause is None:
        failed = {g: m for g, m in _outcomes(assignment, names, changed) if m}
        return f"a correct answer fails {failed}" if failed else None
    others = {g: m for g, m in _outcomes(assignment, names, changed, set(book.task_of.values()) - {task}) if m}
    if others:
        return f"the mistake costs other tasks: {others}"
    own = {}
    for grade_id, message in _outcomes(assignment, names, changed, {task}):
        if message and variant.cause in message:
            return None
        if message:
            own[grade_id] = message
    if not own:
        return "no check of its task catches the mistake"
    return f"no message names the cause {variant.cause!r}: {own}"


def documented_counts(section: str) -> dict[str, tuple[int, int]]:
    """Per task number, the (mistakes, alternatives) counts the section ``section`` of docs/assignments.md states."""
    text = docs_section("assignments", section)
    return {
        f"task{task}": (int(caught), int(alternatives))
        for task, caught, alternatives in re.findall(r"^\| (\d+) .*\| (\d+) / \2; (\d+) / \3 \|$", text, re.MULTILINE)
    }


def counts(assignment: str, mutants: list[Variant], alternatives: list[Variant]) -> dict[str, tuple[int, int]]:
    """Per task, how many mistakes and correct alternatives its tests try."""
    task_of = notebook(assignment).task_of
    tasks = sorted({task_of[v.cell] for v in mutants + alternatives})
    return {
        task: (
            sum(task_of[v.cell] == task for v in mutants),
            sum(task_of[v.cell] == task for v in alternatives),
        )
        for task in tasks
    }


class CheckSuite:
    """The tests of an assignment's checks: a test module derives a class from this one and sets the class
    variables. The model answers pass, every alternative passes, every mistake fails its own task only and says
    why, and the section ``DOCS_SECTION`` of docs/assignments.md states the counts, at least 4 mistakes and 3
    alternatives a task (``tests/checks/conftest.py`` gives ``alternative`` and ``mistake`` the class's lists)."""

    ASSIGNMENT: ClassVar[str]
    DOCS_SECTION: ClassVar[str]
    MUTANTS: ClassVar[list[Variant]]
    ALTERNATIVES: ClassVar[list[Variant]]

    def test_the_model_answers_pass_every_check(self):
        assert failures(self.ASSIGNMENT, namespace(self.ASSIGNMENT)) == {}

    def test_a_correct_answer_written_another_way_passes(self, alternative: Variant):
        assert verdict(self.ASSIGNMENT, alternative) is None

    def test_a_mistake_fails_its_own_task_only_and_says_why(self, mistake: Variant):
        assert verdict(self.ASSIGNMENT, mistake) is None

    def test_the_docs_state_how_many_answers_each_task_is_tried_with(self):
        tried = counts(self.ASSIGNMENT, self.MUTANTS, self.ALTERNATIVES)
        assert documented_counts(self.DOCS_SECTION) == tried
        assert all(mistakes >= 4 and alternatives >= 3 for mistakes, alternatives in tried.values())
