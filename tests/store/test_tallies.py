"""The tallies the triggers keep as labels are written (store/tallies.py) equal what
`rebuild` computes from the labels, over random histories of submits, overwrites, imports,
gold labels, gold flags changed and labels deleted, on both engines."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import migrations, tallies
from store.db import immediate, open_db
from store.errors import StoreError
from store.imports import import_labels
from store.labels import submit, write_labels
from store.roster import add_labeler
from store.schema import load_schema
from store.values import LabelValue
from tests.conftest import claim, fill_sample, write_jsonl

OUTPUTS = ("p1-a", "p1-b", "p2-a")  # few items and values: labels meet often
LABELERS = 3
RESEARCHERS = ("rhea", "rex")
_run = itertools.count()


def kept(db) -> dict[str, set[tuple]]:
    """Both tallies as the triggers left them (a count fallen to zero is no row)."""
    return {table: {tuple(row) for row in db.execute(f"SELECT * FROM {table} WHERE n <> 0")}
            for table in ("item_tallies", "gold_tallies")}


def rebuilt(db) -> dict[str, set[tuple]]:
    with immediate(db):
        tallies.rebuild(db)
    return kept(db)


rating = st.integers(1, 3)
labeler = st.integers(0, LABELERS - 1)
output = st.sampled_from(OUTPUTS)
OPS = st.one_of(
    st.tuples(st.just("submit"), labeler, st.lists(rating, min_size=3, max_size=3)),
    st.tuples(st.just("write"), labeler, output, rating),
    st.tuples(st.just("gold"), st.sampled_from(RESEARCHERS), output, rating),
    st.tuples(st.just("own"), st.sampled_from(RESEARCHERS), output, rating),
    st.tuples(st.just("import"), st.lists(st.tuples(labeler, output, rating), min_size=1,
                                          max_size=6), st.booleans()),
    st.tuples(st.just("flip"), output),
    st.tuples(st.just("delete"), output, labeler),
)


def apply(db, op, names: list[str], tmp_path, schema) -> None:
    kind = op[0]
    if kind == "submit":  # a claim and its submit (PostgreSQL: the server function)
        a = claim(db, names[op[1]], overlap=10)
        if a is not None:
            values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
            values += [LabelValue("output", o, "rating", r) for o, r in zip(a.order, op[2], strict=False)]
            submit(db, a.id, values)
    elif kind in ("write", "gold", "own"):  # a labeler's value, a researcher's gold or own value
        who = names[op[1]] if kind == "write" else op[1]
        with immediate(db):
            write_labels(db, who, [LabelValue("output", op[2], "rating", op[3])],
                         gold=kind == "gold", schema=schema)
    elif kind == "import":  # one statement for the whole file, overwriting
        gold = op[2]
        records = {(names[i] if not gold else RESEARCHERS[i % 2], o): r for i, o, r in op[1]}
        path = write_jsonl(tmp_path / f"labels{next(_run)}.jsonl", [
            {"labeler": who, "task": "output", "item": o, "field": "rating", "value": r}
            for (who, o), r in records.items()])
        try:
            import_labels(db, path, gold=gold, replace=True, schema=schema)
        except StoreError:
            pass  # refused whole (a plain import may not replace gold): nothing written
    elif kind == "flip":  # gold and plain labels of one item change places in one statement
        db.execute("UPDATE labels SET gold = 1 - gold WHERE task = 'output' AND item = ?", [op[1]])
    else:
        db.execute("DELETE FROM labels WHERE item = ? AND labeler = ?", [op[1], names[op[2]]])


@pytest.fixture
def project(db):
    fill_sample(db)
    add_labeler(db, "rex", "researcher")
    return db


# Random histories: the same examples every run (a failure reproduces).
histories = settings(max_examples=30, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def fresh_labelers(db, prefix: str) -> list[str]:
    """LABELERS new labelers for one example (the database is shared by the examples)."""
    names = [f"{prefix}{next(_run)}x{i}" for i in range(LABELERS)]
    for name in names:
        add_labeler(db, name)
    return names


@histories
@given(ops=st.lists(OPS, min_size=1, max_size=12))
def test_kept_tallies_equal_rebuilt_ones_over_random_histories(project, ops, tmp_path):
    db, schema = project, load_schema()
    db.execute("DELETE FROM labels")
    assert kept(db) == {"item_tallies": set(), "gold_tallies": set()}
    names = fresh_labelers(db, "l")
    for op in ops:
        apply(db, op, names, tmp_path, schema)
    incremental = kept(db)
    assert incremental == rebuilt(db)


def test_a_history_counts_what_it_should(project, tmp_path):
    """The tallies' meaning, on one small history: histograms of labelers' values per item,
    and a labeler's values against each gold value of the same item and field."""
    db, schema = project, load_schema()
    with immediate(db):
        write_labels(db, "alice", [LabelValue("output", "p1-a", "rating", 5)], gold=False, schema=schema)
        write_labels(db, "bob", [LabelValue("output", "p1-a", "rating", 5)], gold=False, schema=schema)
        write_labels(db, "carol", [LabelValue("output", "p1-a", "rating", 2)], gold=False, schema=schema)
        write_labels(db, "rhea", [LabelValue("output", "p1-a", "rating", 5)], gold=True, schema=schema)
        write_labels(db, "bob", [LabelValue("output", "p1-a", "rating", 4)], gold=False, schema=schema)
    assert kept(db) == {
        "item_tallies": {("output", "p1-a", "rating", "5", 1), ("output", "p1-a", "rating", "4", 1),
                         ("output", "p1-a", "rating", "2", 1)},
        "gold_tallies": {("output", "rating", "alice", "5", "5", 1),
                         ("output", "rating", "bob", "4", "5", 1),
                         ("output", "rating", "carol", "2", "5", 1)},
    }


def test_one_import_that_turns_a_label_gold_and_adds_gold_beside_it(project, tmp_path):
    """One statement (a gold import's upsert) updates a researcher's own label to gold and
    inserts another researcher's gold on the same item: each pair is counted once."""
    db, schema = project, load_schema()
    with immediate(db):
        write_labels(db, "alice", [LabelValue("output", "p1-a", "rating", 5)], gold=False, schema=schema)
        write_labels(db, "rhea", [LabelValue("output", "p1-a", "rating", 3)], gold=False, schema=schema)
    path = write_jsonl(tmp_path / "gold.jsonl", [
        {"labeler": who, "task": "output", "item": "p1-a", "field": "rating", "value": 6}
        for who in ("rhea", "rex")])
    import_labels(db, path, gold=True, replace=True, schema=schema)
    assert kept(db)["gold_tallies"] == {("output", "rating", "alice", "5", "6", 2)}
    assert kept(db) == rebuilt(db)


@pytest.mark.empty_database
def test_the_migration_fills_the_tallies_of_an_existing_project(db_path, monkeypatch):
    with monkeypatch.context() as older:  # a project from before migration 11
        older.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:10])
        older.setattr(migrations, "LATEST", 10)
        db = open_db(db_path)
        fill_sample(db)
        with immediate(db):
            write_labels(db, "alice", [LabelValue("output", "p1-a", "rating", 5),
                                       LabelValue("output", "p1-b", "rating", 2)], gold=False,
                         schema=load_schema())
            write_labels(db, "bob", [LabelValue("output", "p1-a", "rating", 5)], gold=False,
                         schema=load_schema())
            write_labels(db, "rhea", [LabelValue("output", "p1-a", "rating", 4)], gold=True,
                         schema=load_schema())
        db.conn.close()
    db = open_db(db_path)
    try:
        assert migrations.version(db) == migrations.LATEST
        assert kept(db) == {
            "item_tallies": {("output", "p1-a", "rating", "5", 2), ("output", "p1-b", "rating", "2", 1)},
            "gold_tallies": {("output", "rating", "alice", "5", "4", 1),
                             ("output", "rating", "bob", "5", "4", 1)}}
        with immediate(db):  # and the triggers keep them from there
            write_labels(db, "carol", [LabelValue("output", "p1-a", "rating", 4)], gold=False,
                         schema=load_schema())
        assert ("output", "rating", "carol", "4", "4", 1) in kept(db)["gold_tallies"]
        assert kept(db) == rebuilt(db)
    finally:
        db.conn.close()
