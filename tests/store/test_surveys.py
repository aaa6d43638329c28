import json
from datetime import datetime, timezone

import pytest

from store.errors import StoreError
from store.roster import add_labeler
from store.survey_questions import DEMOGRAPHICS, survey
from store.surveys import has_answered, record_response, summarize

AT = datetime(2026, 11, 23, 14, 37, 12, tzinfo=timezone.utc)


def test_response_rows_have_no_link_to_the_labeler(db, backend):
    add_labeler(db, "alice")
    record_response(db, DEMOGRAPHICS, "alice", {"gender": "woman", "age_band": "25-34"}, at=AT)
    rows = db.execute("SELECT * FROM survey_responses").fetchall()
    assert len(rows) == 1
    columns = [c[0] for c in db.execute("SELECT * FROM survey_responses").description]
    assert columns == ["id", "survey", "month", "answers"]
    _id, kind, month, answers = rows[0]
    assert (kind, month, json.loads(answers)) == ("demographics", "2026-11", {"age_band": "25-34", "gender": "woman"})
    if backend == "sqlite":
        dump = "\n".join(db.conn.iterdump())
        survey_lines = [line for line in dump.splitlines() if "survey_responses" in line]
        assert not any("alice" in line or "14:37" in line for line in survey_lines)
    assert not db.execute("SELECT count(*) FROM events WHERE data LIKE '%demographics%'").fetchone()[0]
    assert has_answered(db, "demographics", "alice")
    with pytest.raises(StoreError, match="already answered"):
        record_response(db, DEMOGRAPHICS, "alice", {}, at=AT)


# PostgreSQL keeps rows in insertion order with their transaction ids (xmin): there the order
# is visible to whoever can read the tables directly (ARCHITECTURE.md, the two backends).
@pytest.mark.sqlite_only
def test_storage_order_does_not_follow_answer_order(db):
    ages = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"] * 4
    for i, age in enumerate(ages):
        add_labeler(db, f"l{i}")
        record_response(db, DEMOGRAPHICS, f"l{i}", {"age_band": age}, at=AT)
    stored = [json.loads(a)["age_band"] for (a,) in db.execute("SELECT answers FROM survey_responses")]
    assert sorted(stored) == sorted(ages) and stored != ages


def test_summary_is_k_anonymous(db):
    sat = survey("satisfaction")
    for i in range(4):
        add_labeler(db, f"l{i}")
        record_response(db, sat, f"l{i}", {"glad": 5, "paid_fairly": 2}, at=AT)
    small = summarize(db, sat)
    assert small["responses"] == 4 and "questions" not in small
    for i in range(4, 7):
        add_labeler(db, f"l{i}")
        record_response(db, sat, f"l{i}", {"glad": 4 if i == 6 else 5, "comment": "more breaks"}, at=AT)
    full = summarize(db, sat)
    glad = full["questions"]["glad"]
    assert glad["counts"] == {"strongly agree": 6, "(fewer than 5 each)": 1}
    assert glad["mean"] == round((6 * 5 + 4) / 7, 2)
    assert full["questions"]["paid_fairly"]["counts"] == {"(fewer than 5 each)": 4}
    assert full["questions"]["comment"]["comments"] == []  # only 3 comments: fewer than k
