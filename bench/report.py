"""`python -m bench.report`: the headline figures of results.json against their targets, as the
Markdown table in docs/performance.md. Figures a benchmark has not recorded show as such."""

from __future__ import annotations

import json
from typing import Any

from bench.results import RESULTS

# (results path, what, target, how the figure must compare with it: "<", ">" or None)
ROWS: list[tuple[str, str, float | None, str | None]] = [
    ("startup.ratio_to_floor", "start-up, wall time ÷ minimal Textual app", 1.3, "≤"),
    ("startup.cpu_ratio_to_floor", "start-up, CPU time ÷ minimal Textual app", 1.3, "≤"),
    ("startup.app_seconds_median", "start-up to home screen, s (wall)", None, None),
    ("startup.minimal_textual_seconds_median", "minimal Textual app, s (wall)", None, None),
    ("startup.app_seconds_median_at_1m_open_tasks", "start-up at 1,000,000 open tasks, s (wall)", None, None),
    ("startup.help_seconds_median", "`labeldesk --help`, s", None, None),
    ("help.first_f1_cpu_ms.median", "first F1 (guidelines) in a session, CPU ms, median", 150, "≤"),
    ("help.first_f1_cpu_ms.p99", "first F1 (guidelines) in a session, CPU ms, p99", None, None),
    ("help.first_question_mark_cpu_ms.median", "first `?` (instruction fields, PII rules), CPU ms, median", 150, "≤"),
    ("help.first_search_cpu_ms.median", "first help search, CPU ms, median", 150, "≤"),
    ("ranking.80x24.letter.median_ms", "ranking keystroke (K=9, 100 kB) to frame, median ms", 16, "<"),
    ("ranking.80x24.letter.p99_ms", "ranking keystroke (K=9, 100 kB) to frame, p99 ms", 50, "<"),
    ("comparison.80x24.score_digit.median_ms", "score digit (K=9, 100 kB) to frame, median ms", 8, "<"),
    ("comparison.80x24.score_digit.p99_ms", "score digit (K=9, 100 kB) to frame, p99 ms", 30, "<"),
    ("comparison.80x24.score_digit.cpu_median_ms", "score digit (K=9, 100 kB), CPU median ms", None, None),
    ("comparison.80x24.score_digit.cpu_p99_ms", "score digit (K=9, 100 kB), CPU p99 ms", None, None),
    ("comparison.80x24.ranking_letter.median_ms", "ranking letter in the full app (K=9, 100 kB) to frame, median ms", 8, "<"),
    ("comparison.80x24.ranking_letter.p99_ms", "ranking letter in the full app (K=9, 100 kB) to frame, p99 ms", 30, "<"),
    ("comparison.80x24.ranking_letter.cpu_median_ms", "ranking letter in the full app (K=9, 100 kB), CPU median ms", None, None),
    ("comparison.80x24.ranking_letter.cpu_p99_ms", "ranking letter in the full app (K=9, 100 kB), CPU p99 ms", None, None),
    ("comparison.80x24.instruction_to_scores.p99_ms", "instruction → scores step (K=9, 100 kB), p99 ms", 50, "<"),
    ("comparison.80x24.instruction_to_scores.cpu_p99_ms", "instruction → scores step (K=9, 100 kB), CPU p99 ms", None, None),
    ("comparison.80x24.scores_to_ranking.p99_ms", "scores → ranking step (K=9, 100 kB), p99 ms", 50, "<"),
    ("comparison.80x24.scores_to_ranking.cpu_p99_ms", "scores → ranking step (K=9, 100 kB), CPU p99 ms", None, None),
    ("comparison.80x24.submit_loop.p99_ms", "submit → next task (K=9, 100 kB), p99 ms", 50, "<"),
    ("comparison.80x24.submit_loop.cpu_median_ms", "submit → next task (K=9, 100 kB), CPU median ms", None, None),
    ("comparison.80x24.submit_loop.cpu_p99_ms", "submit → next task (K=9, 100 kB), CPU p99 ms", None, None),
    ("key_cpu.ratio_to_floor", "CPU per key typing comparisons (pty) ÷ minimal Textual app, same run", 2, "≤"),
    ("key_cpu.labeldesk.cpu_ms_per_key", "CPU per key typing comparisons in a real 80x24 pty, ms", None, None),
    ("key_cpu.minimal_textual.cpu_ms_per_key", "CPU per key, minimal Textual app (Static + Footer), ms", None, None),
    ("key_cpu.labeldesk.layouts_per_key", "full re-layouts per key typing comparisons", None, None),
    ("submit.submit_to_next_task_ms.median", "submit to next task on screen, median ms", 100, "<"),
    ("submit.submit_to_next_task_ms.p99", "submit to next task on screen, p99 ms", 100, "<"),
    ("typeahead.pty_burst.mismatches", "50 rankings typed ahead in one write: stored ≠ typed", 0, "<="),
    ("typeahead.pty_burst.keys_per_s", "type-ahead through a pty, keys/s (first byte to 50th commit)", None, None),
    ("typeahead.pty_burst.rankings_per_s", "type-ahead through a pty, rankings committed/s", None, None),
    ("typeahead.store_floor.commits_per_s", "store alone, claim + submit commits/s (type-ahead floor)", None, None),
    ("store.commit_ratio_to_floor", "one label's commit ÷ bare sqlite3 commit", 2, "<"),
    ("store.claim_ms.median", "claim at 1,000,000 open tasks, median ms", 5, "<"),
    ("store.claim_ms.p99", "claim at 1,000,000 open tasks, p99 ms", None, None),
    ("store.import_prompts_per_second", "import prompts, records/s", None, None),
    ("store.export_labels_per_second", "export labels, records/s", None, None),
    ("bytes.ranking_place_and_take_back.bytes.median", "bytes per ranking keystroke (place / take back)", 400, "≤"),
    ("ranking.80x24.letter.median_bytes", "bytes per ranking keystroke, K=9 × 100 kB, headless frame", 1500, "<"),
    ("bytes.ranking_read_next_output.bytes.median", "bytes to show another output (its text)", None, None),
    ("bytes.home_highlight_move.bytes.median", "bytes per home highlight move", None, None),
    ("memory.start_rss_mib", "resident memory at start, MiB", None, None),
    ("memory.pty_comparison.growth_mib_per_100_tasks", "memory growth in a real 80x24 pty, comparisons typed, MiB/100 tasks (second half of 200)", 0.5, "<"),
    ("memory.comparison.growth_mib_per_100_tasks", "memory growth, comparisons, MiB/100 tasks", 0, "<="),
    ("memory.instruction.growth_mib_per_100_tasks", "memory growth, instruction labels, MiB/100", 0, "<="),
    ("memory.demonstration.growth_mib_per_100_tasks", "memory growth, demonstrations, MiB/100", 0, "<="),
    ("memory.toxicity.growth_mib_per_100_tasks", "memory growth, toxicity, MiB/100 tasks", 0, "<="),
    ("memory.push_pop_textual_footer.growth_mib_per_100_cycles", "push+pop, Textual's Footer, MiB/100", None, None),
    ("memory.push_pop_labeldesk_footer.growth_mib_per_100_cycles", "push+pop, LabelDesk's Footer, MiB/100", None, None),
    ("memory.sessions_in_24_gib", "sessions in 24 GiB (a day's growth included)", None, None),
    ("load_8.submits_per_second", "8 processes: claim → submit, submits/s", None, None),
    ("load_8.submit_ms_p99", "8 processes: submit p99 ms", None, None),
    ("load_8.claim_ms_p99", "8 processes: claim p99 ms", None, None),
    ("load_50.submits_per_second", "50 processes: claim → submit, submits/s", None, None),
    ("load_50.submit_ms_p99", "50 processes: submit p99 ms", None, None),
    ("load_50.claim_ms_p99", "50 processes: claim p99 ms", None, None),
    ("load_50.checks.busy_notes", "50 processes: \"database busy\" notes a labeler would see", 0, "<="),
    ("load_backends.sqlite_200.submits_per_second / load_backends.sqlite_50.submits_per_second",
     "SQLite, 200 full-speed writers ÷ 50, submits/s (same run)", 0.5, "≥"),
    ("load_backends.sqlite_200.checks.busy_notes", "SQLite, 200 writers: busy notes", 0, "<="),
    ("load_backends.postgresql_1.submits_per_second", "PostgreSQL, one process: claim → submit, submits/s", 300, "≥"),
    ("load_backends.postgresql_50.submits_per_second / load_backends.sqlite_50.submits_per_second",
     "PostgreSQL ÷ SQLite at 50 processes, submits/s (same run)", 2, "≥"),
    ("load_backends.postgresql_200.submits_per_second / load_backends.postgresql_50.submits_per_second",
     "PostgreSQL, 200 processes ÷ 50, submits/s (same run)", 1, "≥"),
    ("load_backends.postgresql_200.checks.busy_notes", "PostgreSQL, 200 processes: busy notes", 0, "<="),
    ("load_backends.pgbouncer_200.submits_per_second / load_backends.pgbouncer_50.submits_per_second",
     "PostgreSQL through PgBouncer (20 server connections), 200 processes ÷ 50, submits/s (same run)",
     1, "≥"),
    ("reports.1m.quality.cpu_seconds", "`labeldesk quality` at 1M labels, MACE from its last run, CPU s", 5, "≤"),
    ("reports.1m.quality_cold.cpu_seconds", "`labeldesk quality` at 1M labels, MACE cold, CPU s", 5, "≤"),
    ("reports.1m.agreement.cpu_seconds", "`labeldesk agreement` at 1M labels (1,000 resamples), CPU s", 5, "≤"),
    ("reports.1m.consensus.cpu_seconds", "`labeldesk export consensus` at 1M labels, CPU s", 5, "≤"),
    ("reports.1m.quality.peak_rss_mib", "`labeldesk quality` at 1M labels, peak MiB", None, None),
    ("reports.1m.dashboard.first_visit.q_to_first_figures_seconds", "dashboard at 1M labels: q → first figures, s (wall)", 1, "≤"),
    ("reports.1m.dashboard.first_visit.escape_to_home_while_computing_seconds", "dashboard at 1M labels: Escape answered while the report computes, s", 0.1, "≤"),
    ("reports.1m.dashboard.first_visit.ctrl_q_to_exit_while_computing_seconds", "dashboard at 1M labels: ctrl+q → app stopped while computing, s", 0.1, "≤"),
    ("agreement.report_resamples_1000.seconds", "agreement on 1,000,000 labels, s", None, None),
    ("consensus.consensus.seconds", "consensus on 1,000,000 labels (500 labelers), s", None, None),
    ("consensus.consensus.peak_rss_mib", "consensus on 1,000,000 labels, peak MiB", None, None),
    ("mace.bench_consensus.consensus.seconds", "consensus with MACE on 1,000,000 labels, s", None, None),
    ("mace.bench_consensus.consensus.peak_rss_mib", "consensus with MACE on 1,000,000 labels, peak MiB", None, None),
    ("mace.bench_consensus.competence.seconds", "MACE competence of 500 labelers over 1,000,000 labels, s", None, None),
    ("mace.bench_consensus.competence.cpu_seconds", "MACE competence of 500 labelers over 1,000,000 labels, CPU s", None, None),
    ("mace.bench_consensus.competence.peak_rss_mib", "MACE competence over 1,000,000 labels, peak MiB", None, None),
    ("disputes.list_disputes_seconds", "disputes over 10,000 finished items, first time, s", None, None),
    ("disputes.list_disputes_again_seconds", "disputes over 10,000 finished items, again, s", None, None),
    ("disputes.next_case_seconds", "next item to adjudicate (10,000 finished), s", None, None),
    ("keystrokes.keys.comparison_4_ranking_from_scores", "keys per comparison, 4 outputs, ranking as rated (13 before)", 10, "≤"),
    ("keystrokes.keys.comparison_6_ranking_from_scores", "keys per comparison, 6 outputs, ranking as rated (17 before)", None, None),
    ("keystrokes.keys.comparison_9_one_tie_typed", "keys, 9 outputs scored + ranking typed with a tie (30 before)", 20, "≤"),
    ("keystrokes.keys.toxicity_2_ranking_from_scores", "keys per toxicity item, 2 continuations", None, None),
    ("keystrokes.keys.writing_besides_the_text", "keys per demonstration besides the text", None, None),
]

# "≈ 0" growth: within 0.1 MiB per 100 (allocator and page-cache noise) is not growth.
_TOLERANCE = 0.1


def lookup(data: dict[str, Any], path: str) -> Any:
    """The figure at a dotted `path`; `a / b` is the ratio of two figures (None if one is missing)."""
    if " / " in path:
        top, bottom = (lookup(data, side) for side in path.split(" / "))
        return round(top / bottom, 2) if top is not None and bottom else None
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def verdict(value: Any, target: float | None, op: str | None) -> str:
    if value is None:
        return "not measured"
    if op is None or target is None:
        return ""
    ok = {"<": value < target, ">": value > target, "<=": value <= target + _TOLERANCE,
          "≤": value <= target, "≥": value >= target}[op]
    return "met" if ok else "**missed**"


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(data: dict[str, Any]) -> str:
    lines = ["| figure | value | target | |", "|---|---:|---:|---|"]
    for path, what, target, op in ROWS:
        value = lookup(data, path)
        want = {None: "", "<=": f"≈ {fmt(target)}"}.get(op, f"{op} {fmt(target)}")
        lines.append(f"| {what} (`{path}`) | {fmt(value)} | {want} | {verdict(value, target, op)} |")
    return "\n".join(lines)


def main() -> None:
    print(table(json.loads(RESULTS.read_text())))


if __name__ == "__main__":
    main()
