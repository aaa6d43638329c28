"""A command whose PostgreSQL connection is lost while it runs (the server restarted, or the
backend ended): one line saying the database cannot be reached, exit 1, no driver traceback."""

from __future__ import annotations

import pytest

from tests.cli.subproc import labeldesk_here, one_line_error


@pytest.mark.postgres_only
def test_a_connection_lost_mid_command_is_one_line(sample_db, db_path, monkeypatch):
    import psycopg

    from store import roster

    listed = roster.list_labelers

    def list_after_the_server_ended_us(db):
        with psycopg.connect(db.path, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [db.conn.raw.info.backend_pid])
        return listed(db)

    monkeypatch.setattr(roster, "list_labelers", list_after_the_server_ended_us)
    line = one_line_error(labeldesk_here("labelers", "list", "--db", str(db_path)))
    assert "the database cannot be reached" in line and "OperationalError" not in line
