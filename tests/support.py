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
