"""What you type is what is stored, however fast you type: every key script, run in a real pty at
80x24, stores byte-identical labels whether its keys arrive in one write() (as SSH delivers keys
typed ahead) or one at a time on a settled screen; and what is stored is what the keys mean."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.pty_run import Typist, key_bytes, poll
from bench.workload import app_in_pty, build_db
from store import demonstrations, queue
from store.quiz import admin as quizzes
from store.roster import add_labeler

ROOT = Path(__file__).resolve().parents[2]
RANKING_ONLY = ("[comparison]", 'steps = ["ranking"]')
WITH_STRENGTH = (*RANKING_ONLY, "strength = true", 'reason = "optional"')


@dataclass(frozen=True)
class Script:
    keys: list[str]
    done: str  # SQL whose first value is true once the keys' result is stored
    labeler: str = "ana"
    config: tuple[str, ...] = ()
    expect: dict = field(default_factory=dict)  # (task, field) -> ranking notations, in order


def done_count(kind: str, n: int, labeler: str = "ana") -> str:
    return (f"SELECT count(*) >= {n} FROM assignments a JOIN tasks t ON t.id = a.task_id "
            f"WHERE a.labeler = '{labeler}' AND t.kind = '{kind}' AND a.status = 'done'")


SCRIPTS = {
    "ranking_with_ties": Script(["c", *"B=ADC", "enter"], done_count("comparison", 1),
                                config=RANKING_ONLY, expect={"ranking": ["B=A>D>C"]}),
    "two_rankings_typed_ahead": Script(
        ["c", *"badc", "enter", *"a=bdc", "enter"], done_count("comparison", 2),
        config=RANKING_ONLY, expect={"ranking": ["B>A>D>C", "A=B>D>C"]}),
    "ranking_strength_reason": Script(
        # Enter: the levels (1, 3), Enter: the reason line, typed, Enter: submitted. Then a
        # ranking, Enter, 2, and a letter: back to a new ranking (a b d, c placed last and
        # confirmed), Enter for its levels, Enter to accept them, Enter for no reason.
        ["c", *"B=ADC", "enter", "1", "3", "enter", *"A and B tie; C is wrong.", "enter",
         *"badc", "enter", "2", *"abdc", "enter", "enter", "enter"],
        done_count("comparison", 2), config=WITH_STRENGTH,
        expect={"ranking": ["B=A>D>C", "A>B>D>C"]}),
    "instruction_scores_ranking": Script(
        # A rating moves to the next output and the last one to the ranking step
        # ([comparison] advance_after_rating); a letter replaces the suggested ranking and
        # the last output places itself.
        ["c", "g", *"summ", "enter", "enter", "3", "6", "2", "1", *"b=ad", "enter"],
        done_count("comparison", 1), expect={"ranking": ["B=A>D>C"]}),
    "ranking_after_a_bounced_submit": Script(
        # Enter on the suggested ranking is sent back ("Missing: Category (g)"); back on the
        # ranking the suggestion is still one: b starts anew, and c confirms its placement.
        ["c", ">", "3", "6", "2", "1", "enter", "g", *"summ", "enter", "enter", "enter",
         *"badc", "enter"],
        done_count("comparison", 1), expect={"ranking": ["B>A>D>C"]}),
    "writing_right_after_w": Script(["w", *"Plants eat light.", "ctrl+s", "y"],
                                    done_count("demonstration", 1)),
    "toxicity": Script(["x", "0", "1", "+", "6", "2", "-", "3", "0", "0", "7", "enter",
                        *"rcba", "enter"], done_count("toxicity", 1),
                       expect={"ranking": ["C>B>A"]}),
    "demonstration_scoring": Script(["d", "6", "enter"], done_count("demonstration_score", 1, "rhea"),
                                    labeler="rhea"),
    "quiz_item": Script(["s", "enter", *"nynnnnyn", "enter", "y", "n"],
                        # The second item's draft holds both its answers (y, then n): a draft
                        # saved after y alone must not end the wait.
                        "SELECT count(*) = 1 FROM drafts d JOIN assignments a ON a.id = d.assignment_id "
                        "WHERE a.labeler = 'ana' AND d.data LIKE '%\"asks_violent\": false%'"),
    "quiz_ranking_item": Script(
        ["s", "enter", *"n" * 8, "enter", *"n" * 8, "enter", *"n" * 4, "enter", *"b=ac", "enter"],
        "SELECT count(*) FROM drafts d JOIN assignments a ON a.id = d.assignment_id "
        "WHERE a.labeler = 'ana' AND d.data LIKE '%\"ranking\": [[%'"),
    "survey": Script(["v", "enter", "tab", "tab", "tab", "enter", "down", "down", "enter", "ctrl+s"],
                     "SELECT count(*) FROM survey_responses"),
    "survey_scale_digits": Script(["v", "down", "enter", "4", "2", "0", "5", "tab", "right", "ctrl+s"],
                                  "SELECT count(*) FROM survey_responses"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Two tasks of every kind, a written answer to score, a quiz assigned to ana."""
    path = tmp_path_factory.mktemp("typeahead") / "desk.db"
    db = build_db(path, 2, labelers=("ana", "bob"), output_chars=300)
    add_labeler(db, "rhea", "researcher")
    assignment = queue.claim_next(db, "bob", "demonstration")
    demonstrations.submit_demonstration(db, assignment.id, assignment.item, "Bob's [b]answer[/b].")
    quizzes.import_quiz(db, ROOT / "quiz.example.toml")
    quizzes.assign_quiz(db, "screening-demo", ["ana"])
    db.conn.close()
    return path


def stored(conn: sqlite3.Connection, labeler: str) -> str:
    """Everything the keys can have stored, as one canonical text (time fields left out)."""
    out = {
        "labels": conn.execute(
            "SELECT task, item, field, value, gold FROM labels WHERE labeler = ? AND NOT gold "
            "OR labeler = ? AND task = 'demonstration_score' ORDER BY task, item, field",
            [labeler, labeler]).fetchall(),
        "finished": conn.execute(
            "SELECT t.kind, t.item, a.status, a.reason, a.flagged FROM assignments a "
            "JOIN tasks t ON t.id = a.task_id WHERE a.labeler = ? AND a.status != 'active' "
            "ORDER BY t.kind, t.item", [labeler]).fetchall(),
        # A draft holding nothing typed (the quiz saves an untouched item's clock) depends on
        # when its timer fired, not on the keys: only drafts with an answer are compared.
        "drafts": [
            (item, answer) for item, answer in (
                (item, {k: v for k, v in json.loads(data).items() if k != "_seconds"})
                for item, data in conn.execute(
                    "SELECT t.item, d.data FROM drafts d JOIN assignments a "
                    "ON a.id = d.assignment_id JOIN tasks t ON t.id = a.task_id "
                    "WHERE a.labeler = ? ORDER BY t.item", [labeler]))
            if any(answer.values())],
        "surveys": conn.execute("SELECT survey, answers FROM survey_responses ORDER BY survey").fetchall(),
    }
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def type_script(script: Script, template: Path, tmp: Path, mode: str) -> str:
    """Run the app on a copy of `template`, type `script` in `mode`, return what it stored."""
    tmp.mkdir()
    db_path = tmp / "desk.db"
    shutil.copy(template, db_path)
    keys = key_bytes(script.keys)
    with app_in_pty(db_path, tmp, *script.config, labeler=script.labeler, terminal=Typist,
                    size=(80, 24)) as term:
        term.wait_for(b"Labeling as")
        if mode == "burst":
            term.burst(keys)
        else:
            term.paced(keys)
        conn = sqlite3.connect(db_path)
        try:
            poll(lambda: conn.execute(script.done).fetchone()[0],
                 f"{mode}: the result of {script.keys} in the database", timeout=20)
            term.settle(0.3)  # anything the keys stored beyond the awaited row has landed too
            return stored(conn, script.labeler)
        finally:
            conn.close()


def rankings_as_typed(result: str, labeler_order: dict[str, list[str]]) -> list[str]:
    """The stored rankings in notation (B=A>D>C), letters as the labeler saw them."""
    out = []
    for task, item, name, value, _gold in json.loads(result)["labels"]:
        if task == "ranking" and name == "ranking":
            letter = {oid: "ABCDEFGHI"[n] for n, oid in enumerate(labeler_order[item])}
            out.append(">".join("=".join(letter[o] for o in group) for group in json.loads(value)))
    return out


def shown_order(db_path: Path, labeler: str) -> dict[str, list[str]]:
    conn = sqlite3.connect(db_path)
    try:
        return {item: json.loads(order) for item, order in conn.execute(
            'SELECT t.item, a."order" FROM assignments a JOIN tasks t ON t.id = a.task_id '
            'WHERE a.labeler = ? AND a."order" IS NOT NULL', [labeler])}
    finally:
        conn.close()


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_burst_and_paced_store_the_same(name, template, tmp_path):
    script = SCRIPTS[name]
    paced = type_script(script, template, tmp_path / "paced", "paced")
    burst = type_script(script, template, tmp_path / "burst", "burst")
    assert burst == paced
    if "ranking" in script.expect:
        order = shown_order(tmp_path / "burst" / "desk.db", script.labeler)
        typed = rankings_as_typed(burst, order)
        assert sorted(typed) == sorted(script.expect["ranking"])
    if name == "ranking_strength_reason":  # what the keys mean, beyond being the same
        extra = sorted((f, json.loads(v)) for t, _i, f, v, _g in json.loads(burst)["labels"]
                       if t == "ranking" and f != "ranking")
        assert extra == [("reason", "A and B tie; C is wrong."),
                         ("strength", ["better", "better", "better"]),
                         ("strength", ["significantly better", "slightly better"])]
