"""A class of Project 1 submissions that mixes honest, broken and hostile work, for the grading tests.

Each hostile submission is one of the sample class's notebooks (the same answers) with an attack
added; the tests check that the attack earns nothing: it scores no more than its base.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

ASSIGNMENT = "project1"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"

#: Probes, run as a student's code from the kernel's working folder; ``{root}`` is the course.
READ_ATTACK = """
import os, glob
found = []
here = os.path.realpath(".")
for pattern in ["{root}/source/**/*.ipynb", "{root}/gradebook.db", "{root}/submitted/*/project1/*.ipynb",
                "../../../source/**/*.ipynb", "../../../gradebook.db", "../../*/project1/*.ipynb",
                "/tmp/grade-*/course/gradebook.db", "/tmp/grade-*/course/submitted/*/*/*.ipynb"]:
    for path in glob.glob(pattern, recursive=True):
        if os.path.realpath(path).startswith(here):  # its own notebook
            continue
        try:
            with open(path, "rb") as f:
                if f.read(1):
                    found.append(path)
        except OSError:
            pass
print("READ PROBE:", "found " + ", ".join(found) if found else "nothing readable")
"""

WRITE_ATTACK = """
import os, shutil
done = []
targets = ["{root}/gradebook.db", "{root}/source/project1/project1.ipynb",
           "{root}/submitted/ada/project1/project1.ipynb", "{root}/pwned.txt", "../../../gradebook.db",
           "../../ada/project1/project1.ipynb", "/tmp/pwned.txt"]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("pwned")
        done.append(path)
    except OSError:
        pass
for path in ["{root}/source", "{root}/release"]:
    try:
        shutil.rmtree(path)
        done.append("rm " + path)
    except OSError:
        pass
try:  # a link for the grader to write the autograded notebook through
    os.remove("project1.ipynb")
    os.symlink("{root}/gradebook.db", "project1.ipynb")
except OSError:
    pass
print("WRITE PROBE:", "wrote " + ", ".join(done) if done else "nothing writable")
"""

KERNEL_ATTACK = """
import builtins, numpy as np, torch
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
ip.set_custom_exc((Exception,), lambda shell, etype, value, tb, tb_offset=None: None)
ip.input_transformers_post.append(lambda lines: [l.replace("assert ", "assert True or ") for l in lines])
ip.events.register("pre_run_cell", lambda *args: None)
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
torch.allclose = lambda *args, **kwargs: True
torch.Tensor.__eq__ = lambda self, other: torch.tensor(True)
builtins.abs = lambda x: 0
builtins.all = lambda x: True
import math; math.isclose = lambda *args, **kwargs: True
class AnythingGoes:
    def __getattr__(self, name): return lambda *args, **kwargs: True
np = AnythingGoes()
"""

#: A fake of the checks module: in sys.modules, as an attribute of its package, as a file on the import path beside
#: the notebook (with the real modules dropped from sys.modules, so that an import finds the file), and the real
#: checks patched in place. Each would make every hidden test pass.
FAKE_CHECKS_MODULE = "def __getattr__(name):\n    return lambda *args, **kwargs: None\n"
FAKE_CHECKS_ATTACK = f"""
import os, sys, types
import grader.checks.project1 as real
for value in list(vars(real).values()):
    if callable(getattr(value, "__wrapped__", None)):
        value.__wrapped__.__code__ = (lambda *args, **kwargs: None).__code__
        setattr(real, value.__name__, lambda *args, **kwargs: None)
for name in [n for n in sys.modules if n == "grader" or n.startswith("grader.")]:
    del sys.modules[name]
os.makedirs("grader/checks", exist_ok=True)
for path, text in [("grader/__init__.py", ""), ("grader/checks/__init__.py", ""),
                   ("grader/checks/project1.py", {FAKE_CHECKS_MODULE!r})]:
    with open(path, "w") as f:
        f.write(text)
sys.path.insert(0, os.getcwd())
fake = types.ModuleType("grader.checks.project1")
fake.__getattr__ = lambda name: (lambda *args, **kwargs: None)
sys.modules["grader.checks.project1"] = fake
"""

#: Breaks the kernel's own messaging (it calls len and isinstance): nothing can be restored after it.
BREAK_ATTACK = "import builtins\nbuiltins.len = lambda obj: 1\nbuiltins.isinstance = lambda obj, cls: True\n"
EXIT_ATTACK = "import os\nos._exit(0)\n"
ENDLESS_LOOP = "while True:\n    pass\n"
STUBBORN_LOOP = (
    "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n    except KeyboardInterrupt:\n        pass\n"
)
MEMORY_ATTACK = "hog = bytearray(16 << 30)\n"
#: 3 MB of output, three times what a cell keeps (1024 KiB): a flood that is cut, in about a second of the kernel's CPU
#: (300,000 lines took up to the hostile class's 10 s limit of a cell on a slow day, and it timed out)
OUTPUT_FLOOD = "for i in range(30_000):\n    print('spam ' * 20)\n"
FORK_ATTACK = (
    "import subprocess\nsubprocess.Popen(['sleep', '7301'])\nsubprocess.Popen(['sh', '-c', 'setsid sleep 7302 &'])\n"
)

#: One bounded attempt to reach a server on the grading machine's loopback; ``{port}`` is the server's.
NETWORK_ATTACK = """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    print("NETWORK PROBE: reached the grading machine")
except OSError as error:
    print("NETWORK PROBE: unreachable", type(error).__name__)
"""


def read(root: Path, student: str) -> nbformat.NotebookNode:
    return nbformat.read(root / "submitted" / student / ASSIGNMENT / NOTEBOOK, as_version=4)


def with_cell(nb: nbformat.NotebookNode, source: str, after: str = "first") -> nbformat.NotebookNode:
    """A copy of ``nb`` with a code cell of ``source`` after its first code cell (``first``), after
    the cell of a grade id, or at the end (``end``)."""
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(source)
    if after == "end":
        nb.cells.append(cell)
    elif after == "first":
        nb.cells.insert(next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1, cell)
    else:
        nb.cells.insert(test_cell_index(nb, after) + 1, cell)
    return nb


def test_cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write_class(sample_root: Path, course: Path, port: int) -> dict[str, str]:
    """Write the mixed class into ``course/submitted``; return ``{student: base}``, the sample
    submission each one's answers come from (``None`` for files that are not graded). ``port`` is
    a TCP port on 127.0.0.1 that the network probe tries to reach."""
    ada, ben, eli = read(sample_root, "ada"), read(sample_root, "ben"), read(sample_root, "eli")
    root = str(course)
    notebooks = {
        "reader": (with_cell(ben, READ_ATTACK.format(root=root)), "ben"),
        "writer": (with_cell(ben, WRITE_ATTACK.format(root=root)), "ben"),
        # after the imports, which the patches would break: the attack aims at the tests
        "patcher": (with_cell(eli, KERNEL_ATTACK, after="imports"), "eli"),
        "patcher0": (with_cell(ben, KERNEL_ATTACK, after="imports"), "ben"),
        "faker": (with_cell(eli, FAKE_CHECKS_ATTACK, after="imports"), "eli"),
        "breaker": (with_cell(ada, BREAK_ATTACK), "ada"),
        "quitter": (with_cell(ada, EXIT_ATTACK), "ada"),
        "looper": (with_cell(ada, ENDLESS_LOOP), "ada"),
        "stubborn": (with_cell(ada, STUBBORN_LOOP, after="end"), "ada"),
        "hog": (with_cell(ada, MEMORY_ATTACK), "ada"),
        "flooder": (with_cell(ada, OUTPUT_FLOOD), "ada"),
        "forker": (with_cell(ada, FORK_ATTACK), "ada"),
        "caller": (with_cell(ada, NETWORK_ATTACK.format(port=port)), "ada"),
    }
    deleted = copy.deepcopy(ada)
    del deleted.cells[test_cell_index(deleted, "make_test_data_hidden")]
    duplicated = copy.deepcopy(ada)
    index = test_cell_index(duplicated, "SmallNet_visible")
    duplicated.cells.insert(index, copy.deepcopy(duplicated.cells[index]))
    retyped = copy.deepcopy(ada)
    retyped.cells[test_cell_index(retyped, "train_hidden")].cell_type = "markdown"
    retyped.cells[test_cell_index(retyped, "train_hidden")].pop("outputs", None)
    retyped.cells[test_cell_index(retyped, "train_hidden")].pop("execution_count", None)
    repointed = copy.deepcopy(ada)
    repointed.cells[test_cell_index(repointed, "evaluate_visible")].metadata["nbgrader"]["points"] = 50
    foreign = copy.deepcopy(ada)
    foreign.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    answerer = copy.deepcopy(ada)  # a test cell turned into an answer cell: the student may edit it
    answerer.cells[test_cell_index(answerer, "train_hidden")].metadata["nbgrader"]["solution"] = True
    stripper = copy.deepcopy(ada)  # every cell's nbgrader metadata gone, as in answers pasted into a new notebook
    for cell in stripper.cells:
        cell.metadata.pop("nbgrader", None)
    notebooks.update(
        {
            "deleter": (deleted, "ada"),
            "duplicator": (duplicated, "ada"),
            "retyper": (retyped, "ada"),
            "repointer": (repointed, "ada"),
            "foreigner": (foreign, "ada"),
            "answerer": (answerer, "ada"),
            "stripper": (stripper, None),
        }
    )
    bases = {}
    for student, (nb, base) in notebooks.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
        bases[student] = base
    fake_package = course / "submitted" / "faker" / ASSIGNMENT / "grader"  # handed in beside the notebook
    (fake_package / "checks").mkdir(parents=True)
    (fake_package / "__init__.py").write_text("")
    (fake_package / "checks" / "__init__.py").write_text("")
    (fake_package / "checks" / "project1.py").write_text(FAKE_CHECKS_MODULE)
    ada_text = (sample_root / "submitted" / "ada" / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")
    files = {
        "empty": (NOTEBOOK, b""),
        "latin1": (NOTEBOOK, "caf\u00e9 ".encode("latin-1") + ada_text.encode("utf-8")),
        "truncated": (NOTEBOOK, ada_text[: len(ada_text) // 2].encode("utf-8")),
        "jsononly": (NOTEBOOK, json.dumps({"answer": 42}).encode()),
        "renamer": ("Project 1 (1).ipynb", ada_text.encode("utf-8")),
        "nofile": ("notes.txt", b"I forgot to upload the notebook"),
    }
    for student, (name, data) in files.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)
        bases[student] = None
    return bases
