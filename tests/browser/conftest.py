"""The browser tests' fixtures: Debian's Chromium driven by playwright (skipped, with the reason, where either is
missing), and one JupyterLab server of a scratch copy of the course for the whole session, stopped at its end."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from grader.common.config import copy_course
from grader.serve.lab import start_lab
from tests.support import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"
#: test-only JupyterLab settings: render every cell (JupyterLab draws off-screen cells of a long notebook lazily)
TEST_SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"}}


def chromium() -> str | None:
    """The Chromium to drive: $COURSE_CHROMIUM, or Debian's `chromium` on PATH."""
    return os.environ.get("COURSE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    executable = chromium()
    if executable is None:
        pytest.skip(
            "no Chromium installed (Debian: apt-get install chromium; scripts/test.sh installs it where it can)"
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab_course(tmp_path_factory) -> Path:
    """A copy of the course with the sample classes of submitted/, as JupyterLab and the formgrader see it."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("lab-course"))
    shutil.copytree(ROOT / "submitted", course / "submitted")
    for name, settings in TEST_SETTINGS.items():
        path = course / "build" / "lab-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    return course


@pytest.fixture(scope="session")
def lab(lab_course, browser):
    """The course's JupyterLab, as `course lab` starts it, in fast mode (COURSE_FAST=1) for the notebooks' runs."""
    server = start_lab(lab_course, env={"COURSE_FAST": "1"})
    yield server
    server.stop()


@pytest.fixture
def page(browser, lab, request):
    """A fresh browser page on the course's JupyterLab; when the test ends, its screenshot goes to
    build/screenshots/<test>.png and the kernels it started are shut down."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    screenshot(page, request.node.name)
    context.close()
    lab.stop_kernels()


def screenshot(page, name: str) -> Path:
    """Save what the page shows as build/screenshots/<name>.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / ("".join(c if c.isalnum() or c in "-_" else "_" for c in name) + ".png")
    page.screenshot(path=str(path))
    return path
