"""Issue 14: the command line acts on the file it was given and writes files every reader parses."""

from __future__ import annotations

import getpass
import json

from tui.cli_shared import write_jsonl

LINE_BREAKS = "a\u2028b\u2029c\u0085d\r\ne"


def test_jsonl_escapes_every_unicode_line_break(tmp_path):
    out = tmp_path / "out.jsonl"
    records = [{"prompt": LINE_BREAKS, "n": i} for i in range(6)]
    assert write_jsonl(records, str(out)) == 6
    text = out.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 6
    assert [json.loads(line) for line in text.splitlines()] == records


def test_dropped_prompts_file_is_one_record_a_line():
    import io

    from store.rules import DUPLICATE, RulesReport, Verdict

    sink = io.StringIO()
    report = RulesReport(dropped_sink=sink)
    report.add("p" + LINE_BREAKS, Verdict("dropped", DUPLICATE, detail=LINE_BREAKS))
    lines = sink.getvalue().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == "p" + LINE_BREAKS


# ------------------------------------------------------------------ item 3: a missing --db

def _cli(*args, env=None):
    from click.testing import CliRunner

    from tui.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def test_a_missing_database_is_refused_not_created(tmp_path):
    missing = tmp_path / "missing.db"
    for args in (("agreement",), ("export", "labels", "--out", "-"), ("stats",),
                 ("labelers", "list"), ("app", "--labeler", "ana")):
        r = _cli(*args, "--db", missing)
        assert r.exit_code == 1, (args, r.output)
        assert r.output.strip().splitlines() == [
            f"Error: {missing}: no such database (check the path; "
            f"`labeldesk init --db {missing}` creates a new one)"], args
        assert not missing.exists()
    r = _cli("stats", env={"LABELDESK_DB": str(missing)})  # the same from the environment
    assert r.exit_code == 1 and not missing.exists()


def test_init_creates_and_the_others_then_open(tmp_path):
    path = tmp_path / "new.db"
    assert _cli("init", "--db", path).exit_code == 0
    r = _cli("labelers", "list", "--db", path)
    assert r.exit_code == 0 and r.output == f"{getpass.getuser()}\tresearcher\n"  # its creator
