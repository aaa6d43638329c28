import numpy as np
import pytest

from store.stats import histogram, summarise


def test_summary_matches_numpy():
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    s = summarise(values)
    assert s.n == 11
    assert s.mean == pytest.approx(np.mean(values))
    assert s.median == pytest.approx(np.median(values))
    assert s.p90 == pytest.approx(np.percentile(values, 90))


def test_summary_of_nothing_is_empty():
    assert summarise([]).as_dict() == {"n": 0, "mean": None, "median": None, "p90": None}


def test_histogram_counts_every_value_once():
    values = list(range(100)) + [99]
    bins = histogram(values, bins=4)
    assert [c for _, _, c in bins] == [25, 25, 25, 26]
    assert bins[0][0] == 0 and bins[-1][1] == 99


def test_histogram_of_equal_values_is_one_bin():
    assert histogram([7, 7, 7]) == [(7, 7, 3)]


def test_collect_stats_counts_lengths_and_progress(db, tmp_path):
    from store.stats import collect_stats

    from ..pipeline_data import build

    build(db, tmp_path)
    db.execute("UPDATE assignments SET seconds = 1800 WHERE labeler = 'alice'")
    stats = collect_stats(db, overlap={"comparison": 3})
    prompts = stats["prompts"]
    assert prompts["by_status"] == {"pool": 5, "dropped": 1, "held": 1}
    assert prompts["by_reason"] == {"duplicate_prefix": 1, "pii": 1}
    assert prompts["by_source"] == {"api": 4, "labeler": 1}
    assert prompts["by_category"] == {"open_qa": 2, "brainstorming": 1, "generation": 1, "summarization": 1}
    assert sum(prompts["by_split"].values()) == 5
    users = stats["users"]
    assert users["users"] == 4 and users["users_in_more_than_one_split"] == 0
    assert sum(users["users_per_split"].values()) == 4
    lengths = stats["lengths"]["prompt"]
    assert lengths["open_qa"]["n"] == 2
    assert lengths["open_qa"]["mean"] == (len("Name a prime number.") + len("Explain tides to a child.")) / 2
    answers = stats["lengths"]["prompt_answer"]
    # Two demonstrations of a3 (the one of held a4 is left out).
    assert answers["open_qa"]["n"] == 2 and "generation" not in answers
    assert answers["open_qa"]["median"] == len("Explain tides to a child.") + (
        len("The moon pulls the sea.") + len("Water moves with the moon.")) / 2
    kinds = stats["progress"]["kinds"]
    # a1, a2 are comparisons (a4 is held): wanted 2 x overlap 3.
    assert kinds["comparison"]["tasks"] == 2 and kinds["comparison"]["wanted"] == 6
    assert kinds["comparison"]["tasks_started"] == 2 and kinds["comparison"]["done"] == 4
    alice = stats["progress"]["labelers"]["alice"]
    assert alice["comparison"]["items_per_hour"] == 2.0
    assert stats["progress"]["labelers"]["bob"]["comparison"]["items_per_hour"] is None


def test_a_user_in_two_splits_is_reported(db, tmp_path):
    from store.stats import collect_stats

    from ..pipeline_data import build

    build(db, tmp_path)
    db.execute("UPDATE prompts SET user_id = 'u1', split = 'elsewhere' WHERE id = 'a2'")
    assert collect_stats(db)["users"]["users_in_more_than_one_split"] == 1
