"""What a person does in JupyterLab, as playwright does it: open a notebook, Restart Kernel and Run All Cells,
read the outputs, press nbgrader's Validate button."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from playwright.sync_api import Page

from grader.release.run_notebook import only_progress_bars
from grader.serve.lab import LabServer

ERROR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook in front


def open_notebook(page: Page, lab: LabServer, path: str) -> None:
    """Open ``path`` (relative to the course folder) in a workspace of its own, so that no notebook of an earlier
    test is open beside it, and wait until its kernel has started and is idle."""
    page.goto(lab.link(f"lab/workspaces/{uuid.uuid4().hex}/tree/{path}") + "&reset")
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=60_000)
    wait_until_idle(page)
    deadline = time.monotonic() + 120
    while kernel_state(lab, path) != "idle":  # the status bar can say Idle before the kernel has started
        if time.monotonic() > deadline:
            raise AssertionError(f"the kernel of {path} did not start within 120 s")
        time.sleep(0.5)


def wait_until_idle(page: Page, timeout: float = 120) -> None:
    """Wait until the status bar says the notebook's kernel is idle (started, and running nothing)."""
    page.wait_for_selector("#jp-main-statusbar :text-matches('\\| Idle$')", timeout=timeout * 1000)


def kernel_state(lab: LabServer, path: str) -> str | None:
    """The server's word on the kernel of the notebook at ``path``: "starting", "idle", "busy", "dead", ...;
    ``None`` while the notebook has no kernel."""
    for session in lab.get_json("api/sessions"):
        if session["path"] == path and session.get("kernel"):
            return session["kernel"]["execution_state"]
    return None


def open_and_run_all(page: Page, lab: LabServer, path: str, timeout: float = 480) -> None:
    """Open ``path``, Restart Kernel and Run All Cells, and wait until no cell is running or queued.

    Whether the kernel lives is the server's word, not the status bar's: after a restart the status bar can say
    "Unknown" until the kernel answers JupyterLab, which it does only after the cell it is running."""
    open_notebook(page, lab, path)
    page.click("li.lm-MenuBar-item:has-text('Kernel')")
    page.click("li.lm-Menu-item:has-text('Restart Kernel and Run All Cells')")
    page.click(".jp-Dialog button.jp-mod-accept")
    page.wait_for_selector(f"{NOTEBOOK} .jp-InputPrompt:has-text('[*]')", timeout=30_000)
    deadline = time.monotonic() + timeout
    while page.locator(f"{NOTEBOOK} .jp-InputPrompt:has-text('[*]')").count():
        if kernel_state(lab, path) in (None, "dead"):
            raise AssertionError(f"the kernel of {path} died while it ran the notebook")
        if time.monotonic() > deadline:
            raise AssertionError(f"the notebook was still running after {timeout:.0f} s")
        time.sleep(0.5)


def code_cells(page: Page) -> list[tuple[str, str, str, str]]:
    """Every code cell's (prompt, source, text of its error outputs or "", text of all its outputs); a stderr output
    that shows progress bars only (tqdm's text bars write to stderr), or nothing, is no error."""
    cells = page.eval_on_selector_all(
        f"{NOTEBOOK} .jp-CodeCell",
        """(cells, errors) => cells.map(cell => [
            (cell.querySelector('.jp-InputPrompt') || {}).innerText || '',
            (cell.querySelector('.cm-content') || {}).innerText || '',
            Array.from(cell.querySelectorAll(errors)).map(o => o.innerText),
            Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map(o => o.innerText).join('\\n'),
        ])""",
        ERROR_OUTPUT,
    )
    return [
        (prompt, source, "\n".join(text for text in errors if text.strip() and not only_progress_bars(text)), shown)
        for prompt, source, errors, shown in cells
    ]


def validate(page: Page, shown: Callable[[], object] = lambda: None, timeout: float = 240) -> str:
    """Press nbgrader's Validate button; return the text of the dialog it opens, after calling ``shown`` (a
    screenshot) while the dialog is open, and close it."""
    page.click(".jp-Toolbar .jp-ToolbarButtonComponent:has-text('Validate')")
    dialog = page.wait_for_selector(".jp-Dialog:has-text('Validation Results')", timeout=timeout * 1000)
    text = dialog.inner_text()
    shown()
    page.click(".jp-Dialog button.jp-mod-accept")
    return text
