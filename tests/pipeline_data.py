"""A small data set for the pipeline tests: API and labeler prompts, rankings with ties, gold,
demonstrations, and a PII prompt that is labeled but must never be exported."""

from __future__ import annotations

from pathlib import Path

from store.imports import import_labels, import_outputs, import_prompts
from store.roster import add_labeler
from store.rules import PromptRules, RulesConfig
from tests.conftest import write_jsonl

OLD, NEW = "2026-01-01T00:00:00+00:00", "2026-06-01T00:00:00+00:00"

PROMPTS = [
    {"id": "a1", "text": "Write a haiku about rain.", "user_id": "u1", "category": "generation", "tasks": ["comparison"]},
    {"id": "a2", "text": "Name a prime number.", "user_id": "u2", "category": "open_qa", "tasks": ["comparison"]},
    {"id": "a3", "text": "Explain tides to a child.", "user_id": "u3", "category": "open_qa", "tasks": ["demonstration"]},
    {"id": "a4", "text": "Email jane.doe@gmail.com a haiku.", "user_id": "u4", "category": "generation", "tasks": ["comparison"]},
    {"id": "a5", "text": "Write a haiku about rain.", "user_id": "u5"},  # duplicate of a1
    {"id": "a6", "text": "Summarize the news.", "user_id": "u6", "category": "summarization"},
    {"id": "l1", "text": "List three fruits.", "source": "labeler", "style": "plain", "category": "brainstorming", "tasks": ["demonstration"]},
]
OUTPUTS = (
    [{"id": f"a1-o{i}", "prompt_id": "a1", "text": f"haiku {i}"} for i in range(1, 6)]
    + [{"id": f"a2-o{i}", "prompt_id": "a2", "text": f"number {i}"} for i in range(1, 5)]
    + [{"id": f"a4-o{i}", "prompt_id": "a4", "text": f"mail {i}"} for i in range(1, 3)]
)


def _ranking(labeler, item, value, created_at=NEW, gold=False):
    record = {"labeler": labeler, "task": "ranking", "item": item, "field": "ranking", "value": value,
              "created_at": created_at}
    return record | ({"gold": True} if gold else {})


def _demo(labeler, item, text, created_at=NEW):
    return {"labeler": labeler, "task": "demonstration", "item": item, "field": "text", "value": text,
            "created_at": created_at}


LABELS = [
    # K=5 with one tie: C(5,2) - 1 = 9 pairs.
    _ranking("alice", "a1", [["a1-o1"], ["a1-o2", "a1-o3"], ["a1-o4"], ["a1-o5"]]),
    # K=5 strict: 10 pairs, labeled long ago.
    _ranking("bob", "a1", [["a1-o5"], ["a1-o4"], ["a1-o3"], ["a1-o2"], ["a1-o1"]], created_at=OLD),
    # Gold, K=4 with three tied: 6 - 3 = 3 pairs.
    _ranking("rhea", "a2", [["a2-o1"], ["a2-o2", "a2-o3", "a2-o4"]], gold=True),
    # All tied: no pair.
    _ranking("bob", "a2", [["a2-o1", "a2-o2", "a2-o3", "a2-o4"]]),
    # A held PII prompt: labeled, never exported.
    _ranking("alice", "a4", [["a4-o1"], ["a4-o2"]]),
    _demo("alice", "a3", "The moon pulls the sea."),
    _demo("bob", "a3", "Water moves with the moon.", created_at=OLD),
    _demo("carol", "l1", "Apple, pear, plum."),
    _demo("alice", "a4", "Dear Jane, ..."),
]


# Gold comes only with `import labels --gold`, from a researcher in the roster (issue 14).
GOLD = [{k: v for k, v in r.items() if k != "gold"} for r in LABELS if r.get("gold")]
PLAIN = [r for r in LABELS if not r.get("gold")]
RESEARCHERS = sorted({r["labeler"] for r in GOLD})


def build(db, tmp_path: Path, config: RulesConfig | None = None) -> PromptRules:
    rules = PromptRules(config)
    import_prompts(db, write_jsonl(tmp_path / "prompts.jsonl", PROMPTS), rules=rules)
    import_outputs(db, write_jsonl(tmp_path / "outputs.jsonl", OUTPUTS))
    for name in RESEARCHERS:
        add_labeler(db, name, "researcher")
    import_labels(db, write_jsonl(tmp_path / "labels.jsonl", PLAIN), add_labelers=True)
    import_labels(db, write_jsonl(tmp_path / "gold.jsonl", GOLD), gold=True)
    return rules
