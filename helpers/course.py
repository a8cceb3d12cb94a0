"""The instructor's command line: ``python -m helpers.course COMMAND``.

Commands, in the order of a term:

- ``stamp``: write the repository from ``pyproject.toml`` into the notebooks' Colab badges,
  setup cells and the README's notebook table;
- ``release [ASSIGNMENT ...]``: regenerate ``release/`` from ``source/`` with nbgrader;
- ``add-students ROSTER.csv``: add the students of a roster to the gradebook;
- ``collect ASSIGNMENT ARCHIVE.zip``: unpack an LMS download into ``submitted/``;
- ``autograde ASSIGNMENT [STUDENT ...]``: autograde submissions (default: all in ``submitted/``) in
  parallel, each isolated and limited (``--workers N``, ``--scheduler tcp://...`` for Dask);
- ``feedback ASSIGNMENT [STUDENT ...]``: write feedback HTML without the hidden tests;
- ``export ASSIGNMENT``: write ``grades/<assignment>.csv`` and print the grade table;
- ``grade ASSIGNMENT``: autograde, feedback and export in one go;
- ``run-tutorial``: execute the released tutorial into ``build/tutorial/`` (notebook, HTML, figures);
- ``demo``: the main job: stamp, release, run the tutorial, grade the sample class of project1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from nbclient.exceptions import CellExecutionError

from helpers import grading
from helpers.class_grading import NOT_GRADED, grade_class
from helpers.sandbox import ISOLATION_MODES
from helpers.colab import stamp_all
from helpers.config import find_course_root, load_config
from helpers.execute import error_outputs, execute_notebook
from helpers.release import assignment_names, generate_release

DEMO_ASSIGNMENT = "project1"


def cmd_stamp(root: Path) -> None:
    """Stamp badges and the repository into the notebooks and the README."""
    config = load_config(root)
    changed = stamp_all(config)
    print(f"stamped {config.repository} into {len(changed)} changed file(s)" + "".join(f"\n  {p.relative_to(root)}" for p in changed))


def cmd_release(root: Path, assignments: list[str]) -> None:
    """Regenerate the student release of the given (default: every) assignment."""
    for name in assignments or assignment_names(root):
        folder = generate_release(root, name)
        print(f"released {name} -> {folder.relative_to(root)}/")


def cmd_run_tutorial(root: Path, fast: bool) -> None:
    """Execute the released tutorial and report where its outputs are."""
    out_dir = root / "build" / "tutorial"
    started = time.perf_counter()
    try:
        nb = execute_notebook(root / "release" / "tutorial" / "tutorial.ipynb", out_dir, fast=fast)
    except CellExecutionError as error:
        raise RuntimeError(f"the tutorial failed; the partly run notebook is in {out_dir}:\n{error}") from None
    seconds = time.perf_counter() - started
    problems = error_outputs(nb)
    if problems:
        raise RuntimeError("the tutorial ran but printed errors:\n  " + "\n  ".join(problems))
    figures = sorted((out_dir / "figures").glob("*.png"))
    print(f"executed the tutorial ({'fast' if fast else 'full'} mode) in {seconds:.0f} s")
    print(f"  notebook: {(out_dir / 'tutorial.ipynb').relative_to(root)}  (HTML beside it)")
    print(f"  figures:  {len(figures)} in {(out_dir / 'figures').relative_to(root)}/: " + ", ".join(p.name for p in figures))


def _students(root: Path, assignment: str, named: list[str]) -> list[str]:
    students = named or grading.submitted_students(root, assignment)
    if not students:
        raise FileNotFoundError(f"no submissions in submitted/<student>/{assignment}/; collect them first (see `collect`)")
    return students


def cmd_grade(root: Path, assignment: str, students: list[str], steps: tuple[str, ...], workers: int | None = None,
              scheduler: str | None = None, isolation: str | None = None) -> int:
    """Autograde, write feedback and/or export; print the grade table; return the exit status:
    the number of submissions that need attention (at most 100)."""
    students = _students(root, assignment, students)
    if "autograde" in steps:
        started = time.perf_counter()
        where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {workers or os.cpu_count()} worker(s)"
        print(f"autograding {len(students)} submission(s) of {assignment} {where}")
        outcomes = grade_class(root, assignment, students, workers=workers, scheduler=scheduler, isolation=isolation,
                               progress=sys.stderr.isatty())
        seconds = time.perf_counter() - started
        graded = sum(o.status not in NOT_GRADED for o in outcomes)
        print(f"autograded {graded} of {len(students)} submission(s) in {seconds:.0f} s "
              f"({60 * len(students) / max(seconds, 1e-9):.1f} per minute)")
    if "feedback" in steps:
        gradable = [row.student for row in grading.collect_grades(root, assignment, students)
                    if row.status not in NOT_GRADED and (root / "autograded" / row.student / assignment).is_dir()]
        feedback_failures = grading.generate_feedback(root, assignment, gradable)
        print(f"feedback: feedback/<student>/{assignment}/ for {len(gradable) - len(feedback_failures)} student(s)")
        for student, reason in feedback_failures.items():
            print(f"  no feedback for {student}: {reason}")
    rows = grading.collect_grades(root, assignment, students)
    if "export" in steps:
        path = grading.write_csv(rows, root / "grades" / f"{assignment}.csv")
        print(f"grades: {path.relative_to(root)}")
    print()
    print(grading.format_table(rows))
    attention = [row.student for row in rows if row.status != "graded"]
    if attention:
        print(f"\n{len(attention)} submission(s) need attention (see their status): {', '.join(attention)}")
    return min(len(attention), 100)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m helpers.course``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.course", description=__doc__.split("\n\n")[0],
                                     epilog="Run a command with --help for its arguments.")
    parser.add_argument("--root", type=Path, default=None, help="course repository (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("stamp", help="stamp Colab badges and the repository into notebooks and README")
    p = sub.add_parser("release", help="regenerate release/ from source/ with nbgrader")
    p.add_argument("assignments", nargs="*", help="assignment names (default: all under source/)")
    p = sub.add_parser("add-students", help="add or update the students of a CSV roster (columns id, first_name, last_name, email)")
    p.add_argument("roster", type=Path)
    p = sub.add_parser("collect", help="unpack an LMS zip of notebooks into submitted/<student>/<assignment>/")
    p.add_argument("assignment")
    p.add_argument("archive", type=Path)
    p.add_argument("--pattern", default=grading.LMS_FILE_PATTERN, help="regex on file names with groups student_id and file")
    for name, text in (("autograde", "autograde submissions"), ("feedback", "write feedback HTML (no hidden tests)"),
                       ("export", "write grades/<assignment>.csv and print the grade table"),
                       ("grade", "autograde, feedback and export")):
        p = sub.add_parser(name, help=text)
        p.add_argument("assignment")
        p.add_argument("students", nargs="*", help="student ids (default: every folder in submitted/)")
        if name in ("autograde", "grade"):
            add_grading_options(p)
    for name, text in (("run-tutorial", "execute the released tutorial"),
                       ("demo", "the main job: stamp, release, run the tutorial, grade the sample class")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--fast", action="store_true", help="quick tutorial (COURSE_FAST=1): fewer epochs and widths")
    add_grading_options(p)
    return parser


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    """The options of the grading step."""
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", default=None, help="grade on the Dask cluster at this address (tcp://host:8786)")
    parser.add_argument("--isolation", choices=ISOLATION_MODES, default=None,
                        help="override GuardedExecute.isolation of nbgrader_config.py")


STEPS = {"autograde": ("autograde",), "feedback": ("feedback",), "export": ("export",),
         "grade": ("autograde", "feedback", "export"), "demo": ("autograde", "feedback", "export")}


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        root = find_course_root(args.root)
        if args.command in ("stamp", "demo"):
            cmd_stamp(root)
        if args.command in ("release", "demo"):
            cmd_release(root, getattr(args, "assignments", []))
        if args.command in ("run-tutorial", "demo"):
            cmd_run_tutorial(root, args.fast)
        if args.command == "add-students":
            print(f"added or updated {grading.add_students(root, args.roster)} student(s)")
        if args.command == "collect":
            report = grading.collect_zip(root, args.assignment, args.archive, args.pattern)
            print(f"collected {len(report['collected'])} notebook(s) into submitted/")
            for line in report["skipped"]:
                print(f"  skipped {line}")
        if args.command in STEPS:
            assignment = DEMO_ASSIGNMENT if args.command == "demo" else args.assignment
            if args.command != "demo" and "autograde" not in STEPS[args.command]:
                return cmd_grade(root, assignment, args.students, STEPS[args.command])
            if args.workers is not None and args.workers < 1:
                raise ValueError(f"--workers must be 1 or more, not {args.workers}")
            return cmd_grade(root, assignment, getattr(args, "students", []), STEPS[args.command], args.workers,
                             args.scheduler, args.isolation)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
