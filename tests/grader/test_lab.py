"""`course lab` and `course formgrader`: a real JupyterLab server started in the course folder, on loopback with
a fresh token, asked over HTTP as a browser would, stopped by Ctrl-C with nothing left behind."""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import psutil
import pytest

from grader.serve.lab import HOST, free_port

pytestmark = pytest.mark.slow  # starts JupyterLab servers

URL = re.compile(r"http://127\.0\.0\.1:\d+/\S+")


def start_command(course, *arguments: str) -> tuple[subprocess.Popen, str]:
    """Run `course ...` and wait for the address it prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", "--root", str(course), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed = []
    for line in process.stdout:
        printed.append(line)
        if match := URL.search(line):
            return process, match.group(0)
    process.wait()
    raise AssertionError(f"`course {' '.join(arguments)}` printed no address:\n{''.join(printed)}")


def stop_with_ctrl_c(process: subprocess.Popen) -> list[psutil.Process]:
    """Ctrl-C the command; return the processes it had started that are still alive afterwards."""
    started = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    return [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) == 0


def test_course_lab_serves_the_course_and_its_formgrader_until_ctrl_c(course_copy):
    port = free_port()
    process, url = start_command(course_copy, "lab", "--port", str(port))
    try:
        assert url.startswith(f"http://127.0.0.1:{port}/lab?token=")
        token = url.split("token=", 1)[1]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/api/assignments")
        request.add_header("Authorization", f"token {token}")
        with urllib.request.urlopen(request, timeout=30) as answer:
            names = {a["name"] for a in json.loads(answer.read())}
        # nbgrader found the course's nbgrader_config.py: the formgrader lists its assignments
        assert {"project1", "xor", "deep"} <= names
        with pytest.raises(urllib.error.HTTPError, match="403"):  # and nobody gets in without the token
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=30)
    finally:
        left = stop_with_ctrl_c(process)
    assert left == [] and not listening(port)


def test_course_formgrader_prints_a_link_that_logs_in_and_opens_the_manual_grading_page(course_copy):
    port = free_port()
    process, url = start_command(course_copy, "formgrader", "project1", "--port", str(port))
    try:
        cookies = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with cookies.open(url, timeout=30) as answer:
            assert answer.url == f"http://127.0.0.1:{port}/formgrader/gradebook/project1/project1"
            assert "Manual Grading" in answer.read().decode()
        # the login holds for the whole server, so the page's own API calls get in too
        with cookies.open(f"http://127.0.0.1:{port}/formgrader/api/assignment/project1", timeout=30) as answer:
            assert answer.status == 200
    finally:
        assert stop_with_ctrl_c(process) == []


def test_formgrader_names_an_assignment_that_does_not_exist(course_copy):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--root", str(course_copy), "formgrader", "nosuch"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "no notebook in source/nosuch/" in done.stderr


def test_a_port_in_use_is_reported_with_the_servers_words(course_copy):
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "grader", "--root", str(course_copy), "lab", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"JupyterLab did not start on port {port} (it stopped with exit status 1" in done.stderr
    assert f"port {port} is not available" in done.stderr
