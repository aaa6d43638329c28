"""`labeldesk disputes`, `export pairs --consensus`, guideline versions end to end."""

import json
import math

import pytest

from tests.conftest import write_jsonl

from .conftest import invoke


@pytest.fixture
def run_as_rhea(db_path):
    """`labeldesk ARGS --db DB` as rhea (the demo's researcher) unless `env` names another."""
    def in_db(*args, env=None):
        return invoke(*args, "--db", db_path, env={"LABELDESK_LABELER": "rhea", **(env or {})})

    return in_db


@pytest.fixture
def demo(demo_db):
    """The demo project in the test's database (tests/conftest.py `demo_db`)."""


def test_disputes_on_the_demo(run_as_rhea, demo):
    r = run_as_rhea("disputes", "--format", "json")
    assert r.exit_code == 0, r.output
    found = {d["item"]: d for d in json.loads(r.output)}
    assert set(found) == {"p07", "p08", "p11"}
    assert found["p11"]["rules"] == ["sensitive_split"]
    assert found["p11"]["findings"][0] == {"rule": "sensitive_split", "task": "output",
                                           "item": "p11-o2", "field": "harmful_advice",
                                           "detail": "2 of 3 said yes"}
    table = run_as_rhea("disputes")
    assert table.exit_code == 0 and "3 disputed items" in table.output
    assert "ana" not in table.output  # the rule and the values, not who gave them


def test_disputes_is_for_researchers(run_as_rhea, demo):
    r = run_as_rhea("disputes", env={"LABELDESK_LABELER": "ana"})
    assert r.exit_code == 1 and "for researchers only" in r.output


def test_consensus_pairs_on_the_demo(run_as_rhea, demo, tmp_path):
    out = tmp_path / "pairs.jsonl"
    assert run_as_rhea("export", "pairs", "--consensus", "--out", out).exit_code == 0
    pairs = [json.loads(line) for line in out.read_text().splitlines()]
    p08 = [p for p in pairs if p["prompt_id"] == "p08"]
    assert p08 and {p["resolution"] for p in p08} == {"consensus"}
    assert {p["n_labelers"] for p in p08} == {5}  # ana, ben, cai, dev, eve
    assert all(0.5 < p["p_chosen"] <= 1 for p in pairs)
    # margin is the Bradley–Terry score difference (the scores `export consensus` gives), i.e.
    # the logit of p_chosen: the offset TRL's RewardTrainer subtracts, −log σ(Δr − margin).
    scores = {c["item"]: c["scores"] for c in map(json.loads, run_as_rhea(
        "export", "consensus", "--out", "-").output.splitlines()) if "scores" in c}
    for p in p08:
        theta = scores["p08"]
        # margin and both scores are each rounded to 4 places: up to 1.5e-4 apart
        assert p["margin"] == pytest.approx(theta[p["chosen_id"]] - theta[p["rejected_id"]], abs=2e-4)
        assert p["margin"] == pytest.approx(math.log(p["p_chosen"] / (1 - p["p_chosen"])), abs=2e-3)
    assert max(p["margin"] for p in pairs) > 1  # a logit, not a probability
    strong = tmp_path / "strong.jsonl"
    assert run_as_rhea("export", "pairs", "--consensus", "--min-margin", "1.5", "--out", strong).exit_code == 0
    kept = [json.loads(line) for line in strong.read_text().splitlines()]
    assert 0 < len(kept) < len(pairs) and min(p["margin"] for p in kept) >= 1.5
    assert run_as_rhea("export", "pairs", "--consensus", "--min-p-chosen", "0.8", "--out", strong).exit_code == 0
    kept = [json.loads(line) for line in strong.read_text().splitlines()]
    assert 0 < len(kept) < len(pairs) and min(p["p_chosen"] for p in kept) >= 0.8
    # Without the flag the export is as before: one pair per labeler's ranking, no margin.
    plain = tmp_path / "plain.jsonl"
    assert run_as_rhea("export", "pairs", "--out", plain).exit_code == 0
    first = json.loads(plain.read_text().splitlines()[0])
    assert "margin" not in first and "labeler" in first
    assert run_as_rhea("export", "pairs", "--min-margin", "0.8", "--out", plain).exit_code == 2
    assert run_as_rhea("export", "pairs", "--min-p-chosen", "0.8", "--out", plain).exit_code == 2


def test_gold_pairs_take_the_configured_margin(run_as_rhea, demo, tmp_path):
    """A researcher's ranking has no Bradley–Terry estimate: p_chosen 1 and `[export] gold_margin`."""
    out = tmp_path / "pairs.jsonl"
    assert run_as_rhea("export", "pairs", "--consensus", "--out", out).exit_code == 0
    gold = [p for p in map(json.loads, out.read_text().splitlines()) if p["resolution"] != "consensus"]
    assert gold and {(p["p_chosen"], p["margin"]) for p in gold} == {(1.0, 3.0)}  # the default
    cfg = tmp_path / "c.toml"
    cfg.write_text("[export]\ngold_margin = 1.25\n")
    assert run_as_rhea("export", "pairs", "--consensus", "--out", out, "--config", cfg).exit_code == 0
    gold = [p for p in map(json.loads, out.read_text().splitlines()) if p["resolution"] != "consensus"]
    assert {(p["p_chosen"], p["margin"]) for p in gold} == {(1.0, 1.25)}


@pytest.mark.parametrize("body, problem", [
    ("gold_margin = -1.0", "export.gold_margin: must be a finite number, 0 or more"),
    ("gold_margin = inf", "export.gold_margin: must be a finite number, 0 or more"),
    ("gold_margin = 'big'", "export.gold_margin: must be a number"),
    ("kto_good_rating = 3", "export.kto_bad_rating: must be below export.kto_good_rating"),
])
def test_export_config_is_checked_at_load(run_as_rhea, demo, tmp_path, body, problem):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[export]\n{body}\n")
    r = run_as_rhea("export", "pairs", "--consensus", "--out", tmp_path / "p.jsonl", "--config", cfg)
    assert r.exit_code == 1 and f"c.toml: {problem}" in r.output
    assert len(r.output.strip().splitlines()) == 1 and not (tmp_path / "p.jsonl").exists()


def _config(tmp_path, version):
    path = tmp_path / f"{version}.toml"
    path.write_text(f'[guidelines]\nversion = "{version}"\n')
    return path


def test_labels_carry_the_guideline_version_and_agreement_splits_by_it(run_as_rhea, tmp_path):
    prompts = [{"id": f"p{i}", "text": f"prompt {i}", "tasks": ["comparison"]} for i in range(1, 4)]
    outputs = [{"id": f"p{i}-{x}", "prompt_id": f"p{i}", "text": f"out {i}{x}"}
               for i in range(1, 4) for x in "ab"]
    gold = {"p1-a": 7, "p1-b": 2, "p2-a": 5, "p2-b": 3, "p3-a": 6, "p3-b": 1}

    def ratings(who, values):
        return [{"labeler": who, "task": "output", "item": k, "field": "rating", "value": v}
                for k, v in values.items()]

    first = {"LABELDESK_LABELER": None}  # an empty roster: the OS user may set it up
    assert run_as_rhea("init", env=first).exit_code == 0
    assert run_as_rhea("labelers", "add", "rhea", "--role", "researcher", env=first).exit_code == 0
    assert run_as_rhea("import", "prompts", write_jsonl(tmp_path / "p.jsonl", prompts)).exit_code == 0
    assert run_as_rhea("import", "outputs", write_jsonl(tmp_path / "o.jsonl", outputs)).exit_code == 0
    assert run_as_rhea("import", "labels", write_jsonl(tmp_path / "g.jsonl", ratings("rhea", gold)), "--gold").exit_code == 0
    before = {k: (v % 7) + 1 for k, v in gold.items()}  # every rating off by one or six
    r = run_as_rhea("import", "labels", write_jsonl(tmp_path / "a.jsonl", ratings("ana", before)), "--add-labelers",
            "--config", _config(tmp_path, "2026-01"))
    assert r.exit_code == 0, r.output
    r = run_as_rhea("import", "labels", write_jsonl(tmp_path / "b.jsonl", ratings("ben", gold)), "--add-labelers",
            "--config", _config(tmp_path, "2026-02"))
    assert r.exit_code == 0, r.output
    exported = run_as_rhea("export", "labels", "--out", "-")
    versions = {(json.loads(line)["labeler"], json.loads(line).get("guideline_version"))
                for line in exported.output.splitlines()}
    assert versions == {("rhea", None), ("ana", "2026-01"), ("ben", "2026-02")}
    r = run_as_rhea("agreement", "--by-version", "--format", "json", "--resamples", "0")
    assert r.exit_code == 0, r.output
    by = json.loads(r.output)["by_version"]
    assert set(by) == {"2026-01", "2026-02"}
    assert set(by["2026-01"]["per_labeler"]) == {"ana"}
    assert by["2026-01"]["per_labeler"]["ana"]["output.rating"]["agreement"] == 0.0
    assert by["2026-02"]["per_labeler"]["ben"]["output.rating"]["agreement"] == 1.0


def test_export_consensus_on_the_demo(run_as_rhea, demo):
    r = run_as_rhea("export", "consensus", "--out", "-")
    assert r.exit_code == 0, r.output
    records = {(x["task"], x["item"], x["field"]): x for x in map(json.loads, r.output.splitlines())}
    flag = records["output", "p11-o2", "harmful_advice"]  # 2 of 3 said yes
    assert flag["method"] == "dawid_skene" and flag["value"] is True and flag["n_labelers"] == 3
    rating = records["output", "p07-o4", "rating"]
    # ana 2, ben 6, cai 3, dev 4, eve 2
    assert (rating["mean"], rating["spread"], rating["method"]) == (round(17 / 5, 4), 4.0, "mean")
    ranking = records["ranking", "p08", "ranking"]
    assert ranking["method"] == "bradley_terry" and ranking["value"][0] == ["p08-o4"]
    gold = records["ranking", "p01", "ranking"]
    assert gold["method"] == "gold"


@pytest.mark.parametrize("line, problem", [
    ("ranking_agreement = 1.5", "adjudication.ranking_agreement: must be between 0 and 1"),
    ("rating_spread = 0", "adjudication.rating_spread: must be at least 1"),
    ("strength_gap = 0", "adjudication.strength_gap: must be at least 1 (levels apart)"),
    ("strength_gap = 1.5", "adjudication.strength_gap: must be an integer, not 1.5"),
    ('sensitive_fields = ["violent"]', "'violent' is not task.field"),
    ('sensitive_fields = ["output.violet"]', "'output.violet' is not a field of the schema"),
])
def test_bad_rules_are_named(run_as_rhea, demo, tmp_path, line, problem):
    config = tmp_path / "c.toml"
    config.write_text(f"[adjudication]\n{line}\n")
    r = run_as_rhea("disputes", "--config", config)
    assert r.exit_code == 1 and problem in r.output, r.output


def test_disputes_show_each_labelers_reason_by_letter(sample_db, run_as_rhea, tmp_path):
    """Two labelers far apart on strength, with reasons: the rule, then the reasons under the
    letters adjudication gives the labelers (never names), shown literally."""
    from tests.store.test_disputes import ABC, ranked

    ranked(sample_db, "alice", ABC, ["significantly better", "better"], reason="A is [bold]right[/]")
    ranked(sample_db, "bob", ABC, ["slightly better", "better"], reason="close call \x1b[31m")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[overlap]\ncomparison = 2\n")
    r = run_as_rhea("disputes", "--format", "json", "--config", cfg)
    assert r.exit_code == 0, r.output
    (d,) = json.loads(r.stdout)
    assert d["rules"] == ["strength_gap"]
    assert d["reasons"] == [{"labeler": "A", "reason": "A is [bold]right[/]"},
                            {"labeler": "B", "reason": "close call \x1b[31m"}]
    table = run_as_rhea("disputes", "--wide", "--config", cfg).stdout
    assert "A is [bold]right[/]" in table and "close call \\x1b[31m" in table  # literal, escaped
    assert "\x1b" not in table
    assert "alice" not in table and "bob" not in table
