"""Tallies of the labels, kept by triggers as labels are written, so a report reads a few
thousand rows instead of every label.

- `item_tallies(task, item, field, value, n)`: per item and field, how many labelers' (non-gold)
  labels hold each value: the histogram disputes and consensus start from.
- `gold_tallies(task, field, labeler, value, gold_value, n)`: per labeler and field, the
  confusion counts of their labels against researchers' gold on the same item: one count per
  (label, gold label) pair, so where two researchers gave gold both pairs count.

Only the tasks whose values are flags, choices and ratings are tallied (`TALLIED`): a ranking or
a written text is its own histogram. The triggers are in the database (migration 11), so every
path that writes, overwrites, re-flags as gold or deletes a label keeps them in the same
transaction: submits (the PostgreSQL server function too), imports, adjudication. A count that
falls to zero stays as a row with `n = 0`; readers skip it. `rebuild` recomputes both from the
labels (`labeldesk db rebuild-tallies`); `tests/store/test_tallies.py` checks that what the
triggers keep equals what `rebuild` computes, over random histories, on both engines.

SQLite fires a row's triggers right after that row changes, so each keeps its own rows' part.
PostgreSQL's AFTER row triggers see the statement's end, where one row's trigger would count a
pair with another row of the same statement twice: an inserted label pairs only with labels of
smaller id (the later of two counts their pair), and updates and deletes are tallied per
statement, with the statement's old and new rows (transition tables): a pair's count is
recomputed for the items the statement touched, after minus before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

TALLIED = ("instruction", "output", "toxicity")
_IN = "(" + ", ".join(f"'{t}'" for t in TALLIED) + ")"

TABLES_SQL = """
CREATE TABLE item_tallies (
    task TEXT NOT NULL,
    item TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (task, item, field, value)
) WITHOUT ROWID;
CREATE TABLE gold_tallies (
    task TEXT NOT NULL,
    field TEXT NOT NULL,
    labeler TEXT NOT NULL,
    value TEXT NOT NULL,
    gold_value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (task, field, labeler, value, gold_value)
) WITHOUT ROWID
"""

# What `rebuild` and the migration fill the tables with: the tallies by definition.
FILL = [
    "DELETE FROM item_tallies",
    "DELETE FROM gold_tallies",
    f"""INSERT INTO item_tallies (task, item, field, value, n)
        SELECT task, item, field, value, count(*) FROM labels
        WHERE gold = 0 AND task IN {_IN} GROUP BY task, item, field, value""",
    f"""INSERT INTO gold_tallies (task, field, labeler, value, gold_value, n)
        SELECT l.task, l.field, l.labeler, l.value, g.value, count(*)
        FROM labels g JOIN labels l ON l.task = g.task AND l.item = g.item AND l.field = g.field
        WHERE g.gold = 1 AND l.gold = 0 AND g.task IN {_IN}
        GROUP BY l.task, l.field, l.labeler, l.value, g.value""",
]


def _same_key(a: str, b: str) -> str:
    return f"{a}.task = {b}.task AND {a}.item = {b}.item AND {a}.field = {b}.field"


def _plain(row: str, sign: str) -> str:
    """A labeler's label `row` (new or old) entering (+) or leaving (-) the tallies. Leaving,
    the row itself is not counted as gold (after an update it may be gold now)."""
    if sign == "+":
        return (
            f"INSERT INTO item_tallies (task, item, field, value, n) VALUES ({row}.task, "
            f"{row}.item, {row}.field, {row}.value, 1) ON CONFLICT (task, item, field, value) "
            f"DO UPDATE SET n = item_tallies.n + 1; "
            f"INSERT INTO gold_tallies (task, field, labeler, value, gold_value, n) "
            f"SELECT {row}.task, {row}.field, {row}.labeler, {row}.value, g.value, 1 "
            f"FROM labels g WHERE {_same_key('g', row)} AND g.gold = 1 AND g.id <> {row}.id "
            f"ON CONFLICT (task, field, labeler, value, gold_value) "
            f"DO UPDATE SET n = gold_tallies.n + 1;")
    return (
        f"UPDATE item_tallies SET n = n - 1 WHERE task = {row}.task AND item = {row}.item "
        f"AND field = {row}.field AND value = {row}.value; "
        f"UPDATE gold_tallies SET n = n - (SELECT count(*) FROM labels g WHERE "
        f"{_same_key('g', row)} AND g.gold = 1 AND g.id <> {row}.id "
        f"AND g.value = gold_tallies.gold_value) WHERE task = {row}.task AND field = {row}.field "
        f"AND labeler = {row}.labeler AND value = {row}.value;")


def _gold(row: str, sign: str) -> str:
    """A researcher's gold label `row` entering (+) or leaving (-): a pair with every
    labeler's label on its item and field."""
    if sign == "+":
        return (
            f"INSERT INTO gold_tallies (task, field, labeler, value, gold_value, n) "
            f"SELECT {row}.task, {row}.field, l.labeler, l.value, {row}.value, count(*) "
            f"FROM labels l WHERE {_same_key('l', row)} AND l.gold = 0 AND l.id <> {row}.id "
            f"GROUP BY l.labeler, l.value ON CONFLICT (task, field, labeler, value, gold_value) "
            f"DO UPDATE SET n = gold_tallies.n + excluded.n;")
    return (
        f"UPDATE gold_tallies SET n = n - 1 WHERE task = {row}.task AND field = {row}.field "
        f"AND gold_value = {row}.value AND (labeler, value) IN (SELECT l.labeler, l.value "
        f"FROM labels l WHERE {_same_key('l', row)} AND l.gold = 0 AND l.id <> {row}.id);")


_CHANGED = ("(old.value IS NOT new.value OR old.gold IS NOT new.gold OR old.task IS NOT new.task "
            "OR old.item IS NOT new.item OR old.field IS NOT new.field "
            "OR old.labeler IS NOT new.labeler)")
_UPDATE = "AFTER UPDATE OF labeler, task, item, field, value, gold ON labels"


def _trigger(name: str, event: str, when: str, body: str) -> str:
    return f"CREATE TRIGGER {name} {event} WHEN {when} BEGIN {body} END"


# SQLite: a row's part at a time (its triggers run right after the row changes).
TRIGGERS_SQL = ";\n".join([
    _trigger("tallies_insert_plain", "AFTER INSERT ON labels",
             f"new.gold = 0 AND new.task IN {_IN}", _plain("new", "+")),
    _trigger("tallies_insert_gold", "AFTER INSERT ON labels",
             f"new.gold = 1 AND new.task IN {_IN}", _gold("new", "+")),
    _trigger("tallies_delete_plain", "AFTER DELETE ON labels",
             f"old.gold = 0 AND old.task IN {_IN}", _plain("old", "-")),
    _trigger("tallies_delete_gold", "AFTER DELETE ON labels",
             f"old.gold = 1 AND old.task IN {_IN}", _gold("old", "-")),
    _trigger("tallies_update_old_plain", _UPDATE,
             f"{_CHANGED} AND old.gold = 0 AND old.task IN {_IN}", _plain("old", "-")),
    _trigger("tallies_update_old_gold", _UPDATE,
             f"{_CHANGED} AND old.gold = 1 AND old.task IN {_IN}", _gold("old", "-")),
    _trigger("tallies_update_new_plain", _UPDATE,
             f"{_CHANGED} AND new.gold = 0 AND new.task IN {_IN}", _plain("new", "+")),
    _trigger("tallies_update_new_gold", _UPDATE,
             f"{_CHANGED} AND new.gold = 1 AND new.task IN {_IN}", _gold("new", "+")),
])

# PostgreSQL: per statement, from its transition tables (see the module's docstring). `added`
# and `removed` are the statement's new and old rows (a relation each); a pair's part is recomputed for the
# (task, item, field) keys they touch: the labels there now, minus the same before.
def _apply(added: str, removed: str, others: str = "") -> str:
    """`others`: a condition on `labels l` leaving rows out of the keys' before and after (rows
    the same statement inserted, whose pairs their own trigger counts)."""
    return (
        f"BEGIN "
        f"INSERT INTO item_tallies (task, item, field, value, n) "
        f"SELECT x.task, x.item, x.field, x.value, sum(x.d) FROM ("
        f"SELECT a.task, a.item, a.field, a.value, 1 AS d FROM {added} a WHERE a.gold = 0 AND a.task IN {_IN} "
        f"UNION ALL SELECT r.task, r.item, r.field, r.value, -1 FROM {removed} r WHERE r.gold = 0 AND r.task IN {_IN}"
        f") x GROUP BY x.task, x.item, x.field, x.value HAVING sum(x.d) <> 0 "
        f"ON CONFLICT (task, item, field, value) DO UPDATE SET n = item_tallies.n + excluded.n; "
        f"IF NOT EXISTS (SELECT 1 FROM {added} a WHERE a.gold = 1) AND NOT EXISTS "
        f"(SELECT 1 FROM {removed} r WHERE r.gold = 1) AND NOT EXISTS (SELECT 1 FROM labels g "
        f"JOIN (SELECT a.task, a.item, a.field FROM {added} a UNION SELECT r.task, r.item, r.field "
        f"FROM {removed} r) k ON g.task = k.task AND g.item = k.item AND g.field = k.field "
        f"WHERE g.gold = 1) THEN RETURN; END IF; "
        f"WITH keys AS (SELECT DISTINCT k.task, k.item, k.field FROM (SELECT a.task, a.item, a.field "
        f"FROM {added} a UNION ALL SELECT r.task, r.item, r.field FROM {removed} r) k "
        f"WHERE k.task IN {_IN}), "
        f"now_rows AS (SELECT l.id, l.labeler, l.task, l.item, l.field, l.value, l.gold FROM labels l "
        f"JOIN keys k ON l.task = k.task AND l.item = k.item AND l.field = k.field{others}), "
        f"then_rows AS (SELECT * FROM now_rows WHERE id NOT IN (SELECT a.id FROM {added} a) "
        f"UNION ALL SELECT r.id, r.labeler, r.task, r.item, r.field, r.value, r.gold FROM {removed} r "
        f"WHERE r.task IN {_IN}), "
        f"pairs AS (SELECT l.task, l.field, l.labeler, l.value, g.value AS gold_value, 1 AS d "
        f"FROM now_rows l JOIN now_rows g ON l.task = g.task AND l.item = g.item AND l.field = g.field "
        f"WHERE l.gold = 0 AND g.gold = 1 UNION ALL "
        f"SELECT l.task, l.field, l.labeler, l.value, g.value, -1 FROM then_rows l JOIN then_rows g "
        f"ON l.task = g.task AND l.item = g.item AND l.field = g.field WHERE l.gold = 0 AND g.gold = 1) "
        f"INSERT INTO gold_tallies (task, field, labeler, value, gold_value, n) "
        f"SELECT p.task, p.field, p.labeler, p.value, p.gold_value, sum(p.d) FROM pairs p "
        f"GROUP BY p.task, p.field, p.labeler, p.value, p.gold_value HAVING sum(p.d) <> 0 "
        f"ON CONFLICT (task, field, labeler, value, gold_value) DO UPDATE SET n = gold_tallies.n + excluded.n; "
        f"END")

_NONE = "(SELECT * FROM labels WHERE false)"
_OPS = {"insert": ("INSERT", "NEW TABLE AS new_rows", "new_rows", _NONE),
        "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "new_rows", "old_rows"),
        "delete": ("DELETE", "OLD TABLE AS old_rows", _NONE, "old_rows")}
TRIGGERS_PG = ";\n".join(
    f"CREATE FUNCTION label_tallies_{op}() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"{_apply(added, removed).replace('THEN RETURN;', 'THEN RETURN NULL;')[:-3]} RETURN NULL; END $$;\n"
    f"CREATE TRIGGER tallies_{op} AFTER {event} ON labels REFERENCING {tables} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION label_tallies_{op}()"
    for op, (event, tables, added, removed) in _OPS.items())

# PostgreSQL from migration 13 on, inserts (a submit's labels: most writes) row by row: a
# statement trigger spent ~2 ms of server CPU a submit on its transition tables. A row's AFTER
# trigger sees the statement's end, so a pair of two rows is counted by the later one alone:
# a new label pairs with the labels of smaller id (ids only grow; `db copy`, which gives ids,
# puts the source's tallies in afterwards).
_ROW_INSERT = (
    "BEGIN IF NEW.gold = 0 THEN "
    "INSERT INTO item_tallies (task, item, field, value, n) VALUES (NEW.task, NEW.item, "
    "NEW.field, NEW.value, 1) ON CONFLICT (task, item, field, value) "
    "DO UPDATE SET n = item_tallies.n + 1; "
    "INSERT INTO gold_tallies (task, field, labeler, value, gold_value, n) "
    "SELECT NEW.task, NEW.field, NEW.labeler, NEW.value, g.value, count(*) FROM labels g "
    "WHERE g.task = NEW.task AND g.item = NEW.item AND g.field = NEW.field AND g.gold = 1 "
    "AND g.id < NEW.id GROUP BY g.value ON CONFLICT (task, field, labeler, value, gold_value) "
    "DO UPDATE SET n = gold_tallies.n + excluded.n; "
    "ELSE "
    "INSERT INTO gold_tallies (task, field, labeler, value, gold_value, n) "
    "SELECT NEW.task, NEW.field, l.labeler, l.value, NEW.value, count(*) FROM labels l "
    "WHERE l.task = NEW.task AND l.item = NEW.item AND l.field = NEW.field AND l.gold = 0 "
    "AND l.id < NEW.id GROUP BY l.labeler, l.value "
    "ON CONFLICT (task, field, labeler, value, gold_value) "
    "DO UPDATE SET n = gold_tallies.n + excluded.n; "
    "END IF; RETURN NULL; END")
# An upsert that both inserts and updates (a gold import turning a researcher's own label gold
# beside other researchers' new gold) would have the update's part count the new rows' pairs
# again: its before and after leave out the rows this statement wrote (the same transaction and
# command id as its updated rows) that it did not update.
_SAME_COMMAND = (" AND NOT (l.xmin = (SELECT s.xmin FROM labels s WHERE s.id = (SELECT min(x.id) "
                 "FROM new_rows x)) AND l.cmin = (SELECT s.cmin FROM labels s WHERE s.id = "
                 "(SELECT min(x.id) FROM new_rows x)) AND l.id NOT IN (SELECT x.id FROM new_rows x))")
INSERT_PG = ";\n".join([
    "DROP TRIGGER tallies_insert ON labels",
    "DROP FUNCTION label_tallies_insert()",
    f"CREATE FUNCTION label_tallies_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$ {_ROW_INSERT} $$",
    "CREATE TRIGGER tallies_insert_row AFTER INSERT ON labels FOR EACH ROW "
    f"WHEN (NEW.task IN {_IN}) EXECUTE FUNCTION label_tallies_insert_row()",
    "CREATE OR REPLACE FUNCTION label_tallies_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"{_apply('new_rows', 'old_rows', _SAME_COMMAND).replace('THEN RETURN;', 'THEN RETURN NULL;')[:-3]}"
    " RETURN NULL; END $$"])


# Each hidden gold check's counts against gold (`gold_check_scores`), written at submit and by
# the quality report (store/quality/check_scores.py, which scores); the triggers drop the rows
# of the checks on an item whose gold changes. Here, not there: migrations import this module.
CHECK_SCORES_SQL = """
CREATE TABLE gold_check_scores (
    answer_id INTEGER PRIMARY KEY REFERENCES gold_answers(id),
    labeler TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    flag_agree INTEGER NOT NULL,
    flag_n INTEGER NOT NULL,
    rating_diffs TEXT NOT NULL,
    rank_items INTEGER NOT NULL,
    rank_same INTEGER NOT NULL,
    rank_compared INTEGER NOT NULL
);
CREATE INDEX gold_answers_item ON gold_answers(item)
"""


# The checks on a label's item: the task's item is the label's item, or the prompt of the
# output it is (as gold_tasks finds a gold label's tasks).
def _forget(row: str) -> str:
    return (f"DELETE FROM gold_check_scores WHERE answer_id IN (SELECT g.id FROM gold_answers g "
            f"WHERE g.item IN ({row}.item, (SELECT o.prompt_id FROM outputs o "
            f"WHERE o.id = {row}.item)))")


CHECK_SCORES_TRIGGERS = ";\n".join([
    f"CREATE TRIGGER check_scores_insert AFTER INSERT ON labels WHEN new.gold = 1 "
    f"BEGIN {_forget('new')}; END",
    f"CREATE TRIGGER check_scores_update AFTER UPDATE OF task, item, field, value, gold ON labels "
    f"WHEN old.gold = 1 OR new.gold = 1 BEGIN {_forget('old')}; {_forget('new')}; END",
    f"CREATE TRIGGER check_scores_delete AFTER DELETE ON labels WHEN old.gold = 1 "
    f"BEGIN {_forget('old')}; END",
])


CHECK_SCORES_PG = ";\n".join([
    "CREATE FUNCTION check_scores_forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' AND OLD.gold = 1 THEN {_forget('OLD')}; END IF; "
    f"IF TG_OP <> 'DELETE' AND NEW.gold = 1 THEN {_forget('NEW')}; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER check_scores_insert AFTER INSERT ON labels FOR EACH ROW "
    "WHEN (NEW.gold = 1) EXECUTE FUNCTION check_scores_forget()",
    "CREATE TRIGGER check_scores_update AFTER UPDATE OF task, item, field, value, gold ON labels "
    "FOR EACH ROW WHEN (OLD.gold = 1 OR NEW.gold = 1) EXECUTE FUNCTION check_scores_forget()",
    "CREATE TRIGGER check_scores_delete AFTER DELETE ON labels FOR EACH ROW "
    "WHEN (OLD.gold = 1) EXECUTE FUNCTION check_scores_forget()",
])


def rebuild(db: sqlite_utils.Database) -> dict[str, int]:
    """Recompute both tallies from the labels (the caller holds the transaction); the rows
    each now has."""
    for sql in FILL:
        db.execute(sql)
    return {table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("item_tallies", "gold_tallies")}
