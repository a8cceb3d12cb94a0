"""Grading kernels started cold (a new process that imports what a kernel needs) and warm (forked from the worker's
template, which imported it once: grader.kernel.template), in the same jail or scratch mode, on this machine.

Measures, ``--repeats`` times each way (the template is started first, once, and not counted):

- a kernel's start: from the kernel manager's start to the kernel's answer to its first request, with the course's
  exec lines (the preload, the seed, the integrity snapshot) run;
- its memory once ready: resident (RSS) and its own (USS: what it does not share, copy-on-write, with the template);
- a fast-mode Project 1 submission (the sample class's reference, ``submitted/ada``) graded by ``grade_submission``
  in this process, as a worker grades it.

Prints the medians and, last,
``kernel start: cold X s, warm Y s (X/Y = R x); project1 fast submission: cold A s, warm B s (A/B = S x)``."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import psutil
from jupyter_client import BlockingKernelClient

from grader.autograde.bundle import make_bundle
from grader.autograde.intake import check_submission
from grader.autograde.worker import GradingTask, grade_submission
from grader.common.config import copy_course, find_course_root
from grader.common.nbgrader_api import load_course_config
from grader.kernel import warm
from grader.kernel.sandbox import SandboxedKernelManager, course_packages, kernel_python_path, resolve_isolation
from grader.release.generate import generate_release


def kernel_memory(km: SandboxedKernelManager) -> tuple[float, float]:
    """The RSS and USS of the kernel process of ``km`` (the deepest process of its tree), in MiB."""
    root = psutil.Process(km.provisioner.process.pid)
    kernel = ([root, *root.children(recursive=True)])[-1]
    info = kernel.memory_full_info()
    return info.rss / 2**20, info.uss / 2**20


async def start_once(
    folder: Path, isolation: str, warm_start: bool, exec_lines: list[str]
) -> tuple[float, float, float]:
    """Start a kernel in ``folder``; seconds to its first answer, then its RSS and USS (MiB)."""
    workdir = folder / "work"
    workdir.mkdir(parents=True)
    km = SandboxedKernelManager(kernel_name="python3")
    km.jail(isolation, 2048, 600, str(folder), None)
    km.warm = warm_start
    started = time.perf_counter()
    await km.start_kernel(cwd=str(workdir), extra_arguments=exec_lines)
    client = BlockingKernelClient()
    client.load_connection_info(km.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        seconds = time.perf_counter() - started
        if km.started_warm != warm_start:
            raise RuntimeError(
                f"asked for a {'warm' if warm_start else 'cold'} kernel, got the other: {km.cold_reason}"
            )
        return (seconds, *kernel_memory(km))
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)


def submission_seconds(task: GradingTask) -> float:
    """Seconds to grade ``task`` in this process."""
    started = time.perf_counter()
    result = grade_submission(task)
    if not result.ok:
        raise RuntimeError(f"grading failed: {result.error}")
    return time.perf_counter() - started


def describe(label: str, values: list[float], unit: str) -> str:
    each = ", ".join(f"{v:.2f}" for v in values)
    return f"{label:34s} median {statistics.median(values):.2f} {unit} over {len(values)}: {each}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--isolation", default="auto", choices=("auto", "namespaces", "scratch"))
    args = parser.parse_args()
    root = find_course_root()
    isolation = resolve_isolation(args.isolation)
    exec_lines = list(load_course_config(root).Execute.extra_arguments)
    os.environ["COURSE_FAST"] = "1"
    with tempfile.TemporaryDirectory(prefix="kernel-start-") as tmp:
        scratch = Path(tmp)
        started = time.perf_counter()
        warm.kernel_template(isolation, kernel_python_path(), course_packages(), str(scratch))
        print(f"the template started in {time.perf_counter() - started:.2f} s ({isolation}); not counted below")
        starts: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
        for i in range(args.repeats):
            for warm_start in (False, True):
                folder = scratch / f"{'warm' if warm_start else 'cold'}-{i}"
                starts[warm_start].append(asyncio.run(start_once(folder, isolation, warm_start, exec_lines)))
        course = copy_course(root, Path(tempfile.mkdtemp(prefix="course-", dir=scratch)))
        generate_release(course, "project1")
        files = check_submission(root / "submitted" / "ada" / "project1", course / "release" / "project1").files
        bundle = make_bundle(course, "project1")
        grading: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeats):
            for warm_start in (False, True):
                task = GradingTask("ada", "project1", files, bundle, isolation, False, "", not warm_start)
                grading[warm_start].append(submission_seconds(task))
    for warm_start in (False, True):
        kind = "warm" if warm_start else "cold"
        print(describe(f"{kind} kernel start", [s for s, _, _ in starts[warm_start]], "s"))
        print(describe(f"{kind} kernel RSS", [r for _, r, _ in starts[warm_start]], "MiB"))
        print(describe(f"{kind} kernel USS (its own pages)", [u for _, _, u in starts[warm_start]], "MiB"))
        print(describe(f"{kind} project1 fast submission", grading[warm_start], "s"))
    x, y = (statistics.median(s for s, _, _ in starts[w]) for w in (False, True))
    a, b = (statistics.median(grading[w]) for w in (False, True))
    print(
        f"kernel start: cold {x:.2f} s, warm {y:.2f} s (X/Y = {x / y:.1f} x); "
        f"project1 fast submission: cold {a:.2f} s, warm {b:.2f} s (A/B = {a / b:.1f} x)"
    )


if __name__ == "__main__":
    main()
