"""The researchers' report benchmarks at a tiny size, so they cannot rot (the figures come from
`python -m bench NAME` at full size; docs/performance.md)."""

from __future__ import annotations

import os

import pytest

from bench import bench_gold_import


def test_gold_import_bench(tmp_path):
    figures = bench_gold_import.run(tmp_path, prompts=40, labeled=10)
    assert figures["plain"]["values"] == figures["gold"]["values"] == 30


def test_hub_bench(tmp_path):
    """The Parquet export benchmark at a tiny size, shards small enough to roll over."""
    from bench import bench_hub

    figures = bench_hub.run(tmp_path, prompts=200, shard_bytes=20_000)
    assert figures["records"] == 200 * 3 * 6  # three rankings of four outputs a prompt
    assert sum(figures["shards"].values()) > len(figures["shards"])


def _tiny_project(tmp_path):
    from bench.bench_agreement import generate
    from bench.bench_quality import add_work

    path = tmp_path / "tiny.db"
    generate(path, labelers_n=10, per_labeler=10)
    add_work(path)
    return path


def test_report_benches_on_a_tiny_project(tmp_path, capsys, monkeypatch):
    """bench_agreement, bench_quality and bench_consensus's measured calls (their children's
    work, run here in-process) and the dashboard bench, on 10 labelers."""
    import json

    from bench import bench_agreement, bench_consensus, bench_dashboard, bench_quality

    path = _tiny_project(tmp_path)
    bench_agreement.run_report(str(path), 20)
    bench_quality.run_report(str(path), 20, "cold")
    bench_consensus.run_consensus(str(path))
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["per_labeler_entries"] > 0 for o in out[:1]] == [True]
    assert out[1]["labelers"] == 10 and sum(out[2]["values_by_method"].values()) > 0
    figures = bench_dashboard.run(path)
    assert figures["first_visit"]["escape_to_home_while_computing_seconds"] >= 0
    assert figures["next_app"]["first_figures"] == "kept report"
    assert figures["statistics"]["t_to_tables_seconds"] >= 0
    assert figures["home_counts_cpu_seconds"] >= 0


def test_disputes_bench_on_a_tiny_project(tmp_path):
    from bench import bench_disputes

    bench_disputes.generate(tmp_path / "d.db", items=30, labelers=6, per_item=3,
                            output_flags=("fails_task",))
    figures = bench_disputes.measure(tmp_path / "d.db", 3)
    assert figures["labels"] == 30 * 3 * (4 * 2 + 3)


def test_strength_bench(tmp_path):
    """Each measured call runs (the figures are CPU seconds, not checked here)."""
    from bench import bench_strength

    figures = bench_strength.run(tmp_path, prompts=10, n_boot=10)
    assert figures["prompts"] == 10
    assert all(v >= 0 for k, v in figures.items() if k.endswith("_s"))


def test_reports_bench_runs_each_command_in_a_child(tmp_path):
    """bench_reports at a tiny size: one command for real in its child process (the others'
    children are the calls tested above), and every command's child arguments."""
    from pathlib import Path

    from bench import bench_reports

    path = _tiny_project(tmp_path)
    figures = bench_reports.measure_all(path, ("competence_cold", "competence"))
    for name in ("competence_cold", "competence"):
        assert figures[name]["labelers"] == 10 and figures[name]["cpu_seconds"] >= 0
    for name in bench_reports.COMMANDS:
        script, *args = bench_reports._child_args(name, path)
        assert Path(script).is_file() and str(path) in args


@pytest.mark.parametrize("script", ["bench_agreement", "bench_quality", "bench_consensus",
                                    "bench_disputes"])
def test_a_report_benchs_child_runs_blas_on_one_thread(script):
    """As `labeldesk` does (store/__init__.py sets it before numpy loads): a benchmark that
    imported numpy first ran OpenBLAS a thread per core, the agreement report's CPU 13.5 s
    instead of 5.8 at 1M on the shared host."""
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("threadpoolctl")
    root = Path(__file__).resolve().parents[2]
    code = (f"import sys; sys.path.insert(0, {str(root)!r}); "
            f"import bench.{script}; from threadpoolctl import threadpool_info; "
            "print(max([i['num_threads'] for i in threadpool_info() "
            "if i.get('internal_api') == 'openblas'] or [1]))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    assert done.stdout.strip() == "1"


def test_record_keeps_the_commands_measured_before(monkeypatch, tmp_path):
    """`bench_reports.py --record 1m DB dashboard` adds the dashboard's figures beside the
    quality figures recorded earlier, instead of replacing them."""
    import json

    from bench import bench_reports

    results = tmp_path / "results.json"
    results.write_text(json.dumps({"reports": {"1m": {"quality": {"cpu_seconds": 4.3}}}}))
    monkeypatch.setattr("bench.results.RESULTS", results)
    monkeypatch.setattr(bench_reports, "RESULTS", results)
    monkeypatch.setattr(bench_reports, "measure_all",
                        lambda path, names: {name: {"cpu_seconds": 1.0} for name in names})
    bench_reports.record_prebuilt("1m", tmp_path / "x.db", ("dashboard",))
    kept = json.loads(results.read_text())["reports"]["1m"]
    assert kept["quality"] == {"cpu_seconds": 4.3} and kept["dashboard"] == {"cpu_seconds": 1.0}
