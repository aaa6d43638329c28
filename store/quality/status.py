"""A labeler's quality status and what follows from it.

`judge` is the rule: `paused` sticks until a researcher resumes the labeler; otherwise `warn`
when gold agreement is below `warn_below` (after `min_gold` checks) or too many answers are
fast, `too_few` before `min_gold` checks, else `ok`. A pause is decided on the checks since the
last resume only, so a resumed labeler gets a fresh `min_gold` checks. Every change of status
is an event (`quality_status`); `production_closed` is what the queue asks before a claim.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from store.db import now
from store.errors import StoreError
from store.events import log_event
from store.quality.policy import QualityPolicy
from store.quality.screening import screening_result
from store.schema import load_schema

if TYPE_CHECKING:
    import sqlite_utils

    from store.quality.scoring import Tally
    from store.schema import Schema


def judge(tally: Tally, policy: QualityPolicy, *, fast: int = 0, tasks: int = 0,
          fresh: Tally | None = None, paused: bool = False) -> tuple[str, list[str]]:
    """(status, reasons) from a labeler's gold tally, fast answers and, for the pause rule, the
    tally since their last resume (`fresh`)."""
    reasons: list[str] = []
    fresh = fresh if fresh is not None else tally
    if paused:
        return "paused", ["paused until a researcher resumes the labeler"]
    if (policy.pause_below > 0 and fresh.checks >= policy.min_gold
            and fresh.agreement is not None and fresh.agreement < policy.pause_below):
        return "paused", [f"gold agreement {fresh.agreement:.2f} is below pause_below "
                          f"{policy.pause_below:.2f} over {fresh.checks} checks"]
    if tally.checks >= policy.min_gold and tally.agreement is not None \
            and tally.agreement < policy.warn_below:
        reasons.append(f"gold agreement {tally.agreement:.2f} is below warn_below "
                       f"{policy.warn_below:.2f}")
    if policy.fast_warn_share > 0 and tasks >= policy.fast_min_tasks and fast / tasks > policy.fast_warn_share:
        reasons.append(f"{fast} of {tasks} answers were fast (more than "
                       f"{policy.fast_warn_share:.0%})")
    if reasons:
        return "warn", reasons
    if tally.checks < policy.min_gold:
        return "too_few", [f"{tally.checks} gold checks, fewer than min_gold {policy.min_gold}"]
    return "ok", []


def stored_status(db: sqlite_utils.Database, labeler: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT status, reasons, changed_at, resumed_at, checked_through FROM quality_status "
        "WHERE labeler = ?", [labeler]).fetchone()
    if row is None:
        return None
    return {"status": row[0], "reasons": json.loads(row[1]), "changed_at": row[2],
            "resumed_at": row[3], "checked_through": row[4]}


_UNREAD: Any = object()


def set_status(db: sqlite_utils.Database, labeler: str, status: str, reasons: list[str], *,
               checked_through: int | None = None, resumed: bool = False, by: str | None = None,
               old: dict[str, Any] | None = _UNREAD) -> bool:
    """Store a labeler's status (inside the caller's transaction); True when it changed.
    `old`: the stored status, when the caller read it in the same transaction."""
    if old is _UNREAD:
        old = stored_status(db, labeler)
    stamp = now()
    db.execute(
        """INSERT INTO quality_status (labeler, status, reasons, changed_at, resumed_at,
                                       checked_through)
           VALUES (?, ?, ?, ?, ?, coalesce(?, 0))
           ON CONFLICT (labeler) DO UPDATE SET status = excluded.status,
             reasons = excluded.reasons,
             changed_at = CASE WHEN quality_status.status = excluded.status
                          THEN quality_status.changed_at ELSE excluded.changed_at END,
             resumed_at = coalesce(excluded.resumed_at, quality_status.resumed_at),
             checked_through = coalesce(?, quality_status.checked_through)""",
        [labeler, status, json.dumps(reasons), stamp, stamp if resumed else None, checked_through,
         checked_through],
    )
    before = old["status"] if old else None
    if before == status:
        return False
    data = {"from": before, "to": status, "reasons": reasons}
    if by:
        data["by"] = by
    log_event(db, labeler, "quality_status", data)
    return True


def labeler_tally(db: sqlite_utils.Database, labeler: str, schema: Schema, *,
                  since: str | None = None) -> Tally:
    rows = db.execute(
        "SELECT answers FROM gold_answers WHERE labeler = ? AND submitted_at >= ? ORDER BY id",
        [labeler, since or ""]).fetchall()
    # here, not at the top: home reads the status (closed_reason) in its first frame; the
    # scoring comes with the first judgement
    from store.quality.scoring import Tally, gold_for, score

    answers = [json.loads(r[0]) for r in rows]
    gold = gold_for(db, ((t, i, f) for a in answers for t, i, f, _v in a))
    tally = Tally()
    for a in answers:
        score(tally, a, gold, schema)
    return tally


def refresh_status(db: sqlite_utils.Database, labeler: str, policy: QualityPolicy,
                   schema: Schema | None = None, *, news_only: bool = True) -> None:
    """Re-judge a labeler when they finished gold checks since the last judgement.

    With `news_only` False (after every submit, `task_session.judge_labeler`), the same work
    is done on every call once the labeler has answered a check, news or not, and without news
    the stored status is written back as it is: re-judging only after a check would make the
    submit of a check the slow one, and so the check visible (docs/deployment.md, hidden gold
    checks)."""
    last = db.execute("SELECT max(id) FROM gold_answers WHERE labeler = ?", [labeler]).fetchone()[0]
    old = stored_status(db, labeler)
    news = not (old and old["checked_through"] >= last) if last is not None else False
    if last is None or (news_only and not news):
        return
    # here, not at the top: not on the app's path to its first frame
    from store.quality.fast import fast_answers

    schema = schema or load_schema()
    tally = labeler_tally(db, labeler, schema)
    fresh = labeler_tally(db, labeler, schema, since=old["resumed_at"]) if old and old["resumed_at"] else tally
    fast, tasks = fast_answers(db, labeler, policy)
    store_judgement(db, labeler, policy, old, last, tally=tally, fresh=fresh, fast=fast, tasks=tasks)


def store_judgement(db: sqlite_utils.Database, labeler: str, policy: QualityPolicy,
                    old: dict[str, Any] | None, last: int, *, tally: Tally, fresh: Tally,
                    fast: int, tasks: int) -> None:
    """Judge from what was counted and store it (`set_status`): the stored status `old` stands
    when no check came after `last`, the newest gold answer's id, which the status then
    records as judged (`checked_through`)."""
    news = not (old and old["checked_through"] >= last)
    status, reasons = judge(tally, policy, fast=fast, tasks=tasks, fresh=fresh,
                            paused=bool(old and old["status"] == "paused"))
    if not news and old:  # nothing new to decide on: the stored judgement stands
        status, reasons, last = old["status"], old["reasons"], old["checked_through"]
    set_status(db, labeler, status, reasons, checked_through=last, old=old)


def closed_reason(db: sqlite_utils.Database, labeler: str, policy: QualityPolicy | None) -> str | None:
    """Why the labeler gets no production work now: "paused", "screening" (not yet through a
    screening quiz, with `require_screening`), or None. Reads only; see `production_closed`."""
    old = stored_status(db, labeler)
    if old and old["status"] == "paused":
        return "paused"
    if policy is not None and policy.require_screening:
        found = screening_result(db, labeler, thresholds=policy.screening_thresholds)
        if (found or {}).get("result") != "pass":
            return "screening"
    return None


def production_closed(db: sqlite_utils.Database, labeler: str, policy: QualityPolicy | None) -> bool:
    """The queue's question before a claim: re-judge the labeler if there is news (the app
    judges after every submit, `task_session.judge_labeler`, so a claim normally finds none:
    the same two reads whatever came before), then `closed_reason`."""
    if policy is not None:
        refresh_status(db, labeler, policy)
    return closed_reason(db, labeler, policy) is not None


def resume(db: sqlite_utils.Database, labeler: str, *, by: str | None = None) -> None:
    """A researcher reopens a paused labeler's queue (inside the caller's transaction)."""
    old = stored_status(db, labeler)
    if old is None or old["status"] != "paused":
        state = old["status"] if old else "not judged yet"
        raise StoreError(f"{labeler} is not paused (status: {state})")
    set_status(db, labeler, "ok", ["resumed by a researcher"], resumed=True, by=by)
