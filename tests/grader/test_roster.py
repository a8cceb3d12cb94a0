"""An instructor's mistakes are safe: `course add-students` uses a roster whole or not at all, and `course collect`
writes nothing but ``submitted/<student>/<assignment>/<notebook>``, whatever an LMS download's member names,
sizes or damage say. Each test runs the real command on a copy of the course and compares every file under the
copy's parent folder before and after."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from grader.cli import main
from grader.collect.roster import COLLECT_FACTOR, Skip, copy_capped
from grader.common.limits import MAX_FILE_BYTES
from grader.common.names import STUDENT_ID_RULE
from grader.common.nbgrader_api import nbgrader_api
from grader.report import lms
from tests.support import ROOT

ASSIGNMENT = "project1"
NOTEBOOK = (ROOT / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
GOOD = "ada_12345_67890_project1.ipynb"  # Canvas's name for ada's submission
ADA = f"submitted/ada/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
DOTDOT = "a path with '..': a member's name never chooses where a file lands"
ABSOLUTE = "an absolute path: a member's name never chooses where a file lands"
#: What nbgrader makes in a course when the gradebook is opened to write students.
GRADEBOOK_FILES = ("gradebook.db", "exchange")


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file, link and folder under ``folder``: its mode, and a file's size and modification time, by relative
    path (a folder's own times change with what it holds)."""
    found = {}
    for path in folder.rglob("*"):
        info = path.lstat()
        kept = (info.st_size, info.st_mtime_ns) if not stat.S_ISDIR(info.st_mode) else (0, 0)
        found[path.relative_to(folder).as_posix()] = (info.st_mode, *kept)
    return found


def changes(before: dict, after: dict) -> set[str]:
    """The paths added, removed or changed between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def run(course: Path, capsys, *arguments: str) -> tuple[int, str, str, set[str]]:
    """Run ``course --root COURSE ARGUMENTS``: its exit status, stdout, stderr, and what changed under the course's
    parent folder (as paths relative to the course)."""
    outside = course.parent
    before = snapshot(outside)
    status = main(["--root", str(course), *arguments])
    out, err = capsys.readouterr()
    prefix = f"{course.name}/"
    changed = {
        p.removeprefix(prefix) if p.startswith(prefix) else f"../{p}" for p in changes(before, snapshot(outside))
    }
    return status, out, err, changed


def collect(course: Path, capsys, archive: Path) -> tuple[int, str, str, set[str]]:
    """``course collect project1 ARCHIVE``: its exit status, stdout, stderr and the files it wrote, after checking
    that it changed nothing but ``submitted/<student>/project1/<file>`` and the folders that hold them."""
    status, out, err, changed = run(course, capsys, "collect", ASSIGNMENT, str(archive))
    changed.discard("exchange")  # nbgrader_config.py makes nbgrader's exchange folder when it is read (for the limit)
    for path in changed:
        parts = path.split("/")
        assert parts[0] == "submitted" and len(parts) <= 4, f"collect wrote {path}"
        assert len(parts) < 3 or parts[2] == ASSIGNMENT, f"collect wrote {path}"
        assert len(parts) == 4 or (course / path).is_dir(), f"collect wrote {path}"
    return status, out, err, {path for path in changed if path.count("/") == 3}


@pytest.fixture
def downloads(tmp_path_factory) -> Path:
    """A folder beside the course copy (in the same parent, which ``run`` watches) for archives and rosters."""
    return tmp_path_factory.mktemp("downloads")


def zip_of(path: Path, members: dict[str | zipfile.ZipInfo, bytes]) -> Path:
    """A zip archive at ``path`` holding ``members``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def unix_member(name: str, kind: int) -> zipfile.ZipInfo:
    """A member that unzip on Unix makes a ``kind`` (``stat.S_IFLNK``, ``stat.S_IFDIR``)."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (kind | 0o777) << 16
    return info


# --- collect: where files land -------------------------------------------------------------------------------


def test_a_good_archive_is_collected(course_copy, capsys, downloads):
    archive = zip_of(downloads / "good.zip", {GOOD: NOTEBOOK, "ben/project1.ipynb": NOTEBOOK, "a.txt": b""})
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err) == (0, "")
    assert out == "collected 2 notebook(s) into submitted/\n  skipped a.txt: not a notebook (.ipynb): not collected\n"
    assert files == {ADA, f"submitted/ben/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"}
    assert (course_copy / ADA).read_bytes() == NOTEBOOK


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ("../project1.ipynb", DOTDOT),
        ("a/../../project1.ipynb", DOTDOT),
        ("..\\..\\project1.ipynb", DOTDOT),
        ("ada/../../../project1.ipynb", DOTDOT),
        ("/abs/project1.ipynb", ABSOLUTE),
        ("C:/abs/project1.ipynb", ABSOLUTE),
        (".._1_project1.ipynb", f"'..' is not a valid student id (a student id has {STUDENT_ID_RULE})"),
        ("..._1_project1.ipynb", f"'...' is not a valid student id (a student id has {STUDENT_ID_RULE})"),
        (".hidden/project1.ipynb", f"'.hidden' is not a valid student id (a student id has {STUDENT_ID_RULE})"),
    ],
)
def test_a_member_name_never_chooses_where_a_file_lands(course_copy, capsys, member, why, downloads):
    archive = zip_of(downloads / "slip.zip", {member: b"{}", GOOD: NOTEBOOK})
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err, files) == (0, "", {ADA})
    assert out.splitlines() == ["collected 1 notebook(s) into submitted/", f"  skipped {member}: {why}"]


def test_a_student_folder_that_links_outside_is_refused(course_copy, capsys, downloads):
    (course_copy / "submitted").mkdir()
    (course_copy / "submitted" / "ben").symlink_to(course_copy.parent)
    archive = zip_of(downloads / "link.zip", {"ben_1_project1.ipynb": b"{}", GOOD: NOTEBOOK})
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err, files) == (0, "", {ADA})
    assert "  skipped ben_1_project1.ipynb: 'ben/project1/project1.ipynb' would be written outside" in out


def test_links_folders_and_devices_are_never_written(course_copy, capsys, downloads):
    members = {
        unix_member("ben_1_project1.ipynb", stat.S_IFLNK): b"../../../../../etc/passwd",
        unix_member("cleo/project1.ipynb", stat.S_IFDIR): b"",
        unix_member("dev_1_project1.ipynb", stat.S_IFCHR): b"",
        "eli/": b"",
        "eli/project1.ipynb/": b"",  # a plain folder: passed over without a word
        GOOD: NOTEBOOK,
    }
    status, out, err, files = collect(course_copy, capsys, zip_of(downloads / "kinds.zip", members))
    assert (status, err, files) == (0, "", {ADA})
    assert out.splitlines() == [
        "collected 1 notebook(s) into submitted/",
        "  skipped ben_1_project1.ipynb: a symbolic link, not a notebook: links are never followed or written",
        "  skipped cleo/project1.ipynb: not a plain file (a folder or a device): only files are written",
        "  skipped dev_1_project1.ipynb: not a plain file (a folder or a device): only files are written",
    ]


def test_ten_thousand_members_are_handled(course_copy, capsys, downloads):
    """Mostly what is refused, which costs no file, and 100 students' notebooks."""
    with zipfile.ZipFile(downloads / "many.zip", "w") as zf:
        for i in range(100):
            zf.writestr(f"s{i}_1_project1.ipynb", b"{}")
        for i in range(3300):
            zf.writestr(f"../{i}_project1.ipynb", b"{}")
            zf.writestr(f".._{i}_project1.ipynb", b"{}")
            zf.writestr(f"s{i}/notes.txt", b"")
    status, out, err, files = collect(course_copy, capsys, downloads / "many.zip")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "collected 100 notebook(s) into submitted/" and len(lines) == 1 + 9900
    assert files == {f"submitted/s{i}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb" for i in range(100)}


# --- collect: sizes ----------------------------------------------------------------------------------------------


def test_a_gigabyte_member_that_compresses_to_a_few_megabytes_is_skipped(course_copy, capsys, downloads):
    archive = downloads / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("ben_1_project1.ipynb", "w", force_zip64=True) as member:
            chunk = bytes(16 << 20)
            for _ in range(64):
                member.write(chunk)
        zf.writestr(GOOD, NOTEBOOK)
    assert archive.stat().st_size < 8 << 20
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err, files) == (0, "", {ADA})
    assert out.splitlines()[1] == (
        f"  skipped ben_1_project1.ipynb: 1,073,741,824 bytes, "
        f"over the {COLLECT_FACTOR * MAX_FILE_BYTES:,} bytes a submission's file may have"
    )


def test_a_notebook_over_the_grading_limit_is_collected_for_grading_to_say_it_is_too_large(
    course_copy, capsys, downloads
):
    with open(course_copy / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("\nc.GuardedExecute.submission_file_limit_mb = 1\n")
    big = NOTEBOOK + b" " * 2_000_000  # JSON with trailing spaces: a valid notebook of 2 MB
    archive = zip_of(downloads / "big.zip", {"ben_1_project1.ipynb": big, "cy_1_project1.ipynb": bytes(4_000_001)})
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err, files) == (0, "", {f"submitted/ben/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"})
    assert out.splitlines()[1] == (
        "  skipped cy_1_project1.ipynb: 4,000,001 bytes, over the 4,000,000 bytes a submission's file may have"
    )


def with_declared_size(archive: Path, member: str, size: int) -> None:
    """Make the central directory of ``archive`` (no zip64) say that ``member`` holds ``size`` bytes."""
    data = bytearray(archive.read_bytes())
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(member)] != member.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = struct.pack("<I", size)
    archive.write_bytes(bytes(data))


def test_a_member_whose_header_lies_about_its_size_is_skipped(course_copy, capsys, downloads):
    archive = downloads / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ben_1_project1.ipynb", bytes(MAX_FILE_BYTES + (8 << 20)))
        zf.writestr(GOOD, NOTEBOOK)
    with_declared_size(archive, "ben_1_project1.ipynb", 1000)
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo("ben_1_project1.ipynb").file_size == 1000
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err, files) == (0, "", {ADA})
    assert out.splitlines()[1] == (
        "  skipped ben_1_project1.ipynb: cannot be read, the archive is damaged here (Bad CRC-32 for file "
        "'ben_1_project1.ipynb')"
    )


def test_a_copy_stops_at_the_cap_and_leaves_nothing(tmp_path):
    """What the sizes of a zip cannot promise, the copy holds: more than the cap out, and the partial file goes."""
    target = tmp_path / "project1.ipynb"
    target.write_bytes(b"the earlier submission")
    with pytest.raises(Skip, match="more than the 3,000,000 bytes a submission's file may have"):
        copy_capped(io.BytesIO(bytes(3_000_001)), target, cap=3_000_000)
    assert [p.name for p in tmp_path.iterdir()] == ["project1.ipynb"]
    assert target.read_bytes() == b"the earlier submission"
    assert copy_capped(io.BytesIO(bytes(3_000_000)), target, cap=3_000_000) == 3_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["project1.ipynb"] and target.stat().st_size == 3_000_000


# --- collect: damaged archives -----------------------------------------------------------------------------------


def test_a_damaged_member_is_skipped_and_the_others_collected(course_copy, capsys, downloads):
    archive = zip_of(downloads / "damaged.zip", {"ben_1_project1.ipynb": NOTEBOOK, GOOD: NOTEBOOK})
    data = bytearray(archive.read_bytes())
    start = 30 + len("ben_1_project1.ipynb")  # the first member's compressed data
    data[start + 100 : start + 200] = bytes(range(100))
    archive.write_bytes(bytes(data))
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, err, files) == (0, "", {ADA})
    assert out.splitlines()[1].startswith("  skipped ben_1_project1.ipynb: cannot be read, the archive is damaged here")
    assert not list(course_copy.rglob("*.part"))


def truncated(path: Path) -> Path:
    data = zip_of(path, {GOOD: NOTEBOOK}).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (truncated, "is a damaged or incomplete zip archive (cut short while downloading?): download it again"),
        (lambda p: p.write_text("<!DOCTYPE html>\n<html><body>Log in</body></html>") and p, "is not a zip archive "
         "(it starts with '<!DOCTYPE'): download it again from the LMS (all submissions, as one .zip)"),
        (lambda p: p.write_bytes(b"") or p, "is empty (0 bytes): download it again from the LMS"),
        (lambda p: p.mkdir() or p, "is not a file: give the path of the .zip that the LMS downloaded"),
        (lambda p: p, ": download it again from the LMS (all submissions, as one .zip) and give its path"),
    ],
    ids=["truncated", "html", "empty", "folder", "missing"],
)  # fmt: skip
def test_a_damaged_archive_is_one_line_saying_what_to_do(course_copy, capsys, make, says, downloads):
    archive = make(downloads / "download.zip")
    status, out, err, files = collect(course_copy, capsys, archive)
    assert (status, out, files) == (1, "", set())
    assert err.endswith("\n") and "\n" not in err[:-1] and "Traceback" not in err
    assert err.startswith("error: ") and str(archive) in err and says in err


# --- rosters -----------------------------------------------------------------------------------------------------


def students(course: Path) -> dict[str, str]:
    """The gradebook's students, with their first names."""
    if not (course / "gradebook.db").exists():
        return {}
    with nbgrader_api(course).gradebook as gb:
        return {s.id: s.first_name or "" for s in gb.students}


def test_a_roster_saved_as_excel_csv_utf8_is_read(course_copy, capsys, downloads):
    roster = downloads / "roster.csv"
    roster.write_text(" id , first_name ,email\n ada ,Zoë,ada@uni.edu\nben , Ben ,\n,,\n", encoding="utf-8-sig")
    assert roster.read_bytes().startswith(b"\xef\xbb\xbf")
    status, out, err, changed = run(course_copy, capsys, "add-students", str(roster))
    assert (status, out, err) == (0, "added or updated 2 student(s)\n", "")
    assert students(course_copy) == {"ada": "Zoë", "ben": "Ben"}
    assert {p for p in changed if not p.startswith(GRADEBOOK_FILES)} == set()


def add_students(course: Path, capsys, roster: Path, text: str | bytes) -> tuple[int, str, set[str]]:
    """``course add-students ROSTER`` of a roster holding ``text``: its status, stderr and changes (a refused
    roster prints nothing on stdout)."""
    roster.write_bytes(text if isinstance(text, bytes) else text.encode())
    status, out, err, changed = run(course, capsys, "add-students", str(roster))
    assert status == 0 or out == ""
    return status, err, changed


def test_a_latin1_roster_is_refused_naming_the_file_and_how_to_save_it(course_copy, capsys, downloads):
    roster = downloads / "roster.csv"
    status, err, changed = add_students(
        course_copy, capsys, roster, "id,first_name\nada,Ada\nzoe,Zoë\n".encode("latin-1")
    )
    assert (status, changed, students(course_copy)) == (1, set(), {})
    assert err == (
        f"error: {roster} is not UTF-8 text: line 3, byte 7 of the line is 0xeb, which UTF-8 does not allow there "
        '(the file was probably saved as Latin-1 or Windows-1252); save it as "CSV UTF-8" (Excel: File > Save As '
        "> CSV UTF-8 (Comma delimited)) and run the command again\n"
    )


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("id\nada\nben\nada\n", ["line 4: the id 'ada' is given twice, on lines 2 and 4"]),
        ("id,first_name\nada,Ada\n,Ben\n", ["line 3: the id is empty"]),
        (
            "id\n../evil\nada\n",
            [f"line 2: '../evil' is not a valid student id (a student id has {STUDENT_ID_RULE})"],
        ),
        (
            "first_name,id\nAda,ada\nBen,\nEve,../../etc\n\nCleo,cleo\nAda,ada\nAl,.x\n",
            [
                "line 3: the id is empty",
                f"line 4: '../../etc' is not a valid student id (a student id has {STUDENT_ID_RULE})",
                "line 7: the id 'ada' is given twice, on lines 2 and 7",
                f"line 8: '.x' is not a valid student id (a student id has {STUDENT_ID_RULE})",
            ],
        ),
    ],
    ids=["duplicate", "empty", "unsafe", "all-listed"],
)
def test_a_roster_with_a_bad_line_writes_nothing(course_copy, capsys, text, problems, downloads):
    roster = downloads / "roster.csv"
    assert add_students(course_copy, capsys, roster, "id,first_name\nkim,Kim\n")[0] == 0
    status, err, changed = add_students(course_copy, capsys, roster, text)
    assert (status, students(course_copy)) == (1, {"kim": "Kim"})
    assert changed == set()
    assert err.splitlines() == [
        f"error: {roster} was not used, no student was added or changed: {len(problems)} problem(s) "
        "(line 1 is the header):",
        *(f"  {problem}" for problem in problems),
        "fix these lines and run the command again",
    ]


def test_a_roster_that_is_missing_or_has_no_id_column_says_so(course_copy, capsys, downloads):
    roster = downloads / "roster.csv"
    status, out, err, changed = run(course_copy, capsys, "add-students", str(roster))
    assert (status, out, changed) == (1, "", set())
    assert err == f"error: no roster file {roster}: give the path of the roster CSV\n"
    status, err, _ = add_students(course_copy, capsys, roster, "id;first_name\nada;Ada\n")
    assert status == 1 and "naming at least the column 'id' (its columns are separated by ';'" in err
    status, err, _ = add_students(course_copy, capsys, roster, "id\n")
    assert (status, err) == (1, f"error: {roster} has a header but no students: nothing added\n")


def test_the_lms_roster_is_read_by_the_same_reader(course_copy, downloads):
    roster = downloads / "lms.csv"
    roster.write_text(" id ,lms_user_id, section \nada , 1001 ,A\nben,1002,\n", encoding="utf-8-sig")
    who = lms.people(course_copy, ["ada", "ben"], roster)
    assert (who["ada"].lms_user_id, who["ada"].section, who["ben"].lms_user_id) == ("1001", "A", "1002")
    roster.write_text("id,lms_user_id\nada,1\nada,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the id 'ada' is given twice, on lines 2 and 3"):
        lms.people(course_copy, ["ada"], roster)
    roster.write_bytes("id,section\nada,Säle\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r'not UTF-8 text: line 2.*save it as "CSV UTF-8"'):
        lms.people(course_copy, ["ada"], roster)


# --- collect: what would replace a submission ---------------------------------------------------------------------


def test_a_member_never_replaces_another_or_another_assignments_notebook(course_copy, capsys, downloads):
    xor = (ROOT / "submitted" / "ada" / "xor" / "xor.ipynb").read_bytes()
    members = {
        GOOD: NOTEBOOK,
        "ada/Untitled.IPYNB": NOTEBOOK,  # a second notebook for ada, and the suffix in capitals
        "ben/project1/project1.ipynb": NOTEBOOK,  # nbgrader's layout: <student>/<assignment>/<file>
        "cy/project1/project1.ipynb": NOTEBOOK,
        "dev_1_project1.ipynb": xor,  # the XOR lab's notebook, in Project 1's download
        "eve_1_project1.ipynb.txt": NOTEBOOK,
    }
    status, out, err, files = collect(course_copy, capsys, zip_of(downloads / "mixed.zip", members))
    assert (status, err) == (0, "")
    assert files == {ADA, *(f"submitted/{s}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb" for s in ("ben", "cy"))}
    assert out.splitlines()[1:] == [
        f"  skipped ada/Untitled.IPYNB: a second notebook for ada/project1/project1.ipynb, after {GOOD}: the first is "
        "kept; collect this one alone if it is the one to grade",
        "  skipped dev_1_project1.ipynb: the notebook of xor/xor.ipynb, not of project1: collect it under its own "
        "assignment",
        "  skipped eve_1_project1.ipynb.txt: not a notebook (.ipynb): not collected",
    ]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [("(", "--pattern '(' is not a regular expression"), ("(.*)", "--pattern '(.*)' has no group named file or")],
)
def test_a_pattern_without_its_groups_is_one_line(course_copy, capsys, downloads, pattern, message):
    archive = zip_of(downloads / "good.zip", {GOOD: NOTEBOOK})
    status, out, err, files = run(course_copy, capsys, "collect", ASSIGNMENT, str(archive), "--pattern", pattern)
    assert (status, out) == (1, "") and err.startswith(f"error: {message}") and len(err.splitlines()) == 1
    assert not files - {"exchange"}


def test_a_student_folder_that_links_to_another_students_is_refused(course_copy, capsys, downloads):
    (course_copy / "submitted" / "ben").mkdir(parents=True)
    (course_copy / "submitted" / "zoe").symlink_to(course_copy / "submitted" / "ben")
    status, out, err, files = collect(
        course_copy, capsys, zip_of(downloads / "z.zip", {"zoe_1_project1.ipynb": NOTEBOOK})
    )
    assert (status, err, files) == (0, "", set()) and "passes through a link" in out
    assert not (course_copy / "submitted" / "ben" / ASSIGNMENT).exists()


def test_a_roster_with_a_quote_left_open_is_refused_not_cut_short(course_copy, capsys, downloads):
    roster = downloads / "roster.csv"
    roster.write_text('id,first_name,last_name\nzed1,"Zed,One\nzed2,Zed,Two\nzed3,Zed,Three\n', encoding="utf-8")
    status, out, err, files = run(course_copy, capsys, "add-students", str(roster))
    assert (status, out) == (1, "") and 'lines 2-4: a quote (") opens a value that runs on to line 4' in err
    assert not files - set(GRADEBOOK_FILES)
