"""The status file of an assignment: every row kept, replaced whole, nothing half written."""

from grader.common.statuses import GRADED, TIMED_OUT, UNGRADED, Outcome, load_statuses, save_statuses, status_path


def test_statuses_are_saved_and_read_back(tmp_path):
    assert load_statuses(tmp_path, "project1") == {}
    outcomes = {
        "ada": Outcome("ada", GRADED, seconds=4.5),
        "bob": Outcome("bob", TIMED_OUT, "cell 7 ran past the per-cell time limit", ["output flood"]),
    }
    save_statuses(tmp_path, "project1", outcomes)
    assert load_statuses(tmp_path, "project1") == outcomes
    assert [p.name for p in status_path(tmp_path, "project1").parent.iterdir()] == ["project1-status.json"]


def test_graded_submissions_are_not_among_the_ungraded():
    assert GRADED not in UNGRADED and TIMED_OUT not in UNGRADED
