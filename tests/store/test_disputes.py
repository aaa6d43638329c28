"""Disagreement rules, escalation past the overlap, and the researcher's decision."""

import math
from datetime import timedelta

import pytest

from store.adjudication import decide, next_case
from store.db import immediate
from store.disputes import Rules, list_disputes
from store.errors import StoreError
from store.labels import submit
from store.schema import load_schema
from store.values import LabelValue
from tests.conftest import T0, claim

RULES = Rules(max_overlap=3)


def overlap(kind):
    return 2


def label(db, a, rating, ranking, pii=False, overlap=2):
    values = [LabelValue("output", "p1-a", "rating", rating),
              LabelValue("instruction", a.item, "pii", pii),
              LabelValue("ranking", a.item, "ranking", ranking)]
    submit(db, a.id, values, seconds=12.5, overlap=overlap, escalation=RULES)


def test_agreeing_labelers_leave_no_dispute(sample_db):
    for who in ("alice", "bob"):
        a = claim(sample_db, who, escalation=RULES)
        label(sample_db, a, 5, [["p1-a"], ["p1-b"], ["p1-c"]])
    assert list_disputes(sample_db, RULES, overlap) == []
    # Full at overlap 2: carol gets the next item, not p1.
    assert claim(sample_db, "carol", escalation=RULES).item == "p2"


def test_each_rule_fires_and_is_named(sample_db):
    a = claim(sample_db, "alice", escalation=RULES)
    label(sample_db, a, 2, [["p1-a"], ["p1-b"], ["p1-c"]], pii=True)
    b = claim(sample_db, "bob", escalation=RULES)
    label(sample_db, b, 6, [["p1-c"], ["p1-b"], ["p1-a"]], pii=False)
    (d,) = list_disputes(sample_db, RULES, overlap)
    rules = {f.rule: f for f in d.findings}
    assert d.item == "p1" and d.status == "escalated" and d.labelers == 2
    assert set(rules) == {"rating_spread", "sensitive_split", "ranking_agreement"}
    assert rules["ranking_agreement"].detail == "lowest pairwise agreement 0.00"
    assert rules["sensitive_split"].field == "pii"


def test_thresholds_come_from_the_rules(sample_db):
    for who, rating in (("alice", 3), ("bob", 5)):
        a = claim(sample_db, who, escalation=RULES)
        label(sample_db, a, rating, [["p1-a"], ["p1-b"], ["p1-c"]])
    assert list_disputes(sample_db, RULES, overlap) == []  # spread 2 < 3
    (d,) = list_disputes(sample_db, Rules(rating_spread=2, max_overlap=3), overlap)
    assert [f.rule for f in d.findings] == ["rating_spread"]


def test_disputed_item_goes_to_a_third_labeler_then_a_researcher(sample_db):
    a = claim(sample_db, "alice", escalation=RULES)
    label(sample_db, a, 1, [["p1-a"], ["p1-b"], ["p1-c"]])
    b = claim(sample_db, "bob", escalation=RULES)
    label(sample_db, b, 7, [["p1-a"], ["p1-b"], ["p1-c"]])
    # Without escalation p1 would be full at overlap 2; disputed, carol is served it.
    (event,) = sample_db.execute("SELECT data FROM events WHERE kind = 'escalate'").fetchall()
    assert '"labelers": 3' in event[0]
    c = claim(sample_db, "carol", at=T0 + timedelta(seconds=5), escalation=RULES)
    assert c.item == "p1"
    assert next_case(sample_db, "rhea", RULES, overlap) is None  # still with the labelers
    label(sample_db, c, 4, [["p1-a"], ["p1-b"], ["p1-c"]])
    # Escalated, not over its overlap: no over_overlap event for carol's work.
    assert sample_db.execute("SELECT count(*) FROM events WHERE kind = 'over_overlap'").fetchone() == (0,)
    (d,) = list_disputes(sample_db, RULES, overlap)
    assert d.status == "adjudication" and d.labelers == 3
    case = next_case(sample_db, "rhea", RULES, overlap)
    assert case.dispute.item == "p1"
    assert [c.letter for c in case.columns] == ["A", "B", "C"]
    assert [c.seconds for c in case.columns] == [12.5, 12.5, 12.5]
    # Letters follow the order labelers finished: alice's answers are A's, and no name is kept.
    assert [col.answers[("output", "p1-a", "rating")] for col in case.columns] == [1, 7, 4]
    assert "alice" not in repr(case)


def test_decision_is_gold_with_reason_and_closes_the_dispute(sample_db):
    a = claim(sample_db, "alice", escalation=RULES)
    label(sample_db, a, 1, [["p1-a"], ["p1-b"], ["p1-c"]])
    b = claim(sample_db, "bob", escalation=RULES)
    label(sample_db, b, 7, [["p1-a"], ["p1-b"], ["p1-c"]])
    c = claim(sample_db, "carol", escalation=RULES)
    label(sample_db, c, 4, [["p1-a"], ["p1-b"], ["p1-c"]])
    case = next_case(sample_db, "rhea", RULES, overlap)
    with pytest.raises(StoreError, match="no final value"):
        decide(sample_db, case, "rhea", [], reason="edge_case", schema=load_schema())
    with pytest.raises(StoreError, match="reason must be one of"):
        decide(sample_db, case, "rhea", [], reason="because", schema=load_schema())
    values = [LabelValue(t, i, f, 5) for t, i, f in case.keys]
    adj = decide(sample_db, case, "rhea", values, reason="guideline_gap", guideline_update=True,
                 schema=load_schema())
    row = sample_db.execute("SELECT researcher, reason, guideline_update FROM adjudications "
                            "WHERE id = ?", [adj]).fetchone()
    assert row == ("rhea", "guideline_gap", 1)
    gold = sample_db.execute("SELECT labeler, value, gold, adjudication_id FROM labels "
                             "WHERE gold = 1").fetchall()
    assert gold == [("rhea", "5", 1, adj)]
    assert list_disputes(sample_db, RULES, overlap) == []
    kinds = [r[0] for r in sample_db.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds[-1] == "adjudicate"


def test_labelers_cannot_adjudicate(sample_db):
    with pytest.raises(StoreError, match="for researchers"):
        next_case(sample_db, "alice", RULES, overlap)


def test_export_labels_says_how_each_value_is_resolved(sample_db):
    from store.exports import export_labels

    ranking = [["p1-a"], ["p1-b"], ["p1-c"]]
    for who, rating in (("alice", 1), ("bob", 7), ("carol", 7)):
        label(sample_db, claim(sample_db, who, escalation=RULES), rating, ranking, pii=who == "bob")
    res = {(r["labeler"], r["task"], r["field"]): r["resolution"] for r in export_labels(sample_db)}
    assert res["alice", "ranking", "ranking"] == "unanimous"
    assert res["alice", "output", "rating"] == "majority"  # 7, 7 against 1
    assert res["alice", "instruction", "pii"] == "majority"
    case = next_case(sample_db, "rhea", RULES, overlap)
    decide(sample_db, case, "rhea", [LabelValue(t, i, f, 6) for t, i, f in case.keys if f == "rating"]
           + [LabelValue(t, i, f, False) for t, i, f in case.keys if f == "pii"],
           reason="labeler_error", schema=load_schema())
    res = {(r["labeler"], r["task"], r["field"]): r["resolution"] for r in export_labels(sample_db)}
    assert res["alice", "output", "rating"] == res["rhea", "output", "rating"] == "adjudicated"
    assert res["carol", "instruction", "pii"] == "adjudicated"
    assert res["carol", "ranking", "ranking"] == "unanimous"


def test_consensus_pairs_carry_margin_and_gold_overrides(sample_db):
    from store.consensus.pairs import export_consensus_pairs

    for who, ranking in (("alice", [["p1-a"], ["p1-b"], ["p1-c"]]),
                         ("bob", [["p1-a"], ["p1-c"], ["p1-b"]]),
                         ("carol", [["p1-a"], ["p1-b", "p1-c"]])):
        a = claim(sample_db, who, overlap=3, escalation=RULES)
        assert a.item == "p1"
        label(sample_db, a, 5, ranking, overlap=3)
    pairs = list(export_consensus_pairs(sample_db).records())
    got = {(p["chosen_id"], p["rejected_id"]): p for p in pairs}
    # b and c: one vote each way and a tie, so tied in the consensus: no pair.
    assert set(got) == {("p1-a", "p1-b"), ("p1-a", "p1-c")}
    assert {p["n_labelers"] for p in pairs} == {3} and {p["resolution"] for p in pairs} == {"consensus"}
    ab = got["p1-a", "p1-b"]
    assert 0.5 < ab["p_chosen"] < 1
    # margin is the logit TRL subtracts in its loss, not the probability.
    assert ab["margin"] == pytest.approx(math.log(ab["p_chosen"] / (1 - ab["p_chosen"])), abs=1e-3)
    assert list(export_consensus_pairs(sample_db, min_p_chosen=0.99).records()) == []
    assert list(export_consensus_pairs(sample_db, min_margin=ab["margin"] + 0.01).records()) == []
    r = claim(sample_db, "rhea", escalation=RULES)
    submit(sample_db, r.id, [LabelValue("ranking", "p1", "ranking", [["p1-c"], ["p1-b"], ["p1-a"]])])
    pairs = list(export_consensus_pairs(sample_db, gold_margin=2.5).records())
    assert [(p["chosen_id"], p["rejected_id"], p["p_chosen"], p["margin"], p["resolution"])
            for p in pairs] == [("p1-c", "p1-b", 1.0, 2.5, "gold"), ("p1-c", "p1-a", 1.0, 2.5, "gold"),
                                ("p1-b", "p1-a", 1.0, 2.5, "gold")]


@pytest.mark.empty_database
def test_an_older_file_gains_versions_and_adjudications(db_path):
    """A file from before migration 4 keeps its labels; they carry no guideline version."""
    from store import migrations
    from store.db import connect, open_db

    db = connect(db_path)
    for step in migrations.MIGRATIONS[:3]:
        step(db)
    db.dialect.set_version(db, 3)
    db.execute("INSERT INTO labels (labeler, task, item, field, value, created_at) "
               "VALUES ('ana', 'output', 'o1', 'rating', '5', 'x')")
    db.close()
    db = open_db(db_path)
    assert migrations.version(db) == len(migrations.MIGRATIONS)
    assert db.execute("SELECT guideline_version, adjudication_id FROM labels").fetchall() == [(None, None)]
    assert {"adjudications", "adjudication_drafts"} <= set(db.table_names())
    db.close()


def test_ranking_rule_agrees_with_the_agreement_report():
    """The rule's pure-Python pairwise agreement is the agreement report's, on random rankings
    with ties."""
    import random

    from store.agreement.ranking import pair_counts
    from store.disputes import _ranking_agreement

    rng = random.Random(5)

    def ranking():
        ids = [f"o{i}" for i in range(6)]
        rng.shuffle(ids)
        groups = []
        for o in ids:
            if groups and rng.random() < 0.3:
                groups[-1].append(o)
            else:
                groups.append([o])
        return groups

    for _ in range(200):
        a, b = ranking(), ranking()
        counts = pair_counts(a, b)
        compared = counts.same + counts.different
        assert _ranking_agreement(a, b) == (counts.same / compared if compared else None)


def test_a_changed_label_is_judged_again(sample_db):
    """Items found undisputed are remembered (dispute_checks), and forgotten when a label of
    theirs changes: a later disagreement is never missed."""
    from store.labels import write_labels

    for who in ("alice", "bob"):
        label(sample_db, claim(sample_db, who, escalation=RULES), 5, [["p1-a"], ["p1-b"], ["p1-c"]])
    assert list_disputes(sample_db, RULES, overlap) == []
    assert sample_db.execute("SELECT item, done FROM dispute_checks").fetchall() == [("p1", 2)]
    with immediate(sample_db):
        write_labels(sample_db, "bob", [LabelValue("output", "p1-a", "rating", 1)], gold=False,
                     schema=load_schema())
    assert sample_db.execute("SELECT count(*) FROM dispute_checks").fetchone() == (0,)
    (d,) = list_disputes(sample_db, RULES, overlap)
    assert d.item == "p1" and [f.rule for f in d.findings] == ["rating_spread"]


def test_a_label_changed_after_judging_is_not_remembered_undisputed(sample_db, db_path, monkeypatch):
    """Undisputed items are written to dispute_checks in batches: one whose labels changed
    between its judging and the batch's write (a labeler's edit meanwhile, from their own
    connection) is left out, and the next listing finds the disagreement."""
    import store.disputes
    from store.db import open_db
    from store.labels import write_labels

    bobs = open_db(db_path)

    for who in ("alice", "bob"):
        label(sample_db, claim(sample_db, who, escalation=RULES), 5, [["p1-a"], ["p1-b"], ["p1-c"]])
    for who in ("alice", "bob"):
        a = claim(sample_db, who, escalation=RULES)
        assert a.item == "p2"
        submit(sample_db, a.id, [LabelValue("output", "p2-a", "rating", 4),
                                 LabelValue("instruction", "p2", "pii", False),
                                 LabelValue("ranking", "p2", "ranking", [["p2-a"], ["p2-b"]])],
               seconds=10.0, overlap=2, escalation=RULES)
    real = store.disputes.findings
    edited = []

    def findings_then_edit(answers, rules):
        found = real(answers, rules)
        if not edited:  # p1 judged undisputed, not yet written: bob edits his rating
            edited.append(True)
            with immediate(bobs):
                write_labels(bobs, "bob", [LabelValue("output", "p1-a", "rating", 1)],
                             gold=False, schema=load_schema())
        return found

    monkeypatch.setattr(store.disputes, "findings", findings_then_edit)
    assert list_disputes(sample_db, RULES, overlap) == []
    assert sample_db.execute("SELECT item FROM dispute_checks").fetchall() == [("p2",)]
    monkeypatch.setattr(store.disputes, "findings", real)
    (d,) = list_disputes(sample_db, RULES, overlap)
    assert d.item == "p1" and [f.rule for f in d.findings] == ["rating_spread"]


@pytest.mark.parametrize("threshold, disputed", [(0.5, False), (0.5 + 1e-9, True), (0.5 - 1e-9, False)])
def test_ranking_agreement_fires_below_the_threshold_not_at_it(threshold, disputed):
    """Two rankings of four outputs that order exactly half of their six pairs alike: at
    `ranking_agreement` 0.5 the item is not disputed (the rule is "fewer than"), just above it is."""
    from store.disputes import ItemAnswers, Rules, _ranking_agreement, findings

    a = [["o1"], ["o2"], ["o3"], ["o4"]]
    b = [["o4"], ["o1"], ["o2"], ["o3"]]  # o4 moved first: 3 of 6 pairs flipped
    assert _ranking_agreement(a, b) == 0.5
    key = ("ranking", "p1", "ranking")
    answers = ItemAnswers({"ana": {key: a}, "bo": {key: b}}, set())
    rules = Rules(rating_spread=3, ranking_agreement=threshold, sensitive=())
    assert bool(findings(answers, rules)) is disputed


# ------------------------------------------------------------------ preference strength

def ranked(db, who, ranking, strength, reason=None):
    a = claim(db, who, escalation=RULES)
    values = [LabelValue("ranking", a.item, "ranking", ranking),
              LabelValue("ranking", a.item, "strength", strength)]
    if reason is not None:
        values.append(LabelValue("ranking", a.item, "reason", reason))
    submit(db, a.id, values, seconds=12.5, overlap=2, escalation=RULES)
    return a


ABC = [["p1-a"], ["p1-b"], ["p1-c"]]


@pytest.mark.parametrize("alice, bob, fires", [
    # Same order: levels apart. significantly (3) vs slightly (1): 2 apart.
    (["significantly better", "better"], ["slightly better", "better"], True),
    (["better", "better"], ["slightly better", "better"], False),  # 1 apart
    (["better", "slightly better"], ["better", "slightly better"], False),
])
def test_strength_gap_fires_on_levels_apart(sample_db, alice, bob, fires):
    ranked(sample_db, "alice", ABC, alice)
    ranked(sample_db, "bob", ABC, bob)
    found = [f for d in list_disputes(sample_db, RULES, overlap) for f in d.findings]
    assert [(f.rule, f.task, f.item, f.field) for f in found] == \
        ([("strength_gap", "ranking", "p1", "ranking")] if fires else [])
    if fires:
        assert found[0].detail == "strengths 2 levels apart on p1-a vs p1-b"


def test_strength_gap_counts_across_unsure_when_the_orders_differ(sample_db):
    """a>b "slightly better" for alice, b>a "slightly better" for bob: 1 + 1 levels apart, while
    the rankings still agree on 2 of 3 pairs (no ranking_agreement finding)."""
    ranked(sample_db, "alice", ABC, ["slightly better", "better"])
    ranked(sample_db, "bob", [["p1-b"], ["p1-a"], ["p1-c"]], ["slightly better", "better"])
    (d,) = list_disputes(sample_db, RULES, overlap)
    assert [(f.rule, f.detail) for f in d.findings] == [
        ("strength_gap", "strengths 2 levels apart on p1-a vs p1-b")]
    # "Unsure" either way is no gap at all.
    assert list_disputes(sample_db, Rules(max_overlap=3, strength_gap=3), overlap) == []


def test_strength_gap_only_on_pairs_both_put_side_by_side(sample_db):
    # b and c are neighbours for alice only: bob's levels between them sum; nothing compared.
    ranked(sample_db, "alice", [["p1-a"], ["p1-b"], ["p1-c"]], ["slightly better", "significantly better"])
    ranked(sample_db, "bob", [["p1-b"], ["p1-a"], ["p1-c"]], ["slightly better", "negligibly better / unsure"])
    found = [f for d in list_disputes(sample_db, RULES, overlap) for f in d.findings]
    # a-b: alice +1 (a better), bob +1 (b better): 2 apart. a-c: alice has them apart. b-c: bob apart.
    assert [f.detail for f in found if f.rule == "strength_gap"] == ["strengths 2 levels apart on p1-a vs p1-b"]


def test_strength_gap_threshold_and_levels_come_from_the_config():
    from tui.config import Config

    config = Config()
    config.data["adjudication"]["strength_gap"] = 3
    config.data["comparison"]["strength_levels"] = ["much", "a little"]
    rules = config.escalation
    assert (rules.strength_gap, rules.strength_levels) == (3, ("much", "a little"))
    assert rules.key != Rules().key  # undisputed items are judged again under new rules


def test_a_strength_that_does_not_fit_or_names_no_level_is_left_out(sample_db):
    ranked(sample_db, "alice", ABC, ["significantly better", "better"])
    ranked(sample_db, "bob", ABC, ["slightly better", "better"])
    odd = Rules(max_overlap=3, strength_levels=("much", "a little"))
    assert list_disputes(sample_db, odd, overlap) == []  # no level named: nothing compared, no error


def test_a_researchers_ranking_settles_a_strength_gap(sample_db):
    ranked(sample_db, "alice", ABC, ["significantly better", "better"])
    ranked(sample_db, "bob", ABC, ["slightly better", "better"])
    (d,) = list_disputes(sample_db, Rules(max_overlap=2), overlap)
    case = next_case(sample_db, "rhea", Rules(max_overlap=2), overlap)
    assert case.keys == [("ranking", "p1", "ranking")]
    decide(sample_db, case, "rhea", [LabelValue("ranking", "p1", "ranking", ABC)], reason="subjective",
           schema=load_schema())
    assert list_disputes(sample_db, Rules(max_overlap=2), overlap) == []
