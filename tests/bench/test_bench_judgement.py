"""bench/bench_judgement.py at a tiny size (figures not judged: tests/bench/test_bench_every.py)."""

from __future__ import annotations

from tests.bench.test_bench_every import run_tiny


def test_judgement_bench(monkeypatch, tmp_path):
    from bench import bench_judgement

    figures = run_tiny(monkeypatch, tmp_path, bench_judgement, SIZES=(5, 30), REPEAT=1)["judgement"]
    rows = figures["per_history"]
    assert [r["tasks"] for r in rows] == [5, 30]
    assert all(r["full_cpu_ms"] >= 0 and r["kept_cpu_ms"] >= 0 for r in rows)
