
from store.imports import import_prompts
from store.rules import PromptRules, RulesConfig
from tests.conftest import write_jsonl

from ..pipeline_data import build


def rows(db):
    return {r[0]: r[1:] for r in db.execute("SELECT id, source, status, reason, split, tasks FROM prompts")}


def tasks_of(db, item):
    return sorted(k for (k,) in db.execute("SELECT kind FROM tasks WHERE item = ?", [item]))


def test_import_stores_status_reason_and_split(db, tmp_path):
    rules = build(db, tmp_path)
    got = rows(db)
    assert got["a4"][1:3] == ("held", "pii") and got["a4"][3] is None
    assert got["a5"][1:3] == ("dropped", "duplicate_prefix")
    for pid in ("a1", "a2", "a3", "a6", "l1"):
        assert got[pid][1:3] == ("pool", None) and got[pid][3] in {"train", "validation", "test"}
    # Held and dropped prompts create no work.
    assert tasks_of(db, "a4") == [] and tasks_of(db, "a5") == []
    assert tasks_of(db, "a1") == ["comparison"] and tasks_of(db, "a6") == ["demonstration"]
    report = rules.report.as_dict()
    assert {k: report[k] for k in ("read", "kept", "duplicate_prefix", "over_user_cap", "pii")} == {
        "read": 6, "kept": 4, "duplicate_prefix": 1, "over_user_cap": 0, "pii": 1}
    assert report["dropped"] == [{"id": "a4", "reason": "pii", "detail": "email"},
                                 {"id": "a5", "reason": "duplicate_prefix", "detail": "a1"}]


def test_prompt_without_source_counts_as_api_under_the_rules(db, tmp_path):
    build(db, tmp_path)
    assert rows(db)["a1"][0] == "api" and rows(db)["l1"][0] == "labeler"


def test_reimport_is_not_judged_against_itself(db, tmp_path):
    build(db, tmp_path)
    before = rows(db)
    rules = PromptRules()
    rules.seed(db)
    result = import_prompts(db, tmp_path / "prompts.jsonl", rules=rules)
    assert (result.added, result.unchanged, rules.report.read) == (0, 7, 0)
    assert rows(db) == before


def test_a_later_import_continues_duplicates_and_caps(db, tmp_path):
    config = RulesConfig(user_cap=2)
    first = write_jsonl(tmp_path / "one.jsonl", [{"id": "x1", "text": "first prompt", "user_id": "u"},
                                           {"id": "x2", "text": "second prompt", "user_id": "u"}])
    second = write_jsonl(tmp_path / "two.jsonl", [{"id": "y1", "text": "third prompt", "user_id": "u"},
                                            {"id": "y2", "text": "first  prompt", "user_id": "v"}])
    for f in (first, second):
        rules = PromptRules(config)
        rules.seed(db)
        import_prompts(db, f, rules=rules)
    got = rows(db)
    assert got["y1"][1:3] == ("dropped", "over_user_cap")
    assert got["y2"][1:3] == ("dropped", "duplicate_prefix")


def test_a_mixed_batch_keeps_every_rows_reason(db, tmp_path):
    """The importer inserts by the first row's columns: a labeler row first must not lose the
    reason of an API row after it."""
    f = write_jsonl(tmp_path / "mixed.jsonl", [
        {"id": "l1", "text": "labeler prompt", "source": "labeler"},
        {"id": "a1", "text": "call me at (415) 555-2671", "source": "api", "user_id": "u"},
    ])
    import_prompts(db, f, rules=PromptRules())
    assert rows(db)["a1"][1:3] == ("held", "pii")


def test_without_api_rules_only_missing_splits_are_filled(db, tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "a1", "text": "call me at (415) 555-2671", "user_id": "u"},
        {"id": "a2", "text": "call me at (415) 555-2671", "user_id": "u", "split": "test"},
    ])
    import_prompts(db, f, rules=PromptRules(api_rules=False))
    got = rows(db)
    assert got["a1"][:3] == (None, "pool", None) and got["a1"][3] in {"train", "validation", "test"}
    assert got["a2"][3] == "test"


def test_a_plain_import_computes_missing_splits_by_user(sample_db):
    splits = dict(sample_db.execute("SELECT user_id, split FROM prompts WHERE user_id IS NOT NULL"))
    assert set(splits) == {"u1", "u2"} and set(splits.values()) <= {"train", "validation", "test"}
    assert sample_db.execute("SELECT count(*) FROM prompts WHERE split IS NULL").fetchone()[0] == 0
