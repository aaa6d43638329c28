"""`store.copy`: a whole project into an empty database, every row with its id, all or nothing.
SQLite to SQLite here; tests/cli/test_db_copy.py goes through PostgreSQL and back."""

from __future__ import annotations

import pytest

from store.copy import DERIVED, TABLES, copy_database, count_rows, first_nonempty
from store.db import open_db
from store.errors import StoreError
from store.events import log_event
from store.migrations import LATEST

from ..lived_in import lived_in_project, table_rows

pytestmark = pytest.mark.sqlite_only  # the PostgreSQL legs are in tests/cli/test_db_copy.py


@pytest.fixture
def source(tmp_path):
    db = open_db(tmp_path / "source.db")
    lived_in_project(db)
    yield db
    db.close()


@pytest.fixture
def target(tmp_path):
    db = open_db(tmp_path / "target.db")
    yield db
    db.close()


def test_every_row_arrives_with_its_id(source, target):
    result = copy_database(source, target)
    assert result.rows == count_rows(source)
    for table, order in TABLES:
        assert table_rows(target, table, order) == table_rows(source, table, order), table
    # The demo and its use reach most tables: a copy that skipped one would still look fine.
    filled = {t for t, n in result.rows.items() if n}
    assert {"labels", "assignments", "drafts", "events", "quiz_takers", "survey_responses",
            "sessions", "task_counts", "gold_tasks"} <= filled


def test_trigger_kept_tables_are_not_counted_twice(source, target):
    copy_database(source, target)
    # task_counts as the triggers keep it: one per task, never the copied rows plus the
    # rows the triggers added while the tasks arrived.
    assert target.execute("SELECT sum(n) FROM task_counts").fetchone()[0] == \
        target.execute("SELECT count(*) FROM tasks").fetchone()[0]
    assert target.execute(
        "SELECT count(*) - count(DISTINCT task_id) FROM gold_tasks").fetchone()[0] == 0


def test_copied_project_goes_on_with_new_ids(source, target):
    copy_database(source, target)
    last = target.execute("SELECT max(id) FROM events").fetchone()[0]
    log_event(target, "ana", "test", {})
    assert target.execute("SELECT max(id) FROM events").fetchone()[0] == last + 1
    with pytest.raises(Exception, match="append-only"):
        target.execute("DELETE FROM events")  # still append-only on the copy


def test_refuses_a_destination_with_rows(source, target, tmp_path):
    log_event(target, None, "someone was here", {})
    with pytest.raises(StoreError, match="not empty .table events has rows"):
        copy_database(source, target)
    assert target.execute("SELECT count(*) FROM labels").fetchone()[0] == 0


def test_a_failure_midway_leaves_the_destination_empty(source, target):
    calls = []

    def interrupted(n):  # the researcher presses ctrl+c while the labels are copied
        calls.append(n)
        if len(calls) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_database(source, target, progress=interrupted)
    assert first_nonempty(target) is None
    # ... and the destination is still a good, empty one: the next copy fills it.
    assert copy_database(source, target).rows == count_rows(source)


def test_a_row_the_destination_refuses_undoes_the_whole_copy(source, target):
    # A source that lost a parent row (foreign keys off when someone repaired it by hand).
    source.execute("PRAGMA foreign_keys=OFF")
    source.execute("INSERT INTO outputs (id, prompt_id, text, position) VALUES ('x', 'gone', 't', 0)")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        copy_database(source, target)
    assert first_nonempty(target) is None


def test_refuses_a_source_with_a_table_it_does_not_know(source, target):
    source.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    with pytest.raises(StoreError, match="does not know: notes"):
        copy_database(source, target)


def test_the_table_list_is_every_table_parents_first(target):
    """A new migration's table must be added to store.copy.TABLES after its parents."""
    tables = [t for t, _ in TABLES]
    assert sorted(tables) == sorted(target.table_names())
    assert target.execute("PRAGMA user_version").fetchone()[0] == LATEST
    for child in tables:
        for fk in target.execute(f"PRAGMA foreign_key_list({child})"):
            parent = fk[2]
            assert tables.index(parent) < tables.index(child), (child, parent)
    assert tables[-len(DERIVED):] == list(DERIVED)


def test_a_project_in_use_is_copied_as_of_one_moment(source, target, tmp_path):
    before = count_rows(source)
    labeler = open_db(tmp_path / "source.db")  # someone labeling while the copy runs

    def meanwhile(n):
        log_event(labeler, "ana", "claim", {"while": "copying"})
        labeler.execute("DELETE FROM drafts")

    try:
        assert copy_database(source, target, progress=meanwhile).rows == before
    finally:
        labeler.close()
    assert count_rows(target) == before
