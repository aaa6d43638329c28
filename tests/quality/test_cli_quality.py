"""`labeldesk quality` on the command line: researchers only, JSON as documented, one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from store import queue
from store.labels import submit
from store.quality.policy import QualityPolicy
from store.values import LabelValue
from tests.quality.conftest import gold_ranking
from tui.cli import cli

RHEA = {"LABELDESK_LABELER": "rhea"}


def _quality(db_path, *args, env=RHEA):
    return CliRunner().invoke(cli, ["quality", *args, "--db", str(db_path)], env=env)


def test_json_report_for_researchers_only(ranking_db, db_path, tmp_path):
    a = queue.claim_next(ranking_db, "ana", "comparison", policy=QualityPolicy(gold_rate=1.0))
    submit(ranking_db, a.id, [LabelValue("ranking", a.item, "ranking", gold_ranking(a.item))],
           active_seconds=20.0)
    run = _quality(db_path, "--format", "json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.output)
    ana = report["labelers"]["ana"]
    assert ana["gold_checks"] == 1 and ana["rankings"]["pairwise_agreement"] == 1.0
    assert ana["status"] == "too_few" and ana["reasons"]
    assert set(ana) >= {"gold_checks", "flags", "ratings", "rankings", "active_seconds_median",
                        "tasks", "fast_answers", "status", "reasons", "weekly"}
    assert ana["weekly"][0]["week"].count("-W") == 1
    assert report["thresholds"]["min_gold"] == 10
    only = json.loads(_quality(db_path, "--format", "json", "--labeler", "bo").output)
    assert list(only["labelers"]) == ["bo"]
    later = json.loads(_quality(db_path, "--format", "json", "--since", "2999-01-01").output)
    assert later["labelers"]["ana"]["gold_checks"] == 0
    table = _quality(db_path)
    assert table.exit_code == 0 and "ana" in table.output and "too_few" in table.output

    denied = _quality(db_path, env={"LABELDESK_LABELER": "ana"})
    assert denied.exit_code == 1 and "researchers only" in denied.output
    unknown = _quality(db_path, "--labeler", "zed")
    assert unknown.exit_code == 1 and "'zed' is not in the roster" in unknown.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[quality]\ngold_rate = 1.5\n")
    refused = _quality(db_path, "--config", str(bad))
    assert refused.exit_code == 1
    assert f"{bad}: [quality] gold_rate: must be a number from 0 to 1" in refused.output


def test_every_quality_key_is_documented():
    from pathlib import Path

    from tui.config import DEFAULTS, load_config

    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    readme = (example.parent / "README.md").read_text()
    text = example.read_text()
    for key in DEFAULTS["quality"]:
        assert f"\n{key} = " in text or f"[quality.{key}]" in text, key
    assert load_config(example).quality_policy().gold_rate == DEFAULTS["quality"]["gold_rate"]
    assert "labeldesk quality" in readme and "labelers resume" in readme


def test_bad_quality_settings_are_refused_with_file_and_key(tmp_path):
    import pytest

    from tui.config import ConfigError, load_config

    for body, problem in (
        ("[quality.gold_rate_by_kind]\nwriting = 0.1\n", "gold_rate_by_kind.writing: not a kind"),
        ("[quality.gold_rate_by_kind]\ncomparison = \"many\"\n", "gold_rate_by_kind.comparison: must be a number"),
        ("[quality]\nwarn_below = 2\n", "warn_below: must be a number from 0 to 1"),
        ("[quality]\nmin_gold = -1\n", "quality.min_gold: must not be negative"),
    ):
        path = tmp_path / "c.toml"
        path.write_text(body)
        with pytest.raises(ConfigError) as err:
            load_config(path)
        assert str(err.value).startswith(f"{path}: ") and problem in str(err.value)
