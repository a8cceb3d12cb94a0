"""The two packages and their boundary: `helpers` for students, `grader` for instructors.

`helpers` imports nothing of the grading machinery, and `pyproject.toml` installs what each package
imports: `helpers`' needs as the base dependencies (all that Colab installs), `grader`'s as the
`instructor` extra.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from grader.cli import build_parser
from tests.support import ROOT, docs_section

#: What a student's package must never import.
GRADING_ONLY = {"grader", "nbgrader", "nbclient", "nbconvert", "dask", "distributed", "psutil", "sqlalchemy"}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_roots(path: Path) -> set[str]:
    """The top-level names of every module that ``path`` imports (absolute imports)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def imported_modules(path: Path) -> set[str]:
    """The full names of the modules that ``path`` imports (absolute imports, and the names imported from them)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def distribution(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def third_party(package: str) -> set[str]:
    """The distributions that provide what ``package``'s modules import."""
    provided = importlib.metadata.packages_distributions()
    needed = set()
    for path in modules(package):
        for root in imported_roots(path) - {"helpers", "grader", "__future__"}:
            if root in sys.stdlib_module_names:
                continue
            assert root in provided, (
                f"{path.relative_to(ROOT)} imports {root}, which no installed distribution provides"
            )
            needed |= {name.lower().replace("_", "-") for name in provided[root]}
    return needed


@pytest.fixture(scope="module")
def pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("path", modules("helpers"), ids=lambda p: module_name(p))
def test_no_helpers_module_imports_grading_machinery(path):
    assert not imported_roots(path) & GRADING_ONLY, f"{module_name(path)} imports {imported_roots(path) & GRADING_ONLY}"


#: What the code of each folder of ``grader`` may import of ``grader`` (itself included), in the order of a term:
#: every phase uses ``common``; a release runs the tutorial with the kernel's environment; collecting checks a
#: notebook as grading's intake does; grading runs the kernel, the kernel the checks; reports read what grading
#: wrote; the command line (``grader/cli.py``) uses them all.
MAY_IMPORT = {
    "grader/common": ["grader.common"],
    "grader/release": ["grader.common", "grader.release", "grader.kernel.environment"],
    "grader/collect": ["grader.common", "grader.collect", "grader.autograde.intake"],
    "grader/autograde": ["grader.common", "grader.autograde", "grader.kernel"],
    "grader/kernel": ["grader.common", "grader.kernel", "grader.checks"],
    "grader/checks": ["grader.common", "grader.checks"],
    "grader/report": ["grader.common", "grader.report", "grader.collect", "grader.autograde"],
    "grader/serve": ["grader.common", "grader.serve"],
}


def inside(name: str, prefixes: list[str]) -> bool:
    return any(f"{name}.".startswith(f"{prefix}.") for prefix in prefixes)


@pytest.mark.parametrize("folder", MAY_IMPORT)
def test_each_folder_of_the_grader_imports_only_the_phases_before_it(folder):
    wrong = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if inside(m, ["grader"]) and not inside(m, MAY_IMPORT[folder])
        )
        for path in sorted((ROOT / folder).rglob("*.py"))
    }
    assert not {path: names for path, names in wrong.items() if names}


def test_every_folder_of_the_grader_has_its_import_rule():
    folders = {f"grader/{p.parent.name}" for p in (ROOT / "grader").glob("*/__init__.py")}
    assert folders == set(MAY_IMPORT)


#: The one-way arrows that are not between the grader's folders: (the code under this folder, what it must never
#: import). The statuses import nothing of the grader; what a release tells students comes from the settings, not
#: from the grading kernel; tools never use tests.
ARROWS = [
    ("grader/common/statuses.py", "grader"),
    ("grader/release/generate.py", "grader.kernel"),
    ("grader/release/student_guide.py", "grader.kernel"),
    ("grader", "tests"),
    ("helpers", "tests"),
    ("benchmarks", "tests"),
    ("scripts", "tests"),
]


@pytest.mark.parametrize("where, forbidden", ARROWS, ids=[f"{a} -/-> {b}" for a, b in ARROWS])
def test_the_layers_import_one_way(where, forbidden):
    paths = [ROOT / where] if where.endswith(".py") else sorted((ROOT / where).rglob("*.py"))
    wrong = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if inside(m, [forbidden]))
        for path in paths
    }
    assert not {path: names for path, names in wrong.items() if names}


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_all_of_helpers_loads_none_of_the_grader():
    names = [module_name(p) for p in modules("helpers")]
    loaded = run_python(
        f"import sys\nfor name in {names!r}: __import__(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(GRADING_ONLY)!r})))"
    )
    assert loaded == "[]"


def test_the_jail_starts_without_numpy_or_torch():
    loaded = run_python(
        "import sys, grader.kernel.jail, grader.kernel.integrity\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'torch', 'nbgrader', 'IPython'}))"
    )
    assert loaded == "[]"


def test_the_checks_that_grading_kernels_import_load_no_nbgrader():
    modules = sorted((ROOT / "grader" / "checks").glob("[!_]*.py"))
    names = ["grader.checks", *(f"grader.checks.{path.stem}" for path in modules)]
    loaded = run_python(
        f"import sys\nfor name in {names!r}: __import__(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'nbgrader', 'nbconvert', 'nbclient'}))"
    )
    assert loaded == "[]"


def test_the_base_dependencies_are_what_helpers_imports(pyproject):
    from helpers.sweep import fused

    base = {distribution(r) for r in pyproject["project"]["dependencies"]}
    generated = ast.parse(fused._HEADER.format(dim=1, activation="relu"))  # the code it writes imports numba
    assert "numba" in {node.module for node in ast.walk(generated) if isinstance(node, ast.ImportFrom)}
    assert third_party("helpers") | {"numba"} == base


def test_the_instructor_extra_installs_what_grader_imports(pyproject):
    base = {distribution(r) for r in pyproject["project"]["dependencies"]}
    instructor = {distribution(r) for r in pyproject["project"]["optional-dependencies"]["instructor"]}
    missing = third_party("grader") - base - instructor
    assert not missing, f"grader imports distributions that pyproject.toml does not install: {sorted(missing)}"
    assert not instructor & base


def test_the_course_command_is_installed_and_lists_every_command(pyproject):
    assert pyproject["project"]["scripts"]["course"] == "grader.cli:main"
    course = Path(sys.executable).with_name("course")
    done = subprocess.run([str(course), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert commands >= {
        "stamp",
        "release",
        "add-students",
        "collect",
        "autograde",
        "feedback",
        "export",
        "grade",
        "run-tutorial",
        "demo",
    }
    for name in commands:
        assert re.search(rf"^\s+{re.escape(name)}\b", done.stdout, re.MULTILINE), (
            f"`course --help` does not list {name}"
        )


def documented_modules(heading: str) -> set[str]:
    """The first column of the module table of the section ``heading`` of docs/packages.md."""
    return set(re.findall(r"^\| `([\w.]+)` \|", docs_section("packages", heading), re.MULTILINE))


@pytest.mark.parametrize("package", ["helpers", "grader"])
def test_the_docs_list_every_module(package):
    listed = documented_modules(f"The `{package}` package")
    actual = {module_name(p) for p in modules(package) if module_name(p) != package and not p.name.startswith("__")}
    assert listed == actual, (
        f"docs/packages.md lists {sorted(listed - actual)} that do not exist and misses {sorted(actual - listed)}"
    )


def listing_packages() -> list[Path]:
    """The packages whose docstring lists modules (``- :mod:`package.module` - ...`` lines)."""
    return [
        path.parent
        for package in ("helpers", "grader")
        for path in sorted((ROOT / package).rglob("__init__.py"))
        if re.search(r"^- :mod:`", ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "", re.MULTILINE)
    ]


@pytest.mark.parametrize("folder", listing_packages(), ids=lambda folder: module_name(folder / "__init__.py"))
def test_a_package_docstring_that_lists_modules_lists_every_one(folder):
    name = module_name(folder / "__init__.py")
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
    listed = set(re.findall(rf"^- :mod:`{re.escape(name)}\.(\w+)`", docstring, re.MULTILINE))
    actual = {p.stem for p in folder.glob("*.py") if not p.name.startswith("__")} | {
        p.parent.name for p in folder.glob("*/__init__.py")
    }
    assert listed == actual, (
        f"{name}'s docstring lists {sorted(listed - actual)}, which do not exist, and misses {sorted(actual - listed)}"
    )
