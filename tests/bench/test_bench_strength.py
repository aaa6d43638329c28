"""bench_strength_keys at a tiny size, so it cannot rot."""

from __future__ import annotations

from bench import bench_strength_keys


def test_strength_keys_types_rankings_both_ways_in_a_pty():
    figures = bench_strength_keys.measure(tasks=1)
    without, with_strength = figures["without"], figures["with_strength_and_reason"]
    assert without["stored"] == with_strength["stored"] == 1  # each script's ranking submitted
    assert without["keys"] == 4  # three letters and Enter
    assert with_strength["keys"] == 4 + 1 + 3 + 1 + len(bench_strength_keys.REASON)
    assert with_strength["strength_digit"]["n"] == 3 and figures["ranking_letter_ratio"] > 0
