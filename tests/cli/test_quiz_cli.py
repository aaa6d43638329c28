"""The researcher's side of screening, end to end through the command line."""

import json

from store.db import open_db
from store.labels import iter_labels
from tests.conftest import QUIZ_EXAMPLE as EXAMPLE
from tests.conftest import take_quiz


def test_import_assign_take_score_report(run, db_path, tmp_path):
    assert run("labelers", "add", "rhea", "--role", "researcher").exit_code == 0
    assert run("labelers", "add", "nora").exit_code == 0
    r = run("quiz", "import", EXAMPLE)
    assert r.exit_code == 0 and "quiz screening-demo: 8 items, 19 gold values" in r.output
    assert "already imported" in run("quiz", "import", EXAMPLE).output
    r = run("quiz", "assign", "screening-demo", "--labelers", "nora")
    assert r.output.strip() == "screening-demo: assigned to nora"
    assert "0/1 submitted" in run("quiz", "list").output

    # nora takes the quiz: flags all "no", rankings as shown (not gold), two answers.
    db = open_db(db_path)
    take_quiz(db, "nora", seconds=5)
    demos = list(iter_labels(db, labeler="nora", task="demonstration"))
    scores = tmp_path / "scores.jsonl"
    scores.write_text("".join(
        json.dumps({"labeler": "rhea", "task": "demonstration_score", "item": f"d{d.id}",
                    "field": "rating", "value": 6}) + "\n" for d in demos))
    assert run("import", "labels", scores, "--gold").exit_code == 0
    assert "1/1 submitted" in run("quiz", "list").output
    for kind in ("sft", "pairs"):  # quiz items are held prompts: never training data
        exported = run("export", kind, "--out", "-")
        assert exported.exit_code == 0 and "screening-demo/" not in exported.output

    report = json.loads(run("agreement", "--quiz", "screening-demo", "--format", "json").output)
    (cid, nora), = report["candidates"].items()
    assert cid == "c1"
    assert nora["flags"]["agreement"] == round(14 / 17, 4)
    assert nora["demonstrations"]["mean_score"] == 6
    expected = "pass" if nora["comparisons"]["agreement"] >= 0.75 else "fail"
    assert nora["result"] == expected
    named = run("agreement", "--quiz", "screening-demo", "--names")
    assert named.exit_code == 0 and "nora" in named.output and expected.upper() in named.output
    assert "nora" not in run("agreement", "--quiz", "screening-demo").output


def test_quiz_errors_are_one_line_exit_1(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "q"\ninstructions = "x"\n[[ranking]]\nid = "r"\nprompt = "p"\ncompletions = ["a", "b"]\ngold = "A>C"\n')
    r = run("quiz", "import", bad)
    assert r.exit_code == 1
    assert r.output.strip() == "Error: bad.toml: ranking[1].gold: letter C but the item has 2 completions"
    r = run("quiz", "assign", "nope", "--labelers", "x")
    assert r.exit_code == 1 and "no quiz 'nope'" in r.output
    run("quiz", "import", EXAMPLE)
    r = run("quiz", "assign", "screening-demo", "--labelers", "ghost")
    assert r.exit_code == 1 and "not in this database's roster" in r.output
    assert run("agreement", "--quiz", "nope").exit_code == 1


def test_surveys_summary_hides_small_counts(run):
    r = run("surveys", "summary", "--format", "json")
    assert r.exit_code == 0
    reports = json.loads(r.output)
    assert [x["survey"] for x in reports] == ["demographics", "satisfaction"]
    assert all("hidden" in x for x in reports)
    same = run("stats", "--surveys", "--format", "json")
    assert same.exit_code == 0 and json.loads(same.output) == reports
