"""Kernel integrity for autograding: undo what student code changed in the kernel before a test runs.

The grading kernel runs :func:`install` at start-up (``IPKernelApp.exec_lines`` in
``nbgrader_config.py``), before any student code. It records the kernel's original state: the
builtins, ``sys.excepthook``/``displayhook``/``stdout``/``stderr``, IPython's input and AST
transformers, event callbacks, ``showtraceback`` and the rest of the shell's and the kernel's
methods, and the functions of ``math``, ``random``, ``numpy`` and ``torch`` that tests call. It imports
the assignments' checks (:mod:`grader.checks`) and records them too: their modules (and the ``helpers``
modules they run) in ``sys.modules``, their names, and the code of every function they hold, so that a
fake checks module planted in ``sys.modules``, on the import path or beside the notebook, or a check
patched in place, is put back before it could run.

It also registers a handler for a message of its own, ``course_restore_request``, on the kernel's
shell channel. Before every test cell, the grader (:mod:`grader.kernel.guarded_execute`) sends that
message; the handler puts every recorded object back and replies with the names it had to put
back. The message goes through the kernel's dispatcher, not through ``run_cell``, so the input
transformers, ``run_cell`` overrides and event callbacks that it undoes cannot intercept it.

This is a guard against monkeypatching, not a proof against any attack: code that runs in the
kernel can in principle reach these records too (the review flags of :mod:`grader.autograde.review` point a
reviewer at such code), and a grader that gets no reply stops the submission.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types

RESTORE_REQUEST, RESTORE_REPLY = "course_restore_request", "course_restore_reply"

#: The package of the checks; it and every module in it are recorded (see :func:`check_modules`), with the
#: modules of ``helpers`` that the checks run (their random state kept, stand-ins).
CHECKS_PACKAGE = "grader.checks"
CHECKS_USE = ("helpers", "helpers.checking", "helpers.environment")
#: Modules whose attributes are put back, and classes whose methods are put back.
MODULES = (
    "math",
    "random",
    "operator",
    "numpy",
    "numpy.testing",
    "numpy.linalg",
    "numpy.random",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.testing",
    "torch.linalg",
    "builtins",
)
CLASSES = (
    ("torch", "Tensor"),
    ("torch.nn", "Module"),
    ("torch.nn", "Linear"),
    ("torch.nn", "Sequential"),
    ("torch.nn", "MSELoss"),
    ("torch.optim", "SGD"),
    ("torch.optim", "Adam"),
    ("torch.optim", "Optimizer"),
)
#: Event callbacks that matplotlib registers (``post_execute``) when a notebook draws its first figure
#: inline, as (module, function): they are the notebook's own figures, kept and not reported.
FIGURE_CALLBACKS = (
    ("matplotlib.pyplot", "_draw_all_if_interactive"),
    ("matplotlib_inline.backend_inline", "flush_figures"),
)
#: Names the notebooks bind to modules; a test that calls ``np.allclose`` must reach NumPy's.
#: ``np``, ``numpy``, ``torch`` and ``math`` always; the other names only where they hold a module.
MODULE_ALIASES = {
    "np": "numpy",
    "numpy": "numpy",
    "torch": "torch",
    "math": "math",
    "nn": "torch.nn",
    "F": "torch.nn.functional",
    "random": "random",
    "optim": "torch.optim",
}
ALWAYS_MODULES = ("np", "numpy", "torch", "math")
#: ``sys.displayhook`` is left out: IPython swaps it around every cell, and it cannot hide an error
#: (``sys.excepthook`` too: IPython sets it to its own around every cell's code.)
SYS_HOOKS = ("stdout", "stderr", "settrace", "setprofile")
#: Attributes of the shell that are objects in their own right (put back by identity), and lists
#: of hooks (put back by content).
SHELL_OBJECTS = (
    "input_transformer_manager",
    "events",
    "displayhook",
    "display_pub",
    "display_trap",
    "InteractiveTB",
    "SyntaxTB",
    "CustomTB",
    "custom_exceptions",
    "excepthook",
    "compile",
)
SHELL_LISTS = ("input_transformers_post", "ast_transformers")
TRANSFORMER_LISTS = ("cleanup_transforms", "line_transforms", "token_transformers")
FUNCTION_TYPES = (
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    types.BuiltinMethodType,
    functools.partial,
)


class _Snapshot:
    """What :func:`install` recorded, and how to put it back."""

    def __init__(self, shell, kernel, checks: tuple[str, ...]) -> None:
        self.shell, self.kernel = shell, kernel
        self.modules = {
            name: (sys.modules[name], dict(vars(sys.modules[name]))) for name in MODULES + checks if name in sys.modules
        }
        self.imported = {name: sys.modules[name] for name in checks}
        self.functions = [
            (function, _function_state(function))
            for function in dict.fromkeys(
                function
                for name in checks
                for value in vars(sys.modules[name]).values()
                for function in _functions_of(value)
            )
        ]
        self.shell_objects = {name: getattr(shell, name) for name in SHELL_OBJECTS}
        self.shell_lists = {name: list(getattr(shell, name)) for name in SHELL_LISTS}
        manager = shell.input_transformer_manager
        self.transformer_lists = {name: list(getattr(manager, name)) for name in TRANSFORMER_LISTS}
        self.callbacks = {event: list(functions) for event, functions in shell.events.callbacks.items()}
        self.handlers = dict(kernel.shell_handlers)
        self.sys_hooks = {name: getattr(sys, name) for name in SYS_HOOKS}
        self.trace = (sys.gettrace(), sys.getprofile())
        # the objects that run a cell and report its errors, with their methods and their classes'
        instances = [
            shell,
            kernel,
            kernel.session,
            manager,
            shell.events,
            shell.displayhook,
            shell.display_pub,
            shell.InteractiveTB,
            shell.SyntaxTB,
        ]
        self.instances = [(obj, {k: v for k, v in vars(obj).items() if _shadows_method(obj, k)}) for obj in instances]
        classes = [getattr(importlib.import_module(module), name) for module, name in CLASSES]
        classes += [cls for obj in instances for cls in type(obj).__mro__[:-1]]
        self.classes = [(cls, dict(vars(cls))) for cls in dict.fromkeys(classes)]

    def expected_callbacks(self) -> dict[str, list]:
        """The event callbacks recorded at start-up, and those of :data:`FIGURE_CALLBACKS` registered since."""
        figures = [
            getattr(sys.modules[module], name)
            for module, name in FIGURE_CALLBACKS
            if module in sys.modules and hasattr(sys.modules[module], name)
        ]
        expected = {}
        for event, saved in self.callbacks.items():
            added = [f for f in self.shell.events.callbacks.get(event, []) if f not in saved and f in figures]
            expected[event] = [*saved, *added]
        return expected

    def restore(self) -> list[str]:
        """Put everything back; return what had changed, as dotted names."""
        return [
            *self.restore_checks(),
            *self.restore_modules(),
            *self.restore_classes(),
            *self.restore_instances(),
            *self.restore_shell(),
            *self.restore_sys(),
            *self.restore_user_names(),
        ]

    def restore_checks(self) -> list[str]:
        """The checks' modules in ``sys.modules``, and the code, defaults and closures of their functions."""
        changed = []
        for name, module in self.imported.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                changed.append(f"sys.modules[{name!r}]")
        for function, state in self.functions:
            if not _same_state(_function_state(function), state):
                function.__code__, function.__defaults__, function.__kwdefaults__ = state[:3]
                for cell, contents in zip(function.__closure__ or (), state[3], strict=True):
                    cell.cell_contents = contents
                changed.append(f"{function.__module__}.{function.__qualname__}")
        return changed

    def restore_modules(self) -> list[str]:
        """The names of the recorded modules (and no new builtins)."""
        trapped = set(self.shell.builtin_trap.auto_builtins)  # IPython adds and removes these around each cell
        changed = []
        for name, (module, saved) in self.modules.items():
            changed += _restore_namespace(module.__dict__, saved, name, drop_new=name == "builtins", skip=trapped)
        return changed

    def restore_classes(self) -> list[str]:
        """The recorded classes' attributes; one added over an inherited one is taken away. What cannot be put
        back is reported all the same."""
        changed = []
        for cls, saved in self.classes:
            for key in [k for k in vars(cls) if k not in saved and _overrides(cls, k)]:  # e.g. Tensor.__eq__
                changed.append(_try(f"{cls.__module__}.{cls.__qualname__}.{key} (added)", delattr, cls, key))
            for key, value in saved.items():
                if key not in ("__dict__", "__weakref__", "__doc__") and cls.__dict__.get(key, _MISSING) is not value:
                    changed.append(_try(f"{cls.__module__}.{cls.__qualname__}.{key}", setattr, cls, key, value))
        return changed

    def restore_instances(self) -> list[str]:
        """Methods overridden on the objects that run a cell themselves."""
        changed = []
        for obj, saved in self.instances:
            namespace = vars(obj)
            for key in [k for k, v in namespace.items() if _shadows_method(obj, k) and saved.get(k, _MISSING) is not v]:
                del namespace[key]
                changed.append(f"{type(obj).__name__}.{key}")
            for key, value in saved.items():
                if namespace.get(key, _MISSING) is not value:
                    namespace[key] = value
                    changed.append(f"{type(obj).__name__}.{key}")
        return changed

    def restore_shell(self) -> list[str]:
        """The shell's objects and hook lists, its event callbacks and the kernel's message handlers."""
        changed = []
        for name, value in self.shell_objects.items():
            if not _same(getattr(self.shell, name), value):
                setattr(self.shell, name, value)
                changed.append(f"shell.{name}")
        for owner, lists in (
            (self.shell, self.shell_lists),
            (self.shell.input_transformer_manager, self.transformer_lists),
        ):
            for name, saved in lists.items():
                if getattr(owner, name) != saved:
                    setattr(owner, name, list(saved))
                    changed.append(f"{type(owner).__name__}.{name}")
        callbacks = self.expected_callbacks()
        if {e: list(f) for e, f in self.shell.events.callbacks.items()} != callbacks:
            self.shell.events.callbacks.clear()
            self.shell.events.callbacks.update(callbacks)
            changed.append("IPython event callbacks")
        if self.kernel.shell_handlers != self.handlers:
            self.kernel.shell_handlers.clear()
            self.kernel.shell_handlers.update(self.handlers)
            changed.append("kernel message handlers")
        return changed

    def restore_sys(self) -> list[str]:
        """``sys.stdout``/``stderr`` and the tracing hooks."""
        changed = []
        for name, value in self.sys_hooks.items():
            if not _same(getattr(sys, name), value):
                setattr(sys, name, value)
                changed.append(f"sys.{name}")
        if (sys.gettrace(), sys.getprofile()) != self.trace:
            sys.settrace(self.trace[0])
            sys.setprofile(self.trace[1])
            changed.append("sys tracing")
        return changed

    def restore_user_names(self) -> list[str]:
        """The notebook's ``__builtins__`` and the names it binds to modules (``np``, ``torch``, ...)."""
        changed = []
        user_ns = self.shell.user_ns
        if user_ns.get("__builtins__") is not sys.modules["builtins"]:  # a cell looks its builtins up there
            user_ns["__builtins__"] = sys.modules["builtins"]
            changed.append("the name __builtins__")
        for alias, module_name in MODULE_ALIASES.items():
            value = user_ns.get(alias, _MISSING)
            if value is _MISSING or value is sys.modules.get(module_name, value):
                continue
            if alias in ALWAYS_MODULES or isinstance(value, types.ModuleType):
                user_ns[alias] = sys.modules[module_name]
                changed.append(f"the name {alias}")
        return changed


_MISSING = object()


def _same(a, b) -> bool:
    """Identity, except that bound methods are new objects at each access and compare by value."""
    return a is b or (isinstance(a, types.MethodType) and a == b)


def _try(label: str, change, *args) -> str:
    """``change(*args)`` (``setattr``, ``delattr``); ``label``, with why where it could not be done."""
    try:
        change(*args)
    except (AttributeError, TypeError) as error:
        return f"{label} (could not be put back: {type(error).__name__})"
    return label


def _overrides(cls: type, name: str) -> bool:
    """Whether ``cls``'s own ``name`` hides one that a base class defines."""
    return any(name in vars(base) for base in cls.__mro__[1:])


def _shadows_method(obj, name: str) -> bool:
    """Whether ``obj.<name>`` is set on the object over a function of its class."""
    return isinstance(getattr(type(obj), name, None), FUNCTION_TYPES)


def _functions_of(value) -> list[types.FunctionType]:
    """``value`` if it is a function, and the functions it wraps (``functools.wraps``'s ``__wrapped__``)."""
    functions = []
    while isinstance(value, types.FunctionType) and value not in functions:
        functions.append(value)
        value = getattr(value, "__wrapped__", None)
    return functions


def _function_state(function: types.FunctionType) -> tuple:
    """What a function runs: its code, its defaults and what its closure holds."""
    cells = tuple(cell.cell_contents for cell in function.__closure__ or ())
    return function.__code__, function.__defaults__, function.__kwdefaults__, cells


def _same_state(a: tuple, b: tuple) -> bool:
    """Whether two states of a function hold the same objects (identity: a closure may hold a tensor)."""
    return (
        all(x is y for x, y in zip(a[:3], b[:3], strict=True))
        and len(a[3]) == len(b[3])
        and all(x is y for x, y in zip(a[3], b[3], strict=True))
    )


def check_modules() -> tuple[str, ...]:
    """Import the assignments' checks; return the names of their modules and of the modules they run, the
    packages' first."""
    package = importlib.import_module(CHECKS_PACKAGE)
    names = [f"{CHECKS_PACKAGE}.{assignment}" for assignment in package.assignments()]
    for name in names:
        importlib.import_module(name)
    return ("grader", CHECKS_PACKAGE, *names, *CHECKS_USE)


def _restore_namespace(namespace: dict, saved: dict, label: str, drop_new: bool, skip: set[str]) -> list[str]:
    changed = []
    for key, value in saved.items():
        if key not in skip and namespace.get(key, _MISSING) is not value:
            namespace[key] = value
            changed.append(f"{label}.{key}")
    if drop_new:
        for key in [k for k in namespace if k not in saved and k not in skip]:
            if not key.startswith("_"):  # IPython's own `_`, `__`, `___` live in builtins
                del namespace[key]
                changed.append(f"{label}.{key} (added)")
    return changed


def install() -> None:
    """Record the kernel's state and register the restore handler (run before student code)."""
    # torch wraps some of its functions when torch._dynamo is first imported (the first optimizer
    # does it), and an optimizer class patches its own step() on its first instance: do both now, so
    # that they are not taken for a student's change
    for name in MODULES + tuple(module for module, _ in CLASSES) + ("torch._dynamo",):
        importlib.import_module(name)
    torch = sys.modules["torch"]
    for optimizer in (torch.optim.SGD, torch.optim.Adam):
        optimizer([torch.zeros(1, requires_grad=True)], lr=0.1)
    shell = sys.modules["IPython"].get_ipython()
    kernel = shell.kernel
    # the handler is registered first so that the snapshot of the handlers includes it
    snapshot: list[_Snapshot] = []

    def handle(stream, ident, parent) -> None:
        changed = snapshot[0].restore()
        snapshot[0].kernel.session.send(
            stream, RESTORE_REPLY, {"status": "ok", "changed": changed}, parent, ident=ident
        )

    kernel.shell_handlers[RESTORE_REQUEST] = handle
    snapshot.append(_Snapshot(shell, kernel, check_modules()))
