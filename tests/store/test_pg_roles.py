"""docs/deployment.md §8's roles and grants, run as written against a real server: the
labelers' role does a labeler's whole day (claims, drafts, submits, hidden gold checks, a pause,
skips, flags, writing, a quiz, a survey, sessions, self-registration), and is refused everything
else — the roster's roles, gold, deleting labels or the schema version, the event log, the
schema itself, lifting its own pause, reading survey answers."""

from __future__ import annotations

import re
import sqlite3

import pytest

from store.db import immediate, open_db
from store.demonstrations import submit_demonstration
from store.disputes import Rules
from store.quality.policy import QualityPolicy
from store.quality.status import set_status
from store.roster import add_labeler
from store.sessions import end_session, start_session, touch_session
from store.task_session import TaskSession
from store.values import LabelValue

from ..conftest import BACKENDS, QUIZ_EXAMPLE, ROOT, take_quiz
from ..lived_in import DEMO_DIR

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS,
                                reason="LABELDESK_TEST_BACKENDS leaves PostgreSQL out")

DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("### Setup"):DOC.index("### Roles and grants")]
REFUSED = "permission denied|must be owner|row-level security"


def statements(block: str) -> list[str]:
    block = re.sub(r"--.*", "", block).replace(" PASSWORD '…'", "")
    return [s.strip() for s in block.split(";") if s.strip()]


def admin(url, sql_list):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for sql in sql_list:
            conn.execute(sql)


@pytest.fixture(scope="module")
def roles(pg_cluster):
    """The documented setup: (owner URL, app URL), the demo project loaded by the owner."""
    from store.demo import load_demo
    from store.quiz.admin import assign_quiz, import_quiz

    superuser = re.search(r"```sql\n(.*?)```", SECTION, re.S).group(1)
    grants = re.search(r"<<'SQL'\n(.*?)\nSQL\n", SECTION, re.S).group(1)
    admin(pg_cluster.url("postgres"), statements(superuser))
    host = pg_cluster.url("postgres").split("?", 1)[1]
    owner_url = f"postgresql://labeldesk_owner@/labeldesk?{host}"
    try:
        owner = open_db(owner_url)  # `labeldesk init` as the owner
        load_demo(owner, DEMO_DIR)
        quiz = import_quiz(owner, QUIZ_EXAMPLE).name
        assign_quiz(owner, quiz, ["ben"])
        with immediate(owner):  # a labeler a researcher paused
            set_status(owner, "ana", "paused", ["below the bar"])
        owner.close()
        admin(owner_url, statements(grants))
        admin(owner_url, statements(grants))  # run again (after an upgrade): the same grants
        yield owner_url, f"postgresql://labeldesk_app@/labeldesk?{host}"
    finally:
        admin(pg_cluster.url("postgres"), ["DROP DATABASE IF EXISTS labeldesk WITH (FORCE)",
                                           "DROP ROLE IF EXISTS labeldesk_app",
                                           "DROP ROLE IF EXISTS labeldesk_owner"])


def comparison_values(view) -> list[LabelValue]:
    order = [o.id for o in view.outputs]
    values = [LabelValue("ranking", view.prompt.id, "ranking", [[o] for o in order])]
    return values + [LabelValue("output", o, "rating", 1 + i % 7) for i, o in enumerate(order)]


def test_a_labelers_day_as_the_app_role(roles):
    owner_url, app_url = roles
    app = open_db(app_url)
    try:
        add_labeler(app, "dee")  # self-registration: a new name, role labeler
        start_session(app, "ben")
        touch_session(app)
        # Every claim a gold check, paused after the first miss: the whole quality path.
        policy = QualityPolicy(gold_rate=1.0, min_gold=1, warn_below=1.0, pause_below=1.0)
        work = TaskSession(app, "ben", "comparison", overlap=3, lease_seconds=600, policy=policy)
        for _ in range(3):
            claimed = work.claim()
            if work.view is None:
                break
            assert work.save_draft({"ranking": "B>A"}).__class__.__name__ == "Saved", claimed
            assert work.flag(True).__class__.__name__ == "Saved"
            outcome = work.submit(comparison_values(work.view))
            assert outcome.__class__.__name__ == "Saved", outcome
        assert app.execute("SELECT count(*) FROM gold_answers WHERE labeler = 'ben'").fetchone()[0] >= 1
        plain = TaskSession(app, "cai", "comparison", overlap=1, lease_seconds=600,
                            escalation=Rules())  # a finished item is checked for disputes
        plain.claim()
        assert plain.skip("cannot judge it").__class__.__name__ == "Saved"
        plain.claim()
        assert plain.submit(comparison_values(plain.view)).__class__.__name__ == "Saved"
        with immediate(app):  # a label written again, as a later submit of the same item does
            app.execute("UPDATE labels SET value = '3' WHERE labeler = 'cai' AND gold = 0 "
                        "AND task = 'output'")
        writing = TaskSession(app, "cai", "demonstration", overlap=1, lease_seconds=600)
        writing.claim()
        outcome = writing.submit_with(submit_demonstration, app, writing.assignment_id,
                                      writing.view.prompt.id, "An answer.", seconds=5.0, overlap=1)
        assert outcome.__class__.__name__ == "Saved", outcome  # and a scoring task queued
        take_quiz(app, "ben")
        from store.survey_questions import DEMOGRAPHICS
        from store.surveys import record_response

        record_response(app, DEMOGRAPHICS, "cai", {"gender": "woman", "age_band": "25-34"})
        end_session(app)
    finally:
        app.close()
    owner = open_db(owner_url)
    try:
        assert owner.execute("SELECT status FROM quality_status WHERE labeler = 'ben'").fetchone() == ("paused",)
        assert owner.execute("SELECT role FROM labelers WHERE name = 'dee'").fetchone() == ("labeler",)
        assert owner.execute("SELECT count(*) FROM tasks WHERE kind = 'demonstration_score'").fetchone()[0] >= 1
    finally:
        owner.close()


REFUSALS = [
    "UPDATE labelers SET role = 'researcher' WHERE name = 'ben'",
    "INSERT INTO labelers (name, role, created_at) VALUES ('mallory', 'researcher', 'x')",
    "DELETE FROM labelers WHERE name = 'ana'",
    "INSERT INTO labels (labeler, task, item, field, value, gold, created_at) "
    "VALUES ('ben', 'output', 'x', 'rating', '7', 1, 'x')",
    "UPDATE labels SET gold = 1 WHERE labeler = 'ana'",
    "UPDATE labels SET adjudication_id = 1 WHERE labeler = 'ana'",
    "UPDATE labels SET labeler = 'rhea' WHERE labeler = 'ana'",
    "DELETE FROM labels",
    "DELETE FROM schema_version",
    "UPDATE schema_version SET version = 1",
    "UPDATE assignments SET labeler = 'ana'",
    "UPDATE assignments SET gold_check = 0",
    "DELETE FROM assignments",
    "UPDATE tasks SET item = 'x'",
    "DELETE FROM tasks",
    "UPDATE gold_answers SET answers = '[]'",
    "DELETE FROM gold_answers",
    "SELECT count(*) FROM survey_responses",
    "DELETE FROM survey_takers",
    "DELETE FROM quality_status",
    "UPDATE quality_status SET status = 'ok' WHERE labeler = 'ana'",
    "INSERT INTO quality_status (labeler, status, reasons, changed_at, resumed_at, checked_through) "
    "VALUES ('rhea', 'ok', '[]', 'x', 'x', 0)",
    "UPDATE prompts SET text = 'x'",
    "UPDATE outputs SET text = 'x'",
    "INSERT INTO adjudications (kind, item, researcher, reason, rules, letters, decided_at) "
    "VALUES ('ranking', 'x', 'rhea', '', '', '{}', 'x')",
    "DELETE FROM quizzes",
    "UPDATE quiz_takers SET quiz = 'x'",
    "INSERT INTO gold_tasks (task_id, kind) VALUES (1, 'comparison')",
    "UPDATE task_counts SET n = 0",
    "INSERT INTO dispute_checks (task_id, item, done, rules) VALUES (1, 'x', 9, '')",
    "DELETE FROM dispute_checks",
    "TRUNCATE events", "DELETE FROM events", "UPDATE events SET kind = 'x'",
    "ALTER TABLE labels ADD COLUMN x INTEGER", "DROP TABLE labels",
    "ALTER TABLE events DISABLE TRIGGER ALL", "CREATE TABLE mine (x INTEGER)",
    "ALTER TABLE labels DISABLE ROW LEVEL SECURITY", "DROP POLICY app_redo ON labels",
]


@pytest.mark.parametrize("sql", REFUSALS)
def test_what_the_app_role_is_refused(roles, sql):
    _owner_url, app_url = roles
    app = open_db(app_url)
    try:
        with pytest.raises(sqlite3.Error, match=REFUSED):
            app.execute(sql)
    finally:
        app.close()


def test_gold_rows_are_out_of_the_app_roles_reach(roles):
    """An UPDATE of gold rows finds none to change (row-level security hides them from writes,
    not from reads: the session scores gold checks against them)."""
    owner_url, app_url = roles
    owner = open_db(owner_url)
    gold = owner.execute("SELECT id, value FROM labels WHERE gold = 1 ORDER BY id").fetchall()
    assert gold
    app = open_db(app_url)
    try:
        assert app.execute("SELECT count(*) FROM labels WHERE gold = 1").fetchone()[0] == len(gold)
        assert app.execute("UPDATE labels SET value = '1' WHERE gold = 1").rowcount == 0
    finally:
        app.close()
    assert owner.execute("SELECT id, value FROM labels WHERE gold = 1 ORDER BY id").fetchall() == gold
    owner.close()
