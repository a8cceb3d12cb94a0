"""The documentation: the README is the front door, a few screens long, whose every link to a page of ``docs/``
lands on one; ``docs/`` builds strictly with MkDocs (no broken link or anchor, no page left out of the nav)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support import ROOT

#: what "a few screens" of README allows
README_LINES = 120


def test_the_docs_build_strictly_with_every_page_in_the_nav(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    built = {p.relative_to(tmp_path / "site").parent.as_posix() for p in (tmp_path / "site").rglob("index.html")}
    pages = {"." if p.stem == "index" else p.stem for p in (ROOT / "docs").glob("*.md")}
    assert pages <= built


def test_the_readme_is_a_few_screens_and_its_links_into_the_docs_land_on_pages():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_LINES
    linked = re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", text)
    assert linked and all((ROOT / path).is_file() for path in linked), linked
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")} - {"docs/index.md"}
    assert pages <= set(linked), f"the README does not point at {sorted(pages - set(linked))}"


def test_a_mistake_in_the_docs_fails_the_strict_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for page in (ROOT / "docs").glob("*.md"):
        (docs / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "students.md").write_text("# For students\n\nSee [the grading page](gradingg.md).\n", encoding="utf-8")
    (docs / "stray.md").write_text("# Left out of the nav\n", encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("docs_dir: docs", f"docs_dir: {docs}")
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "gradingg.md" in done.stderr and "stray.md" in done.stderr
