"""Each hidden gold check's counts against researcher gold, kept as the check is submitted
(`gold_check_scores`, one row a check), so the quality report adds up small integer rows
instead of parsing and scoring every check's answers (1.2 to 1.4 s of CPU at 200,000 checks).

A row holds what `scoring.check_counts` gives for the check's answers: flags agreed and
compared, rating differences (comma-separated), ranked items, pairs ordered as gold and pairs
compared; with the check's labeler and submit time, so the report reads this table alone.

Kept exact: triggers on `labels` (store/tallies.py, migration 18) drop the rows of every check on an item whose gold changes
(a gold label written, rewritten, deleted, or a label turned gold or back), on both engines and
every path that writes labels; the report scores the checks without a row from their answers,
as it did before, and keeps those rows again when it may write. `rebuild` (`labeldesk db
rebuild-tallies`) scores every check afresh; `tests/store/test_check_scores.py` checks the kept
rows equal rebuilt ones over random histories on both engines.

Where rows are written: on SQLite by the check's submit (`record_gold_answers`, inside its
transaction, which writes one at a time); on PostgreSQL a check's submit is one server call that
stores the answers alone (store/server_submit_checks.py), so its row is written by the next
quality report, which scores the checks without one inside a write transaction under the write
lock every gold write takes (store/db.py `immediate`), the gold read there: both engines keep
only rows scored against the gold of their moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from store.quality.scoring import Counts, GoldKey, check_counts, gold_for

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

    from store.schema import Schema

_INSERT = ("INSERT INTO gold_check_scores (answer_id, labeler, submitted_at, flag_agree, flag_n, "
           "rating_diffs, rank_items, rank_same, rank_compared) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO NOTHING")


def _row(answer_id: int, labeler: str, submitted_at: str, counts: Counts) -> list[Any]:
    _checks, flag_agree, flag_n, diffs, rank_items, rank_same, rank_compared = counts
    return [answer_id, labeler, submitted_at, flag_agree, flag_n, ",".join(map(str, diffs)),
            rank_items, rank_same, rank_compared]


def counts_of(flag_agree: int, flag_n: int, diffs: str, rank_items: int, rank_same: int,
              rank_compared: int) -> Counts:
    """A kept row's columns back to `check_counts`' counts."""
    return (1, flag_agree, flag_n, [int(d) for d in diffs.split(",")] if diffs else [],
            rank_items, rank_same, rank_compared)


def keep_score(db: sqlite_utils.Database, answer_id: int, labeler: str, submitted_at: str,
               answers: list[list[Any]], schema: Schema) -> None:
    """Score a check just recorded (inside its submit's transaction) and keep the row."""
    gold = gold_for(db, ((t, i, f) for t, i, f, _v in answers))
    db.execute(_INSERT, _row(answer_id, labeler, submitted_at, check_counts(answers, gold, schema)))


def keep_scores(db: sqlite_utils.Database, checks: Iterable[tuple[int, str, str, str]],
                schema: Schema, gold: dict[GoldKey, Any] | None = None) -> int:
    """Score the given checks (id, labeler, submitted_at, answers JSON) against the gold now
    (`gold`: all of it, read by the caller) and keep their rows (inside the caller's
    transaction); how many."""
    parsed: list[tuple[int, str, str, list[list[Any]]]] = [
        (i, who, at, json.loads(answers)) for i, who, at, answers in checks]
    if gold is None:
        gold = gold_for(db, ((t, i, f) for *_c, answers in parsed for t, i, f, _v in answers))
    for answer_id, labeler, submitted_at, answers in parsed:
        db.execute(_INSERT, _row(answer_id, labeler, submitted_at,
                                 check_counts(answers, gold, schema)))
    return len(parsed)


def rebuild(db: sqlite_utils.Database, schema: Schema) -> int:
    """Every check scored afresh against the gold there now (the caller holds the
    transaction); the rows kept."""
    db.execute("DELETE FROM gold_check_scores")
    rows = db.execute("SELECT id, labeler, submitted_at, answers FROM gold_answers ORDER BY id")
    return keep_scores(db, rows.fetchall(), schema, gold_for(db))


def scored_checks(db: sqlite_utils.Database, since: str
                  ) -> Iterator[tuple[int, str, str, tuple[Any, ...] | None, str | None]]:
    """Every check submitted from `since` on, by id: (id, labeler, day, the kept row's count
    columns, or None and the answers to score where no row is kept)."""
    rows = db.execute(
        "SELECT g.id, g.labeler, substr(g.submitted_at, 1, 10), s.flag_agree, s.flag_n, "
        "s.rating_diffs, s.rank_items, s.rank_same, s.rank_compared, "
        "CASE WHEN s.answer_id IS NULL THEN g.answers END FROM gold_answers g "
        "LEFT JOIN gold_check_scores s ON s.answer_id = g.id "
        "WHERE g.submitted_at >= ? ORDER BY g.id", [since])
    for answer_id, labeler, day, *columns, answers in rows:
        yield answer_id, labeler, day, (None if answers is not None else tuple(columns)), answers
