"""The researchers' report benchmarks at a tiny size, so they cannot rot (the figures come from
`python -m bench NAME` at full size; docs/performance.md)."""

from __future__ import annotations

from bench import bench_gold_import


def test_gold_import_bench(tmp_path):
    figures = bench_gold_import.run(tmp_path, prompts=40, labeled=10)
    assert figures["plain"]["values"] == figures["gold"]["values"] == 30
