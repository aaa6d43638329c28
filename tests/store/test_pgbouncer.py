"""Through a real PgBouncer in transaction mode (tests/pgbouncer.py: two server connections
for every client) every rule of the queue holds, and nothing a connection does is left on a
server session for another client: no `SET`, no prepared statement, no session lock."""

from __future__ import annotations

import os

import pytest

from store.db import APP_BUSY_TIMEOUT_MS, open_db
from store.dialect import dialect_of
from store.labels import submit
from store.queue import claim_next
from store.roster import add_labeler
from store.values import LabelValue
from tests import pgbouncer
from tests.conftest import fill_sample
from tests.store.test_concurrent_writers import assert_rules, race


@pytest.fixture(scope="module")
def bouncer(pg_cluster):
    why = pgbouncer.missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PgBouncer tests: {why}")
        pytest.skip(why)
    pooler = pgbouncer.Bouncer(pg_cluster, pool_size=2)
    pooler.start()
    yield pooler
    pooler.stop()


@pytest.fixture
def direct(pg_cluster):
    url = pg_cluster.new_database()
    db = open_db(url)
    yield db
    db.close()
    pg_cluster.drop(url)


@pytest.mark.parametrize("overlap", [1, 3])
def test_the_queues_rules_hold_through_transaction_pooling(direct, bouncer, tmp_path, overlap):
    acked = race(direct, bouncer.url(direct.path), direct.path, tmp_path, overlap, 1.5)
    assert_rules(direct, acked, overlap)


def test_no_session_state_reaches_another_client(direct, bouncer):
    fill_sample(direct)
    add_labeler(direct, "bob")
    url = bouncer.url(direct.path)
    alice, bob = open_db(url, migrate=False), open_db(url, migrate=False)
    try:
        # As the app opens its connection: the wait bound set (PgBouncer hands the server
        # session to others between transactions, so a session SET would reach them).
        dialect_of(alice).set_busy_timeout(alice, APP_BUSY_TIMEOUT_MS)
        for _ in range(8):  # past psycopg's prepare threshold (5), interleaved on 2 sessions
            for db, name in ((alice, "alice"), (bob, "bob")):
                a = claim_next(db, name, "comparison", overlap=2)
                if a is None:
                    break
                values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
                submit(db, a.id, values, seconds=1.0, overlap=2)
                db.execute("SELECT count(*) FROM labels WHERE labeler = ?", [name]).fetchone()
        settings = {bob.execute("SHOW lock_timeout").fetchone()[0] for _ in range(6)}
        assert settings == {"0"}, "a session-level SET reached another client"
        prepared = {bob.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
                    for _ in range(6)}
        assert prepared == {0}, "prepared statements were left on the server sessions"
        locks = direct.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                               ).fetchone()[0]
        assert locks == 0
    finally:
        alice.close()
        bob.close()


def test_an_import_through_transaction_pooling_stops_before_publishing(direct, bouncer):
    """Staging lives in one server session across transactions: behind transaction pooling the
    next batch reaches another session, and the import stops with a clear message, nothing
    published and nothing written into another client's staging."""
    from store.errors import StoreError
    from store.staging import NEEDS_SESSION, Stage

    url = bouncer.url(direct.path)
    researcher, other = open_db(url, migrate=False), open_db(url, migrate=False)
    try:
        stage = Stage(researcher, "labelers", ["name", "role", "created_at"])
        # Another client's transaction takes the server session the stage was made on
        # (PgBouncer hands out the most recently used one first).
        other.conn.run("BEGIN; SELECT 1")
        stage.add(1, {"name": "ana", "role": "labeler", "created_at": "x"})
        with pytest.raises(StoreError) as caught:
            stage.flush()
        assert str(caught.value) == NEEDS_SESSION
        other.conn.run("COMMIT")
        assert direct.execute("SELECT count(*) FROM labelers").fetchone()[0] == 0
    finally:
        researcher.close()
        other.close()
