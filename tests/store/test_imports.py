
import pytest

from store.errors import ImportFileError
from store.exports import export_labels
from store.imports import import_labels, import_outputs, import_prompts
from tests.conftest import write_jsonl

from ..conftest import DATA


def counts(db):
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("prompts", "outputs", "tasks", "labels")}


def test_tasks_follow_the_prompts(sample_db):
    tasks = set(sample_db.execute("SELECT kind, item FROM tasks").fetchall())
    assert tasks == {("comparison", "p1"), ("comparison", "p2"), ("demonstration", "p3"),
                     ("toxicity", "p4"), ("demonstration", "p5")}


def test_reimport_is_idempotent(sample_db):
    before = counts(sample_db)
    r = import_prompts(sample_db, DATA / "prompts.jsonl")
    r2 = import_outputs(sample_db, DATA / "outputs.jsonl")
    assert (r.added, r.unchanged, r2.added, r2.unchanged) == (0, 5, 0, 7)
    assert counts(sample_db) == before


def test_same_id_other_text_is_an_error(sample_db, tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [{"id": "new", "text": "x"}, {"id": "p1", "text": "changed"}])
    before = counts(sample_db)
    with pytest.raises(ImportFileError, match=r"p.jsonl:2: text: prompt 'p1' already exists"):
        import_prompts(sample_db, f)
    assert counts(sample_db) == before  # "new" on line 1 was not kept either


@pytest.mark.parametrize(("record", "message"), [
    ({"text": "no id"}, r":1: id: missing"),
    ({"id": "a"}, r":1: text: missing"),
    ({"id": "a", "text": "t", "source": "web"}, r":1: source: 'web' is not one of api, labeler"),
    ({"id": "a", "text": "t", "style": "fancy"}, r":1: style: 'fancy' is not one of"),
    ({"id": "a", "text": "t", "category": "poetry"}, r":1: category: 'poetry' is not one of"),
    ({"id": "a", "text": "t", "tasks": ["rank"]}, r":1: tasks: 'rank' is not one of"),
    ({"id": 5, "text": "t"}, r":1: id: must be a string"),
    ({"id": "a", "text": "t", "colour": "red"}, r":1: colour: unknown key"),
])
def test_bad_prompt_records(db, tmp_path, record, message):
    f = write_jsonl(tmp_path / "bad.jsonl", [record])
    with pytest.raises(ImportFileError, match=message):
        import_prompts(db, f)
    assert counts(db)["prompts"] == 0


def test_bad_json_line_names_the_line(db, tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "text": \n')
    with pytest.raises(ImportFileError, match=r"p.jsonl:2: \(json\): not valid JSON"):
        import_prompts(db, f)
    assert counts(db)["prompts"] == 0


def test_invalid_utf8_and_lone_surrogates(db, tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n')
    with pytest.raises(ImportFileError, match=r"p.jsonl:2: text: invalid UTF-8 \(byte 0xe9\)"):
        import_prompts(db, f)
    f.write_text('{"id": "a", "text": "half \\ud800 a pair"}\n')
    with pytest.raises(ImportFileError, match=r"p.jsonl:1: text: contains a lone surrogate"):
        import_prompts(db, f)
    assert counts(db)["prompts"] == 0


def test_csv_prompts(db, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text('id,text,source,tasks\nc1,"Hello, world",api,comparison\nc2,Write,labeler,"[""demonstration""]"\n')
    assert import_prompts(db, f).added == 2
    assert db.execute("SELECT tasks FROM prompts WHERE id='c1'").fetchone()[0] == '["comparison"]'
    f.write_text("id,text,source\nc3,x,web\n")
    with pytest.raises(ImportFileError, match=r"p.csv:2: source"):
        import_prompts(db, f)


def test_output_needs_its_prompt(sample_db, tmp_path):
    f = write_jsonl(tmp_path / "o.jsonl", [{"id": "z", "prompt_id": "nope", "text": "x"}])
    with pytest.raises(ImportFileError, match=r"o.jsonl:1: prompt_id: no prompt 'nope'"):
        import_outputs(sample_db, f)


def test_too_many_outputs(sample_db, tmp_path):
    f = write_jsonl(tmp_path / "o.jsonl", [{"id": f"x{i}", "prompt_id": "p2", "text": str(i)} for i in range(8)])
    with pytest.raises(ImportFileError, match=r"o.jsonl:8: prompt_id: prompt 'p2' would have 10 outputs"):
        import_outputs(sample_db, f)
    assert counts(sample_db)["outputs"] == 7


def test_comparison_needs_two_outputs(db, tmp_path):
    write_jsonl(tmp_path / "p.jsonl", [{"id": "c", "text": "t", "tasks": ["comparison"]}])
    import_prompts(db, tmp_path / "p.jsonl")
    f = write_jsonl(tmp_path / "o.jsonl", [{"id": "c1", "prompt_id": "c", "text": "only one"}])
    with pytest.raises(ImportFileError, match=r"o.jsonl:1: prompt_id: comparison prompt 'c' has only 1"):
        import_outputs(db, f)


def test_implicit_prompt_becomes_a_comparison(sample_db, tmp_path):
    f = write_jsonl(tmp_path / "o.jsonl", [{"id": f"p5-{i}", "prompt_id": "p5", "text": str(i)} for i in range(3)])
    import_outputs(sample_db, f)
    kinds = [k for (k,) in sample_db.execute("SELECT kind FROM tasks WHERE item = 'p5'")]
    assert kinds == ["comparison"]


LABELS = [
    {"labeler": "alice", "task": "output", "item": "p1-a", "field": "rating", "value": 6},
    {"labeler": "alice", "task": "instruction", "item": "p1", "field": "category", "value": "summarization"},
    {"labeler": "alice", "task": "ranking", "item": "p1", "field": "ranking", "value": [["p1-a"], ["p1-b", "p1-c"]]},
    {"labeler": "rhea", "task": "output", "item": "p1-a", "field": "inappropriate_for_assistant", "value": "na", "gold": True},
    {"labeler": "dan", "task": "toxicity", "item": "p4-b", "field": "toxicity", "value": 2, "seconds": 4.5},
]


def test_labels_round_trip(sample_db, tmp_path):
    # Gold comes only with --gold (issue 14): the gold and the other labels are two files.
    plain = [r for r in LABELS if "gold" not in r]
    gold = [{k: v for k, v in r.items() if k != "gold"} for r in LABELS if "gold" in r]
    r = import_labels(sample_db, write_jsonl(tmp_path / "l.jsonl", plain), add_labelers=True)
    assert (r.added, r.new_labelers) == (4, ["dan"])
    assert import_labels(sample_db, write_jsonl(tmp_path / "g.jsonl", gold), gold=True).added == 1
    exported = list(export_labels(sample_db))
    assert sorted(({k: v for k, v in e.items() if k not in ("created_at", "resolution")}
                   for e in exported), key=str) == sorted(LABELS, key=str)
    # One labeler each and one gold value: nothing agreed on, except what gold settles.
    assert sorted(e["resolution"] for e in exported) == ["gold"] + ["unresolved"] * 4
    again = import_labels(sample_db, write_jsonl(tmp_path / "again.jsonl", export_labels(sample_db, gold=False)))
    assert (again.added, again.unchanged) == (0, 4)
    again = import_labels(sample_db, write_jsonl(tmp_path / "again-gold.jsonl", export_labels(sample_db, gold=True)),
                          gold=True)
    assert (again.added, again.unchanged) == (0, 1)
    assert [e for e in export_labels(sample_db)] == exported
    # alice's imported labels count as her finished comparison of p1
    row = sample_db.execute("SELECT a.status FROM assignments a JOIN tasks t ON t.id = a.task_id "
                            "WHERE a.labeler = 'alice' AND t.item = 'p1'").fetchone()
    assert row == ("done",)


@pytest.mark.parametrize(("record", "message"), [
    ({"labeler": "a", "task": "output", "item": "p1-a", "field": "rating", "value": 9}, r":1: value: output.rating: 9 is not an integer 1..7"),
    ({"labeler": "a", "task": "output", "item": "p1-a", "field": "shine", "value": 1}, r":1: field: output: unknown field 'shine'"),
    ({"labeler": "a", "task": "output", "item": "nope", "field": "rating", "value": 1}, r":1: item: no output 'nope'"),
    ({"labeler": "a", "task": "vibes", "item": "p1", "field": "x", "value": 1}, r":1: task: 'vibes' is not one of"),
    ({"labeler": "a", "task": "ranking", "item": "p1", "field": "ranking", "value": [["p1-a"], ["p1-b"]]}, r"missing p1-c"),
    ({"labeler": "a", "task": "ranking", "item": "p1", "field": "ranking", "value": [["p1-a", "p1-b", "p1-c", "p2-a"]]}, r"not outputs of p1: p2-a"),
    ({"labeler": "a", "task": "output", "item": "p1-a", "field": "rating"}, r":1: value: missing"),
])
def test_bad_labels(sample_db, tmp_path, record, message):
    good = {"labeler": "a", "task": "output", "item": "p1-b", "field": "rating", "value": 3}
    f = write_jsonl(tmp_path / "l.jsonl", [record, good])
    with pytest.raises(ImportFileError, match=message):
        import_labels(sample_db, f)
    assert counts(sample_db)["labels"] == 0
    assert sample_db.execute("SELECT count(*) FROM labelers WHERE name = 'a'").fetchone()[0] == 0
