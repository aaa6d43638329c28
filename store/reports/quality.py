"""The live quality report (`labeldesk quality`, the researchers' dashboard): per labeler, gold
checks against researcher gold with 95% intervals, MACE competence from all their labels, tasks,
active time, fast answers, status, screening, and weekly trends.

Shares get Wilson score intervals at the effective sample size over gold checks
(store/reports/intervals.py: the answers about one item are not independent); the mean
absolute rating difference, not a share, gets a seeded percentile bootstrap that resamples
whole checks (`store.agreement.metrics.bootstrap`). A figure
without data is `null` with a `reason`, never 0. Dates are UTC, as stored.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from store.db import immediate
from store.errors import StoreError
from store.quality.check_scores import counts_of, keep_scores, scored_checks
from store.quality.fast import Summary, active_summaries
from store.quality.policy import QualityPolicy
from store.quality.scoring import GoldKey, Tally, check_counts, gold_for, score
from store.quality.screening import screening_results
from store.quality.status import judge, stored_status
from store.reports.figures import figure, rounded, rounded_ci
from store.reports.intervals import clustered_wilson
from store.schema import load_schema

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

DAYS_SHOWN = 28


def _share(by_check: list[tuple[int, int]], name: str, what: str) -> dict[str, Any]:
    successes, n = sum(s for s, _n in by_check), sum(n for _s, n in by_check)
    out: dict[str, Any] = {name: rounded(successes / n) if n else None,
                           "ci95": rounded_ci(clustered_wilson(by_check))}
    if not n:
        out["reason"] = f"no gold checks with {what} yet"
    return out


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _mean_abs_diff(by_check: list[list[int]], *, seed: int, n_boot: int) -> dict[str, Any]:
    """The mean absolute rating difference, with a percentile bootstrap that resamples whole
    checks (the ratings of one item are not independent)."""
    if not by_check:
        return figure("mean_abs_diff", None, None)
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    import numpy as np

    from store.agreement.metrics import bootstrap

    sums = np.asarray([sum(diffs) for diffs in by_check], dtype=float)
    counts = np.asarray([len(diffs) for diffs in by_check], dtype=float)
    ci, _se = bootstrap(lambda idx: sums[idx].sum(axis=1) / counts[idx].sum(axis=1),
                        len(by_check), seed=seed, n_boot=n_boot)
    return figure("mean_abs_diff", float(sums.sum() / counts.sum()), ci)


def tally_figures(tally: Tally, *, seed: int = 0, n_boot: int = 1000) -> dict[str, Any]:
    """The gold-check part of a labeler's entry."""
    ratings = {"n": len(tally.rating_diffs),
               **_mean_abs_diff(tally.ratings_by_check, seed=seed, n_boot=n_boot),
               **_share(tally.within_1_by_check, "within_1", "ratings")}
    return {
        "gold_checks": tally.checks,
        "agreement": rounded(tally.agreement),
        "ci95": rounded_ci(clustered_wilson(tally.pooled_by_check)),
        "flags": {"n": tally.flag_n, **_share(tally.flags_by_check, "agreement", "flags")},
        "ratings": ratings,
        "rankings": {"n_items": tally.rank_items, "pairs": tally.rank_compared,
                     **_share(tally.ranks_by_check, "pairwise_agreement",
                              "untied ranking pairs")},
    }


@dataclasses.dataclass
class _Work:
    """One labeler's finished assignments: by kind and by day, and `active_summary`'s figures
    of their active seconds."""

    by_kind: dict[str, int] = dataclasses.field(default_factory=dict)
    by_day: dict[str, int] = dataclasses.field(default_factory=dict)
    summary: Summary = ({}, 0, 0)


def _labelers(db: sqlite_utils.Database, labeler: str | None) -> list[str]:
    if labeler is None:
        return [r[0] for r in db.execute(
            "SELECT name FROM labelers WHERE role = 'labeler' ORDER BY name")]
    row = db.execute("SELECT role FROM labelers WHERE name = ?", [labeler]).fetchone()
    if row is None:
        raise StoreError(f"labeler {labeler!r} is not in the roster")
    if row[0] != "labeler":
        raise StoreError(f"{labeler!r} is a researcher: researchers write the gold")
    return [labeler]


WORK_CHUNK = 50_000  # rows coded at a time: the columns as Python objects, never all at once


def _read_work(db: sqlite_utils.Database, names: list[str], since: str, policy: QualityPolicy
               ) -> dict[str, _Work]:
    # One query, no join (a task's kind is looked up from one read of the tasks), its rows
    # coded into integer arrays a chunk at a time by C-level maps (a column at a time:
    # zip(*rows) took six times as long); counts are `bincount`s, medians one sort.
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    import numpy as np

    task_kinds = dict(db.execute("SELECT id, kind FROM tasks WHERE quiz = ''").fetchall())
    kinds = sorted(set(task_kinds.values()))
    kind_code = {kind: k for k, kind in enumerate(kinds)}
    task_code = {task: kind_code[kind] for task, kind in task_kinds.items()}
    labeler_code = {name: j for j, name in enumerate(names)}
    day_code: dict[str, int] = {}
    columns: list[list[Any]] = [[], [], [], []]
    cursor = db.execute(
        "SELECT labeler, task_id, substr(finished_at, 1, 10), active_seconds FROM assignments "
        "WHERE status = 'done' AND finished_at >= ?", [since])
    while rows := cursor.fetchmany(WORK_CHUNK):
        labelers, tasks, days, seconds = (list(map(itemgetter(c), rows)) for c in range(4))
        for day in dict.fromkeys(days):
            day_code.setdefault(day, len(day_code))
        n = len(rows)
        columns[0].append(np.fromiter(map(labeler_code.get, labelers, itertools.repeat(-1)),
                                      np.int64, n))
        columns[1].append(np.fromiter(map(task_code.get, tasks, itertools.repeat(-1)),
                                      np.int64, n))
        columns[2].append(np.fromiter(map(day_code.__getitem__, days), np.int64, n))
        columns[3].append(np.array(seconds, dtype=float))  # None (no active time): NaN
    if not columns[0] or not kinds:
        return {}
    lab, kind, day, active = (np.concatenate(c) for c in columns)
    keep = (lab >= 0) & (kind >= 0)
    lab, kind, day, active = lab[keep], kind[keep], day[keep], active[keep]
    day_list = list(day_code)
    by_kind = np.bincount(lab * len(kinds) + kind, minlength=len(names) * len(kinds))
    by_day = np.bincount(lab * len(day_list) + day, minlength=len(names) * len(day_list))
    summaries = active_summaries(lab, kind, active, len(names), kinds, policy)
    work = {}
    for j, name in enumerate(names):
        kinds_j = by_kind[j * len(kinds):(j + 1) * len(kinds)]
        days_j = by_day[j * len(day_list):(j + 1) * len(day_list)]
        if not kinds_j.any():
            continue
        work[name] = _Work({kinds[k]: int(c) for k, c in enumerate(kinds_j.tolist()) if c},
                           {day_list[d]: int(days_j[d]) for d in np.flatnonzero(days_j).tolist()},
                           summaries[j])
    return work


def _read_checks(db: sqlite_utils.Database, names: set[str], since: str, schema: Schema
                 ) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]]]:
    """Each labeler's checks, by week and in all: the counts kept at submit
    (store/quality/check_scores.py), and for a check without them (its gold changed since)
    its answers scored against the gold now, and kept when the database may be written."""
    weekly: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    weeks: dict[str, str] = {}
    gold: dict[GoldKey, Any] | None = None
    unkept: list[int] = []
    for answer_id, name, day, kept, answers in scored_checks(db, since):
        if name not in names:
            continue
        week = weeks.get(day) or weeks.setdefault(day, iso_week(day))
        if kept is not None:
            weekly[name][week].add_counts(*counts_of(*kept))
            continue
        if gold is None:
            gold = gold_for(db)
        weekly[name][week].add_counts(*check_counts(json.loads(answers or "[]"), gold, schema))
        unkept.append(answer_id)
    tallies: dict[str, Tally] = {}
    for name, by_week in weekly.items():  # scored once, by week; the whole is their sum
        total = tallies[name] = Tally()
        for tally in by_week.values():
            total += tally
    _keep_scores(db, unkept, schema)
    return tallies, weekly


def _keep_scores(db: sqlite_utils.Database, answer_ids: list[int], schema: Schema) -> None:
    """The scores of checks that had none, kept for the next report (scored again inside the
    write, against the gold then). Never on a database opened only to read; busy past the
    write wait, the next report scores them again."""
    if not answer_ids or getattr(db, "read_only", False):
        return
    try:
        with immediate(db):
            for start in range(0, len(answer_ids), 500):
                ids = answer_ids[start:start + 500]
                keep_scores(db, db.execute(
                    "SELECT id, labeler, submitted_at, answers FROM gold_answers WHERE id IN "
                    f"({', '.join('?' * len(ids))})", ids).fetchall(), schema)
    except (StoreError, sqlite3.OperationalError):
        return


def _weekly(checks: dict[str, Tally], days: dict[str, int]) -> list[dict[str, Any]]:
    tasks: dict[str, int] = defaultdict(int)
    for day, n in days.items():
        tasks[iso_week(day)] += n
    out = []
    for week in sorted(set(checks) | set(tasks)):
        tally = checks.get(week, Tally())
        out.append({"week": week, "gold_checks": tally.checks, "agreement": rounded(tally.agreement),
                    "tasks": tasks.get(week, 0)})
    return out


def quality_report(
    db: sqlite_utils.Database,
    policy: QualityPolicy | None = None,
    *,
    schema: Schema | None = None,
    labeler: str | None = None,
    since: str | None = None,
    today: date | None = None,
    seed: int = 0,
    n_boot: int = 1000,
    with_competence: bool = True,
) -> dict[str, Any]:
    """`{"labelers": {name: entry}, "thresholds": {...}}` (see README, `labeldesk quality`).
    `with_competence=False` leaves MACE (about half the time) for `add_competence`: every
    entry's `competence` is then `pending_competence()`."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.reports.competence import METHOD, labeler_competence, pending_competence

    policy = policy or QualityPolicy()
    schema = schema or load_schema()
    today = today or utc_today()
    since = since or ""
    names = _labelers(db, labeler)
    wanted = set(names)
    tallies, weekly = _read_checks(db, wanted, since, schema)
    work = _read_work(db, names, since, policy)
    screening = screening_results(db, thresholds=policy.screening_thresholds, labeler=labeler)
    # Over every labeler's labels even for one labeler's report: MACE weighs each against all.
    competence = labeler_competence(db, schema, since=since, seed=seed) if with_competence else None
    week_start = today - timedelta(days=today.weekday())
    first_day = today - timedelta(days=DAYS_SHOWN - 1)
    # The report shows what the queue acts on: a pause is the stored one, never a new verdict.
    no_new_pause = dataclasses.replace(policy, pause_below=0.0)
    out = {}
    for name in names:
        tally, w = tallies.get(name, Tally()), work.get(name, _Work())
        medians, fast, judged = w.summary
        stored = stored_status(db, name)
        status, reasons = judge(tally, no_new_pause, fast=fast, tasks=judged,
                                paused=bool(stored and stored["status"] == "paused"))
        if status == "paused" and stored:
            reasons = stored["reasons"]
        entry = tally_figures(tally, seed=seed, n_boot=n_boot)
        if tally.checks == 0:
            entry["reason"] = "no gold checks yet"
        entry.update({
            "active_seconds_median": medians,
            "tasks": dict(sorted(w.by_kind.items())),
            "tasks_today": w.by_day.get(today.isoformat(), 0),
            "tasks_week": sum(n for day, n in w.by_day.items() if day >= week_start.isoformat()),
            "fast_answers": fast,
            "status": status,
            "reasons": reasons,
            "screening": screening.get(name),
            "competence": pending_competence(),
            "weekly": _weekly(weekly.get(name, {}), w.by_day),
            "daily": [{"day": (first_day + timedelta(days=n)).isoformat(),
                       "tasks": w.by_day.get((first_day + timedelta(days=n)).isoformat(), 0)}
                      for n in range(DAYS_SHOWN)],
        })
        out[name] = entry
    if competence is not None:
        add_competence(out, competence)
    thresholds = dataclasses.asdict(policy)
    return {"labelers": out, "thresholds": thresholds, "competence": METHOD,
            "intervals": {"shares": "Wilson score 95% at the effective sample size over gold checks",
                          "mean_abs_diff": f"percentile bootstrap 95% over gold checks, {n_boot} "
                                           f"resamples, seed {seed}"}}


def add_competence(entries: dict[str, dict[str, Any]], competence: dict[str, dict[str, Any]]
                   ) -> None:
    """Each labeler's MACE competence (`store.reports.competence.labeler_competence`) into
    their report entry."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.reports.competence import no_competence

    for name, entry in entries.items():
        entry["competence"] = competence.get(name) or no_competence()


def gold_misses(db: sqlite_utils.Database, labeler: str, *, schema: Schema | None = None,
                limit: int = 20) -> list[dict[str, Any]]:
    """The labeler's latest gold-check answers that missed the gold, newest first, for coaching:
    each with the item, field, the labeler's answer and the gold."""
    schema = schema or load_schema()
    rows = db.execute(
        "SELECT answers, submitted_at FROM gold_answers WHERE labeler = ? ORDER BY id DESC",
        [labeler]).fetchall()
    out: list[dict[str, Any]] = []
    for answers, submitted_at in rows:
        answers = json.loads(answers)
        gold = gold_for(db, ((t, i, f) for t, i, f, _v in answers))
        for miss in score(Tally(), answers, gold, schema):
            out.append({**miss, "submitted_at": submitted_at})
            if len(out) >= limit:
                return out
    return out
