"""Exports in the shapes trainers read (TRL standard and conversational, OpenAI preference,
TRL KTO), each record checked against the trainer's own field names (tests/trainer_fields.py)."""

import json

import pytest
from click.testing import CliRunner

from store.conversation import conversation_text
from tests.trainer_fields import (
    check_openai_pair,
    check_trl_pair,
    check_trl_unpaired,
)
from tui.cli import cli


@pytest.fixture
def demo(demo_db):
    db_path = demo_db

    def export(*args, config=None):
        extra = ["--config", config] if config else []
        r = CliRunner().invoke(cli, ["export", *map(str, args), "--out", "-", "--db", str(db_path), *extra],
                               env={"LABELDESK_LABELER": "rhea"})
        assert r.exit_code == 0, r.output
        return [json.loads(line) for line in r.output.splitlines()]

    return export


@pytest.mark.parametrize("consensus", [False, True])
def test_pair_formats_carry_the_same_pairs_in_each_trainers_shape(demo, consensus):
    flag = ["--consensus"] if consensus else []
    flat = demo("pairs", *flag)
    chat = demo("pairs", *flag, "--format", "trl-chat")
    if consensus:  # each labeler's view rides along in both TRL shapes, and changes nothing else
        individual = demo("pairs", *flag, "--with-individual")
        for shape, records in ((False, individual), (True, demo("pairs", *flag, "--with-individual",
                                                                "--format", "trl-chat"))):
            for record in records:
                check_trl_pair(record, conversational=shape)
                assert {v["labeler"] for v in record["individual"]} <= {f"L{n}" for n in range(1, 20)}
            assert sum(len(r["individual"]) == r["n_labelers"] > 1 for r in records) > 10
        assert [{k: v for k, v in r.items() if k != "individual"} for r in individual] == flat
    openai = demo("pairs", *flag, "--format", "openai-dpo")
    assert flat == demo("pairs", *flag, "--format", "trl")  # trl is the default
    assert len(flat) == len(chat) == len(openai) > 10
    for f, c, o in zip(flat, chat, openai, strict=True):
        check_trl_pair(f, conversational=False)
        check_trl_pair(c, conversational=True)
        check_openai_pair(o)
        # The flat prompt is the conversation's text; the chat shapes carry its turns.
        assert conversation_text(c["prompt"]) == f["prompt"] and c["prompt"] == o["input"]["messages"]
        assert c["chosen"][0]["content"] == f["chosen"] == o["preferred_output"][0]["content"]
        assert c["rejected"][0]["content"] == f["rejected"] == o["non_preferred_output"][0]["content"]
        # LabelDesk's own columns ride along in TRL's shapes (TRL leaves them alone).
        assert {k: v for k, v in c.items() if k not in ("prompt", "chosen", "rejected")} == \
               {k: v for k, v in f.items() if k not in ("prompt", "chosen", "rejected")}
    if consensus:
        assert all("margin" in f and "p_chosen" in f for f in flat)
    # The demo's conversations (p37-p39) go out with their history.
    assert any(len(c["prompt"]) > 1 and c["prompt"][0]["role"] == "user" for c in chat)


def test_kto_per_labeler_and_consensus(demo, tmp_path):
    per = demo("kto")
    assert per and {r["label"] for r in per} == {True, False}
    for r in per:
        check_trl_unpaired(r, conversational=False)
        # The default thresholds: 6 and up desirable, 3 and below not, 4 and 5 left out.
        assert r["rating"] >= 6 if r["label"] else r["rating"] <= 3
    assert len({r["labeler"] for r in per}) > 2
    for r in demo("kto", "--format", "trl-chat"):
        check_trl_unpaired(r, conversational=True)
    agreed = demo("kto", "--consensus")
    assert len({r["output_id"] for r in agreed}) == len(agreed)  # one record per output
    for r in agreed:
        check_trl_unpaired(r, conversational=False)
        assert r["rating"] >= 6 if r["label"] else r["rating"] <= 3
        assert r["resolution"] in ("consensus", "gold", "adjudicated")
    # The thresholds come from [export]; a consensus mean is the mean of the labelers' ratings.
    cfg = tmp_path / "c.toml"
    cfg.write_text("[export]\nkto_good_rating = 5\nkto_bad_rating = 4\n")
    wider = demo("kto", "--consensus", config=cfg)
    assert len(wider) > len(agreed)
    # With thresholds that leave nothing out, a consensus rating is the labelers' mean.
    cfg.write_text("[export]\nkto_good_rating = 2\nkto_bad_rating = 1\n")
    ratings: dict[str, list[int]] = {}
    for r in demo("kto", config=cfg):
        if r["labeler"] != "rhea":  # the demo's researcher: her ratings are gold
            ratings.setdefault(r["output_id"], []).append(r["rating"])
    means = [r for r in demo("kto", "--consensus", config=cfg) if r["resolution"] == "consensus"]
    assert means
    for r in means:
        mine = ratings[r["output_id"]]
        assert r["n_labelers"] == len(mine) and r["rating"] == pytest.approx(sum(mine) / len(mine), abs=1e-4)


def test_sft_chat_is_a_conversation_ending_with_the_answer(demo):
    for r in demo("sft"):
        assert r["messages"][-1]["role"] == "assistant" and r["messages"][-2]["role"] == "user"
