"""The real nbgrader pipeline on the sample class of project1: release, autograde, feedback, export; and the class
graded with cold kernels as with warm ones."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.autograde.coordinator import grade_class
from grader.cli import main
from grader.collect import roster
from grader.common.config import copy_course
from grader.common.nbgrader_api import nbgrader_api
from grader.release.generate import generate_release
from grader.release.run_notebook import error_outputs, execute_notebook
from grader.report import grade_table
from helpers.environment import fast_mode
from tests.e2e.lab_class import assert_graded_alike, grade_sample_class
from tests.support import ROOT, documented_sample_points, object_reprs, progress_bar_problems

ASSIGNMENT = "project1"
AUTOGRADED_POINTS = 70
# what each sample submission breaks (scripts/make_sample_submissions.py); every other task scores full marks
BROKEN = {
    "ada": set(),
    "gus": set(),  # writes warnings and a progress bar to stderr: must not cost points
    "max": set(),  # correct, written differently from the reference
    "dev": {"make_training_data", "make_test_data"},
    "eli": {"SmallNet", "count_parameters"},
    "fay": {"make_minibatches", "train", "evaluate"},
    "hal": {"make_minibatches"},  # a zip iterator: empty after the first episode
    "ivy": {"train"},  # momentum ignored
    "jon": {"make_training_data"},  # uniform noise of the right variance
    "kim": {"make_test_data"},  # signs fixed by row
    "lea": {"target_function"},  # the data functions compute f themselves: only Task 1 is lost
}


def hidden_test_lines() -> list[str]:
    """Every substantial line of the hidden tests that appears nowhere else in the source notebook: the hidden cells'
    and their checks module's code (its lines without a string: a failed check's message is for the student)."""
    nb = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    hidden, public, inside = [], set(), False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif len(line.strip()) > 25:
                (hidden.append if inside else public.add)(line.strip())
    module = ROOT / "grader" / "checks" / f"{ASSIGNMENT}.py"
    hidden += [
        line.strip()
        for line in module.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 25 and not {'"', "'", "#"} & set(line)
    ]
    return [line for line in hidden if line not in public]


def mark_scheme_lines() -> list[str]:
    nb = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    return [
        line.strip()
        for block in re.findall(r"=== BEGIN MARK SCHEME ===(.*?)=== END MARK SCHEME ===", text, re.DOTALL)
        for line in block.splitlines()
        if len(line.strip()) > 25
    ]


def visible_text(path: Path) -> str:
    """What a reader of an HTML or notebook file sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A copy of the course with the sample class released, autograded, with feedback and grades."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("course"))
    shutil.copytree(ROOT / "submitted", course / "submitted")
    generate_release(course, ASSIGNMENT)
    assert main(["--root", str(course), "grade", ASSIGNMENT]) == 0
    rows = {
        row.student: row
        for row in grade_table.collect_grades(course, ASSIGNMENT, roster.submitted_students(course, ASSIGNMENT))
    }
    return course, rows


def test_the_sample_class_is_all_graded(graded):
    _, rows = graded
    assert sorted(rows) == sorted([*BROKEN, "ben", "cleo"])
    assert all(row.status == "graded" for row in rows.values())
    assert all(row.max_total == 100 for row in rows.values())


def test_cold_kernels_give_the_class_the_grades_and_statuses_of_warm_ones(graded, tmp_path_factory):
    """The class graded again with cold kernels, in the mode ``graded`` was (ada is the reference: no canary)."""
    folder = tmp_path_factory.mktemp("cold")
    cold, *_ = grade_sample_class(folder, ASSIGNMENT, fast=fast_mode(), cold_kernels=True, canary=False)
    assert_graded_alike(cold, graded[0], ASSIGNMENT)


def test_reference_solution_scores_every_autograded_point(graded):
    course, rows = graded
    assert rows["ada"].auto_score == AUTOGRADED_POINTS
    assert rows["ada"].manual_pending == ["plots", "summary"]
    # the reference solution runs top to bottom without an error, plots included
    nb = nbformat.read(course / "autograded" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert error_outputs(nb) == []
    assert any("image/png" in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", []))


def test_untouched_release_scores_zero(graded):
    _, rows = graded
    assert rows["ben"].auto_score == 0


def test_partly_done_scores_its_tasks(graded):
    _, rows = graded
    done = {"target_function", "make_training_data", "make_test_data", "SmallNet"}
    for task, (score, maximum) in rows["cleo"].tasks.items():
        if task in done:
            assert score == maximum, task
        elif task not in rows["cleo"].manual_tasks:
            assert score == 0, task


@pytest.mark.parametrize("student", sorted(BROKEN))
def test_each_mistake_loses_the_points_of_its_task_and_only_those(graded, student):
    _, rows = graded
    row = rows[student]
    for task, (score, maximum) in row.tasks.items():
        if task in row.manual_tasks:
            continue
        if task in BROKEN[student]:
            assert score < maximum, f"{student}'s broken {task} still scores {score}/{maximum}"
        else:
            assert score == maximum, f"{student} lost points in {task}, which is correct"


def test_warnings_on_stderr_cost_nothing_here_but_would_with_plain_nbgrader(graded, tmp_path):
    """The course configuration sends the grading kernel's stderr to stdout; without it, nbgrader
    would score gus's correct target_function 0 because it prints a warning."""
    _, rows = graded
    assert rows["gus"].auto_score == AUTOGRADED_POINTS
    course = copy_course(ROOT, tmp_path)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace('"--IPKernelApp.exec_lines=import sys; sys.stderr = sys.stdout",', ""))
    shutil.copytree(ROOT / "submitted" / "gus", course / "submitted" / "gus")
    generate_release(course, ASSIGNMENT)
    assert grade_class(course, ASSIGNMENT, ["gus"], workers=1, progress=False, canary=False)[0].status == "graded"
    (row,) = grade_table.collect_grades(course, ASSIGNMENT, ["gus"])
    assert row.tasks["target_function"][0] == 0
    assert row.auto_score < AUTOGRADED_POINTS


def test_grading_again_gives_the_same_scores(graded):
    course, rows = graded
    assert grade_class(course, ASSIGNMENT, ["fay"], workers=1, progress=False, canary=False)[0].status == "graded"
    (again,) = grade_table.collect_grades(course, ASSIGNMENT, ["fay"])
    assert again.tasks == rows["fay"].tasks


def test_hidden_tests_and_mark_schemes_leak_nowhere_students_look(graded):
    course, _ = graded
    secrets = hidden_test_lines() + mark_scheme_lines()
    assert len(secrets) > 40
    student_files = [*(ROOT / "release").rglob("*.ipynb"), *(course / "feedback").rglob("*.html")]
    assert len(list((course / "feedback").rglob("*.html"))) == len(BROKEN) + 2
    for path in student_files:
        text = visible_text(path)
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{path} shows hidden material: {leaked[:2]}"


def test_feedback_reports_hidden_test_results(graded):
    course, _ = graded
    text = visible_text(course / "feedback" / "dev" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    assert "noise variance" in text and "N(0, 0.01) has variance 0.01" in text  # the reason, not the code


def summary_rows(page: Path) -> list[str]:
    """The rows of the table that opens a feedback page, as text, one line per row."""
    summary = re.search(r'<div id="course-summary">(.*?)</table>', page.read_text(encoding="utf-8"), re.S)
    assert summary, f"{page} has no summary table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", summary.group(1), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_feedback_opens_with_a_row_per_task_saying_what_it_scored_and_why(graded):
    course, _ = graded
    rows = summary_rows(course / "feedback" / "dev" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    assert rows[0] == "Task Points Result"
    assert rows[1] == "Task 1: the target function 7 / 7 passed"
    assert rows[2].startswith("Task 2: training data 7 / 10 lost 3 points noise variance")
    assert rows[3].startswith("Task 3: test data 6 / 8 lost 2 points each coordinate must be negative about half")
    assert rows[10:] == [
        "Task 10: plots ? / 12 not graded yet (graded by hand)",
        "Task 11: summary ? / 18 not graded yet (graded by hand)",
        "Total 65 / 70 30 more points not graded yet",
    ]
    assert [row.split(" ")[1] for row in rows[1:12]] == [f"{n}:" for n in range(1, 12)]  # every task, in order


def test_every_feedback_page_is_one_valid_html_document_with_formulas_as_mathml(graded):
    html5lib = pytest.importorskip("html5lib", reason="html5lib (a test dependency) is not installed")
    course, _ = graded
    pages = sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
    assert len(pages) == len(BROKEN) + 2  # the whole sample class: the students of BROKEN, ben and cleo
    for page in pages:
        source = page.read_bytes()
        html5lib.HTMLParser(strict=True).parse(source)  # raises at the first parse error (a second <body>, ...)
        text = visible_text(page)
        assert source.count(b"<math ") >= 20 and "\\mathbf" not in text and "$\\" not in text, page


def test_grades_csv_has_a_row_per_student_and_a_column_per_task(graded):
    course, rows = graded
    with open(course / "grades" / f"{ASSIGNMENT}.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["student"] for r in table] == sorted(rows)
    by_student = {r["student"]: r for r in table}
    assert by_student["ada"]["autograded"] == "70" and by_student["ben"]["autograded"] == "0"
    # dev's noise has the wrong variance but the right inputs and shape: partial credit within the task
    assert by_student["dev"]["make_training_data (/10)"] == "7" and by_student["dev"]["target_function (/7)"] == "7"
    assert by_student["ada"]["manual grading pending"] == "plots summary"
    assert by_student["ada"]["plots (/12)"] == by_student["ada"]["summary (/18)"] == ""  # pending: blank, not 0


def test_grade_table_lists_every_student_and_task(graded):
    _, rows = graded
    table = grade_table.format_table(list(rows.values()))
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["student", "target_function/7", "make_training_data/10"]
    assert "plots/12" in lines[0] and "summary/18" in lines[0]
    assert lines[2 + len(rows) :] == [
        "",
        "review flags (advice for a human reader; they change no score):",
        f"  ben: {rows['ben'].flags[0]}",  # the untouched release, handed in without a run: its experiments too
    ]
    assert rows["ben"].flags[0].startswith("experiments not run: no outputs in experiment, plots")
    assert re.search(r"^ada\s+7\s+10\s+8\s+10\s+5\s+6\s+10\s+5\s+9\s+\?\s+\?\s+70\s+70/100", table, re.MULTILINE)


def test_a_submission_nbgrader_cannot_grade_keeps_its_row(graded, tmp_path):
    course = copy_course(ROOT, tmp_path)
    generate_release(course, ASSIGNMENT)
    broken = course / "submitted" / "zed" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text("{ this is not a notebook")
    (outcome,) = grade_class(course, ASSIGNMENT, ["zed"], progress=False)
    (row,) = grade_table.collect_grades(course, ASSIGNMENT, ["zed"])
    assert (
        (row.status, row.reason)
        == (outcome.status, outcome.reason)
        == (
            "not a notebook",
            "project1.ipynb is broken JSON (Expecting property name enclosed in double quotes at line 1, "
            "column 3): the file was cut or edited by hand; submit a copy saved from Jupyter",
        )
    )
    assert row.auto_score == 0 and row.max_total == 100


def test_grading_without_a_release_says_what_to_do(tmp_path, capsys):
    course = copy_course(ROOT, tmp_path)
    shutil.copytree(ROOT / "submitted" / "ada", course / "submitted" / "ada")
    assert main(["--root", str(course), "autograde", ASSIGNMENT]) == 1
    assert "run `course release project1` first" in capsys.readouterr().err


def test_collect_unpacks_an_lms_zip(tmp_path):
    course = copy_course(ROOT, tmp_path)
    archive = tmp_path / "download.zip"
    notebook = (ROOT / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ada_12345_67890_project1.ipynb", notebook)  # Canvas-style name
        zf.writestr("ben_late_222_333_project1-1.ipynb", notebook)  # renamed by the LMS
        zf.writestr("cleo/project1.ipynb", notebook)  # folder per student
        zf.writestr("notes.txt", b"not a notebook")
        zf.writestr("orphan.ipynb", notebook)
    collection = roster.collect_zip(course, ASSIGNMENT, archive)
    assert sorted(collection.collected) == [
        "ada/project1/project1.ipynb",
        "ben/project1/project1.ipynb",
        "cleo/project1/project1.ipynb",
    ]
    assert collection.skipped == [
        "notes.txt: not a notebook (.ipynb): not collected",
        "orphan.ipynb: cannot tell whose it is (name it <student>_<notebook>.ipynb)",
    ]
    assert (course / "submitted" / "ben" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes() == notebook
    assert roster.submitted_students(course, ASSIGNMENT) == ["ada", "ben", "cleo"]


def test_add_students_from_a_roster(tmp_path, capsys):
    course = copy_course(ROOT, tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nada,Ada,Lovelace,ada@example.org\nben,Ben,,\n")
    assert main(["--root", str(course), "add-students", str(roster)]) == 0
    assert "added or updated 2 student(s)" in capsys.readouterr().out
    with nbgrader_api(course).gradebook as gb:
        assert gb.find_student("ada").last_name == "Lovelace"
        assert sorted(s.id for s in gb.students) == ["ada", "ben"]
    roster.write_text("name\nada\n")
    assert main(["--root", str(course), "add-students", str(roster)]) == 1
    assert "column 'id'" in capsys.readouterr().err


def test_the_grading_command_prints_progress_and_results_only(tmp_path):
    """No kernel start-up banners or warnings, no nbgrader complaint about an exchange folder: what an
    instructor reads is what the command says."""
    course = copy_course(ROOT, tmp_path)
    shutil.copytree(ROOT / "submitted" / "ada", course / "submitted" / "ada")
    assert main(["--root", str(course), "release", ASSIGNMENT]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--root", str(course), "grade", ASSIGNMENT], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    for noise in (
        "To connect another client",
        "without encryption",
        "ipython kernel",
        "CRITICAL",
        "WARNING",
        "Traceback",
    ):
        assert noise not in output, f"the grading command printed {noise!r}:\n{output}"
    lines = output.strip().splitlines()
    assert lines[0].startswith("autograding 1 submission(s) of project1 with ")
    assert any(line.startswith("ada ") for line in lines)
    assert "note: hand grading of plots, summary is pending for 1 student(s)" in output


def grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def student_output(nb: nbformat.NotebookNode) -> list[str]:
    """What the student's own cells printed (test cells left out), cell by cell."""
    return [
        "".join(o.get("text", "") for o in c.get("outputs", []) if o.output_type == "stream")
        for c in nb.cells
        if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("grade")
    ]


def test_the_model_answer_runs_top_to_bottom_in_fast_mode_and_prints_no_object_repr(tmp_path):
    nb = execute_notebook(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", tmp_path, fast=True, timeout=600)
    assert error_outputs(nb) == [] and object_reprs(nb) == [] and progress_bar_problems(nb) == []


def test_grading_prints_what_the_students_own_run_printed(tmp_path):
    """Tests keep the global random state: a student whose cell draws from the global streams without
    seeding sees the same numbers in the autograded copy as in their own Restart & Run All."""
    nb = nbformat.read(ROOT / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    after_the_tests = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "experiment_intro")
    own = nbformat.v4.new_code_cell(  # a cell of the student's own, not an experiment: it runs when graded
        "import random\n\nimport numpy as np\n\n"
        "net = SmallNet()  # not seeded: built from wherever the global stream is\n"
        "print('unseeded:', net(torch.ones(1, 4)).item(), torch.rand(3).tolist(), np.random.rand(2).tolist(), "
        "random.random())\n"
    )
    nb.cells.insert(after_the_tests, own)
    own = tmp_path / "own"
    own.mkdir()
    nbformat.write(nb, own / f"{ASSIGNMENT}.ipynb")
    run = execute_notebook(own / f"{ASSIGNMENT}.ipynb", tmp_path / "run", timeout=600)
    (tmp_path / "course").mkdir()
    course = copy_course(ROOT, tmp_path / "course")
    shutil.copytree(own, course / "submitted" / "zoe" / ASSIGNMENT)
    generate_release(course, ASSIGNMENT)
    assert grade_class(course, ASSIGNMENT, ["zoe"], workers=1, progress=False, canary=False)[0].status == "graded"
    graded = nbformat.read(course / "autograded" / "zoe" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert "unseeded:" in "".join(student_output(run))
    assert student_output(graded) == student_output(run)


def test_the_docs_state_each_sample_students_points(graded):
    _, rows = graded
    assert documented_sample_points("Project 1, the assignment") == {s: r.auto_score for s, r in rows.items()}


def check_cell_output(course: Path, student: str) -> str:
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if grade_id(c) == "check_before_submit")
    return "".join(o.get("text", "") for o in cell.outputs)


def test_the_check_cell_says_task_by_task_what_is_ready(graded):
    course, _ = graded
    ada = check_cell_output(course, "ada")
    assert ada.count(": ready") == 9 and "9 of 9 tasks pass their visible checks" in ada
    hal = check_cell_output(course, "hal")
    assert "Task 6 make_minibatches: AssertionError: make_minibatches must return a list, not zip" in hal
    assert "8 of 9 tasks pass their visible checks" in hal


def test_feedback_says_not_graded_yet_until_a_grader_scores_the_answer(tmp_path):
    course = copy_course(ROOT, tmp_path)
    shutil.copytree(ROOT / "submitted" / "ada", course / "submitted" / "ada")
    generate_release(course, ASSIGNMENT)
    assert main(["--root", str(course), "grade", ASSIGNMENT]) == 0
    page = course / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    before = " ".join(visible_text(page).split())
    assert "(Score: 70.0 / 70.0; 30.0 more points not graded yet)" in before
    assert before.count("not graded yet (12.0 points)") == 1 and before.count("not graded yet (18.0 points)") == 1
    assert "0.0 / 12.0" not in before and "0.0 / 18.0" not in before and "? / 12" in before
    with nbgrader_api(course).gradebook as gb:  # a TA scores the plots, as the formgrader does
        grade = gb.find_grade("plots", ASSIGNMENT, ASSIGNMENT, "ada")
        grade.manual_score, grade.needs_manual_grade = 10.0, False
        gb.db.commit()
    assert main(["--root", str(course), "feedback", ASSIGNMENT]) == 0
    after = " ".join(visible_text(page).split())
    assert "(Score: 80.0 / 82.0; 18.0 more points not graded yet)" in after
    assert "Score: 10.0 / 12.0" in after and "not graded yet (18.0 points)" in after
    assert "Task 10: plots 10 / 12 graded by hand" in summary_rows(page)
