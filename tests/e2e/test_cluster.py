"""Grading beyond one machine, with real components the tests start themselves: a PostgreSQL gradebook (Debian's
server on a Unix socket in a temporary folder) and a Dask scheduler with two workers as separate processes (the
`dask` command line). Three students of Project 1's sample class, in fast mode, graded through Dask into
PostgreSQL, get the grades local workers write into SQLite (``trio_grades``), cell by cell; a worker killed mid-class
loses nothing and duplicates nothing; a score a TA writes during autograding stays."""

from __future__ import annotations

import threading

import pytest

from grader.autograde.coordinator import grade_class
from grader.common.nbgrader_api import nbgrader_api
from grader.report.gradebook_audit import cell_grades, duplicate_rows
from grader.serve.local_services import dask_cluster, postgres_binaries, postgres_server
from tests.e2e.project1_trio import TRIO, trio_course

pytest.importorskip("psycopg2", reason="psycopg2 (the PostgreSQL driver of requirements.txt) is not installed")
if postgres_binaries() is None:
    pytest.skip("no PostgreSQL server installed (Debian: apt-get install postgresql)", allow_module_level=True)

ASSIGNMENT = "project1"
FAST = {"COURSE_FAST": "1"}


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="module")
def cluster():
    with dask_cluster(2, env=FAST) as running:
        yield running


def test_dask_into_postgresql_gives_the_grades_of_local_workers_into_sqlite(tmp_path, postgres, cluster, trio_grades):
    course = trio_course(tmp_path, postgres)
    outcomes = grade_class(course, ASSIGNMENT, TRIO, scheduler=cluster.address, progress=False)
    assert [o.status for o in outcomes] == ["graded"] * len(TRIO)
    assert cell_grades(course, ASSIGNMENT) == trio_grades
    assert duplicate_rows(postgres) == []


def test_a_worker_killed_mid_class_loses_nothing_and_writes_nothing_twice(tmp_path_factory, trio_grades):
    with postgres_server() as db_url, dask_cluster(2, env=FAST) as cluster:
        course = trio_course(tmp_path_factory.mktemp("killed"), db_url)
        killed = []

        def kill_after_the_first(outcome) -> None:
            if not killed:
                killed.append(cluster.kill_busy_worker())  # its submission in progress goes back to the scheduler

        outcomes = grade_class(
            course, ASSIGNMENT, TRIO, scheduler=cluster.address, progress=False, on_result=kill_after_the_first
        )
        assert killed and cluster.workers[killed[0]].poll() is not None
        assert sorted(o.student for o in outcomes) == sorted(TRIO)
        assert [o.status for o in outcomes] == ["graded"] * len(TRIO), [(o.student, o.reason) for o in outcomes]
        assert cell_grades(course, ASSIGNMENT) == trio_grades
        assert duplicate_rows(db_url) == []


def test_a_score_a_ta_writes_during_autograding_stays(tmp_path, postgres, cluster):
    course = trio_course(tmp_path, postgres)
    grade_class(course, ASSIGNMENT, ["ada"], scheduler=cluster.address, progress=False)
    written = threading.Event()

    def ta_scores_ada(outcome) -> None:  # the formgrader's way: a manual score, then "graded"
        if written.is_set():
            return
        with nbgrader_api(course).gradebook as gb:
            grade = gb.find_grade("summary", ASSIGNMENT, ASSIGNMENT, "ada")
            grade.manual_score, grade.needs_manual_grade = 17.0, False
            gb.db.commit()
        written.set()

    grade_class(course, ASSIGNMENT, ["ben", "ada"], scheduler=cluster.address, progress=False, on_result=ta_scores_ada)
    assert written.is_set()
    with nbgrader_api(course).gradebook as gb:
        grade = gb.find_grade("summary", ASSIGNMENT, ASSIGNMENT, "ada")
        assert grade.manual_score == 17.0  # kept; flagged for another look if ada was graded after it, as nbgrader does
