"""Who labels what next: claims with leases, overlap, and the researchers' gold queue.

`overlap` non-gold labelers finish an item, then it leaves the pool. A claim holds a lease;
an expired lease returns the task to the pool, but the labeler's assignment (and draft) stays
theirs to resume unless others filled the item meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from store.claim_order import DEFAULT_WINDOW, claim_draw, draw_seed, window_order
from store.db import immediate
from store.db import now as _now
from store.dialect import dialect_of
from store.disputes import escalated_overlap
from store.errors import StoreError
from store.events import log_event
from store.quality.gold import gold_check_due, gold_cutoff, is_gold_check, pick_gold_task
from store.quality.policy import QualityPolicy
from store.quality.status import production_closed
from store.ranking import shuffle_seed, shuffled_order
from store.roster import role_of
from store.values import Assignment

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

    from store.disputes import Rules

KINDS = ("comparison", "instruction", "demonstration", "toxicity", "demonstration_score")


@dataclass(frozen=True)
class Counts:
    waiting: int
    done: int


_SELECT = """
SELECT a.id, a.task_id, t.kind, t.item, t.quiz, a.labeler, a.status, a.claimed_at,
       a.lease_until, a."order"
FROM assignments a JOIN tasks t ON t.id = a.task_id
"""


def _row(row: tuple[Any, ...]) -> Assignment:
    id_, task_id, kind, item, quiz, labeler, status, claimed_at, lease_until, order = row
    return Assignment(id_, task_id, kind, item, quiz, labeler, status, claimed_at, lease_until,
                      json.loads(order) if order else [])


def get_assignment(db: sqlite_utils.Database, assignment_id: int) -> Assignment:
    row = db.execute(_SELECT + "WHERE a.id = ?", [assignment_id]).fetchone()
    if row is None:
        raise StoreError(f"no assignment {assignment_id}")
    return _row(row)


def lock_assignment(db: sqlite_utils.Database, assignment_id: int) -> tuple[Assignment, bool, str | None]:
    """Inside a write transaction: an assignment, whether it is a hidden gold check, and its
    labeler's role (None: not in the roster), in one statement; the assignment and its task
    stay locked until the transaction ends (PostgreSQL row locks: submits and claims of one
    task take turns; SQLite's write lock covers the whole file)."""
    row = db.execute(
        _SELECT.replace('a."order"', 'a."order", a.gold_check, l.role')
        + "LEFT JOIN labelers l ON l.name = a.labeler WHERE a.id = ?"
        + dialect_of(db).lock_rows("a, t"), [assignment_id]).fetchone()
    if row is None:
        raise StoreError(f"no assignment {assignment_id}")
    *head, check, role = row
    return _row(tuple(head)), bool(check), role


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def lease_end(lease_seconds: int, at: datetime | None = None) -> str:
    """When a lease taken (or renewed) at `at` runs out, in the stored timestamp form."""
    return _stamp((at or datetime.now(timezone.utc)) + timedelta(seconds=lease_seconds))


# A task's labelers that count for overlap (non-gold labelers done or holding a live lease).
TAKEN = """(SELECT count(*) FROM assignments a JOIN labelers l ON l.name = a.labeler
            WHERE a.task_id = t.id AND l.role = 'labeler' AND a.gold_check = 0
              AND (a.status = 'done' OR (a.status = 'active' AND a.lease_until > ?)))"""

# `? NOT IN` the task's labelers, not `NOT EXISTS` (the labeler's row): PostgreSQL turned that
# into an anti-join through the labeler's index, and before its statistics caught up with a
# growing `assignments` (a fresh project's first minute) read all of the labeler's assignments
# for every task passed: a claim 13-17 ms at 300 done tasks against 1 ms. A task's labelers are
# few (`labeldesk_open_tasks` reads them the same way, migration 14).
_OPEN_TASKS = f"""SELECT t.id, t.item FROM tasks t
           WHERE t.kind = ? AND t.quiz = ? AND t.full = 0
             AND ? NOT IN (SELECT a.labeler FROM assignments a WHERE a.task_id = t.id)
             AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')
             AND {TAKEN} < ?"""


def open_tasks(db: sqlite_utils.Database, kind: str, quiz: str, labeler: str, cap: int,
               stamp: str, window: int = 1,
               shuffle: str | None = None) -> Iterator[tuple[int, str]]:
    """Claim candidates, oldest first: open tasks of `kind` the labeler never had, with fewer
    than `cap` labelers done or holding a live lease at `stamp`; the caller counts and decides
    for each in turn (`Dialect.oldest_first`: on PostgreSQL each one locked, skipping tasks
    other claims hold). (Without the count here, a claim counted every task others hold leases
    on, one statement each: with 200 labelers at work, ~70 statements under the write lock per
    claim.) With `shuffle` (a seed), the `window` oldest come first in its order (`Dialect.window_first`,
    store/claim_order.py)."""
    dialect, params = dialect_of(db), [kind, quiz, labeler, stamp, cap]
    rows = (dialect.window_first(db, _OPEN_TASKS, params, window, shuffle) if shuffle
            else dialect.oldest_first(db, _OPEN_TASKS, params))
    for task_id, item in rows:
        # PostgreSQL: the scan's snapshot may predate an assignment of this labeler's made
        # since; a new statement sees it (under SQLite's write lock nothing came meanwhile).
        if db.execute("SELECT 1 FROM assignments WHERE task_id = ? AND labeler = ?",
                      [task_id, labeler]).fetchone() is None:
            yield task_id, item


def likely_next(db: sqlite_utils.Database, labeler: str, kind: str, *, overlap: int,
                skip: str = "", quiz: str = "", window: int = 1,
                policy: QualityPolicy | None = None) -> str | None:
    """The item the labeler's next claim of `kind` will most likely get, read without a lock
    and without writing: the claim's own choice made ahead (`claim_next` with the same draw
    number, which this task's assignment already counts): the first of the `window` oldest
    candidates in the draw's order, or the hidden gold check that draw serves. Predicting the
    check too matters: a read ahead that hit only production work would show production
    sooner than a check. A guess: another labeler may take it first, or the labeler get their
    own unfinished task (the claim decides; `store.views.read_ahead` reads the guess)."""
    at = datetime.now(timezone.utc)
    production = not quiz and role_of(db, labeler) == "labeler"
    shuffle, draw = _claim_draws(db, labeler, kind, production, window, policy)
    head = db.execute(_OPEN_TASKS + " AND t.item != ? ORDER BY t.id LIMIT ?",
                      [kind, quiz, labeler, _stamp(at), overlap, skip,
                       window if shuffle else 1]).fetchall()
    if not head:
        return None
    task = next(window_order(head, window, shuffle)) if shuffle else head[0]
    check = _gold_check(db, labeler, kind, policy, at, draw) if production and policy else None
    return str((check or task)[1])


def _claim_draws(db: sqlite_utils.Database, labeler: str, kind: str, production: bool,
                 window: int, policy: QualityPolicy | None) -> tuple[str | None, int]:
    """What a claim draws with (`claim_next`, and `likely_next` making the same choice ahead):
    the seed of the window's order (None: oldest first) and the claim's number, which also
    seeds its gold draws (store/claim_order.py)."""
    shuffled = production and window > 1
    gold = production and policy is not None and policy.rate(kind) > 0
    draw = claim_draw(db, labeler) if shuffled or gold else 0
    return (draw_seed("order", labeler, draw) if shuffled else None), draw


def _taken(db: sqlite_utils.Database, task_id: int, at: str, *, exclude: str | None = None) -> tuple[int, int]:
    """(done, live leases) by non-gold labelers on a task."""
    done, live = db.execute(
        """SELECT count(CASE WHEN a.status = 'done' THEN 1 END),
                  count(CASE WHEN a.status = 'active' AND a.lease_until > ? THEN 1 END)
           FROM assignments a JOIN labelers l ON l.name = a.labeler
           WHERE a.task_id = ? AND l.role = 'labeler' AND a.labeler IS NOT ?
             AND a.gold_check = 0""",
        [at, task_id, exclude],
    ).fetchone()
    return done, live


def _order_for(db: sqlite_utils.Database, kind: str, item: str, labeler: str, task_id: int) -> list[str]:
    if kind in _NO_ORDER:
        return []
    ids = [r[0] for r in db.execute(
        "SELECT id FROM outputs WHERE prompt_id = ? ORDER BY position", [item])]
    return shuffled_order(ids, shuffle_seed(labeler, task_id))


def claim_next(
    db: sqlite_utils.Database,
    labeler: str,
    kind: str,
    *,
    overlap: int = 1,
    lease_seconds: int = 3600,
    quiz: str = "",
    at: datetime | None = None,
    policy: QualityPolicy | None = None,
    escalation: Rules | None = None,
    window: int = DEFAULT_WINDOW,
) -> Assignment | None:
    """The labeler's own unfinished task of this kind, else one of the `window` oldest open
    ones (in an order drawn for this claim: store/claim_order.py; researchers' gold queue and
    quizzes stay oldest first), leased.

    With a quality `policy`, a labeler's claim may be a hidden gold check instead, and a
    paused (or, with `require_screening`, unscreened) labeler gets no new production task.
    With `escalation` (the `[adjudication]` rules), an item whose finished labels are disputed
    stays open past `overlap`, up to the rules' `max_overlap`."""
    at = at or datetime.now(timezone.utc)
    stamp, until = _stamp(at), lease_end(lease_seconds, at)
    session = getattr(db, "session_id", None)
    cap = overlap if escalation is None else max(overlap, escalation.most(overlap))
    # Screening results are judged in Python.
    if not (policy and policy.require_screening):
        found = _claim_on_server(db, labeler, kind, quiz, overlap, cap, stamp, until, policy,
                                 window, at)
        if found is not _IN_PYTHON:
            return found  # type: ignore[return-value]
    # PostgreSQL: no global write lock; the task rows are locked (Dialect.oldest_first).
    # SQLite: the commit does not wait for its fsync; the next submit's or draft's does.
    with immediate(db, shared=True, durable=False):
        role = role_of(db, labeler)
        own = _own_active(db, labeler, kind, quiz)
        if own:
            mine = _row(own)
            expired = mine.lease_until is not None and mine.lease_until <= stamp
            done, live = _taken(db, mine.task_id, stamp, exclude=labeler)
            if (role == "researcher" or not expired or done + live < overlap
                    or is_gold_check(db, mine.id)):
                db.execute("UPDATE assignments SET lease_until = ?, session = ? WHERE id = ?",
                           [until, session, mine.id])
                return replace(mine, lease_until=until)
            # Others filled the item while this lease was out; the draft stays in `drafts`.
            db.execute("UPDATE assignments SET status = 'expired' WHERE id = ?", [mine.id])
            log_event(db, labeler, "lease_lost", {"assignment": mine.id, "task": mine.task_id})
        production = role == "labeler" and not quiz
        if production and production_closed(db, labeler, policy):
            return None
        shuffle, draw = _claim_draws(db, labeler, kind, production, window, policy)
        task = _next_open(db, labeler, role, kind, quiz, overlap, stamp, escalation, window, shuffle)
        if task is None:
            return None
        check = _gold_check(db, labeler, kind, policy, at, draw) if production and policy else None
        task_id, item = check or task
        order = _order_for(db, kind, item, labeler, task_id)
        # A repeated gold check (`gold_repeat_days`) reopens the labeler's earlier check row.
        new_id = db.execute(
            """INSERT INTO assignments (task_id, labeler, status, claimed_at, lease_until, "order",
                                        session, gold_check)
               VALUES (?, ?, 'active', ?, ?, ?, ?, ?)
               ON CONFLICT (task_id, labeler) DO UPDATE SET status = 'active',
                 claimed_at = excluded.claimed_at, lease_until = excluded.lease_until,
                 finished_at = NULL, seconds = NULL, active_seconds = NULL,
                 "order" = excluded."order", session = excluded.session
               RETURNING id""",
            [task_id, labeler, stamp, until, json.dumps(order), session, int(check is not None)],
        ).fetchone()[0]
        event = {"task": task_id, "kind": kind, "item": item}
        log_event(db, labeler, "claim", event | ({"gold_check": True} if check else {}))
        # As stored (the statement above set every field): no statement to read it back.
        return Assignment(new_id, task_id, kind, item, quiz, labeler, "active", stamp, until, order)


_IN_PYTHON = object()  # the server function left the claim to the rules below
_NO_ORDER = ("demonstration", "instruction", "demonstration_score")  # nothing to shuffle


def _claim_on_server(db: sqlite_utils.Database, labeler: str, kind: str, quiz: str, overlap: int,
                     cap: int, stamp: str, until: str, policy: QualityPolicy | None,
                     window: int, at: datetime) -> object:
    """The claim as one server-side function call (store/server_claims_window.py, making the
    same draws as the statements below): an Assignment, None (nothing for this labeler), or
    `_IN_PYTHON` when the rules have to run here (always on SQLite, which has no such
    function)."""
    # here, not at the top: not on the app's path to its first frame
    from store.sessions import STALE_SECONDS, this_host

    session = getattr(db, "session_id", None)
    stale = _stamp(datetime.now(timezone.utc) - timedelta(seconds=STALE_SECONDS))
    rate = policy.rate(kind) if policy is not None else None
    cutoff = gold_cutoff(policy, at) if policy is not None else ""
    row = dialect_of(db).claim_on_server(db, [
        labeler, kind, quiz, overlap, cap, stamp, until, session, this_host(), stale, rate,
        cutoff, window, kind not in _NO_ORDER])
    if row is None:
        return _IN_PYTHON
    outcome, id_, task_id, item, claimed_at, lease_until, order, _check = row
    if outcome in ("own", "claimed"):
        return Assignment(id_, task_id, kind, item, quiz, labeler, "active", claimed_at,
                          lease_until, json.loads(order) if order else [])
    if outcome in ("none", "closed"):
        return None
    return _IN_PYTHON


def _gold_check(db: sqlite_utils.Database, labeler: str, kind: str, policy: QualityPolicy,
                at: datetime, draw: int) -> tuple[int, str] | None:
    """Serve a hidden gold check now? Then which gold task (None: production as usual).

    The pick is made on every claim, a check due or not: a check then takes the same
    statements, hence the same time, as production work (a labeler could time the claim)."""
    rate = policy.rate(kind)
    if rate <= 0:
        return None
    picked = pick_gold_task(db, labeler, kind, policy, at, draw)
    return picked if gold_check_due(labeler, draw, rate) else None


def _own_active(db: sqlite_utils.Database, labeler: str, kind: str, quiz: str) -> tuple[Any, ...] | None:
    """The labeler's oldest unfinished task of this kind that no other live session of theirs
    holds (two terminals each keep their own task and draft: store/sessions.py)."""
    # here, not at the top: not on the app's path to its first frame
    from store.sessions import held_elsewhere

    for row in db.execute(
        _SELECT.replace("a.\"order\"", "a.\"order\", a.session")
        + "WHERE a.labeler = ? AND a.status = 'active' AND t.kind = ? AND t.quiz = ? ORDER BY a.id",
        [labeler, kind, quiz],
    ).fetchall():
        *head, holder = row
        if not held_elsewhere(db, holder):
            return tuple(head)
    return None


def _next_open(
    db: sqlite_utils.Database, labeler: str, role: str, kind: str, quiz: str, overlap: int,
    stamp: str, escalation: Rules | None = None, window: int = 1,
    shuffle: str | None = None,
) -> tuple[int, str] | None:
    if role == "researcher":
        # Gold queue: items with no researcher's finished labels yet, quiz items first.
        row = db.execute(
            """SELECT t.id, t.item FROM tasks t
               WHERE t.kind = ? AND (t.quiz = ? OR ? = '')
                 AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id
                                 AND a.labeler = ?)
                 AND NOT EXISTS (SELECT 1 FROM assignments a JOIN labelers l ON l.name = a.labeler
                                 WHERE a.task_id = t.id AND l.role = 'researcher'
                                 AND a.status = 'done')
                 AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item
                                 AND p.status != 'pool')
               ORDER BY t.quiz = '', t.id LIMIT 1""",
            [kind, quiz, quiz, labeler],
        ).fetchone()
        return (row[0], row[1]) if row else None
    # The most labelers any task may want: tasks taken that far are not candidates.
    cap = overlap if escalation is None else max(overlap, escalation.most(overlap))
    for task_id, item in open_tasks(db, kind, quiz, labeler, cap, stamp,
                                    window if shuffle else 1, shuffle):
        done, live = _taken(db, task_id, stamp)
        want = _wanted(db, kind, item, done, overlap, escalation)
        if done >= want:
            # Finished for good: drop it from the scan for every later claim.
            db.execute("UPDATE tasks SET full = 1 WHERE id = ?", [task_id])
            continue
        if done + live < want:
            return task_id, item
    return None


def _wanted(
    db: sqlite_utils.Database, kind: str, item: str, done: int, overlap: int,
    escalation: Rules | None,
) -> int:
    """Labelers a task wants: `overlap`, or more once those disagree (escalation)."""
    if done < overlap:
        return overlap
    return escalated_overlap(db, kind, item, overlap, escalation)



def skip(db: sqlite_utils.Database, assignment_id: int, reason: str) -> None:
    """Skip with a reason; skipped items are reported to researchers and go to others."""
    if not reason.strip():
        raise StoreError("a skip needs a reason")
    with immediate(db):
        a = get_assignment(db, assignment_id)
        db.execute(
            "UPDATE assignments SET status = 'skipped', reason = ?, finished_at = ? WHERE id = ?",
            [reason, _now(), assignment_id],
        )
        db.execute("DELETE FROM drafts WHERE assignment_id = ?", [assignment_id])
        log_event(db, a.labeler, "skip", {"task": a.task_id, "item": a.item, "reason": reason})


def set_flag(db: sqlite_utils.Database, assignment_id: int, flagged: bool) -> None:
    """Flag for review: the labeler wants a researcher to look at this item."""
    with immediate(db):
        a = get_assignment(db, assignment_id)
        db.execute("UPDATE assignments SET flagged = ? WHERE id = ?", [int(flagged), a.id])
        log_event(db, a.labeler, "flag", {"task": a.task_id, "item": a.item, "on": flagged})


def counts(db: sqlite_utils.Database, labeler: str, overlap: dict[str, int]) -> dict[str, Counts]:
    """Per kind: tasks this labeler could still take, and tasks this labeler finished.

    Open tasks come from `task_counts` (kept by triggers on `tasks`; the `full` flag is set by
    `submit` and `claim`), so the home screen reads a few rows however many tasks there are.
    """
    role = role_of(db, labeler)
    if role == "researcher":
        # The gold queue: tasks no researcher has finished, read from the researchers' side
        # (the roster's few researchers, then their finished assignments by index). Joined
        # from the assignments, SQLite scanned every labeler's finished work once per kind
        # (1.3 s of CPU at 964,100 finished assignments, on every showing of home).
        tasks = dict(db.execute("SELECT kind, sum(n) FROM task_counts GROUP BY kind").fetchall())
        gold = dict(db.execute(
            """SELECT t.kind, count(DISTINCT a.task_id) FROM labelers l
               CROSS JOIN assignments a ON a.labeler = l.name AND a.status = 'done'
               CROSS JOIN tasks t ON t.id = a.task_id
               WHERE l.role = 'researcher' GROUP BY t.kind""").fetchall())
    out = {}
    for kind in KINDS:
        if role == "researcher":
            waiting = int(tasks.get(kind) or 0) - gold.get(kind, 0)
        else:
            # A finished hidden gold check counts as taken even on an item others had already
            # filled (it was never among the open tasks): the count drops by one after a check
            # as after production work, so it cannot tell them apart (docs/deployment.md).
            waiting = max(0, db.execute(
                """SELECT (SELECT coalesce(sum(n), 0) FROM task_counts
                           WHERE kind = ? AND quiz = '' AND full = 0)
                        - (SELECT count(*) FROM assignments a CROSS JOIN tasks t ON t.id = a.task_id
                           WHERE a.labeler = ? AND a.status != 'active' AND t.kind = ?
                           AND t.quiz = '' AND (t.full = 0 OR a.gold_check = 1))""",
                [kind, labeler, kind],
            ).fetchone()[0])
        done = db.execute(
            # CROSS JOIN keeps SQLite on this labeler's assignments instead of scanning every
            # task of the kind (measured: 70 ms at a million open tasks).
            """SELECT count(*) FROM assignments a CROSS JOIN tasks t ON t.id = a.task_id
               WHERE a.labeler = ? AND t.kind = ? AND a.status = 'done'""",
            [labeler, kind],
        ).fetchone()[0]
        out[kind] = Counts(waiting, done)
    return out


def done_by_others(db: sqlite_utils.Database, task_id: int, labeler: str) -> int:
    """How many other non-gold labelers have finished a task."""
    return _taken(db, task_id, "", exclude=labeler)[0]


def mark_full_if_done(
    db: sqlite_utils.Database, task_id: int, overlap: int, escalation: Rules | None = None,
    kind_item: tuple[str, str] | None = None,
) -> None:
    """Take a task out of the open index once `overlap` labelers finished it (more when
    `escalation` finds their answers disputed). `kind_item`: the task's, when known."""
    done, _live = _taken(db, task_id, "")
    if done < overlap:
        return
    if kind_item is None:
        kind_item = db.execute("SELECT kind, item FROM tasks WHERE id = ?", [task_id]).fetchone()
    kind, item = kind_item
    want = _wanted(db, kind, item, done, overlap, escalation)
    if done >= want:
        db.execute("UPDATE tasks SET full = 1 WHERE id = ?", [task_id])
    elif done == overlap:  # the submit that completed the overlap found a dispute
        log_event(db, None, "escalate", {"task": task_id, "item": item, "labelers": want})
