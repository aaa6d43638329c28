from store.quiz.screening import (
    DEFAULT_THRESHOLDS,
    CandidateResult,
    anonymous_ids,
    decide,
    demonstration_scores,
    flag_agreement,
    ranking_agreement,
)


def test_flag_agreement_counts_unanswered_as_disagreeing():
    gold = {("output", "o1", "violent"): True, ("output", "o1", "sexual"): False,
            ("instruction", "p1", "asks_violent"): False, ("instruction", "p2", "asks_violent"): True}
    answers = {("output", "o1", "violent"): True, ("output", "o1", "sexual"): True,
               ("instruction", "p1", "asks_violent"): False}
    assert flag_agreement(answers, gold) == {"n": 4, "agreed": 2, "agreement": 0.5}
    assert flag_agreement({}, {})["agreement"] is None


def test_ranking_agreement_pools_pairs_and_excludes_ties():
    gold = {"p1": [["a"], ["b"], ["c"]], "p2": [["x", "y"], ["z"]]}
    answers = {"p1": [["a"], ["c"], ["b"]], "p2": [["z"], ["x"], ["y"]]}
    # p1: ab same, ac same, bc reversed; p2: xy tied in gold (excluded), xz and yz reversed.
    assert ranking_agreement(answers, gold) == {
        "n_items": 2, "pairs": 5, "agreed": 2, "ties_excluded": 1, "agreement": 0.4}
    missing = ranking_agreement({}, {"p1": [["a"], ["b"]]})
    assert missing["pairs"] == 1 and missing["agreement"] == 0.0


def test_demonstration_scores_average_each_answer_first():
    result = demonstration_scores({"d1": [7, 5], "d2": [7], "d3": []}, n_demos=3)
    assert result == {"n": 3, "scored": 2, "mean_score": 6.5}


def _candidate(flags, comparisons, demo, submitted=True):
    return CandidateResult(
        id="c1", submitted=submitted,
        flags={"agreement": flags}, comparisons={"agreement": comparisons},
        demonstrations={"mean_score": demo})


def test_decide_pass_fail_pending():
    every = dict(has_demos=True, has_flags=True, has_ranking=True)
    ok = _candidate(0.8, 0.75, 6.0)
    decide(ok, DEFAULT_THRESHOLDS, **every)
    assert ok.result == "pass"
    low = _candidate(0.8, 0.7, 6.5)
    decide(low, DEFAULT_THRESHOLDS, **every)
    assert low.result == "fail" and "ranking 0.7 < 0.75" in low.reasons
    unscored = _candidate(0.9, 0.9, None)
    decide(unscored, DEFAULT_THRESHOLDS, **every)
    assert unscored.result == "pending"
    open_quiz = _candidate(0.9, 0.9, 7, submitted=False)
    decide(open_quiz, DEFAULT_THRESHOLDS, **every)
    assert open_quiz.result == "pending"
    no_demo_section = _candidate(0.9, 0.9, None)
    decide(no_demo_section, DEFAULT_THRESHOLDS, has_demos=False, has_flags=True, has_ranking=True)
    assert no_demo_section.result == "pass"


def test_anonymous_ids_are_stable_and_not_alphabetical():
    names = [f"user{i:02d}" for i in range(20)]
    ids = anonymous_ids("q", names)
    assert ids == anonymous_ids("q", list(reversed(names)))
    assert sorted(ids.values(), key=lambda c: int(c[1:])) == [f"c{i}" for i in range(1, 21)]
    assert [ids[n] for n in names] != [f"c{i}" for i in range(1, 21)]
