"""Issue 14: the command line acts on the file it was given and writes files every reader parses."""

from __future__ import annotations

import json

from tui.cli import write_jsonl

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
