"""Issue 14 (14): a long import does not hold the write lock while it reads the file, so labelers'
claims and saves go on; the researcher still gets all or nothing."""

from __future__ import annotations

import json

import pytest

from store import labels
from store.db import open_db
from store.errors import ImportFileError
from store.imports import import_outputs, import_prompts
from store.queue import claim_next


def _prompts(path, n, *, bad_last=False):
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"big{i}", "text": f"Prompt {i}"}) + "\n")
        if bad_last:
            f.write(json.dumps({"id": "bad", "text": "x", "source": "web"}) + "\n")
    return path


@pytest.fixture
def labeler_db(sample_db, db_path):
    """alice's own connection, as her app has it, failing at once instead of waiting."""
    other = open_db(db_path)
    other.dialect.set_busy_timeout(other, 0)
    yield other
    other.conn.close()


def _labeler_works(other, seen):
    def progress(_nbytes):
        seen["lines"] += 1
        if seen["lines"] % 1500 == 0:  # mid-import, after staged batches
            a = claim_next(other, "alice", "comparison", overlap=3)
            labels.save_draft(other, a.id, {"at": seen["lines"]}, lease_seconds=600)
            seen["saves"] += 1
    return progress


def test_labelers_save_while_a_long_import_runs(sample_db, labeler_db, tmp_path):
    seen = {"lines": 0, "saves": 0}
    result = import_prompts(sample_db, _prompts(tmp_path / "big.jsonl", 6000), progress=_labeler_works(labeler_db, seen))
    assert seen["saves"] == 4 and result.added == 6000
    assert sample_db.execute("SELECT count(*) FROM prompts WHERE id LIKE 'big%'").fetchone()[0] == 6000
    assert sample_db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1


def test_a_bad_last_record_publishes_nothing_and_keeps_the_labelers_work(sample_db, labeler_db, tmp_path):
    seen = {"lines": 0, "saves": 0}
    with pytest.raises(ImportFileError, match=r":6001: source"):
        import_prompts(sample_db, _prompts(tmp_path / "big.jsonl", 6000, bad_last=True),
                       progress=_labeler_works(labeler_db, seen))
    assert seen["saves"] == 4
    assert sample_db.execute("SELECT count(*) FROM prompts WHERE id LIKE 'big%'").fetchone()[0] == 0
    assert sample_db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1


def test_a_prompt_added_meanwhile_with_other_text_refuses_the_file(sample_db, labeler_db, tmp_path):
    calls = []

    def progress(_nbytes):
        calls.append(1)
        if len(calls) == 5:  # line 3 was checked already; another import adds big2 now
            labeler_db.execute("INSERT INTO prompts (id, text, created_at) VALUES ('big2', 'other', 'x')")
    with pytest.raises(ImportFileError, match=r":3: text: prompt 'big2' was added with different content"):
        import_prompts(sample_db, _prompts(tmp_path / "p.jsonl", 5), progress=progress)
    assert sample_db.execute("SELECT count(*) FROM prompts WHERE id LIKE 'big%'").fetchone()[0] == 1


def test_outputs_are_staged_too(sample_db, labeler_db, tmp_path):
    import_prompts(sample_db, _prompts(tmp_path / "p.jsonl", 1000))
    path = tmp_path / "o.jsonl"
    with path.open("w") as f:
        for i in range(1000):
            for k in range(3):
                f.write(json.dumps({"id": f"o{i}-{k}", "prompt_id": f"big{i}", "text": f"answer {k}"}) + "\n")
    seen = {"lines": 0, "saves": 0}
    result = import_outputs(sample_db, path, progress=_labeler_works(labeler_db, seen))
    assert seen["saves"] == 2 and result.added == 3000
    assert sample_db.execute("SELECT count(*) FROM tasks WHERE kind = 'comparison' AND item LIKE 'big%'").fetchone() == (1000,)


def _ratings(path, labeler, n, value=3):
    items = ["p1-a", "p1-b", "p1-c", "p2-a", "p2-b"]
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"labeler": f"{labeler}{i}", "task": "output", "item": items[i % 5],
                                "field": "rating", "value": value}) + "\n")
    return path


def test_labelers_save_while_a_labels_import_runs(sample_db, labeler_db, tmp_path):
    from store.imports import import_labels

    seen = {"lines": 0, "saves": 0}
    result = import_labels(sample_db, _ratings(tmp_path / "l.jsonl", "x", 4000), add_labelers=True,
                           progress=_labeler_works(labeler_db, seen))
    assert seen["saves"] == 2 and result.added == 4000 and len(result.new_labelers) == 4000
    assert sample_db.execute("SELECT count(*) FROM labels WHERE labeler LIKE 'x%'").fetchone() == (4000,)


def test_a_label_changed_while_the_file_is_read_refuses_the_file(sample_db, labeler_db, tmp_path):
    from store.imports import import_labels

    import_labels(sample_db, _ratings(tmp_path / "a.jsonl", "alice", 1, value=2), add_labelers=True)
    calls = []

    def progress(_nbytes):
        calls.append(1)
        if len(calls) == 2:  # line 1 was checked against value 2; the label changes now
            labeler_db.execute("UPDATE labels SET value = '5' WHERE labeler = 'alice0'")
    path = _ratings(tmp_path / "b.jsonl", "alice", 1, value=4)
    path.write_text(path.read_text() + json.dumps({"labeler": "bob", "task": "output", "item": "p2-a",
                                                   "field": "rating", "value": 1}) + "\n")
    with pytest.raises(ImportFileError, match=r"b\.jsonl:1: value: alice0's label here changed while this file was read"):
        import_labels(sample_db, path, replace=True, progress=progress)
    assert sample_db.execute("SELECT value FROM labels WHERE labeler = 'alice0'").fetchone() == ("5",)
    assert sample_db.execute("SELECT count(*) FROM labels WHERE labeler = 'bob'").fetchone() == (0,)
