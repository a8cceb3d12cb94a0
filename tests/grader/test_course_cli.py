import subprocess
import sys

from grader.cli import main


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
