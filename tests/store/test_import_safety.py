"""Issue 14: imports never change the roster, gold or existing labels behind the researcher's
back, and a bad file is refused with every problem named, never a traceback."""

from __future__ import annotations

import json

import pytest

from store.errors import ImportFileError, StoreError
from store.imports import import_labels, import_prompts
from store.labels import iter_labels
from store.roster import add_labeler, list_labelers
from tests.conftest import write_jsonl


def rating(labeler, value, item="p1-a", **extra):
    return {"labeler": labeler, "task": "output", "item": item, "field": "rating", "value": value, **extra}


def stored(db):
    return [(r.labeler, r.item, r.value, r.gold) for r in iter_labels(db)]


# ------------------------------------------------------------------ item 1: roster, gold, replace

def test_a_gold_key_without_gold_is_refused_and_the_roster_is_untouched(sample_db, tmp_path):
    roster = list_labelers(sample_db)
    path = write_jsonl(tmp_path / "l.jsonl", [rating("mallory", 7, gold=True)])
    with pytest.raises(ImportFileError) as caught:
        import_labels(sample_db, path, add_labelers=True)
    assert str(caught.value) == f"{path}:1: gold: gold labels come only with `import labels --gold`"
    assert list_labelers(sample_db) == roster and stored(sample_db) == []


def test_an_unknown_labeler_needs_add_labelers_and_becomes_a_labeler(sample_db, tmp_path):
    path = write_jsonl(tmp_path / "l.jsonl", [rating("mallory", 7)])
    with pytest.raises(ImportFileError, match=r":1: labeler: 'mallory' is not in the roster .*--add-labelers"):
        import_labels(sample_db, path)
    assert "mallory" not in dict(list_labelers(sample_db))
    result = import_labels(sample_db, path, add_labelers=True)
    assert result.new_labelers == ["mallory"] and dict(list_labelers(sample_db))["mallory"] == "labeler"


def test_gold_only_from_researchers(sample_db, tmp_path):
    for labeler, problem in (("alice", "'alice' is a labeler; gold comes only from researchers"),
                             ("newbie", "'newbie' is not in the roster; gold comes only from researchers")):
        path = write_jsonl(tmp_path / "g.jsonl", [rating(labeler, 7)])
        with pytest.raises(ImportFileError, match=f":1: labeler: {problem}"):
            import_labels(sample_db, path, gold=True, add_labelers=True)
    assert stored(sample_db) == []
    assert import_labels(sample_db, write_jsonl(tmp_path / "g.jsonl", [rating("rhea", 7)]), gold=True).added == 1
    assert stored(sample_db) == [("rhea", "p1-a", 7, True)]


def test_a_gold_label_is_not_replaced_by_a_plain_import(sample_db, tmp_path):
    import_labels(sample_db, write_jsonl(tmp_path / "g.jsonl", [rating("rhea", 7)]), gold=True)
    path = write_jsonl(tmp_path / "l.jsonl", [rating("rhea", 1)])
    for replace in (False, True):
        with pytest.raises(ImportFileError, match=r":1: value: rhea has a gold label here \(7\); only "
                                                  r"`import labels --gold --replace` changes it"):
            import_labels(sample_db, path, replace=replace)
    same = import_labels(sample_db, write_jsonl(tmp_path / "same.jsonl", [rating("rhea", 7)]))
    assert (same.added, same.unchanged, same.replaced) == (0, 1, 0)
    assert stored(sample_db) == [("rhea", "p1-a", 7, True)]
    changed = import_labels(sample_db, write_jsonl(tmp_path / "g2.jsonl", [rating("rhea", 6)]), gold=True, replace=True)
    assert (changed.added, changed.unchanged, changed.replaced) == (0, 0, 1)
    assert stored(sample_db) == [("rhea", "p1-a", 6, True)]


def test_a_different_value_needs_replace_and_is_counted_as_replaced(sample_db, tmp_path):
    import_labels(sample_db, write_jsonl(tmp_path / "a.jsonl", [rating("alice", 3), rating("alice", 4, item="p1-b")]))
    path = write_jsonl(tmp_path / "b.jsonl", [rating("alice", 3), rating("alice", 5, item="p1-b"),
                                        rating("alice", 6, item="p1-c")])
    with pytest.raises(ImportFileError) as caught:
        import_labels(sample_db, path)
    assert str(caught.value) == (f"{path}:2: value: alice already has a label here (4); "
                                 "import with --replace to overwrite it")
    assert sorted(stored(sample_db)) == [("alice", "p1-a", 3, False), ("alice", "p1-b", 4, False)]
    result = import_labels(sample_db, path, replace=True)
    assert (result.read, result.added, result.unchanged, result.replaced) == (3, 1, 1, 1)
    assert sorted(stored(sample_db)) == [("alice", "p1-a", 3, False), ("alice", "p1-b", 5, False),
                                         ("alice", "p1-c", 6, False)]


def test_two_values_for_one_label_in_a_file_are_an_error(sample_db, tmp_path):
    path = write_jsonl(tmp_path / "l.jsonl", [rating("alice", 3), rating("bob", 3), rating("alice", 4)])
    with pytest.raises(ImportFileError, match=r":3: field: this label appears twice in this file \(first at line 1\)"):
        import_labels(sample_db, path, replace=True)
    assert stored(sample_db) == []


def test_the_cli_summary_is_honest(tmp_path):
    from click.testing import CliRunner

    from tests.conftest import DATA
    from tui.cli import cli

    db = tmp_path / "c.db"

    def run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args] + ["--db", str(db)])

    assert run("init").exit_code == 0 and run("labelers", "add", "alice").exit_code == 0
    for kind in ("prompts", "outputs"):
        assert run("import", kind, DATA / f"{kind}.jsonl").exit_code == 0
    run("import", "labels", write_jsonl(tmp_path / "a.jsonl", [rating("alice", 3)]))
    r = run("import", "labels", write_jsonl(tmp_path / "b.jsonl", [rating("alice", 5), rating("ana", 2, item="p1-b")]),
            "--replace", "--add-labelers")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == (f"{tmp_path / 'b.jsonl'}: 2 labels read, 1 added, 0 already there, "
                                "1 replaced; new in roster: ana")


# ------------------------------------------------------------------ item 2: names

BAD_NAMES = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-x", "@SUM(A1)", "a b", ".hidden", "a/b", "",
             "x" * 65, "caf\u00e9\u202e"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_name_that_is_not_letters_digits_dot_dash_underscore_is_refused(db, name):
    with pytest.raises(StoreError, match="must be 1-64 letters, digits"):
        add_labeler(db, name)
    assert list_labelers(db) == []


def test_good_names(db):
    for name in ("ana", "Ana.Lopez", "bob_2", "x-y", "7of9"):
        add_labeler(db, name)
    assert len(list_labelers(db)) == 5


def test_an_import_refuses_a_formula_name(sample_db, tmp_path):
    path = write_jsonl(tmp_path / "l.jsonl", [rating("=HYPERLINK(1)", 3)])
    with pytest.raises(ImportFileError, match=r":1: labeler: labeler name '=HYPERLINK\(1\)' must be"):
        import_labels(sample_db, path, add_labelers=True)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    from store.records import csv_cell

    for cell in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert csv_cell(cell) == "'" + cell
    assert (csv_cell("ana"), csv_cell(-0.25), csv_cell(None)) == ("ana", -0.25, None)


def test_agreement_csv_goes_through_csv_cell(monkeypatch, sample_db, tmp_path):
    from click.testing import CliRunner

    from tui.cli import cli
    from tui.commands import agreement

    monkeypatch.setattr(agreement, "csv_rows", lambda report: [["=cmd|' /C calc'!A0", -0.5, "ok"]])
    monkeypatch.setattr("store.reports.agreement.agreement_report", lambda *a, **k: {})
    path = str(sample_db.path)
    r = CliRunner().invoke(cli, ["agreement", "--format", "csv", "--db", path],
                           env={"LABELDESK_LABELER": "rhea"})  # the sample's researcher
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == "'=cmd|' /C calc'!A0,-0.5,ok"


def test_an_os_user_name_that_is_a_formula_is_not_self_registered(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from tui.cli import cli

    monkeypatch.setattr("getpass.getuser", lambda: "=HYPERLINK(1)")
    r = CliRunner().invoke(cli, ["app"])  # the demo database: self-registration is on
    assert r.exit_code == 1 and "labeler name '=HYPERLINK(1)' must be" in r.output


# ------------------------------------------------------------------ items 10-12: bad files

def refused(db, path, importer=import_prompts, **kwargs) -> str:
    with pytest.raises(ImportFileError) as caught:
        importer(db, path, **kwargs)
    assert db.execute("SELECT count(*) FROM prompts").fetchone()[0] == 0  # all or nothing
    return str(caught.value)


def test_limits_are_errors_not_tracebacks(db, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("id,text\np1,ok\np2," + "x" * 131_073 + "\n")
    assert refused(db, big) == f"{big}:3: (csv): a cell is longer than 131,072 characters"
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"id": "p1", "text": "ok"}\n{"id": "p2", "text": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}\n")
    assert refused(db, deep) == f"{deep}:2: (json): nested too deeply"
    digits = tmp_path / "digits.jsonl"
    digits.write_text('{"id": "p1", "text": "ok", "user_id": ' + "9" * 5000 + "}\n")
    assert refused(db, digits) == f"{digits}:1: (json): a number with more than 4300 digits"


def test_the_cli_gives_one_line_and_exit_1_for_a_limit(tmp_path):
    from tests.cli.subproc import labeldesk, one_line_error

    db_path = tmp_path / "d.db"
    assert labeldesk("init", "--db", str(db_path)).returncode == 0
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"id": "p2", "text": ' + "[" * 100_000 + "}\n")
    line = one_line_error(labeldesk("import", "prompts", str(deep), "--db", str(db_path)))
    assert line == f"Error: {deep}:1: (json): nested too deeply"


def test_a_csv_cut_off_inside_a_quoted_cell_is_refused(db, tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text('id,text\nc1,fine\nc2,"truncated reco')
    assert refused(db, path) == f"{path}:3: (csv): the file ends inside a quoted cell (cut off?)"


def test_a_raw_nul_in_a_csv_is_refused(db, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("id,text\nc1,be\x00fore\n")
    assert refused(db, path) == f"{path}:2: text: contains a NUL character"


def test_a_csv_with_a_utf8_bom_is_accepted(db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid,text\nc1,Hello\n".encode())
    assert import_prompts(db, path).added == 1
    assert db.execute("SELECT id, text FROM prompts").fetchall() == [("c1", "Hello")]


def test_a_path_as_a_split_is_refused(db, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "p1", "text": "x", "split": "../../x"}])
    assert refused(db, path).startswith(f"{path}:1: split: '../../x': use letters, digits")


@pytest.mark.parametrize(("extra", "problem"), [
    ({"created_at": "not a date"}, "created_at: 'not a date' is not an ISO 8601 date or time"),
    ({"seconds": -1}, "seconds: must be a finite number ≥ 0, not -1"),
    ({"seconds": float("inf")}, "seconds: must be a finite number ≥ 0, not inf"),
    ({"gold": "yes"}, "gold: must be true or false, not 'yes'"),
])
def test_wrong_label_values_are_refused(sample_db, tmp_path, extra, problem):
    path = write_jsonl(tmp_path / "l.jsonl", [rating("rhea", 3, **extra)])
    with pytest.raises(ImportFileError) as caught:
        import_labels(sample_db, path, gold=True)
    assert str(caught.value) == f"{path}:1: {problem}"
    assert stored(sample_db) == []


def test_seconds_1e400_in_a_file_is_refused(sample_db, tmp_path):
    path = tmp_path / "l.jsonl"
    path.write_text('{"labeler": "alice", "task": "output", "item": "p1-a", "field": "rating", "value": 3, '
                    '"seconds": 1e400}\n')
    with pytest.raises(ImportFileError, match=r":1: seconds: must be a finite number ≥ 0, not inf"):
        import_labels(sample_db, path)


def test_created_at_is_kept_as_utc(sample_db, tmp_path):
    import_labels(sample_db, write_jsonl(tmp_path / "l.jsonl", [rating("alice", 3, created_at="2026-03-01T12:00:00+02:00")]))
    assert next(iter_labels(sample_db)).created_at == "2026-03-01T10:00:00.000+00:00"


def test_every_problem_is_reported_up_to_20(db, tmp_path):
    path = tmp_path / "p.jsonl"
    lines = [json.dumps({"id": f"p{i}", "text": "ok"}) if i % 2 else json.dumps({"id": f"p{i}", "source": "web"})
             for i in range(60)]
    path.write_text("\n".join(lines) + "\n")
    message = refused(db, path)
    shown = message.split("\n")
    assert len(shown) == 21 and shown[-1] == "and 10 more"
    assert shown[0] == f"{path}:1: text: missing (required)"
    assert shown[19] == f"{path}:39: text: missing (required)"


def test_json_error_names_its_column_once(db, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "p1", "text": "unterminated}\n')
    assert refused(db, path) == f"{path}:1: (json): not valid JSON (Unterminated string starting at column 22)"
