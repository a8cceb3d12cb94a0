"""What several test modules share besides fixtures."""

import re
from pathlib import Path

#: The course repository under test.
ROOT = Path(__file__).resolve().parents[1]


def readme_sample_points(section: str) -> dict[str, float]:
    """The autograded points the README's section ``### <section>`` states for each sample student."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme.split(f"### {section}\n", 1)[1].split("\n### ", 1)[0]
    return {
        student: float(points) for student, points in re.findall(r"^\| `(\w+)` \| .* \| (\d+) \|$", text, re.MULTILINE)
    }


#: How Python prints an object without a repr of its own: ``<torch._C.Generator object at 0x7f...>``.
OBJECT_REPR = re.compile(r"<[\w.]+(?: object)? at 0x[0-9a-f]+>")


def object_reprs(nb) -> list[str]:
    """Every default object repr that a cell of the executed ``nb`` printed or displayed, with its cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") + output.get("data", {}).get("text/plain", "")
            found += [f"cell {index}: {match}" for match in OBJECT_REPR.findall(text)]
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
