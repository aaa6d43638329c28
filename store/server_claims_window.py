"""PostgreSQL's claim with every draw on the server (migration 12): one round trip by default.

Migration 10's `labeldesk_claim` (store/server_functions.py) handed out strictly oldest first
and asked the caller for the gold draw, so with the default `[queue] window` and `gold_rate`
a claim ran as store statements (~12 round trips). The draws are now SHA-256 sorts and
fractions (store/claim_order.py), so this function makes them as `store.queue.claim_next`
does in Python:

- the claim's number is the labeler's count of assignments; with it and the labeler's name
  the seeds `order:<labeler>:<n>` and `gold:<labeler>:<n>` (`claim_order.draw_seed`);
- candidates: the `p_window` oldest of `labeldesk_open_tasks` (migration 10, oldest first,
  unchanged) sorted by `sha256(seed || '/' || id)`, then the rest oldest first; each locked
  `FOR UPDATE SKIP LOCKED` and counted in a new statement as before. `p_window` 1 (quizzes,
  `[queue] window = 1`) is strictly oldest first;
- once a production task is found: the gold pick (the gold task first in the gold seed's
  order among those the labeler may have, `store.quality.gold.pick_gold_task`; made on every
  claim, due or not, so a check takes the same statements as production work) and the
  Bernoulli draw (the first 48 bits of `sha256(gold seed)` over 2^48, below `p_rate`); a due
  check is assigned here, a repeat (`p_cutoff`, from `gold_repeat_days`) reopening the earlier
  check's row as the store statements do.

Answers `python` where a rule lives in Python (a researcher, judging gold answers given since
the last judgement, a possible dispute, a task held by another live session on this host), as
migration 10's did. Never edit this text: a change is a new migration.
"""

from __future__ import annotations

DROP_OLD_CLAIM = """
DROP FUNCTION labeldesk_claim(text, text, text, integer, integer, text, text, text, text, text,
                              double precision, bigint, boolean, integer)
"""

# Outcomes: own (the labeler's unfinished task, lease renewed), claimed (a new assignment),
# none (nothing open), closed (paused), python (run the rules in Python; nothing was changed
# that they would not).
CLAIM = """
CREATE FUNCTION labeldesk_claim(p_labeler text, p_kind text, p_quiz text, p_overlap integer,
    p_cap integer, p_stamp text, p_until text, p_session text, p_host text, p_stale text,
    p_rate double precision, p_cutoff text, p_window integer, p_shuffle boolean,
    p_wait_ms integer)
RETURNS TABLE (outcome text, a_id bigint, a_task bigint, a_item text, a_claimed text,
               a_lease text, a_order text, a_check boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_role text;
    r record;
    c record;
    v_gold record;
    cur refcursor;
    v_expire bigint;
    v_expire_task bigint;
    v_done bigint;
    v_live bigint;
    v_had boolean;
    v_production boolean := p_quiz = '';
    v_draw bigint := 0;
    v_window integer := 1;
    v_seen integer := 0;
    v_last bigint := 0;
    v_rest boolean := false;
    v_task bigint;
    v_item text;
    v_check boolean := false;
BEGIN
    PERFORM set_config('lock_timeout', p_wait_ms::text, true);
    SELECT l.role INTO v_role FROM labelers l WHERE l.name = p_labeler;
    IF v_role IS DISTINCT FROM 'labeler' THEN
        outcome := 'python'; RETURN NEXT; RETURN;
    END IF;
    -- The labeler's own unfinished task of this kind, unless another live session holds it.
    FOR r IN SELECT a.id, a.task_id, t.item, a.claimed_at, a.lease_until, a."order" AS ord,
                    a.session, a.gold_check, s.host, s.seen_at, s.ended_at
             FROM assignments a JOIN tasks t ON t.id = a.task_id
             LEFT JOIN sessions s ON s.id = a.session
             WHERE a.labeler = p_labeler AND a.status = 'active' AND t.kind = p_kind
               AND t.quiz = p_quiz
             ORDER BY a.id LOOP
        IF p_session IS NOT NULL AND r.session IS NOT NULL AND r.session <> p_session
           AND r.host IS NOT NULL AND r.ended_at IS NULL AND r.seen_at >= p_stale THEN
            IF r.host = p_host THEN  -- alive if its process is: only this host can look
                outcome := 'python'; RETURN NEXT; RETURN;
            END IF;
            CONTINUE;
        END IF;
        SELECT count(CASE WHEN a.status = 'done' THEN 1 END),
               count(CASE WHEN a.status = 'active' AND a.lease_until > p_stamp THEN 1 END)
          INTO v_done, v_live
          FROM assignments a JOIN labelers l ON l.name = a.labeler
          WHERE a.task_id = r.task_id AND l.role = 'labeler' AND a.labeler <> p_labeler
            AND a.gold_check = 0;
        IF r.lease_until IS NULL OR r.lease_until > p_stamp OR v_done + v_live < p_overlap
           OR r.gold_check <> 0 THEN
            UPDATE assignments SET lease_until = p_until, session = p_session WHERE id = r.id;
            outcome := 'own'; a_id := r.id; a_task := r.task_id; a_item := r.item;
            a_claimed := r.claimed_at; a_lease := p_until; a_order := r.ord;
            a_check := r.gold_check <> 0;
            RETURN NEXT; RETURN;
        END IF;
        -- Others filled the item while this lease was out; the draft stays in `drafts`.
        v_expire := r.id; v_expire_task := r.task_id;
        EXIT;
    END LOOP;
    IF v_production AND p_rate IS NOT NULL AND EXISTS (
            SELECT 1 FROM gold_answers g WHERE g.labeler = p_labeler AND g.id > coalesce(
                (SELECT q.checked_through FROM quality_status q WHERE q.labeler = p_labeler), 0))
    THEN  -- gold checks answered since the last judgement: judged in Python
        outcome := 'python'; RETURN NEXT; RETURN;
    END IF;
    IF v_expire IS NOT NULL THEN
        UPDATE assignments SET status = 'expired' WHERE id = v_expire;
        INSERT INTO events (at, labeler, kind, data) VALUES (p_stamp, p_labeler, 'lease_lost',
            json_build_object('assignment', v_expire, 'task', v_expire_task)::text);
    END IF;
    IF v_production AND EXISTS (SELECT 1 FROM quality_status q
                                WHERE q.labeler = p_labeler AND q.status = 'paused') THEN
        outcome := 'closed'; RETURN NEXT; RETURN;
    END IF;
    IF v_production THEN  -- store.claim_order.claim_draw
        SELECT count(*) INTO v_draw FROM assignments a WHERE a.labeler = p_labeler;
        v_window := greatest(p_window, 1);
    END IF;
    -- The window's `v_window` oldest candidates in the claim's order, then the rest oldest
    -- first (store.claim_order.window_order).
    OPEN cur FOR SELECT w.id, w.item FROM (
            SELECT o.id, o.item FROM labeldesk_open_tasks(p_kind, p_quiz, p_labeler, p_cap,
                                                          p_stamp) o LIMIT v_window) w
        ORDER BY sha256(convert_to('order:' || p_labeler || ':' || v_draw || '/' || w.id,
                                   'UTF8')), w.id;
    LOOP
        FETCH cur INTO c;
        IF NOT FOUND THEN
            CLOSE cur;
            EXIT WHEN v_rest OR v_seen < v_window;  -- the window held every open task
            v_rest := true;
            OPEN cur FOR SELECT o.id, o.item FROM labeldesk_open_tasks(p_kind, p_quiz, p_labeler,
                                                                       p_cap, p_stamp) o
                WHERE o.id > v_last;
            CONTINUE;
        END IF;
        IF NOT v_rest THEN
            v_seen := v_seen + 1; v_last := greatest(v_last, c.id);
        END IF;
        PERFORM 1 FROM tasks t WHERE t.id = c.id AND t."full" = 0 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            CONTINUE;  -- another claim or submit holds it, or it filled up meanwhile
        END IF;
        -- A new statement under the row lock: it sees every assignment made of this task.
        SELECT count(CASE WHEN a.status = 'done' AND l.role = 'labeler' AND a.gold_check = 0
                          THEN 1 END),
               count(CASE WHEN a.status = 'active' AND a.lease_until > p_stamp
                          AND l.role = 'labeler' AND a.gold_check = 0 THEN 1 END),
               count(CASE WHEN a.labeler = p_labeler THEN 1 END) > 0
          INTO v_done, v_live, v_had
          FROM assignments a JOIN labelers l ON l.name = a.labeler WHERE a.task_id = c.id;
        IF v_had THEN
            CONTINUE;
        END IF;
        IF v_done >= p_overlap THEN
            IF p_cap > p_overlap THEN  -- whether its labels are disputed is decided in Python
                CLOSE cur;
                outcome := 'python'; RETURN NEXT; RETURN;
            END IF;
            UPDATE tasks SET "full" = 1 WHERE id = c.id;  -- finished for good
            CONTINUE;
        END IF;
        IF v_done + v_live < p_overlap THEN
            v_task := c.id; v_item := c.item;
            CLOSE cur;
            EXIT;
        END IF;
    END LOOP;
    IF v_task IS NULL THEN
        outcome := 'none'; RETURN NEXT; RETURN;
    END IF;
    IF v_production AND p_rate > 0 THEN  -- store.quality.gold: picked whether due or not
        SELECT gt.task_id AS id, t.item INTO v_gold
          FROM gold_tasks gt JOIN tasks t ON t.id = gt.task_id
          WHERE gt.kind = p_kind
            AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')
            AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = gt.task_id
                            AND a.labeler = p_labeler AND NOT (p_cutoff != '' AND a.gold_check = 1
                            AND a.status != 'active' AND a.claimed_at < p_cutoff))
          ORDER BY sha256(convert_to('gold:' || p_labeler || ':' || v_draw || '/' || gt.task_id,
                                     'UTF8')), gt.task_id
          LIMIT 1;
        IF FOUND AND ('x' || encode(substring(sha256(convert_to(
                'gold:' || p_labeler || ':' || v_draw, 'UTF8')) FROM 1 FOR 6), 'hex'))::bit(48)
                ::bigint::double precision / 281474976710656.0 < p_rate THEN
            v_task := v_gold.id; v_item := v_gold.item; v_check := true;
        END IF;
    END IF;
    a_order := '[]';
    IF p_shuffle THEN  -- store.ranking.shuffled_order
        SELECT coalesce(json_agg(o.id ORDER BY
                   sha256(convert_to(p_labeler || ':' || v_task || '/' || o.id, 'UTF8')),
                   o.id)::text, '[]')
          INTO a_order FROM outputs o WHERE o.prompt_id = v_item;
    END IF;
    -- A repeated gold check (`gold_repeat_days`) reopens the labeler's earlier check row.
    INSERT INTO assignments (task_id, labeler, status, claimed_at, lease_until, "order",
                             session, gold_check)
        VALUES (v_task, p_labeler, 'active', p_stamp, p_until, a_order, p_session,
                v_check::integer)
        ON CONFLICT (task_id, labeler) DO UPDATE SET status = 'active',
          claimed_at = excluded.claimed_at, lease_until = excluded.lease_until,
          finished_at = NULL, seconds = NULL, active_seconds = NULL,
          "order" = excluded."order", session = excluded.session
        RETURNING assignments.id INTO a_id;
    INSERT INTO events (at, labeler, kind, data) VALUES (p_stamp, p_labeler, 'claim',
        CASE WHEN v_check
             THEN json_build_object('task', v_task, 'kind', p_kind, 'item', v_item,
                                    'gold_check', true)
             ELSE json_build_object('task', v_task, 'kind', p_kind, 'item', v_item) END::text);
    outcome := 'claimed'; a_task := v_task; a_item := v_item; a_claimed := p_stamp;
    a_lease := p_until; a_check := v_check;
    RETURN NEXT; RETURN;
END
$$
"""

DEFINITIONS = [DROP_OLD_CLAIM, CLAIM]

# Migration 14: the candidates as `store.queue._OPEN_TASKS` reads them, the labeler's own tasks
# left out through each task's few labelers (see there: the anti-join planned on stale
# statistics read all of the labeler's assignments for every task passed).
OPEN_TASKS = """
CREATE OR REPLACE FUNCTION labeldesk_open_tasks(p_kind text, p_quiz text, p_labeler text,
                                                p_cap integer, p_stamp text)
RETURNS TABLE (id bigint, item text) LANGUAGE sql STABLE AS $$
    SELECT t.id, t.item FROM tasks t
    WHERE t.kind = p_kind AND t.quiz = p_quiz AND t."full" = 0
      AND p_labeler NOT IN (SELECT a.labeler FROM assignments a WHERE a.task_id = t.id)
      AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')
      AND (SELECT count(*) FROM assignments a JOIN labelers l ON l.name = a.labeler
           WHERE a.task_id = t.id AND l.role = 'labeler' AND a.gold_check = 0
             AND (a.status = 'done' OR (a.status = 'active' AND a.lease_until > p_stamp))) < p_cap
    ORDER BY t.id
$$
"""
