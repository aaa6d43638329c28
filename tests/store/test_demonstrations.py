import pytest

from store import demonstrations, labels, queue
from store.errors import StoreError
from store.resume import unfinished_kind


def write(db, labeler, text):
    a = queue.claim_next(db, labeler, "demonstration")
    demonstrations.submit_demonstration(db, a.id, a.item, text, seconds=3.0)
    return a


def test_a_written_answer_is_queued_for_scoring_under_an_anonymous_id(sample_db):
    a = write(sample_db, "alice", "Light in, sugar out.")
    (label,) = labels.iter_labels(sample_db, labeler="alice", task="demonstration")
    assert (label.item, label.value, label.seconds) == (a.item, "Light in, sugar out.", 3.0)
    tasks = sample_db.execute("SELECT kind, item, quiz FROM tasks WHERE kind = 'demonstration_score'").fetchall()
    assert tasks == [("demonstration_score", f"d{label.id}", "")]
    assert demonstrations.ensure_score_tasks(sample_db) == 0  # idempotent

    demo = demonstrations.get_demonstration(sample_db, f"d{label.id}")
    assert (demo.prompt.id, demo.text) == (a.item, "Light in, sugar out.")
    assert "alice" not in repr(demo)


def test_researchers_score_each_demonstration_once(sample_db):
    write(sample_db, "alice", "One.")
    write(sample_db, "bob", "Two.")
    write(sample_db, "rhea", "A researcher's gold answer is not scored.")
    seen = []
    while (a := demonstrations.claim_score(sample_db, "rhea")) is not None:
        seen.append(a.item)
        demonstrations.submit_score(sample_db, a.id, a.item, 6)
    assert len(seen) == 2 and all(item.startswith("d") for item in seen)
    scores = {r.item: (r.value, r.gold) for r in labels.iter_labels(sample_db, task="demonstration_score")}
    assert scores == {item: (6, True) for item in seen}


def test_only_researchers_score_and_scores_are_validated(sample_db):
    write(sample_db, "alice", "One.")
    with pytest.raises(StoreError, match="not a researcher"):
        demonstrations.claim_score(sample_db, "bob")
    a = demonstrations.claim_score(sample_db, "rhea")
    with pytest.raises(Exception, match="1..7"):
        demonstrations.submit_score(sample_db, a.id, a.item, 8)
    with pytest.raises(StoreError, match="not a demonstration id"):
        demonstrations.get_demonstration(sample_db, "p1")


def test_unfinished_kind_is_the_last_drafted_active_task(sample_db):
    assert unfinished_kind(sample_db, "alice") is None
    w = queue.claim_next(sample_db, "alice", "demonstration")
    t = queue.claim_next(sample_db, "alice", "toxicity")
    assert unfinished_kind(sample_db, "alice") is None  # claimed but nothing typed yet
    labels.save_draft(sample_db, w.id, {"text": "x"})
    assert unfinished_kind(sample_db, "alice") == "demonstration"
    labels.save_draft(sample_db, t.id, {"values": {}})
    assert unfinished_kind(sample_db, "alice") == "toxicity"
    queue.skip(sample_db, t.id, "unclear")
    assert unfinished_kind(sample_db, "alice") == "demonstration"
    assert unfinished_kind(sample_db, "bob") is None
