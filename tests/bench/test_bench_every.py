"""Every benchmark runs in the suite at a tiny size, so none can rot unnoticed (a benchmark whose
key script no longer fits the app times out or raises): each `main()` here runs end to end with
its sizes made tiny, its figures written to a results file of the test's own, and what it
recorded is checked to be there. Figures are not judged: speed targets live in the benchmarks.
The last test fails for a new `bench/bench_*.py` that no test in tests/bench/ runs."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_tiny(monkeypatch, tmp_path, module, *args, **sizes) -> dict:
    """`module.main(*args)` with `sizes` replacing its module constants; what it recorded."""
    monkeypatch.setattr("bench.results.RESULTS", tmp_path / "results.json")
    for name, value in sizes.items():
        assert hasattr(module, name), name  # a renamed constant must fail here, not run big
        monkeypatch.setattr(module, name, value)
    module.main(*args)
    return json.loads((tmp_path / "results.json").read_text())


def test_startup_bench(monkeypatch, tmp_path):
    from bench import bench_startup

    # --before: this checkout stands in for an earlier one (its own database, its launches)
    figures = run_tiny(monkeypatch, tmp_path, bench_startup, ["--before", str(ROOT)], RUNS=2,
                       BIG=200)["startup"]
    assert figures["app_cpu_seconds_median"] > 0 and figures["cpu_ratio_to_floor"] > 0
    assert figures["app_seconds_median_at_1m_open_tasks"] > 0
    assert figures["before_cpu_ratio_to_floor"] > 0 and figures["before_commit"]


def test_bytes_bench(monkeypatch, tmp_path):
    from bench import bench_bytes

    figures = run_tiny(monkeypatch, tmp_path, bench_bytes, ROUNDS=1)["bytes"]
    assert figures["home_highlight_move"]["bytes"]["n"] == 6
    assert figures["ranking_place_and_take_back"]["bytes"]["median"] > 0


def test_keystrokes_bench(monkeypatch, tmp_path):
    from bench import bench_keystrokes

    figures = run_tiny(monkeypatch, tmp_path, bench_keystrokes)["keystrokes"]
    assert figures["keys"]["comparison_4_ranking_from_scores"] > 0


def test_store_bench(monkeypatch, tmp_path):
    from bench import bench_store

    figures = run_tiny(monkeypatch, tmp_path, bench_store, N=300, CLAIMS=5)["store"]
    assert figures["open_tasks"] == 300 and figures["commit_ratio_to_floor"] > 0


def test_submit_bench(monkeypatch, tmp_path):
    from bench import bench_submit

    figures = run_tiny(monkeypatch, tmp_path, bench_submit, TASKS=2)["submit"]
    assert figures["submit_to_next_task_ms"]["n"] == 2  # each checked done in the database


def test_typeahead_bench(monkeypatch, tmp_path):
    from bench import bench_typeahead

    figures = run_tiny(monkeypatch, tmp_path, bench_typeahead, ROUNDS=1, N=3)["typeahead"]
    assert figures["pty_burst"]["mismatches"] == 0 and figures["store_floor"]["commits_per_s"] > 0


def test_memory_bench(monkeypatch, tmp_path):
    from bench import bench_memory

    # The bench collects garbage before each of its ~25 readings; in a test process that has
    # loaded the whole suite each collection walks that whole heap (~0.3 s). Frozen, they walk
    # only what the run itself made, as in the bench's own process.
    gc.freeze()
    try:
        figures = run_tiny(monkeypatch, tmp_path, bench_memory, TASKS=2, CYCLES=2, STEP=1,
                           PTY_TASKS=2, PTY_STEP=1)["memory"]
    finally:
        gc.unfreeze()
    pty_rss = figures["pty_comparison"]["rss_mib"]  # the app in a pty, typed in, read from /proc
    assert len(pty_rss) == 3 and all(rss > 10 for rss in pty_rss)
    assert figures["sessions_in_24_gib"] > 0
    assert figures["comparison"]["tasks"] == 2


def test_load_bench(monkeypatch, tmp_path):
    from bench import bench_load

    monkeypatch.setattr("bench.results.RESULTS", tmp_path / "results.json")
    assert bench_load.main(["--processes", "2", "--seconds", "1", "--prompts", "40"]) == 0
    assert json.loads((tmp_path / "results.json").read_text())["load_2"]["submits"] > 0


def test_load_bench_through_pgbouncer(monkeypatch, tmp_path):
    """The server backends: a cluster of the benchmark's own, reached through PgBouncer with
    one server connection for both processes."""
    from bench import bench_load
    from tests import pg_cluster, pgbouncer

    why = pg_cluster.missing() or pgbouncer.missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the server benchmarks: {why}")
        pytest.skip(why)
    monkeypatch.setattr("bench.results.RESULTS", tmp_path / "results.json")
    assert bench_load.main(["--backends", "pgbouncer", "--processes", "2", "--seconds", "1",
                            "--prompts", "40", "--pool", "1"]) == 0
    figures = json.loads((tmp_path / "results.json").read_text())["load_backends"]["pgbouncer_2"]
    assert figures["submits"] > 0 and figures["server_connections"] == 1


def test_import_load_bench(monkeypatch, tmp_path):
    from bench import bench_import_load

    monkeypatch.setattr("bench.results.RESULTS", tmp_path / "results.json")
    # Enough tasks that the labeler is still working when the import starts (3 s after it
    # does: 40 were all done by then once commits got faster), and an import long enough
    # (~0.5 s) for some of its calls to fall within it.
    monkeypatch.setattr(bench_import_load, "TASKS", 400)
    assert bench_import_load.main(["--prompts", "3000", "--labelers", "1"]) == 0
    assert json.loads((tmp_path / "results.json").read_text())


def test_pipeline_bench(monkeypatch, tmp_path):
    from bench import bench_pipeline

    monkeypatch.setattr(sys, "argv", ["bench_pipeline", "--prompts", "200", "--pairs", "200"])
    figures = run_tiny(monkeypatch, tmp_path, bench_pipeline)
    assert figures


def test_tally_cost_bench(monkeypatch, tmp_path):
    from bench import bench_tally_cost

    figures = run_tiny(monkeypatch, tmp_path, bench_tally_cost,
                       ["--submits", "6", "--rounds", "1"])["tally_cost"]["sqlite"]
    assert len(figures["with_ms"]) == len(figures["without_ms"]) == 1 and figures["ratio"] > 0


def test_every_benchmark_runs_in_the_suite():
    """Each bench/bench_NAME.py is named by a test file here (its tiny run lives there)."""
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    for bench in sorted((ROOT / "bench").glob("bench_*.py")):
        if not re.search(rf"\b{bench.stem}\b", tests):
            pytest.fail(f"{bench.name} has no tiny run in tests/bench/")


def test_bench_command_passes_options(monkeypatch):
    """`python -m bench NAME --option ...` gives the options to that benchmark's `main`; a
    benchmark without options, several names with options, or an unknown name is one line."""
    import bench.__main__ as command
    from bench import bench_key_cpu

    got: list = []
    monkeypatch.setattr(bench_key_cpu, "main", lambda argv=None: got.append(argv))
    command.main(["key_cpu", "--tasks", "3", "--no-save"])
    assert got == [["--tasks", "3", "--no-save"]]
    command.main(["key_cpu"])
    assert got[-1] is None
    for argv, says in ((["store", "--tasks", "3"], "store takes no options"),
                       (["key_cpu", "store", "--x"], "options go to one benchmark"),
                       (["nothing"], "no benchmark bench_nothing")):
        with pytest.raises(SystemExit) as stop:
            command.main(argv)
        assert says in str(stop.value)


def test_report_reads_ratios_and_floors():
    """bench.report's `a / b` rows are the ratio of two recorded figures (missing if either is),
    and a "≥" target is met from the target up."""
    from bench import report

    data = {"pg": {"rate": 10.0}, "lite": {"rate": 4.0, "zero": 0}}
    assert report.lookup(data, "pg.rate / lite.rate") == 2.5
    assert report.lookup(data, "pg.rate / lite.none") is None
    assert report.lookup(data, "pg.rate / lite.zero") is None
    assert report.verdict(2.5, 2, "≥") == "met" and report.verdict(1.99, 2, "≥") == "**missed**"


def test_the_figures_table_in_the_docs_is_the_recorded_figures():
    """docs/performance.md's "Figures against targets" is `python -m bench.report` of
    bench/results.json as committed: a benchmark's new figures come with the table they make."""
    from bench import report

    docs = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    shown = docs.split("<!-- python -m bench.report -->\n", 1)[1].split("\n\n", 1)[0]
    assert shown == report.table(json.loads((ROOT / "bench" / "results.json").read_text()))
