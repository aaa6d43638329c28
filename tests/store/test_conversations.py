"""Prompts that are conversations: `messages` checked turn by turn, HH-RLHF transcripts split,
the data rules reading every turn, and the chat exports carrying the history."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from store.conversation import conversation_text, split_hh
from store.errors import ImportFileError
from store.exports import export_pairs, export_sft
from store.imports import import_outputs, import_prompts
from store.rules import PromptRules
from store.views import get_prompt
from tests.conftest import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
# shared/ sits beside the checkout (the main one, and CI's clone); a worktree is a level deeper.
HH_REAL = next((p / "shared/data/hh-rlhf/harmless-base-test.jsonl.gz"
                for p in (ROOT.parent, ROOT.parent.parent)
                if (p / "shared/data/hh-rlhf/harmless-base-test.jsonl.gz").exists()), None)

TURNS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi, I'm Ann."},
         {"role": "assistant", "content": "Hello Ann!"}, {"role": "user", "content": "Email me a poem."}]


def test_a_conversation_is_stored_with_its_turns_and_a_text_of_all_of_them(db, tmp_path):
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [{"id": "c1", "messages": TURNS},
                                    {"id": "c2", "messages": TURNS[1:2]}, {"id": "p3", "text": "plain"}]))
    c1 = get_prompt(db, "c1")
    assert c1.messages == TURNS
    assert c1.text == "System: Be brief.\n\nUser: Hi, I'm Ann.\n\nAssistant: Hello Ann!\n\nUser: Email me a poem."
    # One user turn is a plain prompt; so is text.
    assert (get_prompt(db, "c2").messages, get_prompt(db, "c2").text) == (None, "Hi, I'm Ann.")
    assert get_prompt(db, "p3").messages is None
    # Re-importing the same conversation is a no-op.
    assert import_prompts(db, tmp_path / "p.jsonl").unchanged == 3


@pytest.mark.parametrize("messages, where, problem", [
    ([], "messages", "must not be empty"),
    ("hello", "messages", "must be a list of {role, content} turns, not str"),
    ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "messages[1]",
     "the last turn must be the user's, not 'assistant'"),
    ([{"role": "robot", "content": "a"}], "messages[0]", "role 'robot' is not one of system, user, assistant"),
    ([{"role": "user", "content": "a"}, {"role": "user", "content": 5}], "messages[1]",
     "content must be a string, not int"),
    ([{"role": "user", "content": "a"}, {"role": "system", "content": "b"}, {"role": "user", "content": "c"}],
     "messages[1]", "a system turn may only come first"),
    ([{"role": "user", "content": "a", "name": "x"}], "messages[0]", "unknown key 'name'"),
    (["hi"], "messages[0]", "must be an object with role and content, not str"),
])
def test_bad_messages_are_refused_naming_the_turn(db, tmp_path, messages, where, problem):
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "ok", "text": "fine"}, {"id": "c1", "messages": messages}])
    with pytest.raises(ImportFileError) as info:
        import_prompts(db, path)
    assert str(info.value).startswith(f"{path}:2: {where}: {problem}")
    assert db.execute("SELECT count(*) FROM prompts").fetchone()[0] == 0  # nothing half written


def test_text_beside_messages_must_be_theirs(db, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "c1", "messages": TURNS, "text": "Email me a poem."},
                        {"id": "c2", "messages": TURNS, "text": "something else"}])
    with pytest.raises(ImportFileError, match=r"p.jsonl:2: text: differs from messages"):
        import_prompts(db, path)


def test_rules_see_every_turn_and_compare_the_request(db, tmp_path):
    """PII in an earlier turn holds the prompt; a shared system prompt is no duplicate."""
    system = {"role": "system", "content": "You are a helpful assistant for ACME. " * 5}
    records = [
        {"id": "c1", "user_id": "u1", "messages": [system, {"role": "user", "content": "Reset my router?"}]},
        {"id": "c2", "user_id": "u2", "messages": [system, {"role": "user", "content": "Track my parcel?"}]},
        {"id": "c3", "user_id": "u3", "messages": [
            {"role": "user", "content": "I'm jane.doe@fastmail.net"}, {"role": "assistant", "content": "Noted."},
            {"role": "user", "content": "What's the weather?"}]},
    ]
    rules = PromptRules()
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", records), rules=rules)
    status = dict(db.execute("SELECT id, coalesce(reason, status) FROM prompts").fetchall())
    assert status == {"c1": "pool", "c2": "pool", "c3": "pii"}
    # A later import remembers the stored conversations by their request.
    again = PromptRules()
    again.seed(db)
    import_prompts(db, write_jsonl(tmp_path / "q.jsonl", [{"id": "c4", "user_id": "u4", "messages": [
        {"role": "user", "content": "Reset my router?"}]}]), rules=again)
    assert db.execute("SELECT reason FROM prompts WHERE id = 'c4'").fetchone()[0] == "duplicate_prefix"


HH = [
    {"chosen": "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: a joke?\n\nAssistant: Why did the chicken...",
     "rejected": "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: a joke?\n\nAssistant: No."},
    # Two assistant turns in a row, as HH has a few: one turn.
    {"chosen": "\n\nHuman: q\n\nAssistant: a1\n\nAssistant:  a2\n\nHuman: ok?\n\nAssistant: yes",
     "rejected": "\n\nHuman: q\n\nAssistant: a1\n\nAssistant:  a2\n\nHuman: ok?\n\nAssistant: no", "id": "own"},
]


def test_hh_transcripts_become_conversations_and_their_answers_outputs(db, tmp_path):
    path = tmp_path / "hh-test.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write("".join(json.dumps(r) + "\n" for r in HH))
    import_prompts(db, path, from_hh=True)
    import_outputs(db, path, from_hh=True)
    first = get_prompt(db, "hh-test-1")
    assert first.messages == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},
                              {"role": "user", "content": "a joke?"}]
    assert get_prompt(db, "own").messages[1] == {"role": "assistant", "content": "a1\n\na2"}
    outputs = dict(db.execute("SELECT id, text FROM outputs WHERE prompt_id = 'hh-test-1'").fetchall())
    assert outputs == {"hh-test-1-o1": "Why did the chicken...", "hh-test-1-o2": "No."}
    assert import_outputs(db, path, from_hh=True).unchanged == 4


@pytest.mark.parametrize("record, where, problem", [
    ({"chosen": "Human: hi\n\nAssistant: a", "rejected": "x"}, "chosen", "does not start with '\\n\\nHuman:'"),
    ({"chosen": "\n\nHuman: hi\n\nAssistant: a", "rejected": "\n\nHuman: bye\n\nAssistant: b"}, "rejected",
     "its conversation before the last Assistant turn differs from chosen's"),
    ({"chosen": "\n\nHuman: hi", "rejected": "\n\nHuman: hi"}, "chosen", "does not end with an Assistant turn"),
    ({"chosen": "\n\nHuman: hi\n\nAssistant: a"}, "rejected", "missing (required: an HH-RLHF transcript)"),
])
def test_hh_lines_that_do_not_parse_say_which(db, tmp_path, record, where, problem):
    path = write_jsonl(tmp_path / "hh.jsonl", [HH[0], record])
    with pytest.raises(ImportFileError) as info:
        import_prompts(db, path, from_hh=True)
    assert str(info.value).startswith(f"{path}:2: {where}: {problem}")


@pytest.mark.sqlite_only
@pytest.mark.skipif(HH_REAL is None, reason="shared/data/hh-rlhf is not beside this checkout")
def test_the_real_hh_rlhf_test_split_imports(db):
    import_prompts(db, HH_REAL, from_hh=True)
    result = import_outputs(db, HH_REAL, from_hh=True)
    assert result.added == 2 * 2312
    # Every conversation alternates and ends with the user; its text holds every turn.
    for text, messages in db.execute("SELECT text, messages FROM prompts"):
        turns = json.loads(messages) if messages else None
        if turns:
            assert [t["role"] for t in turns] == ["user", "assistant"] * (len(turns) // 2) + ["user"]
            assert text == conversation_text(turns)
    with gzip.open(HH_REAL, "rt") as f:
        first = json.loads(f.readline())
    assert split_hh(first["chosen"])[:-1] == get_prompt(db, "harmless-base-test-1").messages


def test_chat_exports_carry_the_history(db, tmp_path):
    from store.db import immediate
    from store.labels import write_labels
    from store.roster import add_labeler
    from store.schema import load_schema
    from store.values import LabelValue

    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [{"id": "c1", "messages": TURNS}]))
    import_outputs(db, write_jsonl(tmp_path / "o.jsonl", [{"id": "c1-a", "prompt_id": "c1", "text": "A"},
                                    {"id": "c1-b", "prompt_id": "c1", "text": "B"}]))
    add_labeler(db, "ann", "labeler")
    with immediate(db):
        write_labels(db, "ann", [LabelValue("ranking", "c1", "ranking", [["c1-b"], ["c1-a"]]),
                                 LabelValue("demonstration", "c1", "text", "Roses are red.")],
                     gold=False, schema=load_schema())
    chat = next(export_pairs(db, format="trl-chat").records())
    assert chat["prompt"] == TURNS and chat["chosen"] == [{"role": "assistant", "content": "B"}]
    openai = next(export_pairs(db, format="openai-dpo").records())
    assert openai["input"]["messages"] == TURNS
    flat = next(export_pairs(db).records())
    assert flat["prompt"] == get_prompt(db, "c1").text  # every turn, as text
    sft = next(export_sft(db).records())
    assert sft["messages"] == TURNS + [{"role": "assistant", "content": "Roses are red."}]
