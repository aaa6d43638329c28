"""The benchmarks that drive the app, run at a tiny size so none can rot unnoticed: each must
still get through its whole key script and store what it typed (figures are not checked here:
speed targets live in the benchmarks, never as timed assertions)."""

from bench import bench_comparison, bench_key_cpu


def test_key_cpu_types_comparisons_in_a_pty_and_counts_relayouts():
    figures = bench_key_cpu.measure(tasks=1)
    app, floor = figures["labeldesk"], figures["minimal_textual"]
    assert app["stored"] == 1  # the script's comparison was submitted, as typed
    assert app["keys"] == floor["keys"] == bench_key_cpu.OUTPUTS + 1
    assert app["cpu_ms_per_key"] > 0 and floor["cpu_ms_per_key"] > 0
    assert floor["layouts_per_key"] >= 1  # the count works: its Static re-lays out per key
    assert figures["ratio_to_floor"] > 0


DEFERS = """
import time
from textual.app import App
from textual.widgets import Static

class Defers(App):
    def compose(self):
        yield Static("defers ready")

    def on_key(self, event):
        self.set_timer(0.2, self.burn)  # work a key leaves for later, as the read-ahead does

    def burn(self):
        start = time.process_time()
        while time.process_time() - start < 0.2:
            pass

Defers().run()
"""


def test_key_cpu_counts_the_work_a_key_defers(tmp_path):
    # One key whose 200 ms of CPU run 0.2 s after it, once the app has gone idle: the headline
    # counts them (a clock tick, 10 ms, of rounding allowed), as a host's cores spend them.
    figures = bench_key_cpu.typed_program(tmp_path, DEFERS, b"defers ready", [("key", b"x")])
    assert figures["keys"] == 1
    assert figures["cpu_ms_per_key"] >= 190


def test_comparison_bench_gets_through_its_script(capsys, monkeypatch):
    # Each step change taken back and forth once, not 8 times, and texts of 3,000 characters,
    # not 100,000 (still more than a screen): the same key script at a fraction of the CPU.
    monkeypatch.setattr(bench_comparison, "STEP_PAIRS", 1)
    bench_comparison.main(["--rounds", "1", "--submits", "2", "--sizes", "80x24", "--text", "3000",
                           "--no-save"])
    out = capsys.readouterr().out
    for kind in ("submit_to_next_task", "ranking_step", "instruction_to_scores",
                 "scores_to_ranking", "ranking_letter", "submit_loop"):
        assert kind in out
    assert "(n=8," in out.split("ranking_letter")[1].split("\n")[0]  # 8 letters per round


def test_ranking_bench_gets_through_its_script():
    import asyncio

    from bench import bench_ranking

    figures = asyncio.run(bench_ranking.run(1, (80, 24)))
    assert figures["letter"]["n"] == 9 and figures["set_task"]["n"] == 1


def test_help_bench_opens_f1_question_mark_and_search_in_a_fresh_process():
    from bench import bench_help

    figures = bench_help.measure(samples=1)
    for name in ("first_f1_cpu_ms", "first_question_mark_cpu_ms", "first_search_cpu_ms"):
        assert figures[name]["n"] == 1 and figures[name]["median"] > 0


def test_gold_claim_bench_claims_checks_and_production_work():
    from bench.bench_gold_claim import measure

    figures = measure(n=60, gold=10, claims=24)
    assert figures["check_claim_ms"]["n"] > 0 and figures["production_claim_ms"]["n"] > 0
    assert figures["window_1_claim_ms"]["n"] == 24
