"""The instructor's command line: ``python -m helpers.course COMMAND``.

Commands:

- ``stamp``: write the repository from ``pyproject.toml`` into the notebooks' Colab badges,
  setup cells and the README's notebook table;
- ``release [ASSIGNMENT ...]``: regenerate ``release/`` from ``source/`` with nbgrader;
- ``run-tutorial``: execute the released tutorial into ``build/tutorial/`` (notebook, HTML, figures);
- ``demo``: the main job, all of the above in order.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from helpers.colab import stamp_all
from helpers.config import find_course_root, load_config
from helpers.execute import error_outputs, execute_notebook
from helpers.release import assignment_names, generate_release


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
    nb = execute_notebook(root / "release" / "tutorial" / "tutorial.ipynb", out_dir, fast=fast)
    seconds = time.perf_counter() - started
    problems = error_outputs(nb)
    if problems:
        raise RuntimeError("the tutorial ran but printed errors:\n  " + "\n  ".join(problems))
    figures = sorted((out_dir / "figures").glob("*.png"))
    print(f"executed the tutorial ({'fast' if fast else 'full'} mode) in {seconds:.0f} s")
    print(f"  notebook: {(out_dir / 'tutorial.ipynb').relative_to(root)}  (HTML beside it)")
    print(f"  figures:  {len(figures)} in {(out_dir / 'figures').relative_to(root)}/: " + ", ".join(p.name for p in figures))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m helpers.course``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.course", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=None, help="course repository (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("stamp", help="stamp Colab badges and the repository into notebooks and README")
    release = sub.add_parser("release", help="regenerate release/ from source/ with nbgrader")
    release.add_argument("assignments", nargs="*", help="assignment names (default: all under source/)")
    for name, text in (("run-tutorial", "execute the released tutorial"), ("demo", "the main job: stamp, release, run the tutorial")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--fast", action="store_true", help="quick mode (COURSE_FAST=1): fewer epochs and widths")
    return parser


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
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
