"""The class: who submitted, the roster in the gradebook, and submissions collected from an LMS download.

Both take files from outside the course, and a mistake in one must not write anything wrong:

- A roster (``course add-students ROSTER.csv``, and the ``--roster`` of ``course export --lms``) is read by
  :func:`read_roster` only: UTF-8, with or without the byte-order mark that Excel's "CSV UTF-8" writes. A file that
  is not UTF-8, an empty id, an id that breaks the student id rule (:data:`grader.common.names.STUDENT_ID_RULE`: each id
  becomes a folder name and a gradebook row) and an id given twice are each refused, all of them listed with their
  line numbers in one error, and the gradebook is left as it was: a roster is used whole or not at all.
- An LMS download (``course collect ASSIGNMENT ARCHIVE.zip``, :func:`collect_zip`): nothing a member's name says
  may choose where a file lands ("zip slip"). A member is skipped, with the reason, when its name is absolute or
  has a ``..`` part, when it is a link or a folder, when the student id taken from it breaks the rule, when it is
  larger than :data:`COLLECT_FACTOR` times the size limit of a submitted file (declared or read: a zip's sizes can
  lie; a notebook over the limit itself is collected, and grading says it is too large), and when
  it cannot be read (damaged). Each notebook is copied in chunks to a temporary name in its folder and renamed into
  place, so that a failure never leaves half a notebook. An archive that cannot be opened at all is one error that
  says what is wrong with it and to download it again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import lzma
import os
import re
import secrets
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import nbformat

from grader.autograde.intake import foreign_grade_ids, other_assignment
from grader.common.limits import file_limit_bytes
from grader.common.names import STUDENT_ID_RULE, UnsafeName, check_student_id, is_safe_name, path_inside
from grader.common.nbgrader_api import load_course_config, nbgrader_api

#: File names that LMS downloads give submissions, e.g. Canvas's ``ada_12345_67890_project1.ipynb``
#: or a ``<student>/<notebook>.ipynb`` folder layout.
LMS_FILE_PATTERN = r"^(?P<student_id>[A-Za-z0-9.\-]+)_(?:LATE_|late_)?(?:\d+_)*(?P<file>[^/]+\.ipynb)$"
#: The largest notebook that ``collect_zip`` writes, in times the largest file of a submission that is graded
#: (``c.GuardedExecute.submission_file_limit_mb``): a notebook over that limit and under this one is collected, so
#: that grading says it is too large and its feedback says what to do; a larger member is an archive's problem.
COLLECT_FACTOR = 4
#: The columns of a roster that ``add_students`` writes into the gradebook besides the id.
STUDENT_COLUMNS = ("first_name", "last_name", "email")
#: How to save a roster so that it can be read.
SAVE_AS_UTF8 = 'save it as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8 (Comma delimited)) and run the command again'
#: What reading a damaged member of a zip raises (a bad CRC is a ``BadZipFile``; an encrypted member a
#: ``RuntimeError``; an unknown compression method ``NotImplementedError``).
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, RuntimeError, NotImplementedError)
_CHUNK = 1 << 20


def _submission_folders(root: Path, assignment: str) -> list[str]:
    folder = root / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir())


def submitted_students(root: Path, assignment: str) -> list[str]:
    """Students with a folder ``submitted/<student>/<assignment>/`` that is no link and whose name is a valid student
    id (the others, :func:`refused_submission_folders`, are never graded)."""
    refused = refused_submission_folders(root, assignment)
    return [name for name in _submission_folders(root, assignment) if name not in refused]


def refused_submission_folders(root: Path, assignment: str) -> dict[str, str]:
    """The folders of ``submitted/`` with a submission of ``assignment`` that are not graded, each with why: a name
    that is not a valid student id, or a link on the way (a submission is graded from inside ``submitted/`` only)."""
    refused = {}
    for name in _submission_folders(root, assignment):
        if not is_safe_name(name):
            refused[name] = f"not a valid student id (a student id has {STUDENT_ID_RULE}); rename it"
        elif any(path.is_symlink() for path in (root / "submitted" / name, root / "submitted" / name / assignment)):
            refused[name] = "a link: a submission is graded from inside submitted/ only; copy it there"
    return refused


# --- rosters ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """A student's line of a roster: ``line`` is its line number in the file (the header is line 1), ``id`` the
    student id and ``values`` every column by name, names and values stripped of surrounding whitespace."""

    line: int
    id: str
    values: dict[str, str]
    last_line: int = 0  # the line it ends on, when a quoted value runs over several lines


def roster_text(path: Path) -> str:
    """The text of the roster ``path``, read as UTF-8 (a byte-order mark is dropped). Raises
    ``FileNotFoundError`` when there is no such file, and ``ValueError`` naming the file when it cannot be read or
    is not UTF-8: where the first bad byte is, and to save it as "CSV UTF-8"."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"no roster file {path}: give the path of the roster CSV") from None
    except OSError as error:
        raise ValueError(f"cannot read the roster {path}: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line, column = data.count(b"\n", 0, error.start) + 1, error.start - line_start + 1
        raise ValueError(
            f"{path} is not UTF-8 text: line {line}, byte {column} of the line is 0x{data[error.start]:02x}, which "
            f"UTF-8 does not allow there (the file was probably saved as Latin-1 or Windows-1252); {SAVE_AS_UTF8}"
        ) from None


def _header_names(path: Path, header: list[str] | None) -> list[str]:
    """The column names of a roster's header line, stripped; ``ValueError`` unless one of them is ``id``."""
    names = [name.strip() for name in header or []]
    if "id" not in names:
        hint = " (its columns are separated by ';': save it with commas, as CSV UTF-8)" if ";" in "".join(names) else ""
        raise ValueError(f"{path}: expected a CSV with a header line naming at least the column 'id'{hint}")
    return names


def _roster_rows(path: Path, text: str) -> list[RosterRow]:
    """Each non-blank line of the roster ``text`` after its header, as a :class:`RosterRow` (ids not checked)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = _header_names(path, next(reader, None))
        rows, start = [], reader.line_num + 1
        for cells in reader:
            values = dict(zip(names, (cell.strip() for cell in cells), strict=False))
            if any(values.values()):  # a line of empty cells (Excel writes them for formatted rows) is blank
                rows.append(RosterRow(start, values.get("id", ""), values, reader.line_num))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ValueError(f"{path} line {reader.line_num}: not a CSV file that can be read ({error})") from None
    return rows


def roster_problems(rows: list[RosterRow]) -> list[str]:
    """What is wrong with the ids of ``rows``, each problem with its line number: a quoted value that runs over
    several lines (a stray quote swallows the students after it), an empty id, an id that breaks
    :data:`grader.common.names.STUDENT_ID_RULE`, and an id given on a second line (both lines named)."""
    problems, first_line = [], {}
    for row in rows:
        if row.last_line > row.line:
            problems.append(
                f'lines {row.line}-{row.last_line}: a quote (") opens a value that runs on to line {row.last_line}; '
                "close the quote or remove it"
            )
            continue
        if not row.id:
            problems.append(f"line {row.line}: the id is empty")
            continue
        try:
            check_student_id(row.id, f"line {row.line}: ")
        except UnsafeName as unsafe:
            problems.append(str(unsafe))
            continue
        if row.id in first_line:
            problems.append(
                f"line {row.line}: the id {row.id!r} is given twice, on lines {first_line[row.id]} and {row.line}"
            )
        first_line.setdefault(row.id, row.line)
    return problems


def read_roster(path: Path, refused: str = "was not used") -> list[RosterRow]:
    """The students of the roster CSV ``path``: a header line naming at least the column ``id`` (names may carry
    surrounding spaces), then a line per student; ids and values are stripped, lines of empty cells skipped.

    The one reader of rosters. It reads UTF-8 with or without a byte-order mark, and refuses the whole roster, with
    a ``ValueError`` listing every problem with its line number, when an id is empty, breaks the student id rule or
    is given twice (see :func:`roster_problems`); a file that is not UTF-8 is a ``ValueError`` saying where and what
    to do, a missing file a ``FileNotFoundError``. ``refused`` says in that error what became of the roster.
    """
    rows = _roster_rows(path, roster_text(path))
    problems = roster_problems(rows)
    if problems:
        raise ValueError(
            f"{path} {refused}: {len(problems)} problem(s) (line 1 is the header):\n  "
            + "\n  ".join(problems)
            + "\nfix these lines and run the command again"
        )
    return rows


def add_students(root: Path, roster: Path) -> int:
    """Add or update the students of a CSV roster (columns ``id``, optional ``first_name``, ``last_name``,
    ``email``) in the gradebook; return how many.

    The roster is read and checked whole by :func:`read_roster` before the gradebook is opened, so a roster with
    any bad line (or none at all) raises ``ValueError`` and writes nothing."""
    rows = read_roster(roster, refused="was not used, no student was added or changed")
    if not rows:
        raise ValueError(f"{roster} has a header but no students: nothing added")
    with nbgrader_api(root).gradebook as gb:
        for row in rows:
            details = {k: row.values[k] for k in STUDENT_COLUMNS if row.values.get(k)}
            gb.update_or_create_student(row.id, **details)
    return len(rows)


# --- LMS downloads ---------------------------------------------------------------------------------------------


@dataclass
class Collection:
    """What ``collect_zip`` did with an LMS download."""

    collected: list[str] = field(default_factory=list)  # <student>/<assignment>/<notebook>
    skipped: list[str] = field(default_factory=list)  # "<member>: why"


class Skip(Exception):
    """A member of an LMS download that is not collected; the message says why. Nothing was written for it."""


def _archive_damage(archive: Path) -> str:
    """What is wrong with ``archive``, which ``zipfile`` could not open, in words."""
    with open(archive, "rb") as f:
        head = f.read(64)
    if not head:
        return "is empty (0 bytes)"
    if head.startswith(b"PK"):
        return "is a damaged or incomplete zip archive (cut short while downloading?)"
    start = head.decode("latin-1").split()[0][:16] if head.strip() else ""
    return f"is not a zip archive (it starts with {start!r})"


@contextlib.contextmanager
def open_archive(archive: Path) -> Iterator[zipfile.ZipFile]:
    """``archive`` opened as a zip, or one error saying what is wrong with it and what to do:
    ``FileNotFoundError`` when there is no such file, ``ValueError`` when it is not a file or not a readable zip
    (empty, cut short, an HTML page saved under a ``.zip`` name)."""
    archive = Path(archive)
    again = "download it again from the LMS (all submissions, as one .zip)"
    if not archive.exists():
        raise FileNotFoundError(f"no archive {archive}: {again} and give its path")
    if not archive.is_file():
        raise ValueError(f"{archive} is not a file: give the path of the .zip that the LMS downloaded")
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        raise ValueError(f"{archive} {_archive_damage(archive)}: {again}") from None
    with zf:
        yield zf


def is_notebook_member(info: zipfile.ZipInfo) -> bool:
    """Whether a member of an LMS download is meant as a notebook: not a folder, ``.ipynb`` (in any case), not macOS
    metadata."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    return not _is_folder_or_metadata(info) and path.suffix.lower() == ".ipynb"


def _is_folder_or_metadata(info: zipfile.ZipInfo) -> bool:
    """Whether a member is a folder entry or macOS metadata, passed over without a word."""
    return info.filename.endswith(("/", "\\")) or "__MACOSX" in PurePosixPath(info.filename.replace("\\", "/")).parts


def check_member(info: zipfile.ZipInfo, cap: int) -> None:
    """Raise :class:`Skip` when ``info`` must not be written whatever its name: an absolute name or one with a
    ``..`` part (either could choose where a file lands), a link, folder or device (only plain files are
    written), or a declared size over ``cap``."""
    name = info.filename.replace("\\", "/")
    kind = stat.S_IFMT(info.external_attr >> 16)
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        raise Skip("an absolute path: a member's name never chooses where a file lands")
    if ".." in name.split("/"):
        raise Skip("a path with '..': a member's name never chooses where a file lands")
    if kind == stat.S_IFLNK:
        raise Skip("a symbolic link, not a notebook: links are never followed or written")
    if kind not in (0, stat.S_IFREG):
        raise Skip("not a plain file (a folder or a device): only files are written")
    if info.file_size > cap:
        raise Skip(f"{info.file_size:,} bytes, over the {cap:,} bytes a submission's file may have")


def member_target(
    info: zipfile.ZipInfo, regex: re.Pattern[str], assignment: str, notebooks: list[str]
) -> tuple[str, str]:
    """Whose notebook ``info`` is and the release notebook it is: ``(student, notebook)``, from ``regex``'s groups
    ``student_id`` and ``file`` on the file name, or from a ``<student>/`` (or nbgrader's ``<student>/<assignment>/``)
    folder. Raises :class:`Skip` when the
    owner cannot be told, the student id breaks the student id rule, or the notebook is not the assignment's."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    match = regex.match(path.name)
    if match:
        student, name = match["student_id"], match["file"]
    elif len(path.parts) >= 3 and path.parts[-2] == assignment:  # nbgrader's layout: <student>/<assignment>/<file>
        student, name = path.parts[-3], path.name
    elif len(path.parts) >= 2:
        student, name = path.parts[-2], path.name
    else:
        raise Skip("cannot tell whose it is (name it <student>_<notebook>.ipynb)")
    try:
        check_student_id(student)
    except UnsafeName as unsafe:
        raise Skip(str(unsafe)) from None
    if name not in notebooks:
        if len(notebooks) != 1:
            raise Skip(f"{name} is none of {', '.join(notebooks)}")
        name = notebooks[0]
    return student, name


def _damaged(error: BaseException) -> Skip:
    """The :class:`Skip` of a member that cannot be read because of ``error``."""
    return Skip(f"cannot be read, the archive is damaged here ({error or type(error).__name__})")


def _read_chunk(source: IO[bytes]) -> bytes:
    """The next chunk of ``source``; a read that fails (:data:`MEMBER_ERRORS`, or an ``OSError`` of the archive
    itself, such as a seek to a damaged offset) raises :class:`Skip`."""
    try:
        return source.read(_CHUNK)
    except (*MEMBER_ERRORS, OSError) as error:
        raise _damaged(error) from None


def copy_capped(source: IO[bytes], target: Path, cap: int, check: Callable[[Path], None] | None = None) -> int:
    """Copy ``source`` to ``target`` in chunks, through a temporary file in ``target``'s folder renamed into place,
    and return the bytes copied. Raises :class:`Skip` as soon as more than ``cap`` bytes come out (the sizes a zip
    declares can lie) or ``source`` cannot be read; on any error the temporary file is deleted and ``target`` is
    as it was (an error writing, such as a full disk, is raised as it is). ``check``, given the copy before it is
    renamed into place, may refuse it by raising :class:`Skip`."""
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with open(partial, "xb") as out:
            copied = 0
            while chunk := _read_chunk(source):
                copied += len(chunk)
                if copied > cap:
                    raise Skip(f"more than the {cap:,} bytes a submission's file may have (its declared size lies)")
                out.write(chunk)
        if check is not None:
            check(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return copied


def collect_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, cap: int, check: Callable[[Path], None] | None = None
) -> None:
    """Write the member ``info`` of ``zf`` to ``target`` (see :func:`copy_capped`); a member that cannot be read
    (a bad CRC, damaged compressed data or headers, cut short, encrypted) raises :class:`Skip` with the reason."""
    try:
        source = zf.open(info)
    except (*MEMBER_ERRORS, OSError) as error:
        raise _damaged(error) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with source:
        copy_capped(source, target, cap, check)


def collect_zip(root: Path, assignment: str, archive: Path, pattern: str = LMS_FILE_PATTERN) -> Collection:
    """Unpack an LMS download of notebooks into ``submitted/<student>/<assignment>/``.

    Each ``.ipynb`` member is matched by ``pattern`` (groups ``student_id`` and ``file``) on its file name, or sits
    in a ``<student_id>/`` (or nbgrader's ``<student_id>/<assignment>/``) folder. A file name that is not one of the
    assignment's notebooks is renamed to it when the assignment has exactly one. The name only ever picks a student
    and one of the release's notebooks: the student id must follow the student id rule and the file lands at
    ``submitted/<student>/<assignment>/<notebook>`` (checked by :func:`grader.common.names.path_inside`, no link on the
    way). Skipped, each with the reason, and the others still collected: members refused by :func:`check_member` or
    :func:`member_target`, members that cannot be read, a second member for the same student's notebook (the first
    is kept), a notebook of another assignment (recognised by its grade ids: it would replace this one's), and files
    that are not notebooks. Raises ``FileNotFoundError`` without a release, and for a missing archive;
    ``ValueError`` for a pattern without its two groups and an archive that is not a readable zip
    (:func:`open_archive`).
    """
    notebooks = sorted(p.name for p in (root / "release" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no release/{assignment}/*.ipynb: run `course release {assignment}` first")
    regex = _member_pattern(pattern)
    cap = COLLECT_FACTOR * file_limit_bytes(load_course_config(root))
    check = _NotAnotherAssignment(root, assignment)
    done, taken = Collection(), {}
    with open_archive(archive) as zf:
        for info in zf.infolist():
            if _is_folder_or_metadata(info):
                continue
            try:
                if not is_notebook_member(info):
                    raise Skip("not a notebook (.ipynb): not collected")
                check_member(info, cap)
                student, name = member_target(info, regex, assignment, notebooks)
                target = path_inside(root / "submitted", student, assignment, name)
                if target in taken:
                    raise Skip(f"a second notebook for {student}/{assignment}/{name}, after {taken[target]}: the first "
                               "is kept; collect this one alone if it is the one to grade")  # fmt: skip
                collect_member(zf, info, target, cap, check)
            except (Skip, UnsafeName) as skip:
                done.skipped.append(f"{info.filename}: {skip}")
                continue
            taken[target] = info.filename
            done.collected.append(f"{student}/{assignment}/{name}")
    return done


def _member_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled, or ``ValueError`` saying what is wrong with it: it must be a regular expression with
    the groups ``student_id`` and ``file``."""
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"--pattern {pattern!r} is not a regular expression ({error})") from None
    missing = {"student_id", "file"} - set(regex.groupindex)
    if missing:
        raise ValueError(
            f"--pattern {pattern!r} has no group named {' or '.join(sorted(missing))}: name them (?P<student_id>...) "
            "and (?P<file>...)"
        )
    return regex


class _NotAnotherAssignment:
    """The check of a collected notebook, before it replaces anything: :class:`Skip` when it is another assignment's
    (:func:`grader.autograde.intake.other_assignment`). A file that is no notebook is collected: grading says so."""

    def __init__(self, root: Path, assignment: str) -> None:
        self.assignment = assignment
        self.releases = {
            p.name: nbformat.read(p, as_version=4) for p in (root / "release" / assignment).glob("*.ipynb")
        }
        self.foreign = foreign_grade_ids(root / "release", assignment)

    def __call__(self, path: Path) -> None:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # not a notebook: grading gives it its status and reason
            return
        for release in self.releases.values():
            other = other_assignment(nb, release, self.foreign)
            if other:
                raise Skip(f"the notebook of {other}, not of {self.assignment}: collect it under its own assignment")
