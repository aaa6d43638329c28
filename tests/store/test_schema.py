import pytest

from store.errors import LabelError, StoreError
from store.schema import load_schema

SPEC_INSTRUCTION = {
    "pii", "pii_public_only", "pii_sensitive_context", "pii_certain", "category", "closed_domain",
    "intent_unclear", "explicit_constraints", "asks_sexual", "asks_violent", "asks_encourage_harm",
    "asks_denigrate_protected", "asks_advice", "asks_opinion", "asks_moral_judgment",
}
SPEC_OUTPUT = {
    "rating", "fails_task", "inappropriate_for_assistant", "hallucination", "satisfies_constraints",
    "sexual", "violent", "encourages_harm", "denigrates_protected", "harmful_advice",
    "expresses_opinion", "expresses_moral_judgment",
}


def test_default_schema_has_the_spec_fields():
    s = load_schema()
    assert {f.name for f in s.task("instruction").fields} == SPEC_INSTRUCTION
    assert {f.name for f in s.task("output").fields} == SPEC_OUTPUT
    assert {f.name for f in s.task("toxicity").fields} == {
        "input_toxicity", "toxicity", "relative_toxicity", "continuity"}
    assert len(s.field("instruction", "category").choices) == 10


def test_keys_are_unique_within_a_task():
    for schema in (load_schema(), load_schema("table7.toml")):
        for task in schema.tasks.values():
            keys = [f.key for f in task.fields if f.key]
            assert len(keys) == len(set(keys)), (schema.name, task.name)


def test_table7_variant():
    names = {f.name for f in load_schema("table7.toml").task("instruction").fields}
    assert {"ambiguous", "sensitive_content", "identity_dependent", "continuation_style",
            "explicit_safety_constraints", "explicit_other_constraints"} <= names


@pytest.mark.parametrize(("task", "field", "good", "bad"), [
    ("output", "rating", [1, 7], [0, 8, 3.5, True, "7"]),
    ("output", "inappropriate_for_assistant", [True, False, "na"], ["yes", None, 1]),
    ("output", "fails_task", [True, False], ["na", 0]),
    ("toxicity", "relative_toxicity", [-1, 0, 1], [-2, 2]),
    ("instruction", "category", ["open_qa"], ["poetry", ""]),
    ("ranking", "ranking", [[["a"], ["b", "c"]]], [[], [["a"], ["a"]], [["a"], []], "A>B"]),
    ("demonstration", "text", ["An answer."], ["", "   ", 3]),
])
def test_validation(task, field, good, bad):
    f = load_schema().field(task, field)
    for v in good:
        assert f.validate(v) == v
    for v in bad:
        with pytest.raises(LabelError):
            f.validate(v)


def test_full_scale_and_levels():
    s = load_schema()
    assert s.field("output", "rating").scale == [1, 2, 3, 4, 5, 6, 7]
    assert s.field("output", "rating").level == "ordinal"
    assert s.field("instruction", "pii").level == "nominal"
    assert s.field("ranking", "ranking").level is None


def test_conditions():
    s = load_schema()
    halluc = s.field("output", "hallucination")
    assert not halluc.applies({"instruction.closed_domain": False})
    assert halluc.applies({"instruction.closed_domain": True})
    assert s.field("instruction", "pii_certain").applies({"instruction.pii": True})


def test_bad_schema_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[tasks.x]\n[[tasks.x.fields]]\nname = "f"\nkind = "slider"\n')
    with pytest.raises(StoreError, match=r"bad.toml: tasks.x.f.kind: must be one of"):
        load_schema(bad)
    bad.write_text('[tasks.x]\n[[tasks.x.fields]]\nname = "f"\nkind = "bool"\nwhen = { "x.nope" = true }\n')
    with pytest.raises(StoreError, match="names an unknown field"):
        load_schema(bad)
