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
