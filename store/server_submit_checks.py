"""PostgreSQL's submit with hidden gold checks, and a claim scan that skips the labeler's own
tasks in one read (migration 17).

- `labeldesk_submit` (migration 10, store/server_functions.py) answered ``python`` for a hidden
  gold check, whose answers then went to `gold_answers` as store statements: ~6 round trips
  against production's one, a difference a labeler could time. This one stores a check's
  answers itself (`store.quality.gold.record_gold_answers`: one row, the answers as the JSON
  list `[[task, item, field, value], …]` the store writes, built from the same texts), closes
  the assignment, drops its draft and logs the submit as for production work: one round trip
  either way. A check adds no label, so it counts for no item's overlap and changes no task's
  `full` flag (`store.labels.submit` does the same on SQLite).
- `labeldesk_open_tasks` (migration 14) left out the labeler's tasks by reading each passed
  task's labelers: ~10 µs a task, so a labeler far ahead of the others (a lone labeler, a small
  team with a fast one) paid for every task they had done and that was still open: 19.8 ms a
  claim at 800 such tasks. The labeler's assignments from the oldest open task on are now read
  once, by a new index `(labeler, task_id)`, into a hashed set the scan probes (1.3 ms at 800;
  `tests/store/test_server_claims.py`). What the scan returns is unchanged.

Never edit this text: a change is a new migration.
"""

from __future__ import annotations

INDEX = "CREATE INDEX assignments_labeler_task ON assignments(labeler, task_id)"

OPEN_TASKS = """
CREATE OR REPLACE FUNCTION labeldesk_open_tasks(p_kind text, p_quiz text, p_labeler text,
                                                p_cap integer, p_stamp text)
RETURNS TABLE (id bigint, item text) LANGUAGE sql STABLE AS $$
    SELECT t.id, t.item FROM tasks t
    WHERE t.kind = p_kind AND t.quiz = p_quiz AND t."full" = 0
      AND t.id NOT IN (SELECT a.task_id FROM assignments a WHERE a.labeler = p_labeler
                         AND a.task_id >= (SELECT min(f.id) FROM tasks f WHERE f.kind = p_kind
                                           AND f.quiz = p_quiz AND f."full" = 0))
      AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')
      AND (SELECT count(*) FROM assignments a JOIN labelers l ON l.name = a.labeler
           WHERE a.task_id = t.id AND l.role = 'labeler' AND a.gold_check = 0
             AND (a.status = 'done' OR (a.status = 'active' AND a.lease_until > p_stamp))) < p_cap
    ORDER BY t.id
$$
"""

# Outcomes: done; missing (no such assignment); status:<status> (already finished); python.
SUBMIT = """
CREATE OR REPLACE FUNCTION labeldesk_submit(p_assignment bigint, p_tasks text[], p_items text[],
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
    IF a.role IS DISTINCT FROM 'labeler' THEN
        RETURN 'python';  -- a researcher's gold
    END IF;
    IF a.gold_check <> 0 THEN  -- store.quality.gold.record_gold_answers
        INSERT INTO gold_answers (assignment_id, labeler, kind, item, answers, submitted_at,
                                  seconds, active_seconds)
            SELECT a.id, a.labeler, a.kind, a.item,
                   '[' || string_agg(json_build_array(u.task, u.item, u.field, u.value::json)::text,
                                     ', ' ORDER BY u.n) || ']',
                   p_now, p_seconds, p_active
              FROM unnest(p_tasks, p_items, p_fields, p_values) WITH ORDINALITY
                   AS u(task, item, field, value, n);
    ELSE
        IF p_overlap IS NOT NULL THEN
            SELECT count(*) INTO v_others FROM assignments x JOIN labelers l ON l.name = x.labeler
              WHERE x.task_id = a.task_id AND l.role = 'labeler' AND x.labeler <> a.labeler
                AND x.gold_check = 0 AND x.status = 'done';
            IF p_escalate AND v_others + 1 >= p_overlap THEN
                RETURN 'python';  -- whether the labels are disputed is decided in Python
            END IF;
            IF v_others >= p_overlap THEN  -- kept (it is real work) and recorded
                INSERT INTO events (at, labeler, kind, data) VALUES (p_now, a.labeler,
                    'over_overlap', json_build_object('task', a.task_id, 'item', a.item,
                    'done_before', v_others, 'overlap', p_overlap,
                    'lease_until', a.lease_until)::text);
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
    END IF;
    UPDATE assignments SET status = 'done', finished_at = p_now, seconds = p_seconds,
        active_seconds = p_active, lease_until = NULL WHERE id = a.id;
    DELETE FROM drafts WHERE assignment_id = a.id;
    IF a.gold_check = 0 AND p_overlap IS NOT NULL AND v_others + 1 >= p_overlap THEN
        UPDATE tasks SET "full" = 1 WHERE id = a.task_id AND "full" = 0;
    END IF;
    INSERT INTO events (at, labeler, kind, data) VALUES (p_now, a.labeler, 'submit',
        json_build_object('task', a.task_id, 'item', a.item, 'n', cardinality(p_tasks))::text);
    RETURN 'done';
END
$$
"""

DEFINITIONS = [OPEN_TASKS, SUBMIT]
