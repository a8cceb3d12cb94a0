"""Review flags: a static scan of a submission's code for what a human should look at.

Flags point a reviewer at code that could attack the grader or other students (monkeypatching,
IPython manipulation, processes, files outside the working folder, ``exec`` of strings, database
access). They are advice: they go into the grade table and the CSV and never change a score.
"""

from __future__ import annotations

import ast

from IPython.core.inputtransformer2 import TransformerManager

#: Modules a tested notebook imports; assigning to their attributes is monkeypatching.
PATCHABLE = {
    "np",
    "numpy",
    "torch",
    "nn",
    "F",
    "math",
    "random",
    "builtins",
    "sys",
    "os",
    "IPython",
    "helpers",
    "optim",
    "operator",
    "time",
}
PROCESS_MODULES = {"subprocess", "multiprocessing", "pty", "signal", "ctypes", "threading", "pexpect"}
#: Modules that open network connections (a jailed kernel has no network but its own loopback).
NETWORK_MODULES = {"socket", "ssl", "urllib", "http", "requests", "httpx", "aiohttp", "ftplib", "smtplib", "websocket"}
URL_SCHEMES = ("http://", "https://", "ftp://", "ws://", "wss://", "tcp://")
DATABASE_MODULES = {"sqlite3", "sqlalchemy", "nbgrader"}
PROCESS_CALLS = {
    "system",
    "popen",
    "fork",
    "kill",
    "killpg",
    "execv",
    "execve",
    "execvp",
    "spawnv",
    "spawnl",
    "posix_spawn",
    "setsid",
}
FILE_CALLS = {
    "open",
    "remove",
    "unlink",
    "rmdir",
    "rmtree",
    "rename",
    "replace",
    "chmod",
    "chown",
    "symlink",
    "link",
    "listdir",
    "scandir",
    "walk",
    "glob",
    "copy",
    "copyfile",
    "copytree",
    "move",
    "write_text",
    "write_bytes",
    "read_text",
    "read_bytes",
    "Path",
    "chdir",
}


def _outside_path(node: ast.AST) -> bool:
    """A string constant that names a place outside the working folder."""
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value.startswith(("/", "~", "..")) or "../" in node.value or "gradebook" in node.value)
    )


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.flags: set[str] = set()

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
        for name in names:
            top = name.split(".")[0]
            if top in PROCESS_MODULES:
                self.flags.add(f"processes/threads ({top})")
            if top in NETWORK_MODULES:
                self.flags.add(f"network ({top})")
            if top in DATABASE_MODULES:
                self.flags.add(f"database access ({top})")
            if top in ("importlib", "gc", "inspect") or name == "IPython.core":
                self.flags.add(f"interpreter internals ({name})")
        self.generic_visit(node)

    visit_ImportFrom = visit_Import

    def _target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Attribute) and _root_name(target) in PATCHABLE:
            self.flags.add(f"monkeypatching ({ast.unparse(target)} = ...)")
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr in ("__dict__", "modules")
        ):
            self.flags.add(f"monkeypatching ({ast.unparse(target)} = ...)")
        if isinstance(target, ast.Name) and target.id in ("__builtins__", "get_ipython"):
            self.flags.add(f"rebinding {target.id}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        root = _root_name(func)
        if name in ("exec", "eval", "compile", "__import__") and root in (None, name, "builtins"):
            if name == "__import__" or not (node.args and isinstance(node.args[0], ast.Constant) and name != "compile"):
                self.flags.add(f"{name} of code built at run time")
            else:
                self.flags.add(f"{name} of a string")
        if name == "get_ipython":
            self.flags.add("get_ipython() (the kernel's shell)")
        if name == "_exit" or (name == "exit" and root in ("sys", "os")) or name == "abort":
            self.flags.add(f"exits the kernel ({ast.unparse(func)})")
        if name in PROCESS_CALLS and root in ("os", "subprocess", "pty", "signal"):
            self.flags.add(f"processes ({ast.unparse(func)})")
        if name in ("setattr", "delattr") and node.args and _root_name(node.args[0]) in PATCHABLE:
            self.flags.add(f"monkeypatching ({name} on {ast.unparse(node.args[0])})")
        if name in FILE_CALLS and any(_outside_path(arg) for arg in node.args):
            self.flags.add(f"files outside the working folder ({ast.unparse(node)[:60]})")
        if name in ("connect", "create_engine") and root in ("sqlite3", "sqlalchemy"):
            self.flags.add("database access (connects to a database)")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in (
            "__builtins__",
            "__globals__",
            "__code__",
            "__closure__",
            "__subclasses__",
            "f_globals",
            "f_back",
        ):
            self.flags.add(f"interpreter internals (.{node.attr})")
        if node.attr in (
            "shell_handlers",
            "input_transformers_post",
            "ast_transformers",
            "showtraceback",
            "events",
            "input_transformer_manager",
            "set_custom_exc",
            "kernel",
        ):
            self.flags.add(f"IPython internals (.{node.attr})")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if (
            isinstance(value, str)
            and len(value) < 200
            and " " not in value
            and "\n" not in value
            and ((value.startswith("/") and value.count("/") >= 2) or value.startswith("../"))
        ):
            self.flags.add(f"paths outside the working folder ({value[:50]!r})")
        if isinstance(value, str) and value.lstrip().lower().startswith(URL_SCHEMES):
            self.flags.add(f"network (a URL: {value.strip()[:50]!r})")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if node.name in ("open", "print", "isinstance", "len", "range", "abs", "sum", "max", "min", "getattr"):
            self.flags.add(f"shadows the builtin {node.name}()")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef


_transformer = TransformerManager()


def scan_code(source: str) -> list[str]:
    """The review flags of one cell's code (IPython magics and ``!`` commands included)."""
    flags: set[str] = set()
    if any(line.lstrip().startswith(("!", "%%bash", "%%sh", "%system", "%%script")) for line in source.splitlines()):
        flags.add("shell commands (! or %%bash)")
    try:
        tree = ast.parse(_transformer.transform_cell(source))
    except (SyntaxError, ValueError):
        return sorted(flags)  # the kernel will report it; a syntax error is not a flag
    scanner = _Scanner()
    scanner.visit(tree)
    return sorted(flags | scanner.flags)


def scan_notebook(nb, released_sources: set[str] = frozenset()) -> list[str]:
    """Flags of every code cell the student wrote or changed (cells whose source is one of
    ``released_sources``, the release's own code, are skipped), as ``"flag (cell N)"``, each flag
    at its first cell only."""
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or cell.get("source", "") in released_sources:
            continue
        for flag in scan_code(cell.get("source", "")):
            seen.setdefault(flag, index)
    return [f"{flag} (cell {index})" for flag, index in seen.items()]
