"""What several test modules share besides fixtures."""

import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import psutil

from grader.kernel.jail import CONNECTION_FILE
from grader.release.run_notebook import PROGRESS_BAR_LINE

#: The course repository under test.
ROOT = Path(__file__).resolve().parents[1]


def docs_section(page: str, heading: str) -> str:
    """The text of the section ``heading`` of ``docs/<page>.md``, up to the next heading of its level or above (a
    ``#`` line in a fenced code block is code, not a heading)."""
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    found = re.search(rf"^(#+) {re.escape(heading)}\n", text, re.MULTILINE)
    assert found, f"docs/{page}.md has no section {heading!r}"
    rest = text[found.end() :]
    level = len(found.group(1))
    fenced = False
    for match in re.finditer(r"^.*$", rest, re.MULTILINE):
        line = match.group(0)
        fenced ^= line.startswith("```")
        if not fenced and re.match(rf"#{{1,{level}}} ", line):
            return rest[: match.start()]
    return rest


def documented_sample_points(section: str) -> dict[str, float]:
    """The autograded points the section ``section`` of docs/assignments.md states for each sample student."""
    text = docs_section("assignments", section)
    return {
        student: float(points) for student, points in re.findall(r"^\| `(\w+)` \| .* \| (\d+) \|$", text, re.MULTILINE)
    }


def thread_counts_after(
    calls: Sequence[str], *, env: dict[str, str] | None = None, before_each: str = "pass"
) -> subprocess.CompletedProcess:
    """Run each of ``calls`` in turn in one fresh process (thread limits are global), ``before_each`` ahead of each,
    and print torch's thread count and the BLAS libraries' after each, as ``1 [1]``. ``env`` is the process's
    environment (this one's by default)."""
    script = (
        "import numpy, torch\nfrom threadpoolctl import threadpool_info, threadpool_limits\n"
        f"for call in {list(calls)!r}:\n"
        f"    {before_each}\n"
        "    exec(call, {})\n"
        "    blas = {i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}\n"
        "    print(torch.get_num_threads(), sorted(blas))\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env)


#: How Python prints an object without a repr of its own: ``<torch._C.Generator object at 0x7f...>``.
OBJECT_REPR = re.compile(r"<[\w.]+(?: object)? at 0x[0-9a-f]+>")


def shown_text(cell) -> str:
    """Every text a cell's outputs show: streams, and the plain text of displays (a widget's included) that have no
    HTML to show instead (an audio player's)."""
    parts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        parts.append(output.get("text", ""))
        parts.append("" if "text/html" in data else data.get("text/plain", ""))
    return "".join(parts)


def object_reprs(nb) -> list[str]:
    """Every default object repr that a cell of the executed ``nb`` printed or displayed, with its cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        found += [f"cell {index}: {match}" for match in OBJECT_REPR.findall(shown_text(cell))]
    return found


def progress_bar_problems(nb) -> list[str]:
    """Whatever the outputs of ``nb`` keep of a progress bar beyond its last line, with its cell: a widget bar (saved,
    it shows its first state, 0%), carriage returns (the bar's history), more than one output of a stream in a cell,
    or a bar line that is not finished in a cell that no error stopped."""
    found = []
    for index, cell in enumerate(nb.cells):
        where = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {index}")
        streams: dict[str, int] = {}
        for output in cell.get("outputs", []):
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                found.append(f"{where}: a widget bar, which a saved notebook shows at 0%")
            if output.get("output_type") == "stream":
                streams[output.name] = streams.get(output.name, 0) + 1
                if "\r" in output.text:
                    found.append(f"{where}: carriage returns in its {output.name}, a bar's history")
        found += [f"{where}: {count} {name} outputs, not one" for name, count in streams.items() if count > 1]
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            continue  # a bar that an error stopped keeps the line it had then
        for line in shown_text(cell).splitlines():
            if (bar := PROGRESS_BAR_LINE.fullmatch(line)) and bar[1] != bar[2]:
                found.append(f"{where}: a bar line that is not its last: {line.strip()[:80]!r}")
    return found


def grader_cell(cell, grade_id: str, *, grade: bool = False, solution: bool = False, points: int = 0, tags=()):
    """``cell`` with nbgrader's metadata (a locked cell unless ``solution``) and ``tags``."""
    cell.metadata["nbgrader"] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
        **({"points": points} if grade else {}),
    }
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def orphaned_grading_kernels() -> list[psutil.Process]:
    """Grading kernels whose grader is gone: a cold jailed ``ipykernel_launcher`` on the jail's connection file, or a
    warm kernel template, or a launcher or kernel forked from one (they keep its command line), whose parent is now
    process 1 (a kernel that a grader still runs has the jail's ``unshare`` or its launcher for a parent, a template
    its worker)."""
    found = []
    for process in psutil.process_iter(["cmdline", "ppid"]):
        cmdline = process.info["cmdline"] or []
        cold = CONNECTION_FILE in cmdline and any("ipykernel" in a for a in cmdline)
        if process.info["ppid"] == 1 and (cold or "grader.kernel.template" in cmdline):
            found.append(process)
    return found
