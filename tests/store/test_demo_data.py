"""The bundled demo data set (tui/demo/) is well formed and covers what the app shows a new user."""

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "tui" / "demo"

CATEGORIES = {"brainstorming", "classification", "extract", "generation", "rewrite", "chat",
              "closed_qa", "open_qa", "summarization", "other"}
TASK_KINDS = {"comparison", "demonstration", "toxicity", "instruction"}

# Field tables of labeling-guidelines.md §4, §5, §7: field -> allowed values (None = any category).
YES_NO = {True, False}
INSTRUCTION = {
    "pii": YES_NO, "pii_public_only": YES_NO, "pii_sensitive_context": YES_NO, "pii_certain": YES_NO,
    "category": CATEGORIES, "closed_domain": YES_NO, "intent_unclear": YES_NO,
    "explicit_constraints": YES_NO, "asks_sexual": YES_NO, "asks_violent": YES_NO,
    "asks_encourage_harm": YES_NO, "asks_denigrate_protected": YES_NO, "asks_advice": YES_NO,
    "asks_opinion": YES_NO, "asks_moral_judgment": YES_NO,
}
OUTPUT = {
    "rating": set(range(1, 8)), "fails_task": YES_NO,
    "inappropriate_for_assistant": YES_NO | {"na"}, "hallucination": YES_NO,
    "satisfies_constraints": YES_NO, "sexual": YES_NO, "violent": YES_NO,
    "encourages_harm": YES_NO, "denigrates_protected": YES_NO, "harmful_advice": YES_NO,
    "expresses_opinion": YES_NO, "expresses_moral_judgment": YES_NO,
}
TOXICITY = {
    "input_toxicity": {0, 1, 2}, "toxicity": {0, 1, 2}, "relative_toxicity": {-1, 0, 1},
    "continuity": set(range(1, 8)),
}
FIELDS = {"instruction": INSTRUCTION, "output": OUTPUT, "toxicity": TOXICITY,
          "ranking": {"ranking": None}}
# conditional field -> (task whose answer decides, field that must be true)
CONDITIONS = {
    "pii_public_only": "pii", "pii_sensitive_context": "pii", "pii_certain": "pii",
    "hallucination": "closed_domain", "satisfies_constraints": "explicit_constraints",
}


def read_jsonl(name):
    rows = []
    for n, line in enumerate((DEMO / name).read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{name}:{n} is blank"
        rows.append(json.loads(line))
    return rows


@pytest.fixture(scope="module")
def prompts():
    return {p["id"]: p for p in read_jsonl("prompts.jsonl")}


@pytest.fixture(scope="module")
def outputs():
    return read_jsonl("outputs.jsonl")


@pytest.fixture(scope="module")
def by_prompt(outputs):
    grouped = defaultdict(list)
    for o in outputs:
        grouped[o["prompt_id"]].append(o["id"])
    return grouped


@pytest.fixture(scope="module")
def roster():
    return {r["name"]: r["role"] for r in json.loads((DEMO / "labelers.json").read_text())}


def test_prompt_records(prompts):
    rows = read_jsonl("prompts.jsonl")
    assert len(rows) == len(prompts) >= 36, "prompt ids are unique and there are enough"
    for p in rows:
        assert p["id"] and p["text"].strip() and p["user_id"]
        assert p["source"] in {"api", "labeler"}
        assert p.get("style", "plain") in {"plain", "few_shot", "user_based"}
        assert p["category"] in CATEGORIES
        assert p["tasks"] and set(p["tasks"]) <= TASK_KINDS
    assert {p["category"] for p in rows} == CATEGORIES
    assert {p["source"] for p in rows} == {"api", "labeler"}
    assert {p["style"] for p in rows if "style" in p} == {"plain", "few_shot", "user_based"}
    kinds = Counter(k for p in rows for k in p["tasks"])
    assert kinds["comparison"] >= 16 and kinds["demonstration"] >= 6
    assert kinds["toxicity"] >= 5 and kinds["instruction"] >= 3


def test_few_shot_prompts_hold_query_response_pairs(prompts):
    few_shot = [p for p in prompts.values() if p.get("style") == "few_shot"]
    assert few_shot
    for p in few_shot:
        # the instruction, K-1 answered examples, then the open query
        assert p["text"].count("\n\n") >= 3, p["id"]


def test_prompts_carry_markup_like_text(prompts):
    texts = " ".join(p["text"] for p in prompts.values())
    assert "[bold]" in texts and "[/" in texts


def test_output_records(prompts, outputs, by_prompt):
    ids = [o["id"] for o in outputs]
    assert len(ids) == len(set(ids))
    for o in outputs:
        assert o["prompt_id"] in prompts, o["id"]
        assert o["text"].strip() and o["model"]
        assert o["id"].startswith(o["prompt_id"] + "-o")
    for pid, p in prompts.items():
        k = len(by_prompt[pid])
        if "comparison" in p["tasks"]:
            assert 4 <= k <= 9, (pid, k)
        elif "toxicity" in p["tasks"]:
            assert 3 <= k <= 5, (pid, k)
        else:
            assert k == 0, (pid, k)
    sizes = [len(by_prompt[pid]) for pid, p in prompts.items() if "comparison" in p["tasks"]]
    assert 9 in sizes and 4 in sizes and 6 in sizes


def test_some_comparison_has_two_identical_outputs(outputs, prompts):
    seen = Counter((o["prompt_id"], o["text"]) for o in outputs
                   if "comparison" in prompts[o["prompt_id"]]["tasks"])
    assert max(seen.values()) >= 2


def test_roster():
    roster = json.loads((DEMO / "labelers.json").read_text())
    assert roster == [{"name": "rhea", "role": "researcher"}, {"name": "ana", "role": "labeler"},
                      {"name": "ben", "role": "labeler"}]


def _check_labels(rows, prompts, outputs, by_prompt):
    """Every value names a known field with a value on its scale; conditionals only when due."""
    out_prompt = {o["id"]: o["prompt_id"] for o in outputs}
    answers = defaultdict(dict)  # (labeler, prompt) -> instruction answers
    keys = set()
    for r in rows:
        assert set(r) >= {"labeler", "task", "item", "field", "value"}, r
        key = (r["labeler"], r["task"], r["item"], r["field"])
        assert key not in keys, f"duplicate label {key}"
        keys.add(key)
        table = FIELDS[r["task"]]
        assert r["field"] in table, r
        allowed = table[r["field"]]
        if allowed is not None:
            # bool is an int in Python: compare types too so 1 never passes for true
            assert any(r["value"] == a and type(r["value"]) is type(a) for a in allowed), r
        if r["task"] == "instruction":
            assert r["item"] in prompts
            answers[r["labeler"], r["item"]][r["field"]] = r["value"]
        elif r["task"] == "ranking":
            groups = r["value"]
            assert all(isinstance(g, list) and g for g in groups), r
            placed = [o for g in groups for o in g]
            assert sorted(placed) == sorted(by_prompt[r["item"]]), r
        else:
            assert r["item"] in out_prompt, r
    for r in rows:
        cond = CONDITIONS.get(r["field"])
        if cond is None:
            continue
        pid = r["item"] if r["task"] == "instruction" else out_prompt[r["item"]]
        assert answers[r["labeler"], pid].get(cond) is True, f"{r} without {cond}=true"
    return answers, keys


def _check_complete(answers, keys, prompts, by_prompt):
    """A labeled comparison has every field that applies, for the prompt and each output."""
    for (labeler, pid), given in answers.items():
        due = {f for f in INSTRUCTION if f not in CONDITIONS or given.get(CONDITIONS[f])}
        assert set(given) == due, (labeler, pid)
        for oid in by_prompt[pid]:
            for f in OUTPUT:
                if f not in CONDITIONS or given.get(CONDITIONS[f]):
                    assert (labeler, "output", oid, f) in keys, (labeler, oid, f)
        assert (labeler, "ranking", pid, "ranking") in keys


@pytest.mark.parametrize("name, gold", [("gold.jsonl", True), ("labels.jsonl", False)])
def test_label_files(name, gold, prompts, outputs, by_prompt, roster):
    rows = read_jsonl(name)
    for r in rows:
        assert r.get("gold", False) is gold, r
        assert (roster[r["labeler"]] == "researcher") is gold, r
    answers, keys = _check_labels(rows, prompts, outputs, by_prompt)
    _check_complete(answers, keys, prompts, by_prompt)


def test_gold_covers_half_the_comparisons_and_some_toxicity(prompts):
    gold = read_jsonl("gold.jsonl")
    ranked = {r["item"] for r in gold if r["task"] == "ranking"}
    comparisons = {pid for pid, p in prompts.items() if "comparison" in p["tasks"]}
    assert len(ranked & comparisons) >= len(comparisons) // 2
    assert any(r["task"] == "toxicity" for r in gold)


def test_demo_labelers_overlap_gold_and_each_other():
    gold = {(r["task"], r["item"], r["field"]): r["value"] for r in read_jsonl("gold.jsonl")}
    mine = defaultdict(dict)
    for r in read_jsonl("labels.jsonl"):
        mine[r["labeler"]][r["task"], r["item"], r["field"]] = r["value"]
    assert set(mine) == {"ana", "ben"}
    for values in mine.values():
        shared = [k for k in values if k in gold]
        same = sum(values[k] == gold[k] for k in shared)
        # mostly, not always, in agreement with gold
        assert len(shared) >= 50 and 0.75 <= same / len(shared) < 1
    both = {item for task, item, _ in mine["ana"].keys() & mine["ben"].keys() if task == "ranking"}
    assert len(both) >= 3, "some prompts are ranked by both, for inter-annotator agreement"


def _sections(markdown):
    """Heading -> body text, for every heading level."""
    out, current = {}, None
    for line in markdown.splitlines():
        if line.startswith("#"):
            current = line.lstrip("#").strip()
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def test_guidelines_cover_the_spec():
    text = (DEMO / "guidelines.md").read_text(encoding="utf-8")
    sections = _sections(text)
    for heading in ("Helpful", "Truthful", "Harmless", "Weighing the criteria",
                    "Borderline cases: the customer-assistant question", "PII rules",
                    "Hallucination", "Ranking", "Toxicity labels", "Keys", "FAQ"):
        assert heading in sections, heading
    for field in [*INSTRUCTION, *OUTPUT, *TOXICITY]:
        assert f"`{field}`" in text, field
    for category in CATEGORIES:
        assert f"| {category} |" in sections["Categories"], category
    assert "customer assistant" in sections["Borderline cases: the customer-assistant question"]
    worked = " ".join(h for h in sections)
    assert "bomb" in worked and "customer complaint" in worked and "Stalin" in worked
    assert "`B>A=D>C`" in sections["Ranking"]
    not_hallucination = sections["Hallucination"].split("**Not hallucination**")[1]
    assert not_hallucination.count("\n- ") == 6
    for key in ("`F1`", "`Escape`", "`ctrl+q`", "`Backspace`", "`ctrl+s`", "`=`"):
        assert key in sections["Keys"], key
    faq = text.split("\n## FAQ\n")[1]
    assert faq.count("\n### ") >= 8 and "### Two outputs are equally good. Tie or not?" in faq
