"""MACE competence from a database's labels: in the quality report, `labeldesk quality` (JSON and
table) and `export consensus --method mace`, on both backends. The dashboard's column:
tests/quality/test_competence_dashboard.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from store.db import immediate
from store.labels import write_labels
from store.reports.competence import MIN_LABELS, labeler_competence
from store.reports.quality import quality_report
from store.roster import add_labeler
from store.schema import load_schema
from store.values import LabelValue
from tui.cli import cli

N_ITEMS = 30
HONEST = {"ana": 0.95, "bo": 0.9, "cy": 0.85}  # chance of the true answer, else a coin


@pytest.fixture
def labeled_db(db):
    """30 prompts, two yes/no fields. ana, bo, cy label every item honestly; spam answers
    `True` to everything; newbie labeled 3 items; gold on the first 5 items' `pii`."""
    schema = load_schema()
    for name in [*HONEST, "spam", "newbie", "idle"]:
        add_labeler(db, name)
    add_labeler(db, "rhea", "researcher")
    rng = np.random.default_rng(1)
    truth = {(f"p{i:02d}", f): bool(rng.integers(2)) for i in range(N_ITEMS)
             for f in ("pii", "closed_domain")}
    with immediate(db):  # one commit, not one fsync a label
        for name, accuracy in HONEST.items():
            write_labels(db, name, [
                LabelValue("instruction", item, f, v if rng.random() < accuracy else bool(rng.integers(2)))
                for (item, f), v in truth.items()], gold=False, schema=schema,
                created_at="2026-01-05T10:00:00")
        write_labels(db, "spam", [LabelValue("instruction", item, f, True) for item, f in truth],
                     gold=False, schema=schema, created_at="2026-01-05T10:00:00")
        write_labels(db, "newbie", [LabelValue("instruction", f"p{i:02d}", "pii", truth[f"p{i:02d}", "pii"])
                                    for i in range(3)], gold=False, schema=schema,
                     created_at="2026-02-01T10:00:00")
        write_labels(db, "rhea", [LabelValue("instruction", f"p{i:02d}", "pii", truth[f"p{i:02d}", "pii"])
                                  for i in range(5)], gold=True, schema=schema)
    return db


def test_spammer_lowest_counts_and_too_few(labeled_db):
    found = labeler_competence(labeled_db, load_schema())
    assert set(found) == {"ana", "bo", "cy", "spam", "newbie"}  # rhea's are gold, not labels
    thetas = {name: found[name]["theta"] for name in [*HONEST, "spam"]}
    assert min(thetas, key=thetas.get) == "spam" and thetas["spam"] < 0.2
    assert all(thetas[name] > 0.7 for name in HONEST)
    ana = found["ana"]
    assert ana["labels"] == 2 * N_ITEMS
    assert ana["fields"].keys() == {"instruction.closed_domain", "instruction.pii"}
    assert ana["fields"]["instruction.pii"]["labels"] == N_ITEMS
    # The pooled figure is the per-field ones weighted by labels (equal here).
    per_field = [f["theta"] for f in ana["fields"].values()]
    assert ana["theta"] == pytest.approx(sum(per_field) / 2, abs=1e-4)
    newbie = found["newbie"]
    assert newbie["labels"] == 3 < MIN_LABELS and newbie["theta"] is None
    assert newbie["reason"] == f"fewer than {MIN_LABELS} yes/no or category labels"
    assert newbie["fields"]["instruction.pii"] == {"theta": None, "labels": 3}
    # Only labels from `since` on; gold stays known whenever it was written.
    later = labeler_competence(labeled_db, load_schema(), since="2026-01-10")
    assert set(later) == {"newbie"} and later["newbie"]["labels"] == 3


def test_report_cli_json_and_table(labeled_db, db_path):
    entry = quality_report(labeled_db, n_boot=0)["labelers"]
    assert entry["idle"]["competence"] == {"theta": None, "labels": 0, "fields": {},
                                           "reason": "no yes/no or category labels yet"}
    assert entry["spam"]["competence"]["theta"] < entry["ana"]["competence"]["theta"]
    run = CliRunner().invoke(cli, ["quality", "--format", "json", "--labeler", "spam",
                                   "--db", str(db_path)], env={"LABELDESK_LABELER": "rhea"})
    assert run.exit_code == 0, run.output
    report = json.loads(run.output)
    # One labeler's report still weighs them against everyone: the same figure as the whole.
    assert report["labelers"]["spam"]["competence"] == entry["spam"]["competence"]
    assert "MACE" in report["competence"]
    table = CliRunner().invoke(cli, ["quality", "--wide", "--db", str(db_path)],
                               env={"LABELDESK_LABELER": "rhea"})
    assert table.exit_code == 0, table.output
    assert "competence" in table.output
    spam_line = next(line for line in table.output.splitlines() if "spam" in line)
    assert f"{entry['spam']['competence']['theta']:.2f} ({2 * N_ITEMS})" in spam_line


def test_export_consensus_with_mace(labeled_db, db_path):
    run = CliRunner().invoke(cli, ["export", "consensus", "--method", "mace", "--out", "-",
                                   "--db", str(db_path)], env={"LABELDESK_LABELER": "rhea"})
    assert run.exit_code == 0, run.output
    records = [json.loads(line) for line in run.output.splitlines()]
    methods = {r["method"] for r in records}
    assert methods == {"mace", "gold"}
    # The spammer's constant True does not carry an item the honest three call False.
    truth_false = [r for r in records if r["method"] == "mace" and r["value"] is False]
    assert truth_false and all(r["n_labelers"] == 4 for r in truth_false)
    bad = CliRunner().invoke(cli, ["export", "consensus", "--method", "glad", "--out", "-",
                                   "--db", str(db_path)], env={"LABELDESK_LABELER": "rhea"})
    assert bad.exit_code == 2 and "glad" in bad.output


def unanimous(db, names, fields=("pii", "closed_domain")):
    """Every named labeler gives every item the same answer as the others (30 items)."""
    schema = load_schema()
    for name in names:
        add_labeler(db, name)
    rng = np.random.default_rng(2)
    truth = {(f"p{i:02d}", f): bool(rng.integers(2)) for i in range(N_ITEMS) for f in fields}
    with immediate(db):
        for name in names:
            write_labels(db, name, [LabelValue("instruction", item, f, v) for (item, f), v in truth.items()],
                         gold=False, schema=schema, created_at="2026-01-05T10:00:00")


@pytest.mark.parametrize("names", [("ana", "bo", "cy"), ("ana",)], ids=["three agree", "alone"])
def test_no_disagreement_means_no_competence_not_zero(db, db_path, names):
    """Three labelers who always agree (or one alone) got θ ≈ 0.0003, shown as 0.00: MACE has
    nothing to tell knowing from guessing there. Null with the reason instead, in the JSON,
    the table and the dashboard."""
    from screens.dashboard import row_cells
    from store.reports.competence import NO_DISAGREEMENT

    unanimous(db, names)
    found = labeler_competence(db, load_schema())
    for name in names:
        assert found[name]["theta"] is None and found[name]["reason"] == NO_DISAGREEMENT
        assert found[name]["labels"] == 2 * N_ITEMS
        assert found[name]["fields"]["instruction.pii"] == {"theta": None, "labels": N_ITEMS,
                                                            "reason": NO_DISAGREEMENT}
    add_labeler(db, "rhea", "researcher")
    run = CliRunner().invoke(cli, ["quality", "--format", "json", "--db", str(db_path)],
                             env={"LABELDESK_LABELER": "rhea"})
    assert run.exit_code == 0, run.output
    entry = json.loads(run.stdout)["labelers"]["ana"]["competence"]
    assert entry["theta"] is None and entry["reason"] == NO_DISAGREEMENT
    table = CliRunner().invoke(cli, ["quality", "--wide", "--db", str(db_path)],
                               env={"LABELDESK_LABELER": "rhea"})
    ana_line = next(line for line in table.output.splitlines() if "│ ana " in line)
    assert f"n/a ({NO_DISAGREEMENT})" in ana_line and "0.00" not in ana_line
    report = quality_report(db, n_boot=0)
    assert f"n/a ({NO_DISAGREEMENT})" in row_cells("ana", report["labelers"]["ana"])[0]


def test_a_field_with_disagreement_still_counts(labeled_db):
    """ana's fields where answers differ give her figure; a unanimous field of hers is left out."""
    from store.reports.competence import NO_DISAGREEMENT

    with_both = labeler_competence(labeled_db, load_schema())["ana"]["theta"]
    schema = load_schema()
    with immediate(labeled_db):  # one more field, answered by ana alone
        write_labels(labeled_db, "ana", [LabelValue("instruction", f"p{i:02d}", "intent_unclear", True)
                                         for i in range(N_ITEMS)], gold=False, schema=schema,
                     created_at="2026-01-05T10:00:00")
    ana = labeler_competence(labeled_db, load_schema())["ana"]
    assert ana["fields"]["instruction.intent_unclear"]["reason"] == NO_DISAGREEMENT
    assert ana["theta"] == pytest.approx(with_both, abs=1e-3) and ana["labels"] == 3 * N_ITEMS


def test_a_large_field_starts_from_the_last_run(labeled_db, monkeypatch, tmp_path):
    """Fields of WARM_MIN_LABELS labels or more keep their parameters (competence_starts) and
    the next run starts from them: the same figures as a cold run within a few thousandths
    here, where cold runs reproduce exactly. A database opened only to read keeps nothing."""
    from store.read_only import open_read_only
    from store.reports import competence

    schema = load_schema()
    cold = labeler_competence(labeled_db, schema, warm=False)
    assert labeled_db.execute("SELECT count(*) FROM competence_starts").fetchone()[0] == 0
    assert labeler_competence(labeled_db, schema) == cold  # below the threshold: cold, kept nothing
    assert labeled_db.execute("SELECT count(*) FROM competence_starts").fetchone()[0] == 0
    monkeypatch.setattr(competence, "WARM_MIN_LABELS", 1)
    assert labeler_competence(labeled_db, schema) == cold  # the first run is cold, and kept
    kept = dict(labeled_db.execute("SELECT field, params FROM competence_starts").fetchall())
    assert set(kept) == {"pii", "closed_domain"}
    assert set(json.loads(kept["pii"])) == {*HONEST, "spam", "newbie"}
    calls = []
    real = competence.mace
    monkeypatch.setattr(competence, "mace", lambda *a, **k: calls.append(k) or real(*a, **k))
    warm = labeler_competence(labeled_db, schema)
    assert all(k["start"] is not None and k["max_iter"] == competence.WARM_STEPS for k in calls)
    for name, entry in cold.items():
        if entry["theta"] is not None:
            assert warm[name]["theta"] == pytest.approx(entry["theta"], abs=5e-3)
    if labeled_db.dialect.name != "sqlite":
        return  # opened only to read: a file
    stamp = labeled_db.execute("SELECT max(written_at) FROM competence_starts").fetchone()[0]
    reader = open_read_only(labeled_db.path)
    try:
        labeler_competence(reader, schema)
    finally:
        reader.conn.close()
    assert labeled_db.execute("SELECT max(written_at) FROM competence_starts").fetchone()[0] == stamp
