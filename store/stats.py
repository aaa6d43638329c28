"""Descriptive statistics of the data and of labeling progress (guidelines §2), as plain data."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from store.dialect import dialect_of
from store.rules import kept_sql

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    median: float | None
    p90: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default) on sorted values."""
    if not ordered:
        return None
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarise(values: Sequence[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        return Summary(0, None, None, None)
    return Summary(
        len(ordered),
        sum(ordered) / len(ordered),
        percentile(ordered, 0.5),
        percentile(ordered, 0.9),
    )


def histogram(values: Sequence[float], bins: int = 10) -> list[tuple[float, float, int]]:
    """(low, high, count) over equal-width bins from the smallest to the largest value; the last
    bin includes its upper edge."""
    if not values:
        return []
    lo, hi = min(values), max(values)
    if lo == hi:
        return [(lo, hi, len(values))]
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return [(lo + i * width, lo + (i + 1) * width, c) for i, c in enumerate(counts)]


# ------------------------------------------------------------------ from the database
KEPT = kept_sql()
HISTOGRAM_BINS = 10


def _counts(db: sqlite_utils.Database, column: str, where: str = KEPT) -> dict[str, int]:
    rows = db.execute(
        f"SELECT coalesce({column}, '(none)'), count(*) FROM prompts WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    return dict(rows.fetchall())


def _lengths(rows: Iterable[tuple[str | None, int]]) -> dict[str, Any]:
    by_category: dict[str, list[int]] = {}
    for category, n in rows:
        by_category.setdefault(category or "(none)", []).append(n)
    return {
        category: {**summarise(values).as_dict(), "histogram": histogram(values, HISTOGRAM_BINS)}
        for category, values in sorted(by_category.items())
    }


def _users(db: sqlite_utils.Database) -> dict[str, Any]:
    per_user = [n for (n,) in db.execute(
        f"SELECT count(*) FROM prompts WHERE {KEPT} AND user_id IS NOT NULL GROUP BY user_id")]
    top = db.execute(
        f"SELECT user_id, count(*) FROM prompts WHERE {KEPT} AND user_id IS NOT NULL "
        "GROUP BY user_id ORDER BY 2 DESC, 1 LIMIT 10").fetchall()
    users_per_split = dict(db.execute(
        f"SELECT coalesce(split, '(none)'), count(DISTINCT user_id) FROM prompts WHERE {KEPT} "
        "AND user_id IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall())
    crossing = db.execute(
        f"SELECT count(*) FROM (SELECT user_id FROM prompts WHERE {KEPT} AND user_id IS NOT NULL "
        "GROUP BY user_id HAVING count(DISTINCT coalesce(split, '')) > 1) AS spread").fetchone()[0]
    return {
        "users": len(per_user),
        "prompts_per_user": summarise(per_user).as_dict(),
        "top": dict(top),
        "users_per_split": users_per_split,
        "users_in_more_than_one_split": crossing,
    }


def _progress(db: sqlite_utils.Database, overlap: Mapping[str, int]) -> dict[str, Any]:
    kinds = {}
    for kind, tasks, touched, done in db.execute(
        """SELECT t.kind, count(*),
                  count(CASE WHEN EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.status = 'done') THEN 1 END),
                  coalesce(sum((SELECT count(*) FROM assignments a WHERE a.task_id = t.id AND a.status = 'done')), 0)
           FROM tasks t WHERE t.quiz = '' GROUP BY t.kind ORDER BY t.kind"""
    ):
        wanted = tasks * overlap.get(kind, 1)
        kinds[kind] = {"tasks": tasks, "tasks_started": touched, "done": done, "wanted": wanted,
                       "share_done": min(done, wanted) / wanted if wanted else None}
    labelers: dict[str, dict[str, Any]] = {}
    for labeler, kind, done, seconds, timed in db.execute(
        """SELECT a.labeler, t.kind, count(*), sum(a.seconds), count(a.seconds)
           FROM assignments a JOIN tasks t ON t.id = a.task_id
           WHERE a.status = 'done' GROUP BY 1, 2 ORDER BY 1, 2"""
    ):
        # Items per hour over the assignments with a recorded time (imported labels have none).
        per_hour = timed / (seconds / 3600) if seconds else None
        labelers.setdefault(labeler, {})[kind] = {
            "done": done, "hours": (seconds or 0) / 3600, "items_per_hour": per_hour}
    return {"kinds": kinds, "labelers": labelers, "over_overlap": _over_overlap(db, overlap)}


OVER_OVERLAP_REASONS = {
    "late_submit": "submitted after the lease ran out and others had finished the item",
    "other": "labels imported, or the overlap lowered after the work was done",
}


def _over_overlap(db: sqlite_utils.Database, overlap: Mapping[str, int]) -> dict[str, Any]:
    """Items more non-gold labelers finished than their kind's overlap asks for, and why: a
    late submit leaves an `over_overlap` event (store.labels.submit); anything else is named
    as such."""
    late = {json.loads(d)["task"] for (d,) in db.execute("SELECT data FROM events WHERE kind = 'over_overlap'")}
    reasons = dict.fromkeys(OVER_OVERLAP_REASONS, 0)
    items = 0
    for task_id, kind, done in db.execute(
        """SELECT a.task_id, t.kind, count(*) FROM assignments a
           JOIN tasks t ON t.id = a.task_id JOIN labelers l ON l.name = a.labeler
           WHERE a.status = 'done' AND l.role = 'labeler' AND t.quiz = ''
           GROUP BY a.task_id, t.kind"""
    ):
        if done > overlap.get(kind, 1):
            items += 1
            reasons["late_submit" if task_id in late else "other"] += 1
    return {"items": items, "by_reason": reasons}


def collect_stats(db: sqlite_utils.Database, *, overlap: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Everything `labeldesk stats` shows, as plain data (its `--format json`).

    Counts are over kept prompts (status `pool`, no rule reason) except `by_status`; lengths are
    in characters; prompt+answer length pairs each written demonstration with its prompt.
    """
    return {
        "prompts": {
            "by_status": _counts(db, "status", "1 = 1"),
            "by_reason": _counts(db, "reason", "reason IS NOT NULL"),
            "by_source": _counts(db, "source"),
            "by_style": _counts(db, "style"),
            "by_category": _counts(db, "category"),
            "by_split": _counts(db, "split"),
        },
        "users": _users(db),
        "lengths": {
            "prompt": _lengths(db.execute(f"SELECT category, length(text) FROM prompts WHERE {KEPT}")),
            "prompt_answer": _lengths(db.execute(
                f"""SELECT p.category, length(p.text) + length({dialect_of(db).json_value('l.value')})
                    FROM labels l JOIN prompts p ON p.id = l.item
                    WHERE l.task = 'demonstration' AND l.field = 'text' AND {kept_sql("p")}""")),
        },
        "progress": _progress(db, overlap or {}),
    }
