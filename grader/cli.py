"""The instructor's command line: ``course COMMAND`` (or ``python -m grader COMMAND``).

Commands, in the order of a term:

- ``new NAME``: write a new assignment's skeleton in every place it needs (its source notebook with one task, its
  checks module, its line in ``[tool.course.assignments]``, its sample class, its mutation and end-to-end tests);
- ``stamp``: write the repository from ``pyproject.toml`` into the notebooks' Colab badges,
  setup cells and the README's notebook table;
- ``release [ASSIGNMENT ...]``: regenerate ``release/`` from ``source/`` with nbgrader;
- ``publish DEST``: write the student repository (``release/``, ``helpers``, a student README) into the git
  repository DEST and commit it, after checking that it holds no answer or hidden test;
- ``links [--hub URL]``: each notebook's Colab link, and its nbgitpuller link on a JupyterHub;
- ``add-students ROSTER.csv``: add the students of a roster to the gradebook;
- ``collect ASSIGNMENT ARCHIVE.zip``: unpack an LMS download into ``submitted/``;
- ``autograde ASSIGNMENT [STUDENT ...]``: autograde submissions (default: all in ``submitted/``) in
  parallel, each isolated and limited (``--workers N``, ``--scheduler tcp://...`` for Dask), keeping the
  student's outputs of the experiment cells (``--rerun-experiments`` runs them too), each kernel forked warm from
  its worker's template (``--cold-kernels`` starts them as new processes);
- ``feedback ASSIGNMENT [STUDENT ...]``: write feedback HTML without the hidden tests;
- ``export ASSIGNMENT [STUDENT ...]``: write ``grades/<assignment>.csv`` and print the grade table; with
  ``--lms canvas`` or ``--lms moodle`` (and ``--roster ROSTER.csv`` for the LMS's ids), also the file that LMS
  imports, ``grades/<lms>.csv``;
- ``grade ASSIGNMENT [STUDENT ...]``: autograde, feedback and export in one go; ``grade`` and ``export``
  without an assignment do it for every assignment that has submissions and write the term gradebook
  ``grades/term.csv`` (weights from ``[tool.course.assignments]``, the late penalty from ``[tool.course.term]``);
- ``run-tutorial``: execute the released tutorial into ``build/tutorial/`` (notebook, HTML, figures);
- ``lab``, ``formgrader [ASSIGNMENT]``: JupyterLab for the course, or nbgrader's formgrader on an assignment's
  manual-grading page, on loopback with a fresh token, until Ctrl-C;
- ``demo``: the main job: stamp, release, publish into ``build/student-repo/``, run the tutorial, grade the sample
  classes in ``submitted/`` (every graded assignment's) and write the term gradebook.

Every command takes ``--verbose`` (``-v``), before or after its name: the grader's log (:mod:`grader.common.logs`) on
stderr. Grading always keeps its log, with the full traceback of any grader error, in
``grades/<assignment>-log.txt``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from nbclient.exceptions import CellExecutionError

from grader.autograde.coordinator import grade_class, require_released
from grader.autograde.lock import grading_lock
from grader.autograde.stopping import GradingStopped
from grader.collect import roster
from grader.common import logs
from grader.common.assignments import assignment_names, require_assignment
from grader.common.config import find_course_root, load_config
from grader.common.names import check_student_id
from grader.common.nbgrader_api import nbgrader_api
from grader.common.statuses import GRADED, UNGRADED, load_statuses
from grader.kernel.sandbox import ISOLATION_MODES
from grader.release.generate import generate_release
from grader.release.links import notebook_links
from grader.release.new_assignment import new_assignment, weight_text
from grader.release.publish import publish
from grader.release.run_notebook import error_outputs, execute_notebook
from grader.release.stamp import release_path, source_notebooks, stamp_all
from grader.report import grade_table, lms
from grader.report.feedback import generate_feedback
from grader.report.term import collect_term, format_term_table, term_assignments, term_weights, write_term_csv
from grader.serve.lab import formgrader_path, serve, start_lab

#: The steps of each grading command, in order.
AUTOGRADE, FEEDBACK, EXPORT = "autograde", "feedback", "export"
ALL_STEPS = (AUTOGRADE, FEEDBACK, EXPORT)


def cmd_new(root: Path, args: argparse.Namespace) -> int:
    """Write a new assignment's skeleton and say what to do next."""
    name = args.name
    written = new_assignment(root, name, title=args.title, weight=args.weight)
    print(f"wrote the assignment {name} ({weight_text(args.weight)} in the term total, [tool.course.assignments]):")
    for path in written:
        print(f"  {path.relative_to(root)}")
    print(
        f"next (docs/contributing.md, 'Adding an assignment'): `course release {name}` releases it as it is; "
        f"write its tasks in source/{name}/ and their checks in grader/checks/{name}.py; its sample class in "
        f"scripts/sample_classes/{name}.py, then `course release {name}` and "
        f"`python scripts/make_sample_submissions.py {name}`; fill in tests/checks/test_{name}.py and "
        f"tests/e2e/test_{name}_lab.py (each says what it needs) and its section of docs/assignments.md"
    )
    return 0


def cmd_stamp(root: Path, args: argparse.Namespace) -> int:
    """Stamp badges and the repository into the notebooks and the README."""
    config = load_config(root)
    changed = stamp_all(config)
    print(
        f"stamped {config.student_repository} into {len(changed)} changed file(s)"
        + "".join(f"\n  {p.relative_to(root)}" for p in changed)
    )
    return 0


def cmd_publish(root: Path, args: argparse.Namespace) -> int:
    """Write the student repository into DEST (a git repository) and commit it."""
    done = publish(root, args.dest, args.message)
    state = f"commit {done.commit[:12]}" if done.commit else "nothing changed, nothing committed"
    print(f"published the student repository, {len(done.files)} files, into {done.dest}: {state}")
    if done.commit:
        print(f"  push it to {load_config(root).git_url()} (the repository the badges and setup cells point at)")
    return 0


def cmd_links(root: Path, args: argparse.Namespace) -> int:
    """Print each notebook's Colab link, and its nbgitpuller link on the JupyterHub ``--hub``."""
    if args.hub and not args.hub.startswith(("https://", "http://")):
        raise ValueError(f"--hub must be the hub's address, such as https://hub.example.edu, not {args.hub!r}")
    config = load_config(root)
    notebooks = [release_path(config, path) for path in source_notebooks(config)]
    for path, colab, hub in notebook_links(config, notebooks, args.hub):
        print(f"{path}\n  Colab: {colab}" + (f"\n  hub:   {hub}" if hub else ""))
    return 0


def cmd_release(root: Path, args: argparse.Namespace) -> int:
    """Regenerate the student release of the given (default: every) assignment."""
    for name in args.assignments or assignment_names(root):
        folder = generate_release(root, name)
        print(f"released {name} -> {folder.relative_to(root)}/")
    return 0


def cmd_add_students(root: Path, args: argparse.Namespace) -> int:
    """Add or update the students of a CSV roster in the gradebook."""
    print(f"added or updated {roster.add_students(root, args.roster)} student(s)")
    return 0


def cmd_collect(root: Path, args: argparse.Namespace) -> int:
    """Unpack an LMS download into ``submitted/``."""
    require_assignment(root, args.assignment)
    collected = roster.collect_zip(root, args.assignment, args.archive, args.pattern)
    print(f"collected {len(collected.collected)} notebook(s) into submitted/")
    for line in collected.skipped:
        print(f"  skipped {line}")
    return 0


def cmd_run_tutorial(root: Path, args: argparse.Namespace) -> int:
    """Execute the released tutorial and report where its outputs are."""
    out_dir = root / "build" / "tutorial"
    started = time.perf_counter()
    try:
        nb = execute_notebook(root / "release" / "tutorial" / "tutorial.ipynb", out_dir, fast=args.fast)
    except CellExecutionError as error:
        raise RuntimeError(f"the tutorial failed; the partly run notebook is in {out_dir}:\n{error}") from None
    seconds = time.perf_counter() - started
    problems = error_outputs(nb)
    if problems:
        raise RuntimeError("the tutorial ran but printed errors:\n  " + "\n  ".join(problems))
    figures = sorted((out_dir / "figures").glob("*.png"))
    print(f"executed the tutorial ({'fast' if args.fast else 'full'} mode) in {seconds:.0f} s")
    print(f"  notebook: {(out_dir / 'tutorial.ipynb').relative_to(root)}  (HTML beside it)")
    print(
        f"  figures:  {len(figures)} in {(out_dir / 'figures').relative_to(root)}/: "
        + ", ".join(p.name for p in figures)
    )
    return 0


def _students(root: Path, assignment: str, named: list[str]) -> list[str]:
    """The students a grading command works on: those named (each a safe id, in the roster or in
    ``submitted/``), or by default every student with a submission of ``assignment``."""
    if named:
        return known_students(root, assignment, named)
    students = roster.submitted_students(root, assignment)
    for folder, why in roster.refused_submission_folders(root, assignment).items():
        print(f"skipped submitted/{folder}/: {why}")
    if not students:
        raise FileNotFoundError(
            f"no submissions in submitted/<student>/{assignment}/; collect them first (see `collect`)"
        )
    return students


def known_students(root: Path, assignment: str, named: list[str]) -> list[str]:
    """``named``, once each, when every one is a safe id of a student in the roster (the gradebook) or with a
    folder in ``submitted/`` (no link); otherwise raise ``ValueError`` naming the others, before anything is
    written."""
    named = list(dict.fromkeys(named))
    refused = roster.refused_submission_folders(root, assignment)
    for student in named:
        check_student_id(student)
        if student in refused:
            raise ValueError(f"submitted/{student}/: {refused[student]}")
    with nbgrader_api(root).gradebook as gb:
        enrolled = {student.id for student in gb.students}
    unknown = [s for s in named if s not in enrolled and not (root / "submitted" / s).is_dir()]
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)}: not in the roster or in submitted/: add them with `course add-students "
            "ROSTER.csv` (or collect their submissions), or correct the id"
        )
    return named


def class_students(root: Path, assignment: str, named: list[str]) -> list[str]:
    """Everyone whose row the assignment's CSV holds: the students with a submission or a recorded status, and
    ``named``; naming students updates their rows and keeps everyone else's."""
    recorded = load_statuses(root, assignment)
    return sorted({*roster.submitted_students(root, assignment), *recorded, *named})


def grade_steps(
    root: Path,
    assignment: str,
    students: list[str],
    steps: tuple[str, ...],
    workers: int | None = None,
    scheduler: str | None = None,
    isolation: str | None = None,
    canary: bool = True,
    rerun_experiments: bool | None = None,
    cold_kernels: bool | None = None,
) -> int:
    """Autograde, write feedback and/or export; print the grade table; return the exit status:
    the number of submissions that need attention (at most 100). One grading command per assignment and course
    runs at a time (:func:`grader.autograde.lock.grading_lock`)."""
    require_assignment(root, assignment)
    students = _students(root, assignment, students)
    if AUTOGRADE in steps:
        if workers is not None and workers < 1:
            raise ValueError(f"--workers must be 1 or more, not {workers}")
        require_released(nbgrader_api(root), assignment)
    with grading_lock(root, assignment):
        return _grade_steps(root, assignment, students, steps, workers, scheduler, isolation, canary,
                            rerun_experiments, cold_kernels)  # fmt: skip


def _grade_steps(
    root: Path,
    assignment: str,
    students: list[str],
    steps: tuple[str, ...],
    workers: int | None,
    scheduler: str | None,
    isolation: str | None,
    canary: bool,
    rerun_experiments: bool | None,
    cold_kernels: bool | None,
) -> int:
    """:func:`grade_steps` once its arguments are checked, holding the assignment's grading lock."""
    if AUTOGRADE in steps:
        started = time.perf_counter()
        where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {workers or os.cpu_count()} worker(s)"
        check = (
            ", after the reference solution as a check of the grader (unless it passed with the same release, "
            "checks and environment)"
            if canary
            else ""
        )
        rerun = ", experiments re-run" if rerun_experiments else ""
        print(f"autograding {len(students)} submission(s) of {assignment} {where}{check}{rerun}")
        outcomes = grade_class(
            root,
            assignment,
            students,
            workers=workers,
            scheduler=scheduler,
            isolation=isolation,
            progress=sys.stderr.isatty(),
            canary=canary,
            rerun_experiments=rerun_experiments,
            cold_kernels=cold_kernels,
        )
        seconds = time.perf_counter() - started
        graded = sum(o.status not in UNGRADED for o in outcomes)
        print(
            f"autograded {graded} of {len(students)} submission(s) in {seconds:.0f} s "
            f"({60 * len(students) / max(seconds, 1e-9):.1f} per minute); "
            f"log: {logs.relative_log_path(root, assignment)}"
        )
    if FEEDBACK in steps:
        gradable = [
            row
            for row in grade_table.collect_grades(root, assignment, students)
            if row.status not in UNGRADED and (root / "autograded" / row.student / assignment).is_dir()
        ]
        failures = generate_feedback(root, assignment, [row.student for row in gradable])
        print(f"feedback: feedback/<student>/{assignment}/ for {len(gradable) - len(failures)} student(s)")
        pending = [row for row in gradable if row.manual_pending]
        if pending:
            tasks = sorted({task for row in pending for task in row.manual_pending})
            print(
                f"  note: hand grading of {', '.join(tasks)} is pending for {len(pending)} student(s); their feedback "
                f"says 'not graded yet' for those tasks: once a grader has scored them in the formgrader, run "
                f"`course feedback {assignment}` again"
            )
        for student, reason in failures.items():
            print(f"  no feedback for {student}: {reason}")
    rows = grade_table.collect_grades(root, assignment, students)
    if EXPORT in steps:
        whole_class = class_students(root, assignment, students)
        everyone = rows if whole_class == students else grade_table.collect_grades(root, assignment, whole_class)
        path = grade_table.write_csv(everyone, root / "grades" / f"{assignment}.csv")
        print(f"grades: {path.relative_to(root)} ({len(everyone)} student(s))")
    print()
    print(grade_table.format_table(rows))
    attention = [row.student for row in rows if row.status != GRADED]
    if attention:
        print(f"\n{len(attention)} submission(s) need attention (see their status): {', '.join(attention)}")
    return min(len(attention), 100)


def cmd_autograde(root: Path, args: argparse.Namespace) -> int:
    """Autograde submissions and print the grade table."""
    return grade_steps(
        root,
        args.assignment,
        args.students,
        (AUTOGRADE,),
        args.workers,
        args.scheduler,
        args.isolation,
        args.canary,
        args.rerun_experiments,
        args.cold_kernels,
    )


def cmd_feedback(root: Path, args: argparse.Namespace) -> int:
    """Write feedback HTML and print the grade table."""
    return grade_steps(root, args.assignment, args.students, (FEEDBACK,))


def term_steps(root: Path, steps: tuple[str, ...], args: argparse.Namespace) -> int:
    """Run ``steps`` for every assignment that has submissions, then write ``grades/term.csv`` and print
    the term table; return the exit status (the submissions that need attention, at most 100)."""
    config = load_config(root)
    assignments = term_assignments(config)
    if not assignments:
        raise FileNotFoundError("no submissions in submitted/<student>/<assignment>/; collect them first")
    term_weights(config, assignments)  # a missing weight stops the command before any grading
    grading = {"workers": args.workers, "scheduler": args.scheduler, "isolation": args.isolation}
    attention = 0
    for assignment in assignments:
        print(f"== {assignment}")
        options = {}
        if AUTOGRADE in steps:
            options = {**grading, "canary": args.canary, "rerun_experiments": args.rerun_experiments,
                       "cold_kernels": args.cold_kernels}  # fmt: skip
        attention += grade_steps(root, assignment, [], steps, **options)
        print()
    rows, weights = collect_term(config, assignments)
    path = write_term_csv(rows, weights, root / "grades" / "term.csv")
    print(f"== the term: {', '.join(assignments)}; the term grades: {path.relative_to(root)}")
    print(format_term_table(rows, weights))
    return min(attention, 100)


def cmd_export(root: Path, args: argparse.Namespace) -> int:
    """Write the grade CSV and print the grade table; without an assignment, every assignment and the term. With
    ``--lms``, also the LMS's import file of the term (or of the one assignment)."""
    if args.roster is not None:
        roster.read_roster(args.roster)  # a bad roster stops the command before anything is written
    if args.assignment is None:
        status = term_steps(root, (EXPORT,), argparse.Namespace(workers=None, scheduler=None, isolation=None))
    else:
        status = grade_steps(root, args.assignment, args.students, (EXPORT,))
    if args.lms:
        lms_export(root, args.lms, args.roster, [args.assignment] if args.assignment else None)
    return status


def lms_export(root: Path, system: str, roster_file: Path | None, assignments: list[str] | None) -> Path:
    """Write ``grades/<system>.csv`` (:mod:`grader.report.lms`) for ``assignments`` (default: the term's) and say
    what it left blank."""
    config = load_config(root)
    assignments = assignments or term_assignments(config)
    rows, _ = collect_term(config, assignments)
    path = lms.write_lms_file(root, system, rows, assignments, roster_file)
    blanks = {name: count for name, count in lms.blank_cells(rows, assignments).items() if count}
    print(f"\n{system}: {path.relative_to(root)}, {len(rows)} student(s), {len(assignments)} assignment(s)")
    if blanks:
        counts = ", ".join(f"{name} {count}" for name, count in blanks.items())
        print(
            f"  {sum(blanks.values())} cell(s) left blank, hand grading pending or not graded ({counts}): the LMS "
            "keeps what it had there; after hand grading, export again"
        )
    print(f"  import it in {lms.IMPORT_PAGES[system]}")
    return path


def cmd_grade(root: Path, args: argparse.Namespace) -> int:
    """Autograde, feedback and export; without an assignment, every assignment that has submissions, and
    the term gradebook."""
    if args.assignment is None:
        return term_steps(root, ALL_STEPS, args)
    return grade_steps(
        root,
        args.assignment,
        args.students,
        ALL_STEPS,
        args.workers,
        args.scheduler,
        args.isolation,
        args.canary,
        args.rerun_experiments,
        args.cold_kernels,
    )


def cmd_demo(root: Path, args: argparse.Namespace) -> int:
    """The main job: stamp, release, publish the student repository into ``build/student-repo/``, run the tutorial,
    grade the sample classes and the term."""
    cmd_stamp(root, args)
    cmd_release(root, argparse.Namespace(assignments=[]))
    cmd_publish(root, argparse.Namespace(dest=root / "build" / "student-repo", message=None))
    cmd_run_tutorial(root, args)
    return term_steps(root, ALL_STEPS, args)


def cmd_lab(root: Path, args: argparse.Namespace) -> int:
    """JupyterLab for the course, until Ctrl-C."""
    server = start_lab(root, port=args.port)
    print(f"JupyterLab for the course in {root} (nbgrader's exchange: exchange/); open, in a browser on this machine:")
    print(f"  {server.link('lab')}")
    print("Ctrl-C stops it.", flush=True)
    return serve(server)


def cmd_formgrader(root: Path, args: argparse.Namespace) -> int:
    """nbgrader's formgrader for the course, on an assignment's manual-grading page, until Ctrl-C."""
    path = formgrader_path(root, args.assignment)
    server = start_lab(root, port=args.port)
    where = f"the manual grading of {args.assignment}" if args.assignment else "the formgrader"
    print(f"{where[0].upper()}{where[1:]} for the course in {root}; open, in a browser on this machine:")
    print(f"  {server.login_link(path)}")
    print("Ctrl-C stops it.", flush=True)
    return serve(server)


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    """The options of the autograding step."""
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", default=None, help="grade on the Dask cluster at this address (tcp://host:8786)")
    parser.add_argument(
        "--isolation",
        choices=ISOLATION_MODES,
        default=None,
        help="override GuardedExecute.isolation of nbgrader_config.py",
    )
    parser.add_argument(
        "--no-canary",
        dest="canary",
        action="store_false",
        help="skip grading the reference solution first (the check that the grader gives it every point)",
    )
    parser.add_argument(
        "--rerun-experiments",
        action="store_const",
        const=True,
        default=None,
        help="run the cells tagged experiment too, instead of grading the student's own outputs of them (an audit; "
        "default: GuardedExecute.rerun_experiments of nbgrader_config.py)",
    )
    parser.add_argument(
        "--cold-kernels",
        action="store_const",
        const=True,
        default=None,
        help="start each grading kernel as a new process instead of forking it from the worker's warm template "
        "(an audit; default: not GuardedExecute.warm_kernels of nbgrader_config.py)",
    )


def add_fast_option(parser: argparse.ArgumentParser) -> None:
    """The tutorial's run mode."""
    parser.add_argument("--fast", action="store_true", help="quick tutorial (COURSE_FAST=1): fewer epochs and widths")


def add_class_arguments(parser: argparse.ArgumentParser, term: bool = False) -> None:
    """An assignment and, optionally, some of its students; with ``term``, the assignment may be left out
    (every assignment that has submissions, and the term gradebook)."""
    if term:
        parser.add_argument(
            "assignment", nargs="?", help="default: every assignment with submissions, then grades/term.csv"
        )
    else:
        parser.add_argument("assignment")
    parser.add_argument("students", nargs="*", help="student ids (default: every folder in submitted/)")


VERBOSE_HELP = "say what each step does, on stderr (grading logs to grades/<assignment>-log.txt either way)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``course``: one sub-command per ``cmd_*`` function."""
    parser = argparse.ArgumentParser(
        prog="course",
        description="The course's commands for instructors and TAs, on nbgrader.",
        epilog="Run a command with --help for its arguments.",
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="course repository (default: found from the working directory)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    verbose = argparse.ArgumentParser(add_help=False)  # -v after the command too; SUPPRESS keeps one given before
    verbose.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)

    def command(name: str, func, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text, parents=[verbose])
        p.set_defaults(func=func)
        return p

    p = command("new", cmd_new, "write a new assignment's skeleton: notebook, checks, its line, sample class, tests")
    p.add_argument("name", help="lowercase letters, digits and _ (a folder, a Python module and a test file's name)")
    p.add_argument("--title", default=None, help="the notebook's title (default: 'Lab: NAME', with _ as spaces)")
    p.add_argument("--weight", type=float, default=10, help="its weight in the term total (default: 10)")
    command("stamp", cmd_stamp, "stamp Colab badges and the repository into notebooks and README")
    p = command("release", cmd_release, "regenerate release/ from source/ with nbgrader")
    p.add_argument("assignments", nargs="*", help="assignment names (default: all under source/)")
    p = command("publish", cmd_publish, "write the student repository (release/, helpers, a README) into DEST")
    p.add_argument("dest", type=Path, help="the student repository's folder: created, or an earlier publish")
    p.add_argument("--message", default=None, help="the commit message (default: 'Publish the course from ...')")
    p = command("links", cmd_links, "print each notebook's Colab link, and its JupyterHub link with --hub")
    p.add_argument("--hub", default=None, help="a JupyterHub with nbgitpuller, such as https://hub.example.edu")
    p = command(
        "add-students",
        cmd_add_students,
        "add or update the students of a CSV roster (columns id, first_name, last_name, email)",
    )
    p.add_argument("roster", type=Path)
    p = command("collect", cmd_collect, "unpack an LMS zip of notebooks into submitted/<student>/<assignment>/")
    p.add_argument("assignment")
    p.add_argument("archive", type=Path)
    p.add_argument(
        "--pattern", default=roster.LMS_FILE_PATTERN, help="regex on file names with groups student_id and file"
    )
    p = command("autograde", cmd_autograde, "autograde submissions, in parallel, isolated and limited")
    add_class_arguments(p)
    add_grading_options(p)
    add_class_arguments(command("feedback", cmd_feedback, "write feedback HTML (no hidden tests)"))
    p = command("export", cmd_export, "write grades/<assignment>.csv (or every one, and grades/term.csv)")
    add_class_arguments(p, term=True)
    p.add_argument("--lms", choices=lms.SYSTEMS, default=None, help="also write grades/<lms>.csv, the LMS's import")
    p.add_argument(
        "--roster", type=Path, default=None, help="CSV with id and the LMS's ids: " + ", ".join(lms.ROSTER_COLUMNS)
    )
    p = command("grade", cmd_grade, "autograde, feedback and export (every assignment, and the term, by default)")
    add_class_arguments(p, term=True)
    add_grading_options(p)
    add_fast_option(command("run-tutorial", cmd_run_tutorial, "execute the released tutorial into build/tutorial/"))
    p = command("lab", cmd_lab, "start JupyterLab for the course (Ctrl-C stops it)")
    p.add_argument("--port", type=int, default=8888, help="the port on 127.0.0.1 (default: 8888)")
    p = command("formgrader", cmd_formgrader, "start the formgrader on an assignment's manual-grading page")
    p.add_argument("assignment", nargs="?", help="default: the formgrader's front page")
    p.add_argument("--port", type=int, default=8888, help="the port on 127.0.0.1 (default: 8888)")
    p = command("demo", cmd_demo, "the main job: stamp, release, publish, run the tutorial, grade the sample classes")
    add_fast_option(p)
    add_grading_options(p)
    return parser


def report_stop(stopped: GradingStopped, args: argparse.Namespace) -> None:
    """Say, after a grading run was stopped, who was graded and who was not, and how to grade the rest."""
    print(f"\nstopped by {stopped.signal_name}: every submission graded so far was written whole, nothing half-way")
    print(f"  graded in this run ({len(stopped.graded)}): {', '.join(stopped.graded) or 'none'}")
    print(f"  not graded ({len(stopped.not_graded)}): {', '.join(stopped.not_graded) or 'none'}")
    if stopped.not_graded and getattr(args, "assignment", None):
        print(
            f"  to grade them: course {args.command} {args.assignment} {' '.join(stopped.not_graded)} "
            f"(or course {args.command} {args.assignment}, which grades everyone again)"
        )


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, parsed by :func:`build_parser`; student ids may also follow the options
    (``course autograde project1 --no-canary ada``), where argparse alone would refuse them."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    takes_students = isinstance(getattr(args, "students", None), list)
    if extra and not (takes_students and not any(arg.startswith("-") for arg in extra)):
        parser.parse_args(argv)  # exits with argparse's own message and usage line
    if extra:
        args.students.extend(extra)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit status."""
    args = parse_arguments(argv)
    logs.configure(verbose=args.verbose)
    try:
        return args.func(find_course_root(args.root), args)
    except GradingStopped as stopped:
        report_stop(stopped, args)
        return stopped.exit_status
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
