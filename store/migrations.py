"""Ordered schema migrations; `PRAGMA user_version` is the schema version.

Append a new function to MIGRATIONS for every change; never edit one that has shipped.
`store.db.open_db` runs the missing ones in one `BEGIN IMMEDIATE` transaction with the version
bump, so two processes opening an old file at once cannot both migrate it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from store.dialect import dialect_of
from store.errors import StoreError

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils


def _v1_core(db: sqlite_utils.Database) -> None:
    _run(db, _V1_SQL, _V1_PG)


_V1_SQL = """
CREATE TABLE labelers (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('labeler', 'researcher')),
    created_at TEXT NOT NULL
);
CREATE TABLE prompts (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    user_id TEXT,
    source TEXT CHECK (source IN ('api', 'labeler')),
    style TEXT CHECK (style IN ('plain', 'few_shot', 'user_based')),
    category TEXT,
    split TEXT,
    tasks TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'pool' CHECK (status IN ('pool', 'held', 'dropped')),
    reason TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE outputs (
    id TEXT PRIMARY KEY,
    prompt_id TEXT NOT NULL REFERENCES prompts(id),
    text TEXT NOT NULL,
    model TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX outputs_prompt ON outputs(prompt_id, position);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    quiz TEXT NOT NULL DEFAULT '',
    full INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (kind, item, quiz)
);
CREATE INDEX tasks_open ON tasks(kind, quiz, full, id);
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    labeler TEXT NOT NULL REFERENCES labelers(name),
    status TEXT NOT NULL CHECK (status IN ('active', 'done', 'skipped', 'expired')),
    claimed_at TEXT NOT NULL,
    lease_until TEXT,
    finished_at TEXT,
    seconds REAL,
    "order" TEXT,
    reason TEXT,
    flagged INTEGER NOT NULL DEFAULT 0,
    UNIQUE (task_id, labeler)
);
CREATE INDEX assignments_labeler ON assignments(labeler, status);
CREATE INDEX assignments_task ON assignments(task_id, status);
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    labeler TEXT NOT NULL,
    task TEXT NOT NULL,
    item TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    gold INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    seconds REAL,
    assignment_id INTEGER REFERENCES assignments(id),
    UNIQUE (labeler, task, item, field)
);
CREATE INDEX labels_item ON labels(task, item, field);
CREATE TABLE drafts (
    assignment_id INTEGER PRIMARY KEY REFERENCES assignments(id),
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    labeler TEXT,
    kind TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
"""

# The triggers of each step in PL/pgSQL: PostgreSQL runs the step's tables and indexes (types
# rewritten by store.dialect) and these instead of its SQLite triggers. Statements are split on
# ";\n", so a function body stays on one line.
_V1_PG = """
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only()
"""


def _run(db: sqlite_utils.Database, script: str, postgres: str = "") -> None:
    # executescript() would COMMIT mid-migration; one statement at a time stays in the tx.
    for sql in dialect_of(db).script(script, postgres):
        db.execute(sql)


def _v2_quizzes_and_surveys(db: sqlite_utils.Database) -> None:
    _run(db, _V2_SQL)


# Quiz items are prompts/outputs (status 'held', so no pool or export sees them) with `tasks`
# rows of kind 'quiz'; a candidate's answers live in drafts until the final submit writes labels.
# Survey responses carry no labeler and only a month, in a WITHOUT ROWID table keyed by a random
# id, so neither a column nor the storage order links a response to the person or the moment.
_V2_SQL = """
CREATE TABLE quizzes (
    name TEXT PRIMARY KEY,
    instructions TEXT NOT NULL,
    definition TEXT NOT NULL,
    source TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE quiz_items (
    quiz TEXT NOT NULL REFERENCES quizzes(name),
    position INTEGER NOT NULL,
    item TEXT NOT NULL,
    section TEXT NOT NULL CHECK (section IN ('flagging', 'ranking', 'demonstrations', 'self_assessment')),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    PRIMARY KEY (quiz, position),
    UNIQUE (quiz, item)
);
CREATE TABLE quiz_takers (
    quiz TEXT NOT NULL REFERENCES quizzes(name),
    labeler TEXT NOT NULL REFERENCES labelers(name),
    assigned_at TEXT NOT NULL,
    started_at TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT,
    self_assessment TEXT,
    PRIMARY KEY (quiz, labeler)
);
CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    survey TEXT NOT NULL,
    month TEXT NOT NULL,
    answers TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE survey_takers (
    survey TEXT NOT NULL,
    labeler TEXT NOT NULL,
    PRIMARY KEY (survey, labeler)
) WITHOUT ROWID
"""

def _v3_task_counts(db: sqlite_utils.Database) -> None:
    _run(db, _V3_SQL, _V3_PG)


# The home screen shows how many tasks wait; counting a million rows of the open-task index
# added ~0.1 s to every start-up. Triggers keep one row per (kind, quiz, full) instead, so the
# count is a lookup, and no code path can forget to update it.
_V3_SQL = """
CREATE TABLE task_counts (
    kind TEXT NOT NULL,
    quiz TEXT NOT NULL,
    full INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (kind, quiz, full)
) WITHOUT ROWID;
INSERT INTO task_counts (kind, quiz, full, n)
SELECT kind, quiz, full, count(*) FROM tasks GROUP BY kind, quiz, full;
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN INSERT INTO task_counts (kind, quiz, full, n) VALUES (new.kind, new.quiz, new.full, 1) ON CONFLICT (kind, quiz, full) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN UPDATE task_counts SET n = n - 1 WHERE kind = old.kind AND quiz = old.quiz AND full = old.full; END;
CREATE TRIGGER task_counts_update AFTER UPDATE OF kind, quiz, full ON tasks BEGIN UPDATE task_counts SET n = n - 1 WHERE kind = old.kind AND quiz = old.quiz AND full = old.full; INSERT INTO task_counts (kind, quiz, full, n) VALUES (new.kind, new.quiz, new.full, 1) ON CONFLICT (kind, quiz, full) DO UPDATE SET n = n + 1; END
"""

_V3_PG = """
CREATE FUNCTION task_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN UPDATE task_counts SET n = n - 1 WHERE kind = OLD.kind AND quiz = OLD.quiz AND full = OLD.full; END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN INSERT INTO task_counts (kind, quiz, full, n) VALUES (NEW.kind, NEW.quiz, NEW.full, 1) ON CONFLICT (kind, quiz, full) DO UPDATE SET n = task_counts.n + 1; END IF; RETURN NULL; END $$;
CREATE TRIGGER task_counts_insert AFTER INSERT OR DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION task_counts_keep();
CREATE TRIGGER task_counts_update AFTER UPDATE OF kind, quiz, full ON tasks FOR EACH ROW EXECUTE FUNCTION task_counts_keep()
"""


def _v4_sessions(db: sqlite_utils.Database) -> None:
    _run(db, _V4_SQL)


# One row per running app (a labeler may open two terminals). An assignment held by a live
# session of the same labeler is not handed to the other one, so each session has its own task
# and its own draft (store/sessions.py).
_V4_SQL = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    labeler TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX sessions_live ON sessions (labeler) WHERE ended_at IS NULL;
ALTER TABLE assignments ADD COLUMN session TEXT
"""


def _v5_live_quality(db: sqlite_utils.Database) -> None:
    _run(db, _V5_SQL, _V5_PG)


# Live quality control (issue 16). A gold check is an assignment with `gold_check = 1`; its
# answers go to `gold_answers`, never to `labels`, so no export, overlap count or production
# agreement can see them. `gold_tasks` lists the tasks with researcher gold, kept by triggers
# on `labels` (and filled here from the gold already there), so choosing a check is a lookup.
# `quality_status` holds each labeler's current status; every change is also an event.
# The triggers skip known tasks with NOT EXISTS, not OR IGNORE: inside a trigger the statement
# that fired it decides conflicts (an upsert on `labels` would turn IGNORE into ABORT).
_V5_SQL = """
ALTER TABLE assignments ADD COLUMN gold_check INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assignments ADD COLUMN active_seconds REAL;
CREATE TABLE gold_tasks (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id),
    kind TEXT NOT NULL
);
CREATE INDEX gold_tasks_kind ON gold_tasks(kind, task_id);
CREATE TABLE gold_answers (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    labeler TEXT NOT NULL REFERENCES labelers(name),
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    answers TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    seconds REAL,
    active_seconds REAL
);
CREATE INDEX gold_answers_labeler ON gold_answers(labeler, submitted_at);
CREATE INDEX labels_gold ON labels(task, item, field) WHERE gold = 1;
CREATE TABLE quality_status (
    labeler TEXT PRIMARY KEY REFERENCES labelers(name),
    status TEXT NOT NULL CHECK (status IN ('ok', 'warn', 'paused', 'too_few')),
    reasons TEXT NOT NULL DEFAULT '[]',
    changed_at TEXT NOT NULL,
    resumed_at TEXT,
    checked_through INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO gold_tasks (task_id, kind)
SELECT t.id, t.kind FROM labels l JOIN tasks t ON t.item = l.item
WHERE l.gold = 1 AND t.quiz = '' AND t.kind NOT IN ('demonstration', 'demonstration_score')
UNION SELECT t.id, t.kind FROM labels l JOIN outputs o ON o.id = l.item JOIN tasks t ON t.item = o.prompt_id
WHERE l.gold = 1 AND t.quiz = '' AND t.kind NOT IN ('demonstration', 'demonstration_score');
CREATE TRIGGER gold_tasks_insert AFTER INSERT ON labels WHEN new.gold = 1 BEGIN INSERT INTO gold_tasks (task_id, kind) SELECT t.id, t.kind FROM tasks t WHERE t.quiz = '' AND t.kind NOT IN ('demonstration', 'demonstration_score') AND (t.item = new.item OR t.item = (SELECT o.prompt_id FROM outputs o WHERE o.id = new.item)) AND NOT EXISTS (SELECT 1 FROM gold_tasks g WHERE g.task_id = t.id); END;
CREATE TRIGGER gold_tasks_update AFTER UPDATE OF gold ON labels WHEN new.gold = 1 BEGIN INSERT INTO gold_tasks (task_id, kind) SELECT t.id, t.kind FROM tasks t WHERE t.quiz = '' AND t.kind NOT IN ('demonstration', 'demonstration_score') AND (t.item = new.item OR t.item = (SELECT o.prompt_id FROM outputs o WHERE o.id = new.item)) AND NOT EXISTS (SELECT 1 FROM gold_tasks g WHERE g.task_id = t.id); END
"""

_V5_PG = """
CREATE FUNCTION gold_tasks_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO gold_tasks (task_id, kind) SELECT t.id, t.kind FROM tasks t WHERE t.quiz = '' AND t.kind NOT IN ('demonstration', 'demonstration_score') AND (t.item = NEW.item OR t.item = (SELECT o.prompt_id FROM outputs o WHERE o.id = NEW.item)) AND NOT EXISTS (SELECT 1 FROM gold_tasks g WHERE g.task_id = t.id); RETURN NULL; END $$;
CREATE TRIGGER gold_tasks_insert AFTER INSERT ON labels FOR EACH ROW WHEN (NEW.gold = 1) EXECUTE FUNCTION gold_tasks_keep();
CREATE TRIGGER gold_tasks_update AFTER UPDATE OF gold ON labels FOR EACH ROW WHEN (NEW.gold = 1) EXECUTE FUNCTION gold_tasks_keep()
"""


def _v6_guideline_versions(db: sqlite_utils.Database) -> None:
    # Which `[guidelines] version` the labeler worked under; NULL for labels from before.
    db.execute("ALTER TABLE labels ADD COLUMN guideline_version TEXT")


def _v7_adjudications(db: sqlite_utils.Database) -> None:
    _run(db, _V7_SQL, _V7_PG)


# A researcher's decision on a disputed item. Its values are gold labels that point back here
# (labels.adjudication_id), so exports tell adjudicated gold from gold labeled up front.
# `letters` keeps which labeler was shown as A, B, C… for audit; the screen never shows names.
# A decision in progress is a draft (adjudication_drafts) until it is stored. dispute_checks
# remembers items found undisputed with `done` labelers under `rules`, so a researcher's next item does not
# judge every finished item again; any label written on the item (triggers) forgets it.
_V7_SQL = """
CREATE TABLE adjudications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    researcher TEXT NOT NULL REFERENCES labelers(name),
    reason TEXT NOT NULL,
    guideline_update INTEGER NOT NULL DEFAULT 0,
    rules TEXT NOT NULL DEFAULT '[]',
    letters TEXT NOT NULL DEFAULT '{}',
    seconds REAL,
    decided_at TEXT NOT NULL
);
CREATE INDEX adjudications_item ON adjudications(kind, item);
ALTER TABLE labels ADD COLUMN adjudication_id INTEGER REFERENCES adjudications(id);
CREATE TABLE adjudication_drafts (
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    researcher TEXT NOT NULL REFERENCES labelers(name),
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, item, researcher)
) WITHOUT ROWID;
CREATE TABLE dispute_checks (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id),
    item TEXT NOT NULL,
    done INTEGER NOT NULL,
    rules TEXT NOT NULL
);
CREATE INDEX dispute_checks_item ON dispute_checks(item);
CREATE TRIGGER dispute_checks_insert AFTER INSERT ON labels BEGIN DELETE FROM dispute_checks WHERE item IN (new.item, (SELECT prompt_id FROM outputs WHERE id = new.item)); END;
CREATE TRIGGER dispute_checks_update AFTER UPDATE OF value, gold ON labels BEGIN DELETE FROM dispute_checks WHERE item IN (new.item, (SELECT prompt_id FROM outputs WHERE id = new.item)); END
"""

_V7_PG = """
CREATE FUNCTION dispute_checks_forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM dispute_checks WHERE item IN (NEW.item, (SELECT prompt_id FROM outputs WHERE id = NEW.item)); RETURN NULL; END $$;
CREATE TRIGGER dispute_checks_insert AFTER INSERT ON labels FOR EACH ROW EXECUTE FUNCTION dispute_checks_forget();
CREATE TRIGGER dispute_checks_update AFTER UPDATE OF value, gold ON labels FOR EACH ROW EXECUTE FUNCTION dispute_checks_forget()
"""

def _v8_prompt_messages(db: sqlite_utils.Database) -> None:
    # A prompt that is a conversation keeps its turns as JSON (`[{"role", "content"}, ...]`,
    # ending with a user turn); `text` holds them joined, for the rules, PII checks and search.
    _run(db, "ALTER TABLE prompts ADD COLUMN messages TEXT")


def _v9_tasks_by_item(db: sqlite_utils.Database) -> None:
    # The gold_tasks triggers find a gold label's tasks by item (or its output's prompt) across
    # kinds: without this index every gold label scanned all tasks (10,500 gold values into a
    # project of 13,000 prompts took 20 s of CPU against 0.4 s for as many plain ones).
    _run(db, "CREATE INDEX tasks_item ON tasks(item)")


def _v10_server_claims(db: sqlite_utils.Database) -> None:
    # PostgreSQL: claims and submits as server-side functions, one round trip each instead of
    # 11 and 9 (store/server_functions.py); SQLite runs the same rules in the process.
    from store.server_functions import DEFINITIONS

    dialect_of(db).create_functions(db, DEFINITIONS)


def _v11_tallies(db: sqlite_utils.Database) -> None:
    # Per item and field value histograms and per labeler and field confusion counts against
    # gold, kept by triggers on labels (store/tallies.py) and filled here from the labels there.
    from store.tallies import FILL, TABLES_SQL, TRIGGERS_PG, TRIGGERS_SQL

    _run(db, TABLES_SQL + ";\n" + TRIGGERS_SQL, TRIGGERS_PG)
    for sql in FILL:
        db.execute(sql)


def _v12_server_claim_draws(db: sqlite_utils.Database) -> None:
    # PostgreSQL: the claim function makes the window's order and the gold draws itself
    # (SHA-256 draws, store/claim_order.py): a default claim is one round trip instead of ~12
    # (store/server_claims_window.py).
    from store.server_claims_window import DEFINITIONS

    dialect_of(db).create_functions(db, DEFINITIONS)


def _v13_tally_inserts_by_row(db: sqlite_utils.Database) -> None:
    # PostgreSQL: inserted labels tallied row by row (a submit's server CPU: 5.0 ms with
    # migration 11's statement trigger, 3.0 ms without tallies; store/tallies.py). SQLite: nothing.
    from store.tallies import INSERT_PG

    _run(db, "", INSERT_PG)


def _v14_open_tasks_by_task(db: sqlite_utils.Database) -> None:
    # PostgreSQL: a claim's candidates leave out the labeler's tasks through each task's
    # labelers, which stale statistics cannot turn into a scan of all the labeler's assignments
    # per task (store/server_claims_window.py, store/queue.py `_OPEN_TASKS`).
    from store.server_claims_window import OPEN_TASKS

    dialect_of(db).create_functions(db, [OPEN_TASKS])


def _v15_competence_starts(db: sqlite_utils.Database) -> None:
    # Each large yes/no or category field's MACE parameters from the quality report's last
    # run, where its next run starts (store/reports/competence.py): `params` maps a labeler to
    # [competence, spam distribution over `classes`].
    _run(db, """
CREATE TABLE competence_starts (
    task TEXT NOT NULL,
    field TEXT NOT NULL,
    classes TEXT NOT NULL,
    params TEXT NOT NULL,
    labels INTEGER NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (task, field)
)""")


def _v16_labels_by_field(db: sqlite_utils.Database) -> None:
    # The reports read one field's labels at a time (MACE and Dawid–Skene, store/consensus/
    # compute.py): by `labels_item` (task, item, field) each such read walked every label of the
    # task, ten fields' worth for an output field. In the same item order, so the same arrays:
    # the 16 categorical fields of a million labels read in 1.0 s of CPU instead of 1.7.
    _run(db, "CREATE INDEX labels_field ON labels(task, field, item)")


def _v17_one_call_checks(db: sqlite_utils.Database) -> None:
    # PostgreSQL: a hidden gold check's submit is one call like production work (it took 9
    # round trips), and a claim reads the labeler's open tasks once instead of per task passed
    # (store/server_submit_checks.py). SQLite: nothing.
    from store.server_submit_checks import DEFINITIONS, INDEX

    _run(db, "", INDEX)
    dialect_of(db).create_functions(db, DEFINITIONS)


def _v18_gold_check_scores(db: sqlite_utils.Database) -> None:
    # Each hidden gold check's counts against gold, kept at submit and dropped by triggers when
    # the gold of its item changes (store/quality/check_scores.py). Checks from before have no
    # row: the next quality report scores them (as it scored every check before) and keeps them.
    from store.tallies import CHECK_SCORES_PG, CHECK_SCORES_SQL, CHECK_SCORES_TRIGGERS

    _run(db, CHECK_SCORES_SQL + ";\n" + CHECK_SCORES_TRIGGERS, CHECK_SCORES_PG)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core,
    _v2_quizzes_and_surveys,
    _v3_task_counts,
    _v4_sessions,
    _v5_live_quality,
    _v6_guideline_versions,
    _v7_adjudications,
    _v8_prompt_messages,
    _v9_tasks_by_item,
    _v10_server_claims,
    _v11_tallies,
    _v12_server_claim_draws,
    _v13_tally_inserts_by_row,
    _v14_open_tasks_by_task,
    _v15_competence_starts,
    _v16_labels_by_field,
    _v17_one_call_checks,
    _v18_gold_check_scores,
]

LATEST = len(MIGRATIONS)


def version(db: sqlite_utils.Database) -> int:
    return dialect_of(db).version(db)


def check_version(db: sqlite_utils.Database, path: str) -> int:
    found = version(db)
    if found > LATEST:
        raise StoreError(
            f"{path}: written by a newer LabelDesk (schema {found}; this one knows up to "
            f"{LATEST}); upgrade LabelDesk to open it"
        )
    if found == 0 and dialect_of(db).table_names(db):
        raise StoreError(f"{path}: not a LabelDesk database (it has other tables)")
    return found

