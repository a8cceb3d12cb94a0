"""Around and inside the student's kernel while it is graded.

- :mod:`grader.kernel.guarded_execute` - nbgrader's Execute step with a jail, limits and integrity checks,
- :mod:`grader.kernel.sandbox` - the kernel manager that starts a kernel jailed (or in a scratch folder),
- :mod:`grader.kernel.jail` - the jail itself, run as ``python -m grader.kernel.jail`` (no NumPy, no torch),
- :mod:`grader.kernel.group_guard` - without a jail, the guard that ends a kernel's process group with it,
- :mod:`grader.kernel.lifetime` - processes that die with the process that started them,
- :mod:`grader.kernel.integrity` - loaded inside the kernel: puts back what student code changed,
- :mod:`grader.kernel.environment` - the environment variables and arguments a kernel starts with,
- :mod:`grader.kernel.preload` - what every kernel imports before the student's first cell, in one list,
- :mod:`grader.kernel.template` - the warm kernels' template: imports that list once, forks each kernel from it,
- :mod:`grader.kernel.warm` - the worker's side of warm kernels: its template, and a forked kernel's handle.

Nothing is imported here: the jail and the kernel load only the module they need.
"""
