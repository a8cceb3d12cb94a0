import subprocess
import sys

import pytest

from grader.cli import build_parser, main, parse_arguments


def test_release_command_regenerates_release(course_copy, capsys):
    (course_copy / "release" / "tutorial" / "tutorial.ipynb").unlink()
    assert main(["--root", str(course_copy), "release", "tutorial"]) == 0
    assert (course_copy / "release" / "tutorial" / "tutorial.ipynb").is_file()
    assert "released tutorial -> release/tutorial/" in capsys.readouterr().out


def test_unknown_assignment_gives_a_clear_error(course_copy, capsys):
    assert main(["--root", str(course_copy), "release", "project9"]) == 1
    assert "no source/project9/" in capsys.readouterr().err


def test_outside_a_course_the_error_says_what_to_do(tmp_path):
    done = subprocess.run([sys.executable, "-m", "grader", "stamp"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1
    assert "run this from inside the course repository or pass --root" in done.stderr


def test_stamp_command_reports_changes(course_copy, capsys):
    assert main(["--root", str(course_copy), "stamp"]) == 0
    assert "into 0 changed file(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command", [["autograde", "project1"], ["grade", "project1", "ada"], ["grade"], ["demo", "--fast"]]
)
def test_every_grading_command_takes_the_grading_options(command):
    args = build_parser().parse_args(
        [*command, "--workers", "3", "--scheduler", "tcp://127.0.0.1:8786", "--isolation", "scratch", "--no-canary"]
    )
    assert (args.workers, args.scheduler, args.isolation, args.canary) == (3, "tcp://127.0.0.1:8786", "scratch", False)
    assert build_parser().parse_args(command).canary is True


@pytest.mark.parametrize("flag, canary", [([], True), (["--no-canary"], False)])
def test_the_canary_option_reaches_the_grading(course_copy, monkeypatch, flag, canary):
    from grader import cli

    received = {}

    def fake_grade_class(root, assignment, students, **options):
        received.update(options)
        return []

    monkeypatch.setattr(cli, "grade_class", fake_grade_class)
    monkeypatch.setattr(cli, "require_released", lambda *args: None)
    monkeypatch.setattr(cli.grade_table, "collect_grades", lambda *args: [])
    (course_copy / "submitted" / "ada").mkdir(parents=True)
    cli.main(["--root", str(course_copy), "autograde", "project1", "ada", *flag])
    assert received["canary"] is canary


@pytest.mark.parametrize(
    "command, students",
    [
        (["autograde", "project1", "--no-canary", "ada", "ben"], ["ada", "ben"]),
        (["grade", "project1", "ada", "--workers", "2", "ben"], ["ada", "ben"]),
        (["export", "project1", "--lms", "canvas", "ada"], ["ada"]),
        (["feedback", "-v", "project1", "ada"], ["ada"]),
    ],
)
def test_student_ids_may_follow_the_options(command, students):
    args = parse_arguments(command)
    assert (args.assignment, args.students) == ("project1", students)


@pytest.mark.parametrize(
    "command, error",
    [
        (["feedback", "project1", "--workers", "3", "ada"], "unrecognized arguments: --workers 3"),
        (["release", "project1", "--no-canary", "xor"], "unrecognized arguments: --no-canary"),
        (["links", "ada"], "unrecognized arguments: ada"),
    ],
)
def test_what_no_command_takes_is_still_refused_with_argparses_message(command, error, capsys):
    with pytest.raises(SystemExit):
        parse_arguments(command)
    assert error in capsys.readouterr().err


@pytest.mark.parametrize("command", [["feedback", "project1"], ["export", "project1"], ["run-tutorial"]])
def test_commands_that_do_not_autograde_refuse_grading_options(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--workers", "3"])
    assert "unrecognized arguments: --workers 3" in capsys.readouterr().err


def test_a_bad_worker_count_is_explained(course_copy, capsys):
    (course_copy / "submitted" / "ada").mkdir(parents=True)
    assert main(["--root", str(course_copy), "autograde", "project1", "ada", "--workers", "0"]) == 1
    assert "--workers must be 1 or more, not 0" in capsys.readouterr().err


def test_a_submission_folder_that_is_no_valid_student_id_is_skipped_with_the_rule(course_copy, capsys):
    for folder in ("ada", "ada lovelace", ".hidden"):
        (course_copy / "submitted" / folder / "project1").mkdir(parents=True)
    assert main(["--root", str(course_copy), "export", "project1"]) == 1  # ada: not graded yet
    out = capsys.readouterr().out
    assert "skipped submitted/ada lovelace/: not a valid student id (a student id has letters, digits" in out
    assert "skipped submitted/.hidden/" in out
    with open(course_copy / "grades" / "project1.csv", encoding="utf-8") as f:
        assert [line.split(",")[0] for line in f.read().splitlines()[1:]] == ["ada"]


def test_an_lms_export_with_a_bad_roster_writes_nothing(course_copy, capsys, tmp_path_factory):
    roster = tmp_path_factory.mktemp("roster") / "roster.csv"
    roster.write_text("id,sis_user_id\nada,1\nada,2\n", encoding="utf-8")
    (course_copy / "submitted" / "ada" / "project1").mkdir(parents=True)
    arguments = ["--root", str(course_copy), "export", "project1", "--lms", "canvas", "--roster", str(roster)]
    assert main(arguments) == 1
    assert "ada" in capsys.readouterr().err and not (course_copy / "grades").exists()


def test_grading_an_assignment_never_released_stops_before_autograding_and_names_the_command(course_copy, capsys):
    (course_copy / "submitted" / "ada" / "xor").mkdir(parents=True)
    assert not (course_copy / "gradebook.db").exists()
    assert main(["--root", str(course_copy), "grade", "xor", "ada"]) == 1
    out, err = capsys.readouterr()
    assert "autograding" not in out
    assert "the gradebook has no assignment 'xor': run `course release xor` first" in err
