"""What is PostgreSQL's own: the dialect's rewriting, opening a server database, claims that
skip each other's locked tasks, and errors in the kinds the store knows. (Every other store
test runs on both backends: tests/conftest.py `backend`.)"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from store import queue
from store.db import connect, immediate, open_db
from store.dialect import POSTGRES, SQLITE
from store.errors import StoreError, fault_kind
from store.roster import add_labeler


def test_sqlite_statements_are_untouched():
    sql = "SELECT * FROM t WHERE a IS NOT ? AND b LIKE 'x%' AND full = 0"
    assert SQLITE.sql(sql) == sql


@pytest.mark.parametrize(("sqlite", "postgres"), [
    ("SELECT a FROM t WHERE b = ? AND c LIKE 'x%'", "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%'"),
    ("SELECT '?', \"a?\" FROM t WHERE x = ?", "SELECT '?', \"a?\" FROM t WHERE x = %s"),
    ("WHERE a.labeler IS NOT ? AND b IS NULL", "WHERE a.labeler IS DISTINCT FROM %s AND b IS NULL"),
    ("WHERE v IS ? AND w IS NOT NULL", "WHERE v IS NOT DISTINCT FROM %s AND w IS NOT NULL"),
    ("INSERT OR IGNORE INTO tasks (kind) SELECT k FROM x",
     "INSERT INTO tasks (kind) SELECT k FROM x ON CONFLICT DO NOTHING"),
    ("UPDATE tasks SET full = 1 WHERE t.full = 0", 'UPDATE tasks SET "full" = 1 WHERE t.full = 0'),
    ("SELECT x FROM temp.stage_a JOIN main.prompts", "SELECT x FROM pg_temp.stage_a JOIN prompts"),
    ("FROM prompts p, json_each(p.tasks) j WHERE j.value = 'x'",
     "FROM prompts p, json_array_elements_text(p.tasks::json) AS j(value) WHERE j.value = 'x'"),
    ("WHERE o.prompt_id = :p", "WHERE o.prompt_id = %(p)s"),
    ("FROM assignments a CROSS JOIN tasks t ON t.id = a.task_id",
     "FROM assignments a JOIN tasks t ON t.id = a.task_id"),
])
def test_postgres_rewrites_sqlite_spelling(sqlite, postgres):
    assert POSTGRES.sql(sqlite) == postgres


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path):
    url = f"postgresql://ana:s3cret@/desk?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StoreError) as caught:
        open_db(url)
    message = str(caught.value)
    assert "\n" not in message.strip() and "s3cret" not in message
    assert message.startswith("postgresql://ana:***@/desk") and "cannot connect to PostgreSQL" in message


def test_a_foreign_database_is_refused(pg_cluster):
    url = pg_cluster.new_database(empty=True)
    try:
        other = connect(url)
        other.execute("CREATE TABLE mine (x TEXT)")
        other.close()
        with pytest.raises(StoreError, match="not a LabelDesk database"):
            open_db(url)
    finally:
        pg_cluster.drop(url)


def test_only_init_makes_an_empty_server_database_a_labeldesk_one(pg_cluster):
    from tui.cli import cli

    url = pg_cluster.new_database(empty=True)
    try:
        refused = CliRunner().invoke(cli, ["labelers", "list", "--db", url])
        assert refused.exit_code == 1 and "no LabelDesk database there" in refused.output
        assert CliRunner().invoke(cli, ["init", "--db", url]).exit_code == 0
        assert CliRunner().invoke(cli, ["labelers", "add", "ana", "--db", url]).exit_code == 0
        listed = CliRunner().invoke(cli, ["labelers", "list", "--db", url])
        assert listed.exit_code == 0 and "ana" in listed.output
    finally:
        pg_cluster.drop(url)


@pytest.fixture
def pg(pg_cluster):
    url = pg_cluster.new_database()
    db = open_db(url)
    yield db, url
    db.close()
    pg_cluster.drop(url)


def _writing_tasks(db, n):
    with immediate(db):
        for i in range(n):
            db.execute("INSERT INTO prompts (id, text, tasks, created_at) "
                       "VALUES (?, 'w', '[\"demonstration\"]', 'x')", [f"w{i}"])
            db.execute("INSERT INTO tasks (kind, item, created_at) VALUES ('demonstration', ?, 'x')",
                       [f"w{i}"])


def test_a_claim_in_flight_is_skipped_not_waited_for(pg):
    """Claims run side by side: one whose transaction holds the oldest task (locked, not yet
    committed) makes the next claim take the following task at once."""
    db, url = pg
    _writing_tasks(db, 2)
    add_labeler(db, "ana")
    add_labeler(db, "ben")
    other = open_db(url)
    try:
        with immediate(other, shared=True):
            held = next(queue.open_tasks(other, "demonstration", "", "ana", 1, "x"))
            assert held[1] == "w0"
            # ben's claim does not wait for ana's transaction (it would hold the lock forever).
            POSTGRES.set_busy_timeout(db, 1)
            got = queue.claim_next(db, "ben", "demonstration", overlap=1)
            assert got is not None and got.item == "w1"
    finally:
        other.close()


def test_a_held_write_lock_is_busy_and_leaves_no_broken_transaction(pg):
    db, url = pg
    other = open_db(url)
    try:
        with immediate(other):
            POSTGRES.set_busy_timeout(db, 1)
            with pytest.raises(sqlite3.OperationalError) as caught:
                add_labeler(db, "ana")
            assert fault_kind(caught.value) == "busy"
        assert not db.conn.in_transaction
        assert add_labeler(db, "ana")  # the next write goes through
    finally:
        other.close()


def test_a_duplicate_is_an_integrity_error_as_in_sqlite(pg):
    db, _url = pg
    db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('ana', 'labeler', 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('ana', 'labeler', 'x')")


def test_a_newer_schema_names_the_database_without_its_password(pg_cluster):
    from store.migrations import LATEST

    url = pg_cluster.new_database()
    try:
        conn = connect(url)
        conn.execute("ALTER USER postgres PASSWORD 'pw'")  # trust auth: the URL's password is unused
        conn.dialect.set_version(conn, LATEST + 1)
        conn.close()
        with_password = url.replace("postgres@", "postgres:pw@")
        with pytest.raises(StoreError, match="newer LabelDesk") as caught:
            open_db(with_password)
        assert "pw@" not in str(caught.value) and "postgres:***@" in str(caught.value)
    finally:
        pg_cluster.drop(url)


def test_labeldesk_db_and_the_config_url_select_postgresql(pg, tmp_path, monkeypatch):
    from tui.cli import cli

    db, url = pg
    add_labeler(db, "ana")
    monkeypatch.setenv("LABELDESK_DB", url)
    by_env = CliRunner().invoke(cli, ["labelers", "list"])
    assert by_env.exit_code == 0 and "ana" in by_env.output
    monkeypatch.delenv("LABELDESK_DB")
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    by_config = CliRunner().invoke(cli, ["labelers", "list", "--config", str(config)])
    assert by_config.exit_code == 0 and "ana" in by_config.output


def _conninfo(db) -> dict[str, str]:
    return {o.keyword.decode(): (o.val or b"").decode() for o in db.conn.raw.pgconn.info}


def test_connections_find_a_silent_server(pg_cluster):
    """TCP keepalives and a send timeout on every connection (a dead host closes nothing);
    a URL's own values win."""
    url = pg_cluster.new_database()
    try:
        db = connect(url)
        info = _conninfo(db)
        assert (info["keepalives"], info["keepalives_idle"], info["tcp_user_timeout"]) == (
            "1", "30", "30000")
        db.close()
        sep = "&" if "?" in url else "?"
        own = connect(f"{url}{sep}keepalives_idle=5&tcp_user_timeout=1000")
        info = _conninfo(own)
        assert (info["keepalives_idle"], info["tcp_user_timeout"]) == ("5", "1000")
        own.close()
    finally:
        pg_cluster.drop(url)
