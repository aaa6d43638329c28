"""bench_web at a tiny size, so it cannot rot (figures: `python -m bench web`)."""

import pytest

from bench import bench_web


@pytest.mark.slow
def test_web_bench(tmp_path):
    figures = bench_web.run(tmp_path, tabs=(1, 2), tasks=2, pace=0.02)
    assert [m["apps"] for m in figures["memory"]] == [1, 2]
    assert all(m["rss_per_tab_mib"] > 10 for m in figures["memory"])
    cpu = figures["cpu_per_key"]
    assert cpu["keys"] == 11 and cpu["app_ms_per_key"] > 0 and cpu["pty_app_ms_per_key"] > 0
