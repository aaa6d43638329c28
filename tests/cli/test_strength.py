"""Preference strength and reasons as ranking labels: imported and exported in the flat label
format, and turned into a margin per pair by `export pairs` ([comparison] strength_margins)."""

import json

import pytest
from click.testing import CliRunner

from tests.conftest import write_jsonl
from tui.cli import cli

RANKING = [["q-a"], ["q-b", "q-c"], ["q-d"]]
LABELS = [
    {"labeler": "ann", "task": "ranking", "item": "q", "field": "ranking", "value": RANKING},
    {"labeler": "ann", "task": "ranking", "item": "q", "field": "strength", "value": ["better", "slightly better"]},
    {"labeler": "ann", "task": "ranking", "item": "q", "field": "reason", "value": "A cites its source; D is wrong."},
    {"labeler": "bo", "task": "ranking", "item": "q", "field": "ranking", "value": [["q-d"], ["q-a", "q-b", "q-c"]]},
]


@pytest.fixture
def project(db_path, tmp_path):
    def run(*args, env=None):
        r = CliRunner().invoke(cli, [*map(str, args), "--db", str(db_path)],
                               env={"LABELDESK_LABELER": "rhea", **(env or {})})
        return r

    CliRunner().invoke(cli, ["init", "--db", str(db_path)])
    CliRunner().invoke(cli, ["labelers", "add", "rhea", "--role", "researcher", "--db", str(db_path)])
    for name in ("ann", "bo"):
        assert run("labelers", "add", name).exit_code == 0
    (tmp_path / "p.jsonl").write_text(json.dumps({"id": "q", "text": "Which is right?"}) + "\n")
    (tmp_path / "o.jsonl").write_text("".join(
        json.dumps({"id": f"q-{x}", "prompt_id": "q", "text": f"answer {x}"}) + "\n" for x in "abcd"))
    write_jsonl(tmp_path / "l.jsonl", LABELS)
    for kind in ("prompts", "outputs", "labels"):
        r = run("import", kind, tmp_path / f"{kind[0]}.jsonl")
        assert r.exit_code == 0, r.output
    return run


def _pairs(run, *args):
    r = run("export", "pairs", "--out", "-", *args)
    assert r.exit_code == 0, r.output
    return {(p["labeler"], p["chosen_id"], p["rejected_id"]): p for p in map(json.loads, r.output.splitlines())}


def test_a_pair_gets_the_strength_between_its_outputs_and_their_margin(project):
    pairs = _pairs(project)
    adjacent, across = pairs["ann", "q-a", "q-b"], pairs["ann", "q-a", "q-d"]
    assert (adjacent["strength"], adjacent["margin"]) == (["better"], 2.0)
    assert (across["strength"], across["margin"]) == (["better", "slightly better"], 3.0)  # summed
    assert (pairs["ann", "q-c", "q-d"]["strength"], pairs["ann", "q-c", "q-d"]["margin"]) == (["slightly better"], 1.0)
    assert adjacent["reason"] == "A cites its source; D is wrong."
    # A labeler who gave neither: no strength, margin or reason (never a made-up one).
    assert not {"strength", "margin", "reason"} & set(pairs["bo", "q-d", "q-a"])
    chat = _pairs(project, "--format", "trl-chat")
    assert chat["ann", "q-a", "q-d"]["margin"] == 3.0


def test_margins_come_from_the_config(project, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[comparison]\nstrength_levels = ["much better", "better", "slightly better"]\n'
                   "strength_margins = [1.0, 0.5, 0.25]\n")
    pairs = _pairs(project, "--config", cfg)
    assert pairs["ann", "q-a", "q-d"]["margin"] == 0.75
    cfg.write_text('[comparison]\nstrength_levels = ["much better", "a bit better"]\nstrength_margins = [1, 0]\n')
    r = project("export", "pairs", "--out", "-", "--config", cfg)
    assert r.exit_code == 1 and "'better' is not one of [comparison] strength_levels" in r.output


def test_a_strength_that_does_not_fit_the_ranking_stops_the_export(project, tmp_path):
    path = tmp_path / "three.jsonl"
    path.write_text(json.dumps({"labeler": "ann", "task": "ranking", "item": "q", "field": "strength",
                                "value": ["better", "better", "better"]}) + "\n")
    assert project("import", "labels", path, "--replace").exit_code == 0
    r = project("export", "pairs", "--out", "-")
    assert r.exit_code == 1
    assert r.output.strip().splitlines()[-1] == (
        "Error: ranking.strength of ann on q: 3 levels for the 2 boundaries of the ranking")


@pytest.mark.parametrize("body, problem", [
    ('strength_levels = ["only"]\nstrength_margins = [1.0]', "comparison.strength_levels: must list 2 to 9 levels, not 1"),
    ('strength_levels = ["a", "a"]\nstrength_margins = [1.0, 0.0]', "comparison.strength_levels: names a level twice"),
    ('strength_levels = ["a", ""]\nstrength_margins = [1.0, 0.0]', "comparison.strength_levels: '' is not a level name"),
    ('strength_levels = ["a", "b"]\nstrength_margins = [1.0]', "comparison.strength_margins: must give one margin per level (2), not 1"),
    ('strength_levels = ["a", "b"]\nstrength_margins = [1.0, -1.0]', "comparison.strength_margins: -1.0 is not a finite number, 0 or more"),
    ('strength_levels = ["a", "b"]\nstrength_margins = [1.0, nan]', "comparison.strength_margins: nan is not a finite number"),
    ('strength_levels = ["a", "b"]\nstrength_margins = [1.0, 2.0]', "comparison.strength_margins: must not grow"),
])
def test_strength_config_is_checked_at_load(project, tmp_path, body, problem):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[comparison]\n{body}\n")
    r = project("export", "pairs", "--out", "-", "--config", cfg)
    assert r.exit_code == 1 and f"c.toml: {problem}" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_strength_and_reason_survive_export_labels_then_import_labels(project, tmp_path):
    r = project("export", "labels", "--out", "-")
    exported = [json.loads(line) for line in r.output.splitlines()]
    mine = {(e["labeler"], e["field"]): e["value"] for e in exported if e["task"] == "ranking"}
    assert mine["ann", "strength"] == ["better", "slightly better"]
    assert mine["ann", "reason"] == "A cites its source; D is wrong."
    # Into a second project (a SQLite file whichever backend exported): the same values back.
    other = tmp_path / "other.db"
    again = CliRunner()
    env = {"LABELDESK_LABELER": "rhea"}
    again.invoke(cli, ["init", "--db", str(other)])
    again.invoke(cli, ["labelers", "add", "rhea", "--role", "researcher", "--db", str(other)])
    for kind in ("prompts", "outputs"):
        assert again.invoke(cli, ["import", kind, str(tmp_path / f"{kind[0]}.jsonl"), "--db", str(other)],
                            env=env).exit_code == 0
    (tmp_path / "back.jsonl").write_text(r.output)
    res = again.invoke(cli, ["import", "labels", str(tmp_path / "back.jsonl"), "--add-labelers", "--db", str(other)],
                       env=env)
    assert res.exit_code == 0, res.output
    back = again.invoke(cli, ["export", "labels", "--out", "-", "--db", str(other)], env=env)
    assert [{k: v for k, v in json.loads(line).items() if k != "created_at"} for line in back.output.splitlines()] == \
           [{k: v for k, v in e.items() if k != "created_at"} for e in exported]


def test_a_strength_that_is_not_a_list_of_names_is_refused(project, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"labeler": "bo", "task": "ranking", "item": "q", "field": "strength",
                                "value": "better"}) + "\n")
    r = project("import", "labels", path)
    assert r.exit_code == 1 and "bad.jsonl:1: value: ranking.strength: 'better' is not a list of level names" in r.output


def test_agreement_counts_strength_in_json_and_table(project, tmp_path):
    """ann against rhea's gold on q: a>b, a>c ("better" both), b>d, c>d ("slightly better" against
    gold's "better"): half the pairs agree, each disagreement one level."""
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [{**LABELS[0], "labeler": "rhea"},
                       {**LABELS[1], "labeler": "rhea", "value": ["better", "better"]}])
    assert project("import", "labels", gold, "--gold").exit_code == 0
    r = project("agreement", "--format", "json", "--resamples", "0")
    assert r.exit_code == 0, r.output
    entry = json.loads(r.stdout)["per_labeler"]["ann"]["ranking.strength"]
    assert (entry["n"], entry["n_prompts"], entry["agreement"], entry["mean_abs_diff"]) == (4, 1, 0.5, 0.5)
    table = project("agreement", "--resamples", "0").stdout
    row = next(line for line in table.splitlines() if line.strip().startswith("strength"))
    assert row.split()[:3] == ["strength", "4", "0.50"] and "output pairs of 1 prompts" in row
    # Levels come from the config: a stored level it does not name is one line, exit 1.
    cfg = tmp_path / "c.toml"
    cfg.write_text('[comparison]\nstrength_levels = ["much", "a little"]\nstrength_margins = [1, 0]\n')
    r = project("agreement", "--config", cfg)
    assert r.exit_code == 1
    assert r.output.strip().splitlines()[-1].startswith(
        "Error: labeler 'ann', item 'q', field ranking.strength: 'better' is not one of [comparison] strength_levels")


def _consensus(run, *args):
    r = run("export", "pairs", "--consensus", "--with-individual", "--out", "-", *args)
    assert r.exit_code == 0, r.output
    return r.stdout, {frozenset((p["chosen_id"], p["rejected_id"])): p for p in map(json.loads, r.stdout.splitlines())}


def test_with_individual_keeps_each_labelers_view_beside_the_consensus(project):
    text, pairs = _consensus(project)
    ad = pairs[frozenset(("q-a", "q-d"))]
    ann, bo = ad["individual"]  # in the order they ranked: ann first
    a_first = ad["chosen_id"] == "q-a"
    assert ann == {"labeler": "L1", "prefers": "chosen" if a_first else "rejected",
                   "strength": ["better", "slightly better"], "margin": 3.0,
                   "reason": "A cites its source; D is wrong."}
    assert bo == {"labeler": "L2", "prefers": "rejected" if a_first else "chosen",
                  "strength": None, "margin": None, "reason": None}
    assert frozenset(("q-b", "q-c")) not in pairs  # tied in the consensus: no pair
    # The consensus fields are those of the export without the flag.
    plain = {frozenset((p["chosen_id"], p["rejected_id"])): p for p in map(json.loads, project(
        "export", "pairs", "--consensus", "--out", "-").stdout.splitlines())}
    assert {k: {f: v for f, v in p.items() if f != "individual"} for k, p in pairs.items()} == plain
    # Never a name: the anonymous ids only.
    assert '"ann"' not in text and '"bo"' not in text
    assert {v["labeler"] for p in pairs.values() for v in p["individual"]} == {"L1", "L2"}
    chat = _consensus(project, "--format", "trl-chat")[1]
    assert chat[frozenset(("q-a", "q-d"))]["individual"] == ad["individual"]


def test_with_individual_needs_consensus_and_a_shape_that_keeps_it(project):
    r = project("export", "pairs", "--with-individual", "--out", "-")
    assert r.exit_code == 2 and "--with-individual needs --consensus" in r.output
    r = project("export", "pairs", "--consensus", "--with-individual", "--format", "openai-dpo", "--out", "-")
    assert r.exit_code == 2 and "openai-dpo holds OpenAI's three keys only" in r.output


def test_with_individual_as_parquet_is_one_typed_column(project, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "ds"
    r = project("export", "pairs", "--consensus", "--with-individual", "--format", "parquet", "--out", out)
    assert r.exit_code == 0, r.output
    (shard,) = (out / "data").glob("*.parquet")
    column = pq.read_table(shard).schema.field("individual").type
    assert str(column) == ("list<element: struct<labeler: string, prefers: string, strength: list<element: "
                           "string>, margin: double, reason: string>>")
    assert "`individual` keeps each labeler's own view" in (out / "README.md").read_text()


def test_a_labeler_who_tied_the_pair_prefers_neither():
    from store.consensus.pairs import individual_views
    from store.exports import RankedBy

    ann = RankedBy.read("q", "ann", json.dumps(RANKING), 0, None, json.dumps(["better", "slightly better"]),
                        json.dumps("why"))
    (view,) = individual_views([ann], "q-b", "q-c", {"ann": "L1"}, {"better": 2.0, "slightly better": 1.0})
    assert view == {"labeler": "L1", "prefers": "tie", "strength": None, "margin": None, "reason": "why"}
    (view,) = individual_views([ann], "q-d", "q-b", {"ann": "L1"}, {"better": 2.0, "slightly better": 1.0})
    assert (view["prefers"], view["strength"], view["margin"]) == ("rejected", ["slightly better"], 1.0)


def test_strength_records_are_in_each_trainers_shape(project):
    """Pairs with strength, margin and reason, and consensus pairs with each labeler's view,
    checked against the trainers' own field names (tests/trainer_fields.py)."""
    from tests.trainer_fields import check_openai_pair, check_trl_pair

    def records(*args):
        r = project("export", "pairs", "--out", "-", *args)
        assert r.exit_code == 0, r.output
        return [json.loads(line) for line in r.stdout.splitlines()]

    flat = records()
    assert any("margin" in p for p in flat)
    for record in flat:
        check_trl_pair(record, conversational=False)
    for record in records("--format", "trl-chat"):
        check_trl_pair(record, conversational=True)
    for record in records("--format", "openai-dpo"):
        check_openai_pair(record)  # strength, margin and reason stay out of OpenAI's three keys
    for fmt, chat in (("trl", False), ("trl-chat", True)):
        for record in records("--consensus", "--with-individual", "--format", fmt):
            check_trl_pair(record, conversational=chat)
