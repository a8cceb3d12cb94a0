"""The links that open a notebook of the student repository: in Colab, and on a JupyterHub with nbgitpuller
(``course links --hub URL``), which clones the repository into the student's home folder, or merges its new
commits into the student's copy, and opens the notebook in JupyterLab.

nbgitpuller's link (https://nbgitpuller.readthedocs.io, "Options in an nbgitpuller URL"):
``<hub>/hub/user-redirect/git-pull?repo=<clone URL>&branch=<branch>&urlpath=lab/tree/<folder>/<path>%3Fautodecode``,
where ``<folder>`` is the name of the clone, the repository's name.
"""

from __future__ import annotations

from urllib.parse import urlencode

from grader.common.config import CourseConfig


def hub_link(config: CourseConfig, hub: str, notebook: str) -> str:
    """The nbgitpuller link that opens ``notebook`` (a path in the student repository) on the JupyterHub ``hub``."""
    folder = config.student_repository.split("/")[1]
    query = {"repo": config.git_url(), "branch": config.branch, "urlpath": f"lab/tree/{folder}/{notebook}?autodecode"}
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"


def notebook_links(config: CourseConfig, notebooks: list[str], hub: str | None = None) -> list[tuple[str, str, str]]:
    """``(notebook, Colab link, hub link or "")`` for each notebook path of the student repository."""
    return [(path, config.colab_url(path), hub_link(config, hub, path) if hub else "") for path in notebooks]
