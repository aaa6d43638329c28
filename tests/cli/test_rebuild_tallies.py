"""`labeldesk db rebuild-tallies` puts the label tallies back to what the labels say."""

from __future__ import annotations

from store.db import immediate, open_db
from store.labels import write_labels
from store.roster import add_labeler
from store.schema import load_schema
from store.values import LabelValue
from tests.conftest import fill_sample
from tests.store.test_tallies import kept


def test_rebuild_tallies_puts_wrong_counts_right(run, db_path):
    db = open_db(db_path)
    fill_sample(db)
    with immediate(db):
        write_labels(db, "alice", [LabelValue("output", "p1-a", "rating", 5)], gold=False,
                     schema=load_schema())
        write_labels(db, "rhea", [LabelValue("output", "p1-a", "rating", 6)], gold=True,
                     schema=load_schema())
    right = kept(db)
    db.execute("UPDATE item_tallies SET n = 7")
    db.execute("DELETE FROM gold_tallies")
    assert kept(db) != right
    db.close()
    done = run("db", "rebuild-tallies")
    assert done.exit_code == 0, done.output
    assert done.output == "tallies rebuilt: 1 item values, 1 labeler values against gold, 0 gold checks scored\n"
    db = open_db(db_path)
    assert kept(db) == right
    db.close()


def test_only_a_researcher_rebuilds(run, db_path):
    db = open_db(db_path)
    add_labeler(db, "alice")
    db.close()
    done = run("db", "rebuild-tallies", "--labeler", "alice")
    assert done.exit_code != 0 and "researcher" in done.output
