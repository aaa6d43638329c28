"""A write that finds the database busy leaves its connection ready for the next try (on
PostgreSQL a lock wait past lock_timeout aborts the transaction it began)."""

import sqlite3

import pytest

from store.db import immediate, open_db, retry_busy
from store.events import log_event


def write(db):
    with immediate(db):  # takes the write lock, as every read-then-write does
        log_event(db, "ana", "claim", {})


def test_a_busy_write_can_be_tried_again(db_path):
    holder, waiter = open_db(db_path), open_db(db_path)
    try:
        with immediate(holder):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                retry_busy(write, waiter, bound=0.05)
            assert not waiter.conn.in_transaction
        retry_busy(write, waiter, bound=5)  # the holder is done
        assert waiter.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    finally:
        holder.close()
        waiter.close()
