from math import comb

import pytest

from store.exports import export_pairs, export_ppo, export_sft

from ..pipeline_data import NEW, build


@pytest.fixture
def pdb(db, tmp_path):
    build(db, tmp_path)
    return db


def records(export, *args, **kwargs):
    return list(export(*args, **kwargs).records())


def split_of(db, prompt_id):
    return db.execute("SELECT split FROM prompts WHERE id = ?", [prompt_id]).fetchone()[0]


def test_sft_chat_records_field_by_field(pdb):
    got = records(export_sft, pdb)
    assert got == [
        {"prompt_id": "a3", "messages": [{"role": "user", "content": "Explain tides to a child."},
                                         {"role": "assistant", "content": "The moon pulls the sea."}]},
        {"prompt_id": "a3", "messages": [{"role": "user", "content": "Explain tides to a child."},
                                         {"role": "assistant", "content": "Water moves with the moon."}]},
        {"prompt_id": "l1", "messages": [{"role": "user", "content": "List three fruits."},
                                         {"role": "assistant", "content": "Apple, pear, plum."}]},
    ]


def test_sft_prompt_completion_and_since(pdb):
    got = records(export_sft, pdb, format="prompt-completion", since=NEW)
    assert got == [
        {"prompt_id": "a3", "prompt": "Explain tides to a child.", "completion": "The moon pulls the sea."},
        {"prompt_id": "l1", "prompt": "List three fruits.", "completion": "Apple, pear, plum."},
    ]
    with pytest.raises(ValueError):
        export_sft(pdb, format="alpaca")


def test_pairs_are_every_untied_pair_with_trl_names(pdb):
    got = records(export_pairs, pdb)
    # alice a1: C(5,2)-1, bob a1: C(5,2), rhea a2: C(4,2)-C(3,2), bob a2 all tied: 0; a4 held.
    assert len(got) == (comb(5, 2) - 1) + comb(5, 2) + (comb(4, 2) - comb(3, 2)) + 0
    assert {r["prompt_id"] for r in got} == {"a1", "a2"}
    first = got[0]
    assert first == {"prompt_id": "a1", "prompt": "Write a haiku about rain.", "chosen": "haiku 1",
                     "rejected": "haiku 2", "chosen_id": "a1-o1", "rejected_id": "a1-o2", "labeler": "alice"}
    alice = {(r["chosen_id"], r["rejected_id"]) for r in got if r["labeler"] == "alice"}
    assert ("a1-o2", "a1-o3") not in alice and ("a1-o3", "a1-o2") not in alice
    for r in got:
        assert r["chosen"] == r["chosen_id"].replace("a1-o", "haiku ").replace("a2-o", "number ")
        assert r["rejected"] == r["rejected_id"].replace("a1-o", "haiku ").replace("a2-o", "number ")


def test_pairs_gold_only_since_split_and_labelers(pdb):
    gold = records(export_pairs, pdb, gold_only=True)
    assert {(r["labeler"], r["prompt_id"]) for r in gold} == {("rhea", "a2")} and len(gold) == 3
    recent = records(export_pairs, pdb, since=NEW)
    assert "bob" not in {r["labeler"] for r in recent if r["prompt_id"] == "a1"}
    only_a1_split = records(export_pairs, pdb, split=split_of(pdb, "a1"))
    assert all(split_of(pdb, r["prompt_id"]) == split_of(pdb, "a1") for r in only_a1_split)
    assert "a1" in {r["prompt_id"] for r in only_a1_split}
    # Gold rankings stay whoever is chosen.
    assert {r["labeler"] for r in records(export_pairs, pdb, labelers={"bob"})} == {"bob", "rhea"}


def test_agreeing_labelers_compares_rankings_with_gold(pdb):
    from store.errors import StoreError
    from store.exports import agreeing_labelers

    # Agreement needs two prompts with gold: add gold on a1 equal to bob's ranking of it.
    pdb.execute("INSERT INTO labels (labeler, task, item, field, value, gold, created_at) "
                "SELECT 'rhea', task, item, field, value, 1, created_at FROM labels "
                "WHERE labeler = 'bob' AND item = 'a1'")
    # bob: a1 all 10 pairs as gold; a2 all tied, so no pair compared: 10/10.
    # alice shares only a1 with gold: too few to compare, so never among them.
    assert agreeing_labelers(pdb, 1.0) == {"bob"}
    # bob's a2 now reverses gold's three strict pairs: 10/13.
    pdb.execute("UPDATE labels SET value = ? WHERE labeler = 'bob' AND item = 'a2'",
                ['[["a2-o4"], ["a2-o2"], ["a2-o3"], ["a2-o1"]]'])
    assert agreeing_labelers(pdb, 0.76) == {"bob"} and agreeing_labelers(pdb, 0.78) == set()
    pdb.execute("DELETE FROM labels WHERE gold = 1")
    with pytest.raises(StoreError, match="no gold"):
        agreeing_labelers(pdb, 0.5)


def test_export_total_counts_source_rows_and_progress_advances(pdb):
    exp = export_pairs(pdb)
    ticks = []
    out = list(exp.records(ticks.append))
    assert exp.total == 4 and sum(ticks) == 4 and len(out) == 22


def test_ppo_is_kept_api_prompts_only(pdb):
    got = records(export_ppo, pdb)
    assert [r["prompt_id"] for r in got] == ["a1", "a2", "a3", "a6"]
    assert all(set(r) == {"prompt_id", "prompt", "split"} and r["split"] for r in got)
    assert [r["prompt_id"] for r in records(export_ppo, pdb, exclude_labeled=True)] == ["a6"]
    split = split_of(pdb, "a6")
    assert all(r["split"] == split for r in records(export_ppo, pdb, split=split))


def test_routed_pii_prompts_are_labeled_but_never_exported(db, tmp_path):
    from store.rules import RulesConfig

    build(db, tmp_path, RulesConfig(pii_action="route_to_instruction"))
    assert db.execute("SELECT kind FROM tasks WHERE item = 'a4'").fetchall() == [("instruction",)]
    for export in (export_sft, export_pairs, export_ppo):
        assert "a4" not in {r["prompt_id"] for r in records(export, db)}


def test_export_streams_while_the_database_is_written(pdb):
    """A cursor of its own: writing on the same connection mid-export does not reset it."""
    it = export_ppo(pdb).records()
    first = next(it)
    pdb.execute("UPDATE prompts SET category = 'other' WHERE id = 'a6'")
    assert [first["prompt_id"]] + [r["prompt_id"] for r in it] == ["a1", "a2", "a3", "a6"]
