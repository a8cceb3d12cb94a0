"""The grader's logging: quiet by default, everything with --verbose (before or after any command), and the
grading log of an assignment in grades/<assignment>-log.txt."""

from __future__ import annotations

import logging

import pytest

from grader.cli import build_parser
from grader.common import logs

log = logging.getLogger("grader.test")


@pytest.fixture(autouse=True)
def restore_grader_logger():
    logger = logging.getLogger(logs.LOGGER)
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:], logger.level = handlers, level


def test_quiet_by_default_and_everything_with_verbose(capsys):
    logs.configure(verbose=False)
    log.info("a step")
    log.warning("a warning")
    printed = capsys.readouterr().err
    assert "a warning" in printed and "a step" not in printed
    logs.configure(verbose=True)
    log.debug("a detail")
    printed = capsys.readouterr().err
    assert "a detail" in printed and printed.count("a detail") == 1  # configured twice, one handler


@pytest.mark.parametrize("command", sorted(build_parser()._subparsers._group_actions[0].choices))
def test_every_command_takes_verbose_before_or_after_its_name(command):
    parser = build_parser()
    positional = {"collect": ["project1", "x.zip"], "add-students": ["r.csv"], "new": ["dropout"]}
    positional |= {"autograde": ["project1"], "feedback": ["project1"], "publish": ["dest"]}
    arguments = [command, *positional.get(command, [])]
    assert parser.parse_args(arguments).verbose is False
    assert parser.parse_args(["--verbose", *arguments]).verbose is True
    assert parser.parse_args([*arguments, "-v"]).verbose is True


def test_the_assignment_log_appends_each_run_and_keeps_info_and_above(tmp_path):
    for run in ("first", "second"):
        with logs.assignment_log(tmp_path, "xor") as path:
            log.debug("not kept")
            log.info("%s run", run)
            log.error("an error with its traceback\nTraceback (most recent call last):")
        log.info("after the run")
    text = path.read_text()
    assert path == tmp_path / "grades" / "xor-log.txt"
    assert text.count("grading xor") == 2 and "first run" in text and "second run" in text
    assert "not kept" not in text and "after the run" not in text and "Traceback (most recent call last):" in text
