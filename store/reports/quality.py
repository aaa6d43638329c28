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
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from store.errors import StoreError
from store.quality.fast import active_summary
from store.quality.policy import QualityPolicy
from store.quality.scoring import GoldKey, Tally, gold_for, score
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
    """One labeler's finished assignments, by kind and by day."""

    active: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    by_kind: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    by_day: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))


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


def _read_work(db: sqlite_utils.Database, names: set[str], since: str) -> dict[str, _Work]:
    # One pass, streamed: the join itself is most of the time (1.2 of 1.7 s CPU at a million
    # assignments); a GROUP BY (a sort) or numpy over fetched columns measured slower.
    work: dict[str, _Work] = defaultdict(_Work)
    rows = db.execute(
        """SELECT a.labeler, t.kind, substr(a.finished_at, 1, 10), a.active_seconds
           FROM assignments a JOIN tasks t ON t.id = a.task_id
           WHERE a.status = 'done' AND a.finished_at >= ? AND t.quiz = ''""", [since])
    for name, kind, day, active in rows:
        if name not in names:
            continue
        w = work[name]
        w.by_kind[kind] += 1
        w.by_day[day] += 1
        if active is not None:
            w.active.append((kind, active))
    return work


def _read_checks(db: sqlite_utils.Database, names: set[str], since: str,
                 gold: dict[GoldKey, Any], schema: Schema
                 ) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]]]:
    weekly: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    weeks: dict[str, str] = {}
    rows = db.execute(
        "SELECT labeler, answers, substr(submitted_at, 1, 10) FROM gold_answers "
        "WHERE submitted_at >= ? ORDER BY id", [since])
    for name, answers, day in rows:
        if name not in names:
            continue
        week = weeks.get(day) or weeks.setdefault(day, iso_week(day))
        score(weekly[name][week], json.loads(answers), gold, schema)
    tallies: dict[str, Tally] = {}
    for name, by_week in weekly.items():  # scored once, by week; the whole is their sum
        total = tallies[name] = Tally()
        for tally in by_week.values():
            total += tally
    return tallies, weekly


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
    tallies, weekly = _read_checks(db, wanted, since, gold_for(db), schema)
    work = _read_work(db, wanted, since)
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
        medians, fast, judged = active_summary(w.active, policy)
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
