from collections import Counter, defaultdict

import pytest

from store.rules import (
    DUPLICATE,
    OVER_CAP,
    PII,
    ApiRules,
    RulesConfig,
    RulesReport,
    normalise,
    normalised_prefix,
    split_for,
)

BASE = "Write a short story about a lighthouse keeper who finds a message in a bottle from " * 3


def check_all(rules, prompts):
    return [rules.check(pid, text, user) for pid, text, user in prompts]


def test_shared_prefix_at_threshold_is_a_duplicate_and_the_first_is_kept():
    a = BASE[:100] + " and then it rains."
    b = BASE[:100] + " but nothing happens."
    first, second = check_all(ApiRules(), [("p1", a, "u1"), ("p2", b, "u2")])
    assert first.kept and first.status == "pool"
    assert second.status == "dropped" and second.reason == DUPLICATE and second.detail == "p1"


def test_shared_prefix_one_char_under_threshold_is_kept():
    a = BASE[:99] + "X and more text after it"
    b = BASE[:99] + "Y and more text after it"
    assert normalise(a)[:99] == normalise(b)[:99]
    verdicts = check_all(ApiRules(), [("p1", a, "u1"), ("p2", b, "u2")])
    assert [v.kept for v in verdicts] == [True, True]


def test_prefix_length_comes_from_config():
    a, b = "0123456789abc", "0123456789xyz"
    assert check_all(ApiRules(RulesConfig(prefix_chars=10)), [("p1", a, None), ("p2", b, None)])[1].reason == DUPLICATE
    assert check_all(ApiRules(RulesConfig(prefix_chars=11)), [("p1", a, None), ("p2", b, None)])[1].kept


def test_whitespace_is_normalised_before_comparing():
    a = BASE[:120]
    b = "  " + BASE[:120].replace(" ", " \t\n  ", 5)
    assert normalise(a) == normalise(b)
    verdicts = check_all(ApiRules(), [("p1", a, "u1"), ("p2", b, "u2")])
    assert verdicts[1].reason == DUPLICATE


def test_exact_repeat_of_a_short_prompt_is_a_duplicate_but_a_longer_one_is_not():
    verdicts = check_all(
        ApiRules(), [("p1", "Hi there", None), ("p2", "Hi  there ", None), ("p3", "Hi there, friend", None)]
    )
    assert [v.reason for v in verdicts] == [None, DUPLICATE, None]


def test_normalised_prefix_of_long_text_equals_full_normalisation():
    text = "a" + " " * 500 + "b " * 300
    for n in (1, 2, 3, 50, 100):
        assert normalised_prefix(text, n) == normalise(text)[:n]


def test_the_201st_prompt_of_a_user_is_over_the_cap():
    prompts = [(f"p{i}", f"prompt number {i} about topic {i * 7}", "heavy") for i in range(1, 202)]
    prompts.append(("q1", "a prompt from someone else", "light"))
    verdicts = check_all(ApiRules(), prompts)
    assert all(v.kept for v in verdicts[:200])
    assert verdicts[200].status == "dropped" and verdicts[200].reason == OVER_CAP
    assert verdicts[200].detail == "heavy"
    assert verdicts[201].kept


def test_duplicates_and_pii_do_not_use_up_the_cap():
    rules = ApiRules(RulesConfig(user_cap=2))
    verdicts = check_all(
        rules,
        [
            ("p1", "first distinct prompt", "u"),
            ("p2", "first distinct prompt", "u"),  # duplicate
            ("p3", "mail me at jane.doe@gmail.com", "u"),  # pii
            ("p4", "second distinct prompt", "u"),
            ("p5", "third distinct prompt", "u"),
        ],
    )
    assert [v.reason for v in verdicts] == [None, DUPLICATE, PII, None, OVER_CAP]


def test_pii_is_held_or_routed_to_instruction_labeling():
    held = ApiRules().check("p1", "call me on +44 20 7946 0958 tonight", "u1")
    assert (held.status, held.reason, held.detail, held.split) == ("held", PII, "phone", None)
    routed = ApiRules(RulesConfig(pii_action="route_to_instruction")).check("p1", "my SSN is 123-45-6789", "u1")
    assert (routed.status, routed.reason, routed.tasks) == ("pool", PII, ("instruction",))
    assert not routed.kept


def test_a_user_never_crosses_splits_and_ratios_are_roughly_respected():
    rules = ApiRules(RulesConfig(user_cap=1000))
    splits_of_user = defaultdict(set)
    # Users' prompts interleaved, so order cannot be what keeps a user in one split.
    for i in range(30_000):
        user = f"user-{i % 3000}"
        verdict = rules.check(f"p{i}", f"prompt {i}", user)
        assert verdict.kept
        splits_of_user[user].add(verdict.split)
    assert all(len(s) == 1 for s in splits_of_user.values())
    per_split = Counter(next(iter(s)) for s in splits_of_user.values())
    assert set(per_split) == {"train", "validation", "test"}
    assert 0.77 < per_split["train"] / 3000 < 0.83
    assert 0.08 < per_split["validation"] / 3000 < 0.12
    assert 0.08 < per_split["test"] / 3000 < 0.12


def test_splits_are_deterministic_and_follow_configured_ratios():
    ratios = {"train": 0.5, "test": 0.5}
    users = [f"u{i}" for i in range(2000)]
    first = [split_for(u, ratios) for u in users]
    assert first == [split_for(u, ratios) for u in users]
    assert 900 < first.count("train") < 1100
    assert {split_for(u, {"train": 1.0, "test": 0.0}) for u in users} == {"train"}
    # A salt reshuffles users between splits.
    assert first != [split_for(u, ratios, salt="2026") for u in users]


def test_prompt_without_user_gets_a_split_and_no_cap():
    rules = ApiRules(RulesConfig(user_cap=1))
    verdicts = check_all(rules, [(f"p{i}", f"anonymous prompt {i}", None) for i in range(5)])
    assert all(v.kept and v.split in {"train", "validation", "test"} for v in verdicts)


def test_remembered_prompts_count_for_duplicates_and_cap():
    rules = ApiRules(RulesConfig(user_cap=1))
    rules.remember("old1", "an old prompt already in the database", "u1")
    assert rules.check("p1", "an old prompt already in the database", "u2").detail == "old1"
    assert rules.check("p2", "a new prompt from the same user", "u1").reason == OVER_CAP


def test_report_counts_every_reason_and_lists_what_was_not_kept():
    rules, report = ApiRules(RulesConfig(user_cap=1)), RulesReport()
    for pid, text, user in [
        ("p1", "hello world", "a"),
        ("p2", "hello   world", "b"),
        ("p3", "another prompt", "a"),
        ("p4", "visit https://www.linkedin.com/in/jane-doe-123", "c"),
    ]:
        report.add(pid, rules.check(pid, text, user))
    assert report.as_dict() == {
        "read": 4,
        "kept": 1,
        "duplicate_prefix": 1,
        "over_user_cap": 1,
        "pii": 1,
        "dropped": [
            {"id": "p2", "reason": DUPLICATE, "detail": "p1"},
            {"id": "p3", "reason": OVER_CAP, "detail": "a"},
            {"id": "p4", "reason": PII, "detail": "personal_url"},
        ],
    }


@pytest.mark.parametrize(
    "section, message",
    [
        ({"prefix_chars": 0}, "prefix_chars"),
        ({"user_cap": 0}, "user_cap"),
        ({"splits": {"train": -1}}, "splits"),
        ({"splits": {"train": "most"}}, "splits"),
        ({"splits": {}}, "splits"),
        ({"pii_action": "delete"}, "pii_action"),
        ({"prefix_char": 10}, "unknown key"),
    ],
)
def test_bad_config_is_refused_with_the_key_named(section, message):
    with pytest.raises(ValueError, match=message):
        RulesConfig.from_mapping(section)
