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
