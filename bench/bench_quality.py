"""Benchmark `labeldesk quality` (`quality_report`) on the agreement bench's data: 1,000,000
labels by 500 labelers, 20 fields (`bench_agreement.generate`).

    python -m bench quality        # or: python bench/bench_quality.py

On top of the labels, every (labeler, item) becomes a finished assignment (active seconds and
finish times spread over eight weeks), and every labeler's answers on items with gold become
that labeler's gold checks, so the report scores about 200,000 answer values against gold and
reads every assignment. The report runs in a child process so its peak memory (VmHWM) is its own.
Not part of the test suite.

The report includes every labeler's MACE competence (store/reports/competence.py); a second
child times that part alone, and both go to the `mace` key too.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script (the child process is one)

from bench import bench_consensus  # noqa: E402
from bench.bench_agreement import generated  # noqa: E402
from bench.child import child_args, measure, record_run, run_in_child  # noqa: E402
from bench.results import record_part  # noqa: E402
from store.db import open_db  # noqa: E402

WEEKS = 8

_WORK_SQL = [
    # The bench joins tasks by item alone (the real ones go through UNIQUE(kind, item, quiz)).
    "CREATE INDEX bench_tasks_item ON tasks(item)",
    "INSERT OR IGNORE INTO labelers (name, role, created_at) "
    "SELECT DISTINCT labeler, CASE labeler WHEN 'researcher' THEN 'researcher' ELSE 'labeler' END, "
    "'2026-01-01' FROM labels",
    "INSERT INTO tasks (kind, item, created_at) SELECT CASE substr(item, 1, 1) WHEN 't' "
    "THEN 'toxicity' ELSE 'comparison' END, item, '2026-01-01' FROM labels GROUP BY item",
    # One finished assignment per labeler and item; times from a hash of the pair, spread over
    # WEEKS weeks, active seconds 10..200.
    f"""INSERT INTO assignments (task_id, labeler, status, claimed_at, finished_at, seconds,
                                 active_seconds)
        SELECT t.id, l.labeler, 'done', '2026-01-01',
               strftime('%Y-%m-%dT%H:%M:%S', '2026-01-05', '+' || (abs(random()) % ({WEEKS} * 7 * 86400)) || ' seconds'),
               60, 10 + abs(random()) % 190
        FROM (SELECT DISTINCT labeler, item FROM labels WHERE gold = 0) l
        JOIN tasks t INDEXED BY bench_tasks_item ON t.item = l.item""",
    """WITH checks AS MATERIALIZED (
         SELECT l.labeler, l.item,
                json_group_array(json_array(l.task, l.item, l.field, json(l.value))) AS answers
         FROM labels l
         WHERE l.gold = 0 AND EXISTS (SELECT 1 FROM labels g WHERE g.gold = 1 AND g.task = l.task
                                      AND g.item = l.item AND g.field = l.field)
         GROUP BY l.labeler, l.item)
       INSERT INTO gold_answers (assignment_id, labeler, kind, item, answers, submitted_at,
                                 active_seconds)
       SELECT a.id, c.labeler, t.kind, c.item, c.answers, a.finished_at, a.active_seconds
       FROM checks c JOIN tasks t INDEXED BY bench_tasks_item ON t.item = c.item
       JOIN assignments a ON a.task_id = t.id AND a.labeler = c.labeler""",
]


def add_work(path: Path) -> dict:
    db = open_db(path)
    db.conn.execute("PRAGMA synchronous = OFF")
    db.conn.execute("PRAGMA wal_autocheckpoint = 1000")  # as in bench_agreement.generate
    started = time.perf_counter()
    with db.conn:
        for sql in _WORK_SQL:
            db.conn.execute(sql)
    counts = {
        "assignments": db.execute("SELECT count(*) FROM assignments").fetchone()[0],
        "gold_checks": db.execute("SELECT count(*) FROM gold_answers").fetchone()[0],
        "add_work_seconds": round(time.perf_counter() - started, 1),
    }
    db.conn.close()
    return counts


def forget_starts(path: str) -> None:
    """The next competences run cold: the last run's MACE parameters deleted (as on a project
    whose report never ran; store/reports/competence.py)."""
    db = open_db(path)
    with db.conn:
        db.conn.execute("DELETE FROM competence_starts")
    db.conn.close()


def run_report(path: str, resamples: int, start: str = "warm") -> None:
    """Child process: one report (see bench.child.measure); `start` "cold": without the last
    run's MACE parameters."""
    from store.quality.policy import QualityPolicy
    from store.reports.quality import quality_report

    if start == "cold":
        forget_starts(path)

    def statuses(report: dict) -> dict:
        counts: dict[str, int] = {}
        for entry in report["labelers"].values():
            counts[entry["status"]] = counts.get(entry["status"], 0) + 1
        return {"labelers": len(report["labelers"]), "statuses": counts}

    measure(path, lambda db: quality_report(db, QualityPolicy(), n_boot=resamples), statuses)


def main() -> None:
    with generated() as (path, figures):
        figures.update(add_work(path))
        print(f"with work: {figures}", file=sys.stderr)
        figures["report_resamples_1000"] = run_in_child(__file__, str(path), "1000")
        print(f"report: {figures['report_resamples_1000']}", file=sys.stderr)
        competence = run_in_child(bench_consensus.__file__, "mace", str(path), "competence")
        print(f"competence: {competence}", file=sys.stderr)
    figures["target_seconds"] = 10
    record_run("quality", figures)
    record_part("mace", "bench_quality", {
        "report_resamples_1000": figures["report_resamples_1000"], "competence": competence,
        "load_average_1min": figures["load_average_1min"], "measured_at": figures["measured_at"]})


if __name__ == "__main__":
    if (args := child_args()) is not None:
        run_report(args[0], int(args[1]), *args[2:])
    else:
        main()
