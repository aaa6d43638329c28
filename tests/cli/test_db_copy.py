"""`labeldesk db copy SRC DST`: the demo project, after some work, into SQLite and through
PostgreSQL and back; every export from the copies is byte for byte the source's."""

from __future__ import annotations

import pytest

from store.copy import TABLES, first_nonempty
from store.db import open_db

from ..conftest import BACKENDS
from ..lived_in import export_bytes, lived_in_project, table_rows
from .conftest import invoke
from .subproc import labeldesk, one_line_error


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "source.db"
    db = open_db(path)
    lived_in_project(db)
    db.close()
    return path


def same_rows(a, b) -> None:
    da, db_ = open_db(a), open_db(b)
    try:
        for table, order in TABLES:
            assert table_rows(da, table, order) == table_rows(db_, table, order), table
    finally:
        da.close()
        db_.close()


def test_copy_into_a_new_file(source, tmp_path):
    target = tmp_path / "copy.db"
    done = invoke("db", "copy", source, target, "--labeler", "rhea")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"{target}: ") and f"copied from {source}" in done.output
    assert export_bytes(invoke, target, tmp_path, "copy") == export_bytes(invoke, source, tmp_path, "src")


@pytest.mark.skipif("postgres" not in BACKENDS, reason="LABELDESK_TEST_BACKENDS leaves PostgreSQL out")
def test_round_trip_through_postgresql(source, tmp_path, pg_cluster):
    url = pg_cluster.new_database()
    back = tmp_path / "back.db"
    try:
        assert invoke("db", "copy", source, url, "--labeler", "rhea").exit_code == 0
        again = invoke("db", "copy", source, url, "--labeler", "rhea")
        assert again.exit_code == 1 and "not empty (table labelers has rows)" in again.output
        assert invoke("db", "copy", url, back, "--labeler", "rhea").exit_code == 0
        on_pg = export_bytes(invoke, url, tmp_path, "pg")
        same_rows(source, url)
    finally:
        pg_cluster.drop(url)
    original = export_bytes(invoke, source, tmp_path, "src")
    assert original["labels"].count(b"\n") > 1000  # the demo's labels, not an empty file
    assert on_pg == original
    assert export_bytes(invoke, back, tmp_path, "back") == original
    same_rows(source, back)


def test_refuses_a_destination_with_rows(source, tmp_path):
    done = labeldesk("db", "copy", str(source), str(source), "--labeler", "rhea")
    assert "not empty (table labelers has rows)" in one_line_error(done)


def test_a_refused_row_leaves_the_destination_empty(source, tmp_path):
    db = open_db(source)
    db.execute("PRAGMA foreign_keys=OFF")  # a hand repair that lost a parent row
    db.execute("INSERT INTO outputs (id, prompt_id, text, position) VALUES ('x', 'gone', 't', 0)")
    db.close()
    target = tmp_path / "copy.db"
    done = labeldesk("db", "copy", str(source), str(target), "--labeler", "rhea")
    assert "FOREIGN KEY" in one_line_error(done)
    db = open_db(target)
    assert first_nonempty(db) is None
    db.close()


def test_researchers_only(source, tmp_path):
    done = labeldesk("db", "copy", str(source), str(tmp_path / "mine.db"), "--labeler", "ana")
    assert "is a labeler; `db copy` is for researchers only" in one_line_error(done)
    assert not (tmp_path / "mine.db").exists()


@pytest.mark.skipif("postgres" not in BACKENDS, reason="LABELDESK_TEST_BACKENDS leaves PostgreSQL out")
def test_an_older_postgresql_source_is_refused_not_migrated(pg_cluster, tmp_path):
    """A PostgreSQL source is only read: one of an older schema is left as it is, with one line
    saying who migrates it."""
    from store.db import connect, immediate
    from store.migrations import LATEST, MIGRATIONS, version

    url = pg_cluster.new_database(empty=True)
    try:
        db = connect(url)
        with immediate(db):
            for step in range(3):
                MIGRATIONS[step](db)
                db.dialect.set_version(db, step + 1)
        for command in (("db", "copy", url, str(tmp_path / "copy.db")), ("export", "labels", "--out", "-", "--db", url)):
            line = one_line_error(labeldesk(*command, "--labeler", "rhea"))
            assert f"schema 3, older than this LabelDesk's ({LATEST}); migrate it first" in line
        assert version(db) == 3
        assert not (tmp_path / "copy.db").exists()
        db.close()
    finally:
        pg_cluster.drop(url)


@pytest.mark.skipif("postgres" not in BACKENDS, reason="LABELDESK_TEST_BACKENDS leaves PostgreSQL out")
def test_a_copy_to_postgresql_goes_on_with_new_ids(source, pg_cluster):
    """Ids are copied as they are, past PostgreSQL's identity sequences: each must be moved on,
    or the first new event (or label, or assignment) collides with a copied row."""
    from store.copy import copy_database
    from store.events import log_event

    url = pg_cluster.new_database()
    try:
        src, dst = open_db(source), open_db(url)
        copy_database(src, dst)
        last = dst.execute("SELECT max(id) FROM events").fetchone()[0]
        log_event(dst, "ana", "test", {})  # raised UniqueViolation with the sequences left behind
        assert dst.execute("SELECT max(id) FROM events").fetchone()[0] > last
        for table, _ in TABLES:
            for (column,) in dst.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass "
                    "AND attidentity != '' AND NOT attisdropped", [table]).fetchall():
                top = dst.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0]
                following = dst.execute("SELECT nextval(pg_get_serial_sequence(?, ?))",
                                        [table, column]).fetchone()[0]
                assert following > top, (table, column)
        src.close()
        dst.close()
    finally:
        pg_cluster.drop(url)
