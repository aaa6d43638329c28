import json

import pytest

from store.db import open_db
from tests.conftest import write_jsonl

from ..pipeline_data import GOLD, OUTPUTS, PLAIN, PROMPTS, RESEARCHERS


@pytest.fixture
def loaded(run, tmp_path):
    report, dropped = tmp_path / "report.json", tmp_path / "dropped.jsonl"
    r = run("import", "prompts", write_jsonl(tmp_path / "p.jsonl", PROMPTS), "--api-rules",
            "--report", report, "--dropped", dropped)
    assert r.exit_code == 0, r.output
    assert run("import", "outputs", write_jsonl(tmp_path / "o.jsonl", OUTPUTS)).exit_code == 0
    for name in RESEARCHERS:
        assert run("labelers", "add", name, "--role", "researcher").exit_code == 0
    assert run("import", "labels", write_jsonl(tmp_path / "l.jsonl", PLAIN), "--add-labelers").exit_code == 0
    assert run("import", "labels", write_jsonl(tmp_path / "g.jsonl", GOLD), "--gold").exit_code == 0
    return r.output, json.loads(report.read_text()), dropped.read_text()


def test_import_with_rules_prints_a_summary_and_writes_the_report(loaded):
    output, report, dropped = loaded
    assert "rules: 4 kept, 1 duplicate prefix, 0 over the user cap, 1 with PII (held)" in output
    assert report == {"read": 6, "kept": 4, "duplicate_prefix": 1, "over_user_cap": 0, "pii": 1,
                      "dropped": [{"id": "a4", "reason": "pii", "detail": "email"},
                                  {"id": "a5", "reason": "duplicate_prefix", "detail": "a1"}]}
    assert [json.loads(line) for line in dropped.splitlines()] == report["dropped"]
    assert "jane" not in json.dumps(report)  # the report names the kind of PII, never the text


def test_report_without_rules_is_a_usage_error(run, tmp_path):
    r = run("import", "prompts", write_jsonl(tmp_path / "p.jsonl", PROMPTS), "--report", tmp_path / "r.json")
    assert r.exit_code == 2 and "--api-rules" in r.output


def test_bad_rules_config_is_a_one_line_error(run, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[rules]\npii_action = "delete"\n')
    r = run("import", "prompts", write_jsonl(tmp_path / "p.jsonl", PROMPTS), "--api-rules", "--config", config)
    assert r.exit_code == 1 and "rules.pii_action" in r.output


def test_rules_config_is_used(run, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[rules]\nprefix_chars = 5\n')
    r = run("import", "prompts", write_jsonl(tmp_path / "p.jsonl", PROMPTS), "--api-rules", "--config", config,
            "--report", "-")
    report = json.loads(r.output.splitlines()[-1])
    # "Write a haiku" and "Write a haiku" (a1, a5) share 5 characters; so does nothing else.
    assert report["duplicate_prefix"] == 1 and report["dropped"][-1]["detail"] == "a1"


@pytest.mark.parametrize(("args", "n", "keys"), [
    (["sft"], 3, {"prompt_id", "messages"}),
    (["sft", "--format", "prompt-completion"], 3, {"prompt_id", "prompt", "completion"}),
    (["pairs"], 22, {"prompt_id", "prompt", "chosen", "rejected", "chosen_id", "rejected_id", "labeler"}),
    (["pairs", "--gold-only"], 3, None),
    # One prompt with gold is too few to rate anyone: only the gold pairs stay.
    (["pairs", "--min-agreement", "0.5"], 3, None),
    (["pairs", "--since", "2026-03-01"], 12, None),
    (["pairs", "--since", "2026-03-01T02:00:00+02:00"], 12, None),
    (["ppo"], 4, {"prompt_id", "prompt", "split"}),
    (["ppo", "--exclude-labeled"], 1, None),
])
def test_exports_write_jsonl(loaded, run, tmp_path, args, n, keys):
    out = tmp_path / "out.jsonl"
    r = run("export", *args, "--out", out)
    assert r.exit_code == 0 and r.output.startswith(f"{out}: {n} ")
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(got) == n
    assert keys is None or all(set(rec) == keys for rec in got)


def test_export_to_stdout_has_only_records(loaded, run):
    r = run("export", "ppo", "--out", "-", "--split", "train")
    assert all(json.loads(line)["split"] == "train" for line in r.output.splitlines())


def test_stats_table_and_json(loaded, run):
    r = run("stats")
    assert r.exit_code == 0
    assert "users in more than one split" in r.output and "Progress by labeler" in r.output
    data = json.loads(run("stats", "--format", "json").output)
    assert data["users"]["users_in_more_than_one_split"] == 0
    assert data["prompts"]["by_reason"] == {"duplicate_prefix": 1, "pii": 1}


def test_stats_shows_data_values_as_text_not_markup(run, tmp_path):
    write_jsonl(tmp_path / "p.jsonl", [{"id": "x", "text": "t", "user_id": "[/bold]", "category": "other"}])
    assert run("import", "prompts", tmp_path / "p.jsonl", "--api-rules").exit_code == 0
    r = run("stats")
    assert r.exit_code == 0 and "[/bold]" in r.output


def test_a_bad_record_writes_no_report_and_keeps_nothing(run, tmp_path, db_path):
    bad = write_jsonl(tmp_path / "p.jsonl", PROMPTS[:2] + [{"id": "z", "text": "t", "source": "web"}])
    report = tmp_path / "r.json"
    r = run("import", "prompts", bad, "--api-rules", "--report", report)
    assert r.exit_code == 1 and ":3: source:" in r.output
    assert not report.exists()

    assert open_db(db_path).execute("SELECT count(*) FROM prompts").fetchone()[0] == 0


def test_csv_dump_with_rules(run, tmp_path):
    csv = tmp_path / "dump.csv"
    csv.write_text("id,text,user_id\nc1,hello there,u1\nc2,hello   there,u2\nc3,my ip is 8.8.8.8,u3\n")
    r = run("import", "prompts", csv, "--api-rules", "--report", "-")
    report = json.loads(r.output.splitlines()[-1])
    assert (report["kept"], report["duplicate_prefix"], report["pii"]) == (1, 1, 1)
    assert report["dropped"][1] == {"id": "c3", "reason": "pii", "detail": "ip_address"}


@pytest.mark.parametrize("args", [["--min-agreement", "2"], ["--since", "last week"]])
def test_bad_export_options_are_usage_errors(loaded, run, args):
    assert run("export", "pairs", "--out", "-", *args).exit_code == 2


def test_min_agreement_without_gold_is_a_user_error(run, tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROMPTS)
    assert run("import", "prompts", tmp_path / "p.jsonl").exit_code == 0
    r = run("export", "pairs", "--out", "-", "--min-agreement", "0.5")
    assert r.exit_code == 1 and "no gold" in r.output


def test_progress_goes_to_stderr_never_stdout(monkeypatch, capsys):
    """With stdout redirected to a file (`--out -`) and stderr a terminal, the bar must not land
    in the data."""
    import sys

    from tui.cli_shared import stderr_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with stderr_progress("export", 3) as advance:
        assert advance is not None
        for _ in range(3):
            advance(1)
    assert capsys.readouterr().out == ""


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch):
    import sys

    from tui.cli_shared import stderr_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with stderr_progress("export", 3) as advance:
        assert advance is None
