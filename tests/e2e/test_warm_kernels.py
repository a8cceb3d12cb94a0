"""Warm grading kernels (grader.kernel.template, grader.kernel.warm): forked from a template that never runs student
code and starts no thread, in the same jail as a cold kernel, carrying nothing from the template or an earlier
kernel; the cold start as an option and as the fallback."""

from __future__ import annotations

import asyncio
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

from grader.autograde.bundle import make_bundle
from grader.autograde.intake import check_submission
from grader.autograde.worker import GradingTask, grade_submission
from grader.common.nbgrader_api import load_course_config
from grader.kernel import warm
from grader.kernel.sandbox import SandboxedKernelManager, course_packages, kernel_python_path, namespaces_available
from tests.e2e.project1_trio import trio_course
from tests.support import ROOT

ISOLATIONS = ["scratch", pytest.param("namespaces", marks=pytest.mark.skipif(
    not namespaces_available()[0], reason=namespaces_available()[1]))]  # fmt: skip
#: What a submission could change in its kernel, to reach the next one graded by the same worker.
TAMPER = """
import os, random, sys, torch, numpy
random.seed(123); numpy.random.seed(123); torch.manual_seed(123)
os.environ["LEAKED"] = "1"
open(os.path.join(os.environ.get("TMPDIR", "/tmp"), "leaked"), "w").write("x")
sys.modules["leaked_module"] = sys
torch.allclose = lambda *args, **kwargs: True
kept_open = os.open(os.devnull, os.O_RDONLY)
print("tampered")
"""
#: What a kernel finds when it starts: the same in a cold kernel and in a warm one after a tampering one.
PROBE = r"""
import os, random, re, signal, sys, json, torch, numpy
# what imports leave in the environment and in /tmp: a cold kernel imports in its jail, a warm one's template before
# it, and each sets these again where it needs them (torch's inductor cache, per user, on first use)
SKIP = ("TORCHINDUCTOR_CACHE_DIR", ".cache", "matplotlib", "JPY_PARENT_PID")
# what other processes of the machine make and remove in /tmp meanwhile (the other test process's kernels' connection
# files, its graders' and pytest's folders): none of it is this test's kernels'
OTHERS = re.compile(r"tmp\w{8}(\.\w+)?$|course-grading-\d+-|sample-run-|pytest-of-")
print(json.dumps({
    "python random": random.random(),
    "random": [float(numpy.random.rand()), torch.rand(1).item()],
    "env": sorted((k, v) for k, v in os.environ.items() if k not in SKIP),
    "tmp": sorted(n for n in os.listdir("/tmp") if n not in SKIP and "torchinductor" not in n and not OTHERS.match(n)),
    "leaked_module": "leaked_module" in sys.modules,
    "allclose": bool(torch.allclose(torch.zeros(1), torch.ones(1))),
    "fds": len(os.listdir("/proc/self/fd")),
    "path0": sys.path[0] == os.getcwd(),
    "uid": os.getuid(),
    "hash": hash("seed"),
    "signals": [str(signal.getsignal(s)) for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD, signal.SIGTERM)],
    "argv0": os.path.basename(sys.argv[0]),
}))
"""


def text_of(message: dict) -> str:
    """What an output message shows as text: a stream's text, an error's name and value."""
    content = message["content"]
    if message["msg_type"] == "error":
        return f"{content['ename']}: {content['evalue']}"
    return content.get("text", "")


def run_in_kernel(folder: Path, isolation: str, warm_start: bool, code: str) -> tuple[str, bool]:
    """Run ``code`` in a grading kernel started as grading starts one (the course's exec lines: seeding, the
    integrity snapshot), in ``folder``; its output, and whether the kernel was forked warm."""
    with ThreadPoolExecutor(1) as thread:  # an event loop of its own, whatever loop an earlier test left running
        return thread.submit(asyncio.run, _run_in_kernel(folder, isolation, warm_start, code)).result()


async def _run_in_kernel(folder: Path, isolation: str, warm_start: bool, code: str) -> tuple[str, bool]:
    workdir = folder / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    km = SandboxedKernelManager(kernel_name="python3")
    km.jail(isolation, 2048, 600, str(folder), None)
    km.warm = warm_start
    await km.start_kernel(cwd=str(workdir), extra_arguments=list(load_course_config(ROOT).Execute.extra_arguments))
    client = BlockingKernelClient()
    client.load_connection_info(km.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        output: list[str] = []
        reply = client.execute_interactive(
            code, timeout=120, output_hook=lambda message: output.append(text_of(message))
        )
        assert reply["content"]["status"] == "ok", "".join(output)
        assert km.started_warm or not warm_start, f"meant to start warm, started cold: {km.cold_reason}"
        return "".join(output), km.started_warm
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_warm_kernel_carries_nothing_from_the_template_or_an_earlier_kernel(tmp_path, isolation):
    cold, was_warm = run_in_kernel(tmp_path / "cold", isolation, False, PROBE)
    assert not was_warm
    fresh, was_warm = run_in_kernel(tmp_path / "fresh", isolation, True, PROBE)
    assert was_warm
    tampered, was_warm = run_in_kernel(tmp_path / "first", isolation, True, TAMPER)
    assert tampered.strip() == "tampered" and was_warm
    after, was_warm = run_in_kernel(tmp_path / "second", isolation, True, PROBE)
    assert was_warm
    assert json.loads(after) == json.loads(fresh)
    # Python's own stream is drawn from by the kernel's start a varying number of times, cold as warm: a notebook
    # seeds it in its imports cell; NumPy's and torch's streams, the environment, /tmp and the rest are a cold start's
    cold_start = {key: value for key, value in json.loads(cold).items() if key != "python random"}
    assert cold_start == {key: value for key, value in json.loads(after).items() if key != "python random"}


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_the_template_forks_with_one_thread_and_runs_no_student_code(tmp_path, isolation):
    template = warm.kernel_template(isolation, kernel_python_path(), course_packages(), str(tmp_path))
    assert template.threads == 1  # no thread pool of torch, the BLAS or anyone else before a fork
    run_in_kernel(tmp_path / "k", isolation, True, "import torch; torch.ones(100, 100) @ torch.ones(100, 100)")
    assert len(os.listdir(f"/proc/{template.process.pid}/task")) == 1  # still, after a kernel did some work
    assert not list(tmp_path.glob("k/work/*"))


def grading_task(course: Path, student: str, cold: bool) -> GradingTask:
    files = check_submission(course / "submitted" / student / "project1", course / "release" / "project1").files
    return GradingTask(student, "project1", files, make_bundle(course, "project1"), "auto", False, "", cold)


def test_cold_kernels_on_request_and_as_the_fallback_with_the_reason(tmp_path, monkeypatch):
    (tmp_path / "course").mkdir()
    course = trio_course(tmp_path / "course")
    monkeypatch.setenv("COURSE_FAST", "1")
    warm_result = grade_submission(grading_task(course, "ada", cold=False))
    cold_result = grade_submission(grading_task(course, "ada", cold=True))
    assert (warm_result.report.kernel_start, cold_result.report.kernel_start) == ("warm", "cold")
    assert [g.auto_score for g in warm_result.grades] == [g.auto_score for g in cold_result.grades]
    monkeypatch.setattr(warm, "_templates", {})
    monkeypatch.setattr(warm, "_failed", {})
    monkeypatch.setattr(warm, "START_TIMEOUT", 0.01)  # a template that does not answer in time
    fallback = grade_submission(grading_task(course, "ada", cold=False))
    assert fallback.report.kernel_start == "cold: the kernel template gave no answer in 0.01 s"
    assert [g.auto_score for g in fallback.grades] == [g.auto_score for g in cold_result.grades]


@pytest.mark.skipif(not namespaces_available()[0], reason=namespaces_available()[1])
def test_a_jailed_warm_kernel_cannot_read_the_graders_environment(tmp_path, monkeypatch):
    """A forked kernel holds a copy of its template's memory, the environment strings it was started with included
    (at the top of the stack, just below the program's name, AT_EXECFN): the template of jailed kernels starts with
    a jailed kernel's few variables, not the grader's."""
    monkeypatch.setenv("COURSE_TEST_SECRET", "hunter2-in-the-graders-environment")
    monkeypatch.setattr(warm, "_templates", {})
    code = (
        "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.getauxval.restype = ctypes.c_ulong\n"
        "top = libc.getauxval(31)\nprint(b'hunter2' in ctypes.string_at(top - 32768, 32768))"
    )
    output, was_warm = run_in_kernel(tmp_path / "k", "namespaces", True, code)
    assert (output.strip(), was_warm) == ("False", True)


#: A kernel that leaves its process group and asks not to die with its parent, and writes a heartbeat.
ESCAPE = """
import ctypes, os, threading, time
ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)
os.setsid()
def beat():
    while True:
        with open("heartbeat", "a") as f:
            f.write(".")
        time.sleep(0.1)
threading.Thread(target=beat).start()
time.sleep(0.5)
print("escaped")
"""


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("warm_start", [True, False], ids=["warm", "cold"])
def test_a_kernel_that_leaves_its_group_still_ends_with_it(tmp_path, isolation, warm_start):
    output, _ = run_in_kernel(tmp_path, isolation, warm_start, ESCAPE)
    assert output.strip() == "escaped"
    heartbeat = tmp_path / "work" / "heartbeat"
    time.sleep(1)
    size = heartbeat.stat().st_size
    time.sleep(1)
    assert heartbeat.stat().st_size == size, "the kernel's process runs on after the kernel was shut down"
