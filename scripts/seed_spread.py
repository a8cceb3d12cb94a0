"""The range of every number a lab prints over seeds: what a correct student's run can show, for the mark schemes.

Executes ``source/<assignment>/<assignment>.ipynb`` (the model answers) in full mode once per seed, two at a time,
with one thread for torch and BLAS as students run, after setting its imports cell's ``SEED = 0`` to the seed (so the
data, the initial weights and the shuffles all change). Then prints each code cell's printed text once, with every
number replaced by its range over the seeds: ``accuracy 87.5%`` becomes ``accuracy [85.8..88.2]%``. A cell whose text
has a different shape in some seed (another count of numbers, other words; not just other spacing) is printed once
per seed. Progress bars (stderr and widgets) are left out. The mark schemes quote these ranges (docs/assignments.md,
"Mark schemes and seeds").

With ``--each``, every seed's text is printed as it is, to compare runs seed by seed (does one setting beat another
in every seed, not only in the ranges?).

    python scripts/seed_spread.py backprop [classification deep] [--seeds 5] [--cells grade_id ...] [--each]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.common.assignments import unknown_assignments
from grader.release.run_notebook import error_outputs, execute_notebook
from helpers.environment import THREADS_ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
#: A number as the notebooks print one: 87.5, -0.25, 1e-05, 3.4e+02.
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
#: The line of every imports cell that sets the notebook's seed.
SEED_LINE = re.compile(r"^SEED = 0$", re.MULTILINE)


def printed_text(cell: nbformat.NotebookNode) -> str:
    """What a code cell printed (stdout) and displayed as text, without progress bars (stderr and widgets)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" not in data and "image/png" not in data:
                parts.append(data.get("text/plain", ""))
    return "".join(parts).strip()


def each_seed(texts: list[str]) -> str:
    """``texts`` (one per seed), each on its own, headed by its seed."""
    return "\n".join(f"(seed {seed}) {text}" for seed, text in enumerate(texts))


def spread(texts: list[str]) -> str:
    """``texts`` (one per seed) as one text whose numbers are ranges, ``[low..high]`` (each as it was printed), or
    the value where all agree; or every text, numbered by seed, when they differ in more than their numbers."""
    shapes = {" ".join(NUMBER.sub("#", text).split()) for text in texts}
    if len(shapes) > 1:
        return each_seed(texts)
    columns = zip(*(NUMBER.findall(text) for text in texts), strict=True)
    ranges = iter(
        values[0] if len(set(values)) == 1 else f"[{min(values, key=float)}..{max(values, key=float)}]"
        for values in columns
    )
    return NUMBER.sub(lambda _: next(ranges), texts[0])


def seeded_run(text: str, name: str, seed: int) -> nbformat.NotebookNode:
    """The notebook ``name`` whose file holds ``text`` (read once, so that every seed runs the same cells, even if
    the file changes meanwhile), executed in full mode with ``SEED = seed``."""
    nb = nbformat.reads(text, as_version=4)
    imports = [cell for cell in nb.cells if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(imports) != 1:
        raise SystemExit(f"{name}: expected one code cell with the line 'SEED = 0', found {len(imports)}")
    imports[0].source = SEED_LINE.sub(f"SEED = {seed}", imports[0].source)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        nbformat.write(nb, copy)
        executed = execute_notebook(copy, Path(folder) / "run")
    if errors := error_outputs(executed):
        print(f"warning: {name} with SEED = {seed} printed errors: {errors}", file=sys.stderr)
    return executed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. N-1 (default 5)")
    parser.add_argument("--cells", nargs="*", help="only these grade ids (default: every code cell that prints)")
    parser.add_argument("--each", action="store_true", help="print every seed's text instead of the ranges")
    args = parser.parse_args()
    if unknown := unknown_assignments(ROOT, args.assignments):
        sys.exit(f"error: no source notebook for {', '.join(unknown)}; name folders of source/")
    os.environ[THREADS_ENV_VAR] = "1"
    for assignment in args.assignments:
        notebook = ROOT / "source" / assignment / f"{assignment}.ipynb"
        run = partial(seeded_run, notebook.read_text(encoding="utf-8"), notebook.name)
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(run, range(args.seeds)))
        print(f"## {assignment}: every printed number over SEED = 0 .. {args.seeds - 1}, full mode, one thread\n")
        for index, cell in enumerate(runs[0].cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
            if cell.cell_type != "code" or (args.cells and grade_id not in args.cells):
                continue
            texts = [printed_text(run.cells[index]) for run in runs]
            if any(texts):
                print(f"### {grade_id}\n{(each_seed if args.each else spread)(texts)}\n")


if __name__ == "__main__":
    main()
