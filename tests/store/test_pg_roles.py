"""docs/deployment.md §8's roles and grants, run as written against a real server: the
labelers' role labels; it cannot change the schema, truncate, or touch the event log."""

from __future__ import annotations

import re
import sqlite3

import pytest

from store.db import open_db
from store.labels import LabelValue, submit
from store.queue import claim_next

from ..conftest import BACKENDS, ROOT
from ..lived_in import DEMO_DIR

DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("### Setup"):DOC.index("### Roles and grants")]


def statements(block: str) -> list[str]:
    block = re.sub(r"--.*", "", block).replace(" PASSWORD '…'", "")
    return [s.strip() for s in block.split(";") if s.strip()]


@pytest.mark.skipif("postgres" not in BACKENDS, reason="LABELDESK_TEST_BACKENDS leaves PostgreSQL out")
def test_the_documented_grants(pg_cluster):
    import psycopg

    from store.demo import load_demo

    def admin(url, sql_list):
        with psycopg.connect(url, autocommit=True) as conn:
            for sql in sql_list:
                conn.execute(sql)

    superuser = re.search(r"```sql\n(.*?)```", SECTION, re.S).group(1)
    grants = re.search(r"<<'SQL'\n(.*?)\nSQL\n", SECTION, re.S).group(1)
    admin(pg_cluster.url("postgres"), statements(superuser))
    host = pg_cluster.url("postgres").split("?", 1)[1]
    owner_url = f"postgresql://labeldesk_owner@/labeldesk?{host}"
    app_url = f"postgresql://labeldesk_app@/labeldesk?{host}"
    try:
        owner = open_db(owner_url)  # `labeldesk init` as the owner
        load_demo(owner, DEMO_DIR)
        owner.close()
        admin(owner_url, statements(grants))

        app = open_db(app_url)
        a = claim_next(app, "ben", "comparison", overlap=3)
        values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
        values += [LabelValue("output", o, "rating", 1 + i) for i, o in enumerate(a.order)]
        submit(app, a.id, values, seconds=3.0)
        assert app.execute("SELECT count(*) FROM labels WHERE assignment_id = ?",
                           [a.id]).fetchone()[0] == len(values)
        for sql in ("TRUNCATE events", "DELETE FROM events", "UPDATE events SET kind = 'x'",
                    "ALTER TABLE labels ADD COLUMN x INTEGER", "DROP TABLE labels",
                    "ALTER TABLE events DISABLE TRIGGER ALL", "CREATE TABLE mine (x INTEGER)"):
            with pytest.raises(sqlite3.Error, match="permission denied|must be owner"):
                app.execute(sql)
        app.close()
    finally:
        admin(pg_cluster.url("postgres"), ["DROP DATABASE IF EXISTS labeldesk WITH (FORCE)",
                                           "DROP ROLE IF EXISTS labeldesk_app",
                                           "DROP ROLE IF EXISTS labeldesk_owner"])
