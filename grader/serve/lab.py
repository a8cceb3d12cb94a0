"""JupyterLab for the course, as ``course lab`` and ``course formgrader`` start it, and as the browser tests do.

The server runs in the course folder, because nbgrader reads ``nbgrader_config.py`` from the server's working
directory only (not from its ``root_dir``); so the formgrader finds the course's gradebook, and nbgrader's
exchange is the course's own ``exchange/`` folder (``nbgrader_config.py``), not the system folder only root may
create. It listens on loopback with a fresh token, runs as root too (``--allow-root``, which Jupyter demands
there), and JupyterLab's news pop-up and update check are off.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from grader.common.nbgrader_api import find_alembic

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


#: JupyterLab settings of the course's server: no "Would you like to get notified about official Jupyter news?"
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"}}


def lab_settings_folder(root: Path) -> Path:
    """The course server's JupyterLab user-settings folder, ``build/lab-settings/``, written with ``LAB_SETTINGS``
    (other settings a person changes there are kept; a file JupyterLab wrote with comments is left as it is)."""
    folder = root / "build" / "lab-settings"
    for name, settings in LAB_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            kept = json.loads(path.read_text()) if path.is_file() else {}
        except ValueError:
            continue
        path.write_text(json.dumps({**kept, **settings}, indent=2))
    return folder


def lab_command(root: Path, port: int, token: str) -> list[str]:
    """The command line of the course's JupyterLab server."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.log_level=WARN",  # the URLs with the token are printed once, by the course
        "--LabApp.news_url=None",
        f"--LabApp.user_settings_dir={lab_settings_folder(root)}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


@dataclass
class LabServer:
    """A running JupyterLab server of the course."""

    process: subprocess.Popen
    port: int
    token: str

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    def link(self, path: str = "lab") -> str:
        """The address of ``path`` that logs a browser in (the token in the query, once)."""
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def login_link(self, path: str) -> str:
        """The address that logs a browser in for the whole server and then opens ``path``: what a deep link
        into the formgrader needs (with the token on the deep link itself, its page keeps saying "Loading,
        please wait...", since the login is then only good for that page)."""
        return f"{self.base_url}/login?next={urllib.parse.quote('/' + path.lstrip('/'))}&token={self.token}"

    def get_json(self, path: str, timeout: float = 30) -> object:
        """GET ``path`` with the token in the Authorization header; the decoded JSON answer."""
        request = urllib.request.Request(f"{self.base_url}/{path.lstrip('/')}")
        request.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())

    def stop_kernels(self) -> int:
        """Shut down every kernel of the server (its notebooks stay open); return how many."""
        sessions = self.get_json("api/sessions")
        for session in sessions:
            request = urllib.request.Request(f"{self.base_url}/api/sessions/{session['id']}", method="DELETE")
            request.add_header("Authorization", f"token {self.token}")
            urllib.request.urlopen(request, timeout=30).close()
        return len(sessions)

    def stop(self) -> None:
        """Stop the server and everything it started (kernels, terminals)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def formgrader_path(root: Path, assignment: str | None) -> str:
    """The formgrader's manual-grading page of ``assignment`` (its submissions of its notebook), or its front
    page; raise ``FileNotFoundError`` for an assignment ``source/`` does not hold."""
    if assignment is None:
        return "formgrader"
    notebooks = sorted((root / "source" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebook in source/{assignment}/: name an assignment of source/")
    return f"formgrader/gradebook/{assignment}/{notebooks[0].stem}"


def serve(server: LabServer) -> int:
    """Wait until the server stops or Ctrl-C, then stop it; return its exit status (0 after Ctrl-C).

    Ctrl-C works even where this process was started with SIGINT ignored (a shell's background job, some CI
    runners): Python then leaves SIGINT ignored, and the server would outlive the command."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        return 0


def start_lab(
    root: Path, port: int | None = None, token: str | None = None, env: dict[str, str] | None = None, wait: float = 90
) -> LabServer:
    """Start JupyterLab for the course at ``root`` and wait until it answers; raise ``RuntimeError`` with the
    server's own words if it does not start."""
    port = port or free_port()
    token = token or secrets.token_hex(24)
    find_alembic()  # the formgrader's gradebook runs nbgrader's `alembic` script by name
    log_path = root / "build" / "lab-server.log"
    log_path.parent.mkdir(exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115 (the server writes to it while it runs)
    process = subprocess.Popen(
        lab_command(root, port, token),
        cwd=root,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    server = LabServer(process, port, token)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            server.get_json("api/status", timeout=2)  # not 30 s: what holds a port in use may never answer
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    status = process.poll()
    server.stop()
    why = f"it stopped with exit status {status}" if status is not None else f"no answer within {wait:.0f} s"
    said = log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(
        f"JupyterLab did not start on port {port} ({why}; a port in use? pass --port N); it said:\n{said}"
    )
