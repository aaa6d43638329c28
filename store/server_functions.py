"""PostgreSQL's claim and submit as server-side functions (migration 10): one round trip each.

A claim written as store statements took 11 round trips and a submit 9, each waiting on a
server shared with hundreds of labelers. These functions run the same rules in one statement
(`store.queue.claim_next`, `store.labels.submit` call them through `Dialect.claim_on_server` /
`submit_on_server`) under READ COMMITTED, with row locks instead of a global write lock:

- a claim locks each candidate task row `FOR UPDATE SKIP LOCKED` (concurrent claims take
  different tasks instead of queueing), then counts its labelers in a new statement (a fresh
  snapshot): every new assignment of a task is made under that row lock, and every submit of
  it too (below), so the count that decides is exact;
- a submit locks its assignment and its task (`FOR UPDATE OF x, t`): the submits and claims of
  one task take turns, so the overlap count and the `full` flag are decided under that lock;
- `UNIQUE (task_id, labeler)` and `UNIQUE (labeler, task, item, field)` (`ON CONFLICT`) guard
  the rest; the `task_counts` triggers update their rows under row locks as before.

Each function sets its own lock wait (`set_config('lock_timeout', …, true)`: transaction-local,
no session state, so it works the same through PgBouncer in transaction mode) and runs as the
caller (SECURITY INVOKER): the app role's grants and row-level security apply as to the
statements it replaces.

Where a rule lives in Python the function changes nothing and answers ``python``; the caller
then runs the rules as store statements (a researcher, a hidden gold check, a dispute that may
escalate, a quality status to re-judge, a task held by another live session on this host whose
process only this host can look up). A claim with a gold rate answers ``draw`` with the number
the labeler's gold draw is seeded with (`store.quality.gold`); the caller makes the draw and
calls again with it (two round trips), or takes the gold check in Python when it is due.

The order candidates are tried in is its own function, `labeldesk_open_tasks` (oldest first, as
`store.dialect.Dialect.open_tasks` on SQLite), so a new order is one `CREATE OR REPLACE` in a
later migration. It is a single-statement SQL function that is STABLE and not STRICT, so the
planner inlines it into the claim's loop and stops at the first free task instead of counting
every open one.

This text is migration 10's: never edit it; a change is a new migration that replaces the
function.
"""

from __future__ import annotations

OPEN_TASKS = """
CREATE FUNCTION labeldesk_open_tasks(p_kind text, p_quiz text, p_labeler text, p_cap integer,
                                     p_stamp text)
RETURNS TABLE (id bigint, item text) LANGUAGE sql STABLE AS $$
    SELECT t.id, t.item FROM tasks t
    WHERE t.kind = p_kind AND t.quiz = p_quiz AND t."full" = 0
      AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.labeler = p_labeler)
      AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')
      AND (SELECT count(*) FROM assignments a JOIN labelers l ON l.name = a.labeler
           WHERE a.task_id = t.id AND l.role = 'labeler' AND a.gold_check = 0
             AND (a.status = 'done' OR (a.status = 'active' AND a.lease_until > p_stamp))) < p_cap
    ORDER BY t.id
$$
"""

# Outcomes: own (the labeler's unfinished task, lease renewed), claimed (a new assignment),
# none (nothing open), closed (paused), draw (make the gold draw seeded with `a_draw` and call
# again with it), python (run the rules in Python; nothing was changed that they would not).
CLAIM = """
CREATE FUNCTION labeldesk_claim(p_labeler text, p_kind text, p_quiz text, p_overlap integer,
    p_cap integer, p_stamp text, p_until text, p_session text, p_host text, p_stale text,
    p_rate double precision, p_draw bigint, p_shuffle boolean, p_wait_ms integer)
RETURNS TABLE (outcome text, a_id bigint, a_task bigint, a_item text, a_claimed text,
               a_lease text, a_order text, a_draw bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_role text;
    r record;
    c record;
    v_expire bigint;
    v_expire_task bigint;
    v_done bigint;
    v_live bigint;
    v_had boolean;
    v_count bigint;
    v_production boolean := p_quiz = '';
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
            RETURN NEXT; RETURN;
        END IF;
        -- Others filled the item while this lease was out; the draft stays in `drafts`.
        v_expire := r.id; v_expire_task := r.task_id;
        EXIT;
    END LOOP;
    IF v_production AND p_rate > 0 THEN
        SELECT count(*) INTO v_count FROM assignments a WHERE a.labeler = p_labeler;
        IF p_draw IS DISTINCT FROM v_count THEN
            outcome := 'draw'; a_draw := v_count; RETURN NEXT; RETURN;
        END IF;
    END IF;
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
    FOR c IN SELECT o.id, o.item FROM labeldesk_open_tasks(p_kind, p_quiz, p_labeler, p_cap,
                                                           p_stamp) o LOOP
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
                outcome := 'python'; RETURN NEXT; RETURN;
            END IF;
            UPDATE tasks SET "full" = 1 WHERE id = c.id;  -- finished for good
            CONTINUE;
        END IF;
        IF v_done + v_live < p_overlap THEN
            a_order := '[]';
            IF p_shuffle THEN  -- store.ranking.shuffled_order
                SELECT coalesce(json_agg(o.id ORDER BY
                           sha256(convert_to(p_labeler || ':' || c.id || '/' || o.id, 'UTF8')),
                           o.id)::text, '[]')
                  INTO a_order FROM outputs o WHERE o.prompt_id = c.item;
            END IF;
            INSERT INTO assignments (task_id, labeler, status, claimed_at, lease_until, "order",
                                     session, gold_check)
                VALUES (c.id, p_labeler, 'active', p_stamp, p_until, a_order, p_session, 0)
                RETURNING assignments.id INTO a_id;
            INSERT INTO events (at, labeler, kind, data) VALUES (p_stamp, p_labeler, 'claim',
                json_build_object('task', c.id, 'kind', p_kind, 'item', c.item)::text);
            outcome := 'claimed'; a_task := c.id; a_item := c.item; a_claimed := p_stamp;
            a_lease := p_until;
            RETURN NEXT; RETURN;
        END IF;
    END LOOP;
    outcome := 'none'; RETURN NEXT; RETURN;
END
$$
"""

# Outcomes: done; missing (no such assignment); status:<status> (already finished); python.
SUBMIT = """
CREATE FUNCTION labeldesk_submit(p_assignment bigint, p_tasks text[], p_items text[],
    p_fields text[], p_values text[], p_seconds double precision, p_active double precision,
    p_overlap integer, p_escalate boolean, p_now text, p_version text, p_wait_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    v_others bigint := 0;
BEGIN
    PERFORM set_config('lock_timeout', p_wait_ms::text, true);
    SELECT x.id, x.task_id, x.labeler, x.status, x.gold_check, x.lease_until, t.kind, t.item,
           l.role INTO a
      FROM assignments x JOIN tasks t ON t.id = x.task_id
      LEFT JOIN labelers l ON l.name = x.labeler
      WHERE x.id = p_assignment FOR UPDATE OF x, t;
    IF NOT FOUND THEN
        RETURN 'missing';
    END IF;
    IF a.status NOT IN ('active', 'expired') THEN
        RETURN 'status:' || a.status;
    END IF;
    IF a.gold_check <> 0 OR a.role IS DISTINCT FROM 'labeler' THEN
        RETURN 'python';  -- a hidden gold check, a researcher's gold
    END IF;
    IF p_overlap IS NOT NULL THEN
        SELECT count(*) INTO v_others FROM assignments x JOIN labelers l ON l.name = x.labeler
          WHERE x.task_id = a.task_id AND l.role = 'labeler' AND x.labeler <> a.labeler
            AND x.gold_check = 0 AND x.status = 'done';
        IF p_escalate AND v_others + 1 >= p_overlap THEN
            RETURN 'python';  -- whether the labels are disputed is decided in Python
        END IF;
        IF v_others >= p_overlap THEN  -- kept (it is real work) and recorded
            INSERT INTO events (at, labeler, kind, data) VALUES (p_now, a.labeler, 'over_overlap',
                json_build_object('task', a.task_id, 'item', a.item, 'done_before', v_others,
                                  'overlap', p_overlap, 'lease_until', a.lease_until)::text);
        END IF;
    END IF;
    INSERT INTO labels (labeler, task, item, field, value, gold, created_at, seconds,
                        assignment_id, guideline_version, adjudication_id)
        SELECT a.labeler, u.task, u.item, u.field, u.value, 0, p_now, p_seconds, a.id,
               p_version, NULL
          FROM unnest(p_tasks, p_items, p_fields, p_values) AS u(task, item, field, value)
        ON CONFLICT (labeler, task, item, field) DO UPDATE SET
          value = excluded.value, gold = excluded.gold, created_at = excluded.created_at,
          seconds = excluded.seconds, assignment_id = excluded.assignment_id,
          guideline_version = excluded.guideline_version,
          adjudication_id = excluded.adjudication_id;
    UPDATE assignments SET status = 'done', finished_at = p_now, seconds = p_seconds,
        active_seconds = p_active, lease_until = NULL WHERE id = a.id;
    DELETE FROM drafts WHERE assignment_id = a.id;
    IF p_overlap IS NOT NULL AND v_others + 1 >= p_overlap THEN
        UPDATE tasks SET "full" = 1 WHERE id = a.task_id AND "full" = 0;
    END IF;
    INSERT INTO events (at, labeler, kind, data) VALUES (p_now, a.labeler, 'submit',
        json_build_object('task', a.task_id, 'item', a.item, 'n', cardinality(p_tasks))::text);
    RETURN 'done';
END
$$
"""

DEFINITIONS = [OPEN_TASKS, CLAIM, SUBMIT]
